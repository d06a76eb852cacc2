"""The import service's two additions for web uploads: a facility scope and a change-row hook."""
from sqlalchemy import select

from registry.models import Change
from tests.factories import capability, facility, nothing_written, problems, run, write_dataset


def test_rows_outside_the_facility_scope_are_errors(session, tmp_path):
    paths = write_dataset(tmp_path / "d", [facility(1), facility(2)], [capability(1, 1), capability(2, 1)])
    report = run(session, paths, facility_scope=frozenset({"F0001"}))
    assert [(p[0], p[1], p[2], p[3]) for p in problems(report)] == [
        ("facilities.csv", 3, "facility_id", "F0002"), ("capabilities.csv", 3, "facility_id", "F0002")]
    assert all("not one of the facilities you keep" in p[4] for p in problems(report))
    assert nothing_written(session)


def test_on_changes_sees_exactly_the_change_rows_written(session, tmp_path):
    seen = []
    paths = write_dataset(tmp_path / "d", [facility(1), facility(2)], [capability(1, 1)])
    report = run(session, paths, on_changes=seen.extend)
    assert report.committed
    stored = [(c.entity, c.action, c.facility_id, c.capability_id, c.after)
              for c in session.scalars(select(Change).order_by(Change.id))]
    assert [(r["entity"], r["action"], r["facility_id"], r["capability_id"], r["after"]) for r in seen] == stored


def test_dry_run_reports_the_same_changes_it_rolls_back(session, tmp_path):
    seen = []
    report = run(session, write_dataset(tmp_path / "d", [facility(1)]), dry_run=True, on_changes=seen.extend)
    assert report.outcome == "dry_run" and [r["action"] for r in seen] == ["create"]
    assert nothing_written(session)
