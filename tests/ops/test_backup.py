"""`flask backup PATH` / `flask restore PATH`: back up, change the data, restore, and the data is
what was backed up (SQLite through the online backup API, PostgreSQL through pg_dump/pg_restore)."""
import flask_migrate
import psycopg
import pytest
from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import make_url

from registry.extensions import db
from registry.models import Facility
from registry.services.districts import sync_districts
from tests.factories import bookable_dataset, run


def snapshot() -> dict:
    """Every row of every table, in a stable order."""
    with db.engine.connect() as connection:
        return {name: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{name}"')).all()))
                for name in sorted(inspect(connection).get_table_names())}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, database_url):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}"
        return
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
    name = f"{url.database}_backup"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_change_restore_gives_back_the_backed_up_data(own_app, database, tmp_path):
    app = own_app(SQLALCHEMY_DATABASE_URI=database)
    cli = app.test_cli_runner()
    with app.app_context():
        flask_migrate.upgrade()
        sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
        run(db.session, bookable_dataset(tmp_path / "v1", facilities=3))
        before = snapshot()
        db.session.remove()

    result = cli.invoke(args=["backup", str(tmp_path / "registry.backup")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "registry.backup").stat().st_size > 0

    with app.app_context():  # the data changes after the backup
        run(db.session, bookable_dataset(tmp_path / "v2", facilities=5))
        db.session.execute(update(Facility).where(Facility.facility_id == "F0001").values(name="改过的名字"))
        db.session.commit()
        assert snapshot() != before
        db.session.remove()

    refused = cli.invoke(args=["restore", str(tmp_path / "registry.backup")], input="n\n")
    assert refused.exit_code != 0  # asks first; "n" leaves the database alone
    result = cli.invoke(args=["restore", "--yes", str(tmp_path / "registry.backup")])
    assert result.exit_code == 0, result.output

    with app.app_context():
        assert snapshot() == before
        assert db.session.scalar(select(Facility.name).where(Facility.facility_id == "F0001")) != "改过的名字"
        db.session.remove()


def test_restore_refuses_a_file_that_is_not_a_backup(own_app, tmp_path):
    app = own_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    (tmp_path / "notes.txt").write_text("not a database")
    result = app.test_cli_runner().invoke(args=["restore", "--yes", str(tmp_path / "notes.txt")])
    assert result.exit_code == 1 and "is not an SQLite backup" in result.output
