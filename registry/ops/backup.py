"""Backups of the registry's database, and restoring one.

SQLite: sqlite3's online backup API, a consistent copy taken while the app keeps serving (the
copy is itself an SQLite file); restoring copies it back page by page over the live file.
PostgreSQL: pg_dump's custom format and pg_restore (`--clean --if-exists --single-transaction`:
all of it or nothing), the client tools of the server's major version on PATH.
Uploaded files (UPLOAD_DIR) are not in the database: copy that folder beside the backup.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from registry.errors import RegistryError


class BackupError(RegistryError):
    pass


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The URL pg_dump understands, and the environment carrying the password (never argv)."""
    url = make_url(engine.url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
        url = url.set(password=None)
    return url.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not on PATH: install PostgreSQL's client tools "
                          f"(Debian: postgresql-client) of the server's major version.")
    return found


def backup(engine: Engine, target: Path) -> Path:
    """Write a backup of the database behind `engine` to `target` (overwritten)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_file(engine))
        partial = target.with_name(target.name + ".partial")
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)  # a crash leaves the previous backup, never half of a new one
    elif engine.dialect.name == "postgresql":
        url, env = _libpq(engine)
        subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                        "--file", str(target), "--dbname", url], env=env, check=True)
    else:
        raise BackupError(f"No backup method for {engine.dialect.name}.")
    return target


def restore(engine: Engine, source: Path) -> None:
    """Replace the database behind `engine` with the backup at `source`. Stop the app first."""
    if not source.is_file():
        raise BackupError(f"No backup at {source}.")
    engine.dispose()  # no pooled connection may keep the old state
    if engine.dialect.name == "sqlite":
        with source.open("rb") as head:
            if head.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} is not an SQLite backup.")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_file(engine))
        try:
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif engine.dialect.name == "postgresql":
        url, env = _libpq(engine)
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                        "--single-transaction", "--exit-on-error", "--dbname", url, str(source)],
                       env=env, check=True)
    else:
        raise BackupError(f"No restore method for {engine.dialect.name}.")
