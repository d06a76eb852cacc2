"""The same plan over the same data gets the same answer on PostgreSQL and SQLite (issue 16: a benchmark
once showed 23 and 22 plans of 40 with a pair; its plans were drawn from rows read without ORDER BY, so
each database was asked different plans). Runs in the PostgreSQL run of the suite, which builds a SQLite
registry of the same data beside it."""
import flask_migrate
import pytest

from registry import create_app
from registry.extensions import db
from registry.services.districts import sync_districts
from registry.services.search.plan import plan_coverage
from tests.factories import point_in
from tests.services.plan_fixture import TODAY
from tests.services.test_plan_batch import load_realistic, realistic_plan


def answer(session, items, near):
    coverage = plan_coverage(session, items, TODAY, near=near, limit=50)

    def fid(c):
        return c.facility["facility_id"]
    return {"complete": [(fid(c), c.distance_km) for c in coverage.complete],
            "partial": [(fid(c), c.covered, c.expired, c.accredited, c.distance_km) for c in coverage.partial],
            "totals": (coverage.complete_total, coverage.partial_total), "per_item": coverage.item_facilities,
            "pairs": [(fid(p.first), fid(p.second)) for p in coverage.pairs]}


def test_the_same_plan_gets_the_same_answer_on_both_databases(app, session, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("runs with TEST_DATABASE_URL=postgresql+psycopg://... (and builds its own SQLite registry)")
    load_realistic(session, tmp_path / "pg")
    drawn = [realistic_plan(session, None, 30, seed) for seed in (5, 6)]
    plans = [drawn[0], drawn[1][:2], drawn[1][2:5], drawn[0][:3]]  # the last two items: nobody has them
    places = [point_in("330106"), None, point_in("330108"), None]
    on_postgresql = [answer(session, items, near) for items, near in zip(plans, places)]
    assert any(a["pairs"] for a in on_postgresql) or any(a["complete"] for a in on_postgresql)

    sqlite = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'same.sqlite3'}"})
    with sqlite.app_context():
        flask_migrate.upgrade()
        sync_districts(db.session, sqlite.config["DISTRICTS_GEOJSON"], sqlite.config["DISTRICTS_CSV"])
        load_realistic(db.session, tmp_path / "sqlite")
        on_sqlite = [answer(db.session, items, near) for items, near in zip(plans, places)]
        db.session.remove()
    assert on_sqlite == on_postgresql
