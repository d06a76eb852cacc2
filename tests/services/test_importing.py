"""Import: the behaviour of DATA_FORMAT.md ("Import behaviour") on a real database."""
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from registry.models import Capability, Change, ChangeSet, Facility
from registry.services.records.tables import table_name_for
from tests.factories import capability, facility, in_english, run, write_dataset


def count(session, model, live=True):
    query = select(func.count()).select_from(model)
    if live:
        query = query.where(model.deleted_at.is_(None))
    return session.scalar(query)


def test_valid_data_set_is_created_and_logged(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1), facility(2)],
                          [capability(1, 1), capability(1, 2), capability(2, 1)])
    report = run(session, paths)
    assert report.committed and not report.errors
    assert report.counts["facilities"]["created"] == 2
    assert report.counts["capabilities"]["created"] == 3
    assert count(session, Facility) == 2 and count(session, Capability) == 3
    changes = session.scalars(select(Change).order_by(Change.id)).all()
    assert [(c.entity, c.action) for c in changes] == [("facility", "create")] * 2 + [
        ("capability", "create")] * 3
    assert changes[0].after["name"] == "测试检测中心1"
    assert session.scalar(select(ChangeSet.actor)) == "test"


def test_reimporting_the_same_data_changes_nothing_and_says_so(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1)])
    run(session, paths)
    changes_before = session.scalar(select(func.count()).select_from(Change))
    report = run(session, paths)
    assert report.counts["facilities"]["unchanged"] == 1
    assert report.counts["capabilities"]["unchanged"] == 1
    assert not report.committed and not report.changed
    assert session.scalar(select(func.count()).select_from(Change)) == changes_before
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == 1


def test_update_records_before_and_after_of_changed_fields_only(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1)], [capability(1, 1)]))
    report = run(session, write_dataset(tmp_path / "b", [facility(1, name="改名检测中心")],
                                        [capability(1, 1, price_cny="120")]))
    assert report.counts["facilities"]["updated"] == 1
    assert report.counts["capabilities"]["updated"] == 1
    update = session.scalars(select(Change).where(Change.action == "update",
                                                  Change.entity == "facility")).one()
    assert update.before == {"name": "测试检测中心1"} and update.after == {"name": "改名检测中心"}
    cap_update = session.scalars(select(Change).where(Change.action == "update",
                                                      Change.entity == "capability")).one()
    assert cap_update.before == {"price_cny": None} and cap_update.after == {"price_cny": "120.00"}
    assert session.scalar(select(Facility.version)) == 2


def test_one_error_writes_nothing_and_every_error_is_reported(session, tmp_path):
    paths = write_dataset(
        tmp_path,
        [facility(1), facility(2, uscc="91330106MA27XXXXXX"), facility(3, kind="lab")],
        [capability(1, 1), capability(1, 2, range_min="5", range_max="1", unit="MPa")])
    report = run(session, paths)
    assert not report.committed
    where = sorted((i.file, i.row, i.column) for i in report.errors)
    assert where == [("capabilities.csv", 3, "range_min"), ("facilities.csv", 3, "uscc"),
                     ("facilities.csv", 4, "kind")]
    assert count(session, Facility, live=False) == 0
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == 0


def test_skip_invalid_writes_the_valid_rows(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1), facility(2, kind="lab")],
                          [capability(1, 1), capability(2, 1)])
    report = run(session, paths, skip_invalid=True)
    assert report.committed
    assert report.counts["facilities"] == {"created": 1, "rejected": 1}
    assert report.counts["capabilities"] == {"created": 1, "rejected": 1}
    messages = [in_english(i.message) for i in report.errors]
    assert any("F0002 was rejected (facilities row 3)" in m for m in messages)


def test_prune_tombstones_missing_records_and_reimport_brings_them_back(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1), facility(2)],
                               [capability(1, 1), capability(1, 2), capability(2, 1)]))
    report = run(session, write_dataset(tmp_path / "b", [facility(1)], [capability(1, 1)]),
                 prune=True)
    assert report.counts["facilities"]["deleted"] == 1
    assert report.counts["capabilities"]["deleted"] == 2  # C0002 of F0001, and F0002's C0001
    assert count(session, Facility) == 1 and count(session, Facility, live=False) == 2
    deletes = session.scalars(select(Change).where(Change.action == "delete")).all()
    assert {(d.facility_id, d.capability_id) for d in deletes} == {
        ("F0002", None), ("F0001", "C0002"), ("F0002", "C0001")}
    assert all(d.before for d in deletes)
    again = run(session, write_dataset(tmp_path / "c", [facility(1), facility(2)],
                                       [capability(1, 1), capability(2, 1)]))
    assert again.counts["facilities"]["created"] == 1
    assert again.counts["capabilities"]["created"] == 1
    assert count(session, Facility) == 2


def test_without_prune_missing_rows_are_kept(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1), facility(2)]))
    report = run(session, write_dataset(tmp_path / "b", [facility(1)]))
    assert report.counts["facilities"]["unchanged"] == 1 and count(session, Facility) == 2


def test_capabilities_may_refer_to_facilities_already_in_the_registry(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1)]))
    report = run(session, write_dataset(tmp_path / "b", capabilities=[capability(1, 1)]))
    assert report.committed and report.counts["capabilities"]["created"] == 1


