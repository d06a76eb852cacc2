"""Engines: SQLite made to behave like a real database, and reads sent to a streaming replica.

SQLite: foreign keys are off unless asked for; WAL lets the web pages read while an import writes; a
busy timeout makes writers queue instead of failing; a 64 MiB page cache keeps a long import from
spilling pages to disk early.

Replica (`DATABASE_REPLICA_URL`, a PostgreSQL hot standby): Flask-SQLAlchemy's bind "replica" and a
session whose `get_bind` sends a request's reads there when the request only reads public or audit
data (GET/HEAD on the blueprints in REPLICA_BLUEPRINTS). Everything else stays on the primary: every
flush and INSERT/UPDATE/DELETE, the rest of that request once it has written, the tables that decide
who may do what (a revoked key or an ended session counts at once), bookings, workspace, admin and
sign-in, commands and background work (no request), and for REPLICA_STICKY_SECONDS after a person's
own POST, so that the page they are sent to shows what they just wrote. The replica's connections are
read-only even where the database would allow writing (SQLite in tests, a misconfigured URL): a write
that reaches it fails loudly instead of landing there.

This module imports nothing of the registry's (extensions.py takes its session class from here).
"""
from __future__ import annotations

import time
import weakref
from functools import cache

from flask import current_app, has_request_context, request
from flask import session as cookie_session
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.sql.dml import UpdateBase

REPLICA = "replica"  # the bind key
# Blueprints whose GET/HEAD requests read only what anyone (or an auditor) may see: search, facility
# pages, maps, the plan, the audit pages, and the API's lists, details, change feed and figures.
REPLICA_BLUEPRINTS = frozenset({"pages", "search", "maps", "plan", "audit", "api_facilities",
                                "api_capabilities", "api_districts", "api_changes", "api_audit", "api_plan"})
PRIMARY_TABLES = frozenset({"users", "api_keys"})  # read where they are written: sign-in, keys, sessions
SAFE_METHODS = frozenset({"GET", "HEAD"})
STICKY_KEY = "_primary_until"  # in the signed session cookie: until when this person reads the primary
_ROUTED = "registry.replica_reads"  # per request, in the WSGI environ (g may outlive a request in tests)
_WROTE = "registry.wrote"


PING_AFTER_IDLE_SECONDS = 10.0


