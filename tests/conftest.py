"""Fixtures: a real database built by the real migrations, fresh tables per test.

SQLite by default; set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/registry_test)
to run the same suite against PostgreSQL.
"""
import os

import flask
import flask_babel
import flask_migrate
import pytest
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

from registry import create_app
from registry.extensions import db
from registry.services.districts import sync_districts

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
def session(app):
    """A clean registry (districts loaded) inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()
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
