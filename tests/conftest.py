"""Fixtures: a real database built by the real migrations, fresh tables per test.

SQLite by default; set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/registry_test)
to run the same suite against PostgreSQL.
"""
import os
import socket
import uuid

import flask
import flask_babel
import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

from registry import create_app
from registry.extensions import db, limiter
from registry.services.audit.unmet import flush as flush_unmet_demand
from registry.services.districts import sync_districts
from registry.services.records.scope_import import import_scope
from seeds.examples.build_examples import EXAMPLES
from seeds.examples.build_examples import HERE as EXAMPLES_DIR
from tests.factories import capability, facility, point_in, run, write_dataset

KEPT_TABLES = {"districts", "alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'registry-test.sqlite3'}")


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _drop_everything()
        flask_migrate.upgrade()
        sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
    return app


@pytest.fixture
def own_app(database_url):
    """Apps of the test's own settings (other workers, other stores); the limiter is process-wide, so the
    suite's settings come back after."""
    made = []

    def make(**settings):
        made.append(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings}))
        return made[-1]
    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    limiter.limit_manager.set_default_limits([])  # kept by the limiter once set (RATELIMIT_DEFAULT of a test)


REDIS = ("127.0.0.1", 6379)


def redis_listening() -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(REDIS) == 0


@pytest.fixture
def shared_redis():
    """Settings of a shared cache tier in the real Redis, under a key prefix of this test's own (its keys
    are deleted after); skipped without Redis at 127.0.0.1:6379 (.ci/run starts one)."""
    if not redis_listening():
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    import redis

    prefix = f"test-cache-{uuid.uuid4().hex[:12]}"
    url = f"redis://{REDIS[0]}:{REDIS[1]}/0"
    yield {"CACHE_REDIS_URL": url, "CACHE_REDIS_PREFIX": prefix}
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def session(app):
    """A clean registry (districts loaded) inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()
        flush_unmet_demand()  # counts a test's searches queued, written before the tables are emptied
        _empty_tables()


class Client(FlaskClient):
    """Requests here run inside the test's app context (the `session` fixture holds one),
    so `g` outlives a request; forget the locale Flask-Babel cached there, as a fresh
    request in production would; the same for the user Flask-Login and the CSRF token Flask-WTF cached there."""

    def open(self, *args, **kwargs):
        flask_babel.refresh()
        flask.g.pop("_login_user", None)
        flask.g.pop("csrf_token", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def registry(session, tmp_path):
    """A small registry to search: four facilities (one suspended, one unlocated) and six capabilities."""
    lon, lat = point_in("330109")
    facilities = [
        facility(1, name="杭州电缆检测中心", district_code="330109", lon=str(lon), lat=str(lat),
                 cma_no="211112290728", cma_valid_until="2030-01-01"),
        facility(2, name="西湖计量所", kind="metrology", ownership="private", shared="no"),
        facility(3, name="滨江食品检验站", district_code="330108", lon=None, lat=None),
        facility(4, name="暂停的检测站", status="suspended"),
    ]
    capabilities = [
        capability(1, 1),  # 电线电缆 导体直流电阻, GB/T 3048.4-2007
        capability(1, 2, name="电线电缆 绝缘电阻", standards="GB/T 3048.5-2007", valid_until="2020-01-01"),
        capability(2, 1, kind="measurement_standard", name="活塞式压力计标准装置", discipline="mechanics",
                   standards="JJG 59-2007", quantity="压力", range_min="100", range_max="60000", unit="kPa",
                   price_cny="300", lead_time_days="3", bookable="yes", daily_capacity="5"),
        capability(2, 2, kind="measurement_standard", name="铂电阻温度计标准装置", discipline="thermal",
                   standards="JJG 160-2007", quantity="温度", range_min="-40", range_max="300", unit="℃"),
        capability(3, 1, name="食品 铅含量", standards="GB 5009.12-2017"),
        capability(4, 1, name="电线电缆 导体直流电阻"),
    ]
    report = run(session, write_dataset(tmp_path, facilities, capabilities))
    assert report.committed, report.issues
    return session



@pytest.fixture
def client(app, session):
    app.test_client_class = Client
    return app.test_client()


def _drop_everything():
    db.session.remove()
    with db.engine.begin() as connection:
        names = inspect(connection).get_table_names()
        if db.engine.dialect.name == "postgresql":
            for name in names:
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        else:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            for name in names:
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def _empty_tables():
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def scope_examples(session, tmp_path):
    """The example scopes of seeds/examples/ imported as published: F0001 the CNAS testing scope, F0002 (metrology)
    the calibration scope, F0003 (metrology) the measurement standards."""
    run(session, write_dataset(tmp_path / "scope-base", [facility(1), facility(2, kind="metrology"),
                                                          facility(3, kind="metrology")]))
    for layout, facility_id in (("cnas-testing", "F0001"), ("cnas-calibration", "F0002"), ("standards", "F0003")):
        report = import_scope(session, EXAMPLES_DIR / EXAMPLES[layout][0], facility_id, actor="test")
        assert report.outcome == "committed", [p.message("en") for p in report.errors]
    return session