def configure_engine_events(engine: Engine, read_only: bool = False) -> None:
    if engine.dialect.name != "sqlite":
        _ping_after_idle(engine)
        if engine.dialect.driver == "psycopg":
            event.listen(engine, "connect", _describe_on_demand)
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")
        if read_only:  # the replica's stand-in in tests: a write sent there raises
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use when it sat idle for PING_AFTER_IDLE_SECONDS (a database
    restart or a firewall's idle timeout kills those), and hand out a fresh one if it is dead.
    SQLAlchemy's pool_pre_ping checks on every checkout: a round trip added to every request, a
    sixth of a facility detail's time, for connections a busy worker used milliseconds ago."""
    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()  # end the ping's implicit transaction
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("an idle pooled connection is gone") from error  # the pool reconnects


def _describe_on_demand(dbapi_connection, _record) -> None:
    dbapi_connection.cursor_factory = _described_on_demand_cursor()


@cache
def _described_on_demand_cursor():
    """psycopg's cursor whose `description` makes its Column objects when first read. SQLAlchemy asks every
    result for its description but reads none of it for a statement it ran before (its result metadata
    is cached), and making them (four libpq calls and a decode a column) was 7% of a facility detail's
    instructions and 3% of a keyword search's (callgrind). Built on first use: psycopg is not imported
    where only SQLite is used."""
    from collections.abc import Sequence

    import psycopg
    from psycopg import Column

    class Snapshot:  # what a Column reads of its cursor, kept from the result it describes
        __slots__ = ("pgresult", "_encoding", "adapters")

        def __init__(self, cursor):
            self.pgresult, self._encoding, self.adapters = cursor.pgresult, cursor._encoding, cursor.adapters

    class Description(Sequence):
        __slots__ = ("_of", "_n", "_columns")

        def __init__(self, cursor, n: int):
            self._of, self._n, self._columns = Snapshot(cursor), n, None

        def _made(self) -> list:
            if self._columns is None:
                self._columns = [Column(self._of, i) for i in range(self._n)]
            return self._columns

        def __len__(self) -> int:
            return self._n

        def __getitem__(self, index):
            return self._made()[index]

        def __repr__(self) -> str:
            return repr(self._made())

    base = psycopg.Cursor.description.fget

    class DescribedOnDemandCursor(psycopg.Cursor):
        @property
        def description(self):
            result = self.pgresult
            return Description(self, result.nfields) if result and result.nfields else base(self)

    return DescribedOnDemandCursor


def replica_bind(config: dict) -> dict:
    """SQLALCHEMY_BINDS for `DATABASE_REPLICA_URL` (empty without one): the primary's engine options, and
    on PostgreSQL read-only transactions, so that nothing can be written there by mistake."""
    url = config.get("DATABASE_REPLICA_URL")
    if not url:
        return {}
    options = {**config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "url": url}
    if url.startswith("postgresql"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args["options"] = (connect_args.get("options", "") + " -c default_transaction_read_only=on").strip()
        options["connect_args"] = connect_args
    return {REPLICA: options}


def request_reads_replica() -> bool:
    """Whether this request's reads go to the replica (decided once per request, until it writes)."""
    if not has_request_context():
        return False
    environ = request.environ
    if environ.get(_WROTE):
        return False
    routed = environ.get(_ROUTED)
    if routed is None:
        routed = environ[_ROUTED] = (request.method in SAFE_METHODS and request.blueprint in REPLICA_BLUEPRINTS
                                     and not _sticky())
    return routed


def _sticky() -> bool:
    if request.blueprint.startswith("api_"):  # partners have no cookie; their writes are bookings (primary)
        return False
    return cookie_session.get(STICKY_KEY, 0) > time.time()


def remember_own_writes(response):
    """After a person's POST (or PUT, DELETE), their next pages read the primary for a while: the replica
    may not have what they just wrote yet. Installed by `init_app` only when a replica is configured."""
    if request.method not in SAFE_METHODS and not (request.blueprint or "").startswith("api_"):
        cookie_session[STICKY_KEY] = time.time() + current_app.config["REPLICA_STICKY_SECONDS"]
    return response


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, sending a read-only request's reads to the replica."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and REPLICA in self._db.engines and request_reads_replica():
            writes = self._flushing or isinstance(clause, UpdateBase)
            if writes and has_request_context():
                request.environ[_WROTE] = True  # read what it wrote: the rest of the request reads the primary
            elif not writes and not _primary_table(mapper, clause):
                return self._db.engines[REPLICA]
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def primary_bind(self) -> Engine:
        """The primary's engine whatever the request (for writes on a connection of their own)."""
        return super().get_bind()


def _primary_table(mapper, clause) -> bool:
    table = getattr(mapper, "local_table", None) if mapper is not None else getattr(clause, "table", None)
    if mapper is not None and table is None:  # a mapped class rather than its mapper
        table = getattr(getattr(mapper, "__mapper__", None), "local_table", None)
    return getattr(table, "name", None) in PRIMARY_TABLES


def primary_bind(session) -> Engine:
    """The engine writes go to: the primary, also from a request whose reads go to the replica."""
    return session.primary_bind() if isinstance(session, RoutingSession) else session.get_bind()


_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def database_key(session_or_engine) -> str:
    """The database a session reads (or an engine's), as the per-process caches name it: its URL with
    the password hidden. Rendered once per engine: a search asked it a dozen times, 3 µs each."""
    engine = session_or_engine if isinstance(session_or_engine, Engine) else session_or_engine.get_bind()
    key = _KEYS.get(engine)
    if key is None:
        key = _KEYS[engine] = str(engine.url)
    return key


def init_app(app) -> None:
    if REPLICA in app.config.get("SQLALCHEMY_BINDS", {}):
        app.after_request(remember_own_writes)
