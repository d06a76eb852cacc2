"""One writer at a time for the registry's records.

The change log is a feed that partners follow by id (`/changes?since=`): a reader
that has seen change N must never later find a committed change below N. Ids come
from sequences, so two concurrent writers could commit out of id order, and two
imports creating the same facility would race on its key. Writers therefore take
one lock for their whole transaction: on PostgreSQL a transaction-level advisory
lock, on SQLite `BEGIN IMMEDIATE`. Writes to the registry are rare and short next
to reads, which never wait.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc, text
from sqlalchemy.orm import scoped_session

from registry.errors import RegistryError

WRITE_LOCK_KEY = 7_301_002  # any constant; the same for every writer of registry records
WAIT_S = 600.0  # a writer queues behind a long import rather than failing
SQLITE_BUSY_TIMEOUT_MS = 30_000  # registry/database.py's setting, restored once the lock is held


class WriterBusy(RegistryError):
    """Another writer held the registry for longer than we were willing to wait."""

    status = 503


def begin_write(session, wait_s: float = WAIT_S) -> None:
    """Make the session's transaction the registry's single writer (idempotent within it).

    Raises WriterBusy after `wait_s` seconds of waiting; the caller rolls back.
    """
    if isinstance(session, scoped_session):
        session = session()
    connection = session.connection()
    try:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_s * 1000)}")
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            connection.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
        elif connection.dialect.name == "sqlite":
            _begin_immediate(connection, wait_s)
    except exc.OperationalError as error:
        raise WriterBusy(_l("The registry is being changed by another import or edit; try again later.")) from error


def _begin_immediate(connection, wait_s: float) -> None:
    # Python's sqlite3 begins a transaction only before the first write; once it has, this
    # connection already holds SQLite's write lock.
    if connection.connection.dbapi_connection.in_transaction:
        return
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_s * 1000)}")
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
