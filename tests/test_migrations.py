"""Migrations are the schema's history: they must build exactly what the models say."""
import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

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


def test_scope_search_migration_recomputes_documents_and_fills_segments(app, session, tmp_path):
    """0060 on the suite's database (SQLite or PostgreSQL): down, a scope item's document loses its method
    titles and segments their base columns; up again, both are back, and no document is left unused."""
    from registry.services.records.scope_import import import_scope
    from tests.factories import facility, run, write_dataset
    from tests.services.test_scope_examples import path_of

    run(session, write_dataset(tmp_path, [facility(1), facility(2, kind="metrology")]))
    for layout, facility_id in (("cnas-testing", "F0001"), ("cnas-calibration", "F0002")):
        assert import_scope(session, path_of(layout), facility_id, actor="test").outcome == "committed"
    session.commit()
    session.close()
    doc_of = text("SELECT d.text FROM capabilities c JOIN search_docs d ON d.id = c.search_doc_id "
                  "WHERE c.parameter = :parameter")
    unused = text("SELECT count(*) FROM search_docs d WHERE NOT EXISTS "
                  "(SELECT 1 FROM capabilities c WHERE c.search_doc_id = d.id)")
    with app.app_context():
        flask_migrate.downgrade(revision="0060-1")  # the revision before 0060, whatever the chain
        with db.engine.connect() as connection:
            assert connection.execute(doc_of, {"parameter": "水分"}).scalar() == (
                "食品(演示) 水分 | gb 5009.3-2016")
            assert connection.execute(unused).scalar() == 0
            assert "min_base" not in {c["name"] for c in inspect(connection).get_columns("capability_ranges")}
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(doc_of, {"parameter": "水分"}).scalar() == (
                "食品(演示) 水分 | gb 5009.3-2016 | 食品中水分的测定")
            assert connection.execute(doc_of, {"parameter": "菌落总数"}).scalar().endswith(
                " | 作业指导书 xx/zy-012-2020")
            assert connection.execute(unused).scalar() == 0
            segments = dict(connection.execute(text(
                "SELECT text, max_base FROM capability_ranges WHERE dimension IS NOT NULL")).all())
    assert segments["(10～100) MPa"] == pytest.approx(1e8)
    assert segments["10 Hz～1 GHz"] == pytest.approx(1e9)
