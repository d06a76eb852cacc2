"""Reads of read-only requests go to the replica (DATABASE_REPLICA_URL), everything else to the primary.

Without a streaming replica at hand, the replica URL here names the test database itself: the routing is
the same, and the replica's connections are read-only (SQLite's query_only, PostgreSQL's read-only
transactions), so a write sent there fails as it would on a standby. Which engine ran each statement is
seen with SQLAlchemy's own engine events. tests/replica/ runs against a real standby (.ci/replica).
"""
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, exc, select, text

from registry import create_app
from registry.database import REPLICA, STICKY_KEY, configure_engine_events
from registry.extensions import db
from registry.models import ChangeSet, User
from tests.factories import login, user


@pytest.fixture
def routed(app, database_url):
    """An app whose replica is the test database itself (`app` has migrated it)."""
    routed = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                         "DATABASE_REPLICA_URL": database_url})
    yield routed
    with routed.app_context():
        for engine in db.engines.values():
            engine.dispose()


@contextmanager
def statements(routed):
    """The SQL each engine of `routed` runs meanwhile: {"primary": [...], "replica": [...]}."""
    with routed.app_context():
        engines = {"primary": db.engines[None], "replica": db.engines[REPLICA]}
    seen = {name: [] for name in engines}
    listeners = {name: (lambda _c, _cur, statement, *_a, name=name: seen[name].append(statement))
                 for name in engines}
    for name, engine in engines.items():
        event.listen(engine, "before_cursor_execute", listeners[name])
    try:
        yield seen
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])


def selects(found: list[str]) -> list[str]:
    return [s for s in found if s.lstrip().upper().startswith("SELECT")]


def test_without_a_replica_there_is_one_engine(app):
    with app.app_context():
        assert REPLICA not in db.engines
        assert "replica" not in app.test_client().get("/readyz").get_json()["checks"]


def test_search_pages_and_api_reads_go_to_the_replica(registry, routed):
    client = routed.test_client()
    for path in ("/search?q=电缆", "/facilities/F0001", "/api/v1/facilities?q=电缆", "/api/v1/facilities/F0001",
                 "/api/v1/changes"):
        with statements(routed) as seen:
            response = client.get(path)
        assert response.status_code == 200, path
        assert selects(seen["replica"]), f"{path} read nothing on the replica"
        assert selects(seen["primary"]) == [], f"{path} read on the primary: {selects(seen['primary'])[:2]}"


def test_signing_in_and_own_pages_read_the_primary(session, routed):
    account = user(session, role="enterprise")
    client = routed.test_client()
    with statements(routed) as seen:
        login(client, account)
        assert client.get("/bookings").status_code == 200
    assert seen["primary"] and seen["replica"] == []


def test_a_persons_pages_read_the_primary_for_a_while_after_their_own_post(session, registry, routed):
    account = user(session, role="enterprise")
    client = routed.test_client()
    login(client, account)  # a POST
    with client.session_transaction() as cookie:
        assert STICKY_KEY in cookie
    with statements(routed) as seen:
        assert client.get("/search?q=电缆").status_code == 200
    assert selects(seen["replica"]) == [] and selects(seen["primary"])
    with client.session_transaction() as cookie:
        cookie[STICKY_KEY] -= routed.config["REPLICA_STICKY_SECONDS"] + 1  # the window over: back to the replica
    with statements(routed) as seen:
        assert client.get("/search?q=电缆").status_code == 200
    assert selects(seen["replica"])


def test_who_may_do_what_is_read_on_the_primary_also_in_a_read_only_request(session, routed):
    with routed.test_request_context("/search"):
        assert db.session.get_bind() is db.engines[REPLICA]
        assert db.session.get_bind(mapper=User.__mapper__) is db.engine
        assert db.session.get_bind(mapper=ChangeSet.__mapper__) is db.engines[REPLICA]


def test_a_write_in_a_read_only_request_goes_to_the_primary_and_so_does_the_rest_of_it(session, routed):
    with routed.test_request_context("/search"), statements(routed) as seen:
        db.session.add(ChangeSet(actor="test", source="routing"))
        db.session.flush()
        assert [s for s in seen["primary"] if "INSERT" in s.upper()]
        assert db.session.get_bind() is db.engine  # it reads what it wrote
        assert db.session.scalar(select(ChangeSet.source)) == "routing"
        db.session.rollback()
    assert seen["replica"] == []


def test_a_raw_write_sent_to_the_replica_fails_instead_of_landing_there(session, routed):
    with routed.test_request_context("/search"):
        with pytest.raises(exc.DBAPIError):
            db.session.execute(text("UPDATE districts SET name_en = name_en"))
        db.session.rollback()


def test_writes_commands_and_background_work_use_the_primary(session, routed):
    with routed.test_request_context("/search", method="POST"):
        assert db.session.get_bind() is db.engine
    with routed.test_request_context("/bookings"):
        assert db.session.get_bind() is db.engine
    with routed.app_context():  # a command, a background upload, the unmet-demand writer
        assert db.session.get_bind() is db.engine


def test_readyz_reports_the_replica(routed):
    body = routed.test_client().get("/readyz").get_json()
    assert body["checks"]["replica"]["ok"] is True
    assert body["status"] == "ready"


@pytest.fixture
def one_connection_engine(database_url):
    """An engine of the registry's kind (database.configure_engine_events) with one pooled connection, so
    that the connection a test kills is the one the pool hands out next."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to lose, and no ping")
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    configure_engine_events(engine)
    yield engine
    engine.dispose()


def test_a_pooled_connection_that_died_while_idle_is_replaced_before_use(one_connection_engine, monkeypatch):
    """No ping on every checkout (a round trip per request), but a connection idle past the limit is
    checked, and one the server closed meanwhile is replaced: the request does not fail."""
    monkeypatch.setattr("registry.database.PING_AFTER_IDLE_SECONDS", 0.0)
    engine = one_connection_engine
    with engine.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = engine.pool._creator()
    killer.autocommit = True
    killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
    killer.close()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_a_busy_connection_is_not_pinged(one_connection_engine, monkeypatch):
    engine = one_connection_engine
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    pids = set()
    for _ in range(3):
        with engine.connect() as connection:
            pids.add(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    monkeypatch.setattr("registry.database.PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:
        pids.add(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
    assert len(pids) == 1 and len(pings) == 1  # one connection, pinged only once it counts as idle


def test_psycopg_descriptions_are_made_on_demand_and_describe_their_own_result(app):
    with app.app_context():
        if db.engine.dialect.driver != "psycopg":
            pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
        import psycopg
        with db.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            cursor, plain = raw.cursor(), psycopg.Cursor(raw)
            for c in (cursor, plain):
                c.execute("SELECT 1 AS one, 'x'::text AS two, now() AS three")
            first = cursor.description
            cursor.execute("SELECT 2 AS other")  # the cursor moves on: the first description still holds
            assert type(cursor) is not psycopg.Cursor and len(first) == 3
            assert [tuple(c) for c in first] == [tuple(c) for c in plain.description]  # name, type, sizes...
            assert first[1].name == "two" and first[-1].type_code == plain.description[-1].type_code
            assert [c.name for c in cursor.description] == ["other"]
            cursor.execute("SET LOCAL statement_timeout = 0")
            assert cursor.description is None
            # SQLAlchemy reads the names of a statement it has not run before from the description
            rows = connection.execute(text("SELECT 1 AS alpha, 2 AS beta")).mappings()
            assert list(rows) == [{"alpha": 1, "beta": 2}]
