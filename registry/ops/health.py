"""Is this process alive, and can it serve: the database answers, its schema is at the migrations'
head, the streaming replica answers (when reads go to one; with its replay lag), and the rate-limit
store (Redis, when configured) answers.

Each check is one round trip; the migrations' head is read from the scripts once per process.
"""
from __future__ import annotations

import time
from functools import lru_cache

from flask import current_app
from sqlalchemy import text

from registry.database import REPLICA
from registry.extensions import db, limiter


@lru_cache(maxsize=4)
def migration_heads(directory: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory  # alembic loads on the first readiness check, not at start

    return frozenset(ScriptDirectory(directory).get_heads())


def _timed(name: str, check) -> dict:
    """Run one check; a failure is an answer (its kind only: hosts and ports go to the log, not the public)."""
    start = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001  (whatever fails, readiness says so instead of a 500)
        current_app.logger.warning("readiness: %s failed: %s", name, exc)
        result = {"ok": False, "error": f"{type(exc).__name__} (details in the server's log)"}
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def _database_and_schema() -> tuple[dict, dict]:
    schema: dict = {"ok": False, "error": "the database did not answer"}

    def database():
        from alembic.migration import MigrationContext

        nonlocal schema
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
        heads = migration_heads(current_app.extensions["migrate"].directory)
        schema = {"ok": current == heads, "current": sorted(current), "head": sorted(heads)}
        if not schema["ok"]:
            schema["error"] = "the schema is not at the migrations' head: run `flask --app registry db upgrade`"
        return {"ok": True}

    return _timed("database", database), schema


def _replica() -> dict:
    """The replica answers; on PostgreSQL also whether it is a standby and how far behind the primary's
    last replayed commit it is (seconds; None before its first replayed commit)."""
    with db.engines[REPLICA].connect() as connection:
        if connection.dialect.name != "postgresql":
            connection.execute(text("SELECT 1"))
            return {"ok": True}
        standby, lag = connection.execute(text(
            "SELECT pg_is_in_recovery(), EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")).one()
    return {"ok": True, "standby": standby, "lag_s": None if lag is None else round(float(lag), 1)}


def _redis() -> dict:
    if not limiter.storage.check():
        return {"ok": False, "error": "the rate-limit store did not answer a PING"}
    return {"ok": True}


def uses_redis(uri: str) -> bool:
    return uri.split(":", 1)[0].startswith(("redis", "rediss"))


def readiness() -> tuple[dict, bool]:
    """The checks by name, and whether every one passed."""
    database, schema = _database_and_schema()
    checks = {"database": database, "migrations": schema}
    if REPLICA in db.engines:
        checks["replica"] = _timed("replica", _replica)
    if uses_redis(current_app.config["RATELIMIT_STORAGE_URI"]):
        checks["redis"] = _timed("redis", _redis)
    ready = all(check["ok"] for check in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks,
            "failing": [name for name, check in checks.items() if not check["ok"]]}, ready
