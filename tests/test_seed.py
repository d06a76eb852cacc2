"""`flask seed`: districts and demo data, flagged as demo, and idempotent."""
from sqlalchemy import func, select

from registry.models import Capability, Change, District, Facility


def test_seed_loads_districts_and_flagged_demo_data_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert session.scalar(select(func.count()).select_from(District)) == 13
    facilities = session.scalar(select(func.count()).select_from(Facility))
    assert facilities == 300
    assert session.scalar(select(func.count()).where(Facility.demo.is_(False))) == 0
    assert session.scalar(select(func.count()).where(Capability.demo.is_(False))) == 0
    changes = session.scalar(select(func.count()).select_from(Change))

    second = runner.invoke(args=["seed", "--lang", "en"])
    assert second.exit_code == 0
    assert "Nothing changed." in second.output
    assert "facilities: created 0, updated 0, unchanged 300" in second.output
    assert session.scalar(select(func.count()).select_from(Change)) == changes
