"""`flask seed`: districts, demo data and the example scopes in demo facilities, flagged as demo, and idempotent."""
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from registry.models import Capability, Change, ChangeSet, District, Facility
from registry.services.records.demo_scopes import manifest
from registry.services.records.scopes import read_scope


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


def test_seed_imports_each_example_scope_into_its_demo_facility(app, session):
    folder = Path(app.config["DEMO_SCOPES_DIR"])
    files = manifest(folder)
    assert sorted(f for f, _ in files) == ["cma.xlsx", "cnas_calibration.xlsx", "cnas_testing.xlsx", "standards.xlsx"]
    result = app.test_cli_runner().invoke(args=["seed", "--lang", "en"])
    assert result.exit_code == 0, result.output
    for file, facility_id in files:
        items = read_scope(folder / file).items
        stored = session.scalars(select(Capability).join(Facility).where(
            Facility.facility_id == facility_id, Capability.scope_layout.is_not(None))).all()
        assert Counter(c.name for c in stored) == Counter(" ".join(p for p in (i.object, i.parameter) if p)
                                                          for i in items), file
        assert all(c.demo and c.deleted_at is None for c in stored)
        assert session.get(Facility, stored[0].facility_pk).demo
        assert f"{file} → {facility_id}: capabilities: created {len(items)}, updated 0" in result.output
    public = session.scalars(select(Capability).where(Capability.public_standard)).all()
    assert sorted((c.discipline, c.certificate_no) for c in public) == [
        ("electromagnetism", "[2023]浙量标杭证字第120号"), ("mechanics", "[2020]浙量标杭证字第012号"),
        ("thermal", "[2021]浙量标杭证字第058号")]


def test_a_second_seed_changes_no_scope_item(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "--lang", "en"]).exit_code == 0
    before = session.execute(select(Capability.id, Capability.version, Capability.updated_at)
                             .order_by(Capability.id)).all()
    sets = session.scalar(select(func.count()).select_from(ChangeSet))
    second = runner.invoke(args=["seed", "--lang", "en"])
    assert second.exit_code == 0, second.output
    for file, facility_id in manifest(Path(app.config["DEMO_SCOPES_DIR"])):
        assert f"{file} → {facility_id}: capabilities: created 0, updated 0, unchanged" in second.output
    session.expire_all()
    assert session.execute(select(Capability.id, Capability.version, Capability.updated_at)
                           .order_by(Capability.id)).all() == before
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == sets


def test_example_scopes_go_into_demo_facilities_only(app, session, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "--lang", "en"]).exit_code == 0
    facility = session.scalar(select(Facility).where(Facility.facility_id == "DEMO-F0035"))
    facility.demo = False
    session.commit()
    items = session.scalar(select(func.count()).select_from(Capability))
    result = runner.invoke(args=["seed", "--lang", "en"])
    assert result.exit_code == 1
    assert "DEMO-F0035 is not demonstration data" in result.output
    assert session.scalar(select(func.count()).select_from(Capability)) == items


def test_districts_only_loads_the_13_districts_and_no_demo_data(app, session):
    xihu = session.get(District, "330106")
    census, xihu.population = xihu.population, 1  # a district row out of step with the seed files
    session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--districts-only"])
    assert first.exit_code == 0, first.output
    assert "districts: created 0, updated 1, unchanged 12" in first.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(District)) == 13
    assert session.get(District, "330106").population == census > 1
    assert session.scalar(select(func.count()).select_from(Facility)) == 0
    assert session.scalar(select(func.count()).select_from(Capability)) == 0
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == 0
    second = runner.invoke(args=["seed", "--districts-only"])
    assert second.exit_code == 0 and "districts: created 0, updated 0, unchanged 13" in second.output
