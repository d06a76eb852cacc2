"""Flask extensions, created without an app (bound in create_app).

Flask-Migrate is the exception to importing each extension here: importing it imports alembic (about
a third of a second), which `flask routes`, every other command and every gunicorn worker would pay
for nothing. `LazyMigrate` keeps what Flask-Migrate keeps in `app.extensions["migrate"]` (db,
directory, configure_args: what migrations/env.py and `flask_migrate.upgrade()` read) and adds a `db`
command group that loads Flask-Migrate's own group when it is used: `flask db upgrade` works as ever.
"""
from functools import cached_property

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from registry.database import RoutingSession
from registry.limiting import RegistryLimiter


class MigrateState:
    """Flask-Migrate's per-app state (its `_MigrateConfig`), its `Migrate` made on first use."""

    def __init__(self, db, directory: str, configure_args: dict):
        self.db = db
        self.directory = directory
        self.configure_args = configure_args

    @property
    def metadata(self):
        return self.db.metadata

    @cached_property
    def migrate(self):
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **dict(self.configure_args))


class MigrateCommands(click.Group):
    """`flask db …`: Flask-Migrate's own group, imported when a `db` command runs; it parses and runs
    everything from there (its -d/-x options and subcommands), so nothing of it is repeated here."""

    def make_context(self, info_name, args, parent=None, **extra):
        from flask_migrate.cli import db as group

        return group.make_context(info_name, args, parent=parent, **extra)


class LazyMigrate:
    """Created without an app in extensions.py, like the other extensions."""

    def init_app(self, app: Flask, db, directory: str, **configure_args) -> None:
        args = {"compare_type": True, "render_as_batch": True, **configure_args}  # Flask-Migrate's defaults
        app.extensions["migrate"] = MigrateState(db, str(directory), args)
        app.cli.add_command(MigrateCommands("db", help="Perform database migrations (Flask-Migrate)."))


# Named constraints, so that migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# RoutingSession: reads of read-only requests go to DATABASE_REPLICA_URL when one is set (registry/database.py).
db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": RoutingSession})
migrate = LazyMigrate()  # Flask-Migrate (alembic) is imported when a migration runs
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
# Limits: the API's (registry/api, shared by all its endpoints) and sign-in/sign-up (registry/web/auth.py);
# storage from RATELIMIT_STORAGE_URI. When that store cannot be reached the limits fail open to counters
# in this process (in-memory fallback) instead of failing every request; see README, "Security".
limiter = RegistryLimiter(key_func=get_remote_address, in_memory_fallback_enabled=True, swallow_errors=True)