def test_dry_run_counts_but_writes_nothing(session, tmp_path):
    report = run(session, write_dataset(tmp_path, [facility(1)]), dry_run=True)
    assert report.counts["facilities"]["created"] == 1
    assert not report.committed and count(session, Facility, live=False) == 0


def test_a_column_absent_from_the_file_keeps_the_stored_values(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1, website="https://lab.example.cn",
                                                         phone="0571-1234")],
                               [capability(1, 1, price_cny="50", lead_time_days="3")]))
    without = write_dataset(tmp_path / "b", [facility(1, name="新名称")],
                            [capability(1, 1, lead_time_days="5")])
    report = run(session, without)
    assert report.counts["facilities"] == {"updated": 1}
    stored = session.scalars(select(Facility)).one()
    assert (stored.name, stored.website, stored.phone) == ("新名称", "https://lab.example.cn",
                                                           "0571-1234")
    cap = session.scalars(select(Capability)).one()
    assert (cap.lead_time_days, str(cap.price_cny)) == (5, "50.00")
    assert run(session, without).counts["capabilities"] == {"unchanged": 1}


def test_an_empty_cell_in_a_present_column_clears_the_value(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1, phone="0571-1234")]))
    report = run(session, write_dataset(tmp_path / "b", [facility(1, phone=""), facility(2)]))
    assert report.counts["facilities"] == {"updated": 1, "created": 1}
    assert session.scalar(select(Facility.phone).where(Facility.facility_id == "F0001")) is None


def test_a_folder_leaves_unrelated_csv_files_aside_with_a_warning(session, tmp_path):
    write_dataset(tmp_path, [facility(1)])
    (tmp_path / "problems.csv").write_text("level,file\n")
    report = run(session, [tmp_path])
    assert report.committed
    assert [in_english(w.message) for w in report.issues if w.level == "warning"] == [
        "problems.csv is not facilities.csv or capabilities.csv: left aside"]


@pytest.mark.parametrize("name, table", [
    ("facilities.csv", "facilities"), ("2026_facilities.csv", "facilities"),
    ("Capabilities-Xiaoshan.csv", "capabilities"), ("机构.csv", "facilities"),
    ("萧山能力表.csv", "capabilities"), ("facility_capabilities.csv", "capabilities"),
    ("capabilities_facilities.csv", None), ("notes.csv", None),
])
def test_csv_files_are_recognised_by_whole_words_in_their_names(name, table):
    assert table_name_for(Path(name)) == table


def test_columns_that_belong_together_are_given_together(session, tmp_path):
    """A file with `bookable` and no `daily_capacity` column gives an empty capacity: the row
    is judged as it would be stored, never stored half-valid."""
    run(session, write_dataset(tmp_path / "a", [facility(1)], [capability(1, 1)]))
    report = run(session, write_dataset(tmp_path / "b", capabilities=[capability(1, 1, bookable="yes")]))
    assert [(i.column, in_english(i.message)) for i in report.errors] == [
        ("daily_capacity", "required when the capability is bookable")]


def test_a_district_column_without_coordinates_clears_the_stored_point(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1)]))
    only_district = {"facility_id": "F0001", "name": "测试检测中心1", "kind": "testing",
                     "ownership": "state", "uscc": facility(1)["uscc"], "district_code": "330182",
                     "shared": "yes"}
    report = run(session, write_dataset(tmp_path / "b", [only_district]))
    assert report.committed
    stored = session.scalars(select(Facility)).one()
    assert (stored.district_code, stored.lon, stored.lat) == ("330182", None, None)


def test_an_empty_cell_is_not_mistaken_for_an_absent_column_on_reimport(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1)], [capability(1, 1, category="电线电缆")]))
    without_column = write_dataset(tmp_path / "b", capabilities=[capability(1, 1)])
    assert run(session, without_column).counts["capabilities"] == {"unchanged": 1}
    with_empty_cell = write_dataset(tmp_path / "c", capabilities=[capability(1, 1, category="")])
    assert run(session, with_empty_cell).counts["capabilities"] == {"updated": 1}
    assert session.scalar(select(Capability.category)) is None


def test_a_file_that_cannot_be_read_rejects_the_import_even_with_skip_invalid(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1)])
    (tmp_path / "capabilities.csv").write_text("facility_id,capability_id,kind,name\n")
    report = run(session, paths + [tmp_path / "capabilities.csv"], skip_invalid=True)
    assert report.outcome == "rejected" and not report.committed
    assert count(session, Facility, live=False) == 0


def test_a_large_import_leaves_fresh_planner_statistics(session, tmp_path, monkeypatch):
    from registry.services.records import importing
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner statistics are read from pg_stat_user_tables")
    monkeypatch.setattr(importing, "ANALYZE_AFTER_ROWS", 50)
    stats = "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'capabilities'"
    before = session.execute(text(stats)).scalar()
    report = run(session, write_dataset(tmp_path, [facility(1)], [capability(1, n) for n in range(1, 61)]))
    assert report.committed
    session.rollback()
    after = session.execute(text(stats)).scalar()
    assert after is not None and (before is None or after > before)
