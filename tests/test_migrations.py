"""Migrations are the schema's history: they must build exactly what the models say."""
import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from registry import create_app
from registry.extensions import db
from registry.services.search.index import not_index_table


def test_upgraded_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "include_name": not_index_table})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_empty_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'cycle.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        assert set(inspect(create_engine(url)).get_table_names()) == {"alembic_version"}
        flask_migrate.upgrade()
    assert {"facilities", "capabilities", "changes"} <= set(inspect(create_engine(url)).get_table_names())
