"""A facility's published scope imported through the one writer, and exported back (issue 12 items 1-3).

Every example file of seeds/examples/ goes in with every item right (checked item by item against
the hand-written expectations of test_scope_examples), comes out of the registry equal, and a
re-import of the export changes nothing.
"""
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.errors import Forbidden, NotFound
from registry.models import Capability, CapabilityMethod, CapabilityRange, Change, ChangeSet
from registry.services.records.scope_import import export_scope, import_scope, scope_items
from registry.services.records.scopes import read_scope, write_scope
from tests.factories import facility, row_counts, run, write_dataset
from tests.services.test_scope_examples import EXPECTED, path_of


@pytest.fixture
def facilities(session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1), facility(2, kind="metrology")]))
    return ["F0001", "F0002"]


def scope_of(session, facility_id="F0001"):
    return scope_items(session, facility_id)


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_every_example_imports_with_every_item_right(session, facilities, layout):
    report = import_scope(session, path_of(layout), "F0001", actor="test")
    assert report.outcome == "committed", [p.message("en") for p in report.errors]
    assert report.counts["created"] == len(EXPECTED[layout])
    items = scope_of(session)
    assert len(items) == len(EXPECTED[layout])
    for got, want in zip(items, EXPECTED[layout]):
        assert got == want
    assert [i.sheet for i in items] == [i.sheet for i in read_scope(path_of(layout)).items]


def test_the_columns_hold_the_item(session, facilities):
    import_scope(session, path_of("cnas-testing"), "F0001", actor="test")
    row = session.scalar(select(Capability).where(Capability.parameter == "铅"))
    assert (row.object, row.seq, row.service, row.status, row.scope_layout) == (
        "食品（演示）", "2.2", "testing", "active", "cnas-testing")
    assert (row.limitation_kind, row.limitation) == ("only", "只用于：出口食品")
    assert row.name == "食品（演示） 铅" and row.standards == "GB 5009.12-2017;SN/T 3139-2012"
    assert [(m.standard, m.clause) for m in row.methods] == [("GB 5009.12-2017", "第一法、第二法"),
                                                            ("SN/T 3139-2012", None)]
    suspended = session.scalar(select(Capability).where(Capability.parameter == "工频交流电压试验"))
    assert (suspended.status, suspended.remarks, suspended.field_code) == ("suspended", "暂停", "030103")
    nonstandard = session.scalar(select(Capability).where(Capability.parameter == "菌落总数"))
    assert [(m.standard, m.text) for m in nonstandard.methods] == [("", "作业指导书 XX/ZY-012-2020")]


def test_range_segments_keep_their_own_uncertainty(session, facilities):
    import_scope(session, path_of("cnas-calibration"), "F0002", actor="test")
    rows = session.scalars(select(Capability).where(Capability.facility.has(facility_id="F0002"))).all()
    assert [r.service for r in rows] == [i.service for i in EXPECTED["cnas-calibration"]]
    assert {r.service for r in rows} == {"calibration", "verification"}  # 检定 against a JJG regulation
    segmented = [r for r in rows if len(r.ranges) > 1]
    assert segmented, "the example has instruments with several range segments"
    first = segmented[0]
    assert first.range_min == float(first.ranges[0].min) and first.unit == first.ranges[0].unit
    assert session.scalar(select(func.count()).select_from(CapabilityRange)) == sum(len(r.ranges) for r in rows)


def test_public_measurement_standards_are_flagged(session, facilities):
    import_scope(session, path_of("standards"), "F0002", actor="test")
    rows = session.scalars(select(Capability).order_by(Capability.id)).all()
    assert {r.kind for r in rows} == {"measurement_standard"}
    public = [r for r in rows if r.public_standard]
    assert public and all(r.certificate_no for r in public)
    assert [bool(r.public_standard) for r in rows] == [i.public_standard for i in EXPECTED["standards"]]


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_export_then_import_changes_nothing(session, facilities, tmp_path, layout):
    import_scope(session, path_of(layout), "F0001", actor="test")
    exported = tmp_path / "scope.xlsx"
    assert export_scope(session, "F0001", exported) == len(EXPECTED[layout])
    assert read_scope(exported).items == EXPECTED[layout]
    before = row_counts(session)
    report = import_scope(session, exported, "F0001", actor="test")
    assert report.outcome == "unchanged" and report.counts["unchanged"] == len(EXPECTED[layout])
    assert row_counts(session) == before


def test_export_has_merged_cells_and_a_two_row_header(session, facilities, tmp_path):
    import_scope(session, path_of("cnas-testing"), "F0001", actor="test")
    export_scope(session, "F0001", tmp_path / "scope.xlsx")
    sheet = load_workbook(tmp_path / "scope.xlsx")["附件1 检测能力"]
    assert {"A1:A2", "C1:D1", "A3:A5", "B3:B5"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert (sheet["C2"].value, sheet["D2"].value) == ("序号", "名称")


def test_dry_run_writes_nothing(session, facilities):
    before = row_counts(session)
    report = import_scope(session, path_of("cma"), "F0001", actor="test", dry_run=True)
    assert report.outcome == "dry_run" and report.counts["created"] == len(EXPECTED["cma"])
    assert row_counts(session) == before
    assert session.scalar(select(func.count()).select_from(CapabilityMethod)) == 0


def test_a_newer_scope_updates_adds_and_prunes_in_one_change_set(session, facilities, tmp_path):
    import_scope(session, path_of("cnas-testing"), "F0001", actor="test")
    items = read_scope(path_of("cnas-testing")).items
    kept = {i.parameter: session.scalar(select(Capability.version).where(Capability.parameter == i.parameter))
            for i in items}
    changed = [items[0].__class__(**{**items[0].__dict__, "remarks": "变更 2026-12-01"})] + items[1:6]
    added = [items[6].__class__(**{**items[6].__dict__, "parameter": "弯曲性能"})]
    newer = write_scope(tmp_path / "newer.xlsx", changed + added)
    sets_before = session.scalar(select(func.count()).select_from(ChangeSet))

    without_prune = import_scope(session, newer, "F0001", actor="test")
    assert (without_prune.counts["updated"], without_prune.counts["created"], without_prune.counts["deleted"],
            without_prune.counts["unchanged"]) == (1, 1, 0, 5)
    assert len(scope_of(session)) == 9  # nothing removed without --prune

    pruned = import_scope(session, newer, "F0001", actor="test", prune=True)
    assert (pruned.counts["deleted"], pruned.counts["unchanged"]) == (2, 7)
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == sets_before + 2
    deletes = session.scalars(select(Change).where(Change.change_set_id == pruned.change_set_id)).all()
    assert sorted(c.before["parameter"] for c in deletes) == ["拉伸性能", "简支梁冲击"]
    assert {i.parameter for i in scope_of(session)} == {i.parameter for i in changed + added}
    for item in items[1:6]:  # unchanged items untouched
        assert session.scalar(select(Capability.version).where(
            Capability.parameter == item.parameter)) == kept[item.parameter]
    assert session.scalar(select(Capability.remarks).where(
        Capability.parameter == items[0].parameter)) == "变更 2026-12-01"


def test_prune_leaves_capabilities_of_the_interchange_format(session, tmp_path):
    from tests.factories import capability
    run(session, write_dataset(tmp_path / "base", [facility(1)], [capability(1, 1)]))
    import_scope(session, path_of("cma"), "F0001", actor="test", prune=True)
    assert session.scalar(select(Capability.deleted_at).where(Capability.capability_id == "C0001")) is None


def test_an_operator_cannot_import_into_another_facility(session, facilities):
    before = row_counts(session)
    with pytest.raises(Forbidden):
        import_scope(session, path_of("cma"), "F0002", actor="test", facility_scope=frozenset({"F0001"}))
    with pytest.raises(Forbidden):
        export_scope(session, "F0002", "unused.xlsx", facility_scope=frozenset({"F0001"}))
    assert row_counts(session) == before


def test_an_unknown_facility_is_refused(session, facilities):
    with pytest.raises(NotFound):
        import_scope(session, path_of("cma"), "F9999", actor="test")


def test_an_unrecognised_file_is_refused_naming_its_header(session, facilities, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("序号,名称,颜色\n1,甲,红\n", encoding="utf-8")
    before = row_counts(session)
    report = import_scope(session, bad, "F0001", actor="test")
    assert report.outcome == "rejected"
    (problem,) = report.errors
    assert problem.reason.startswith("layout.") and "颜色" in problem.message("zh")
    assert row_counts(session) == before


def test_a_value_too_long_names_its_cell_and_writes_nothing(session, facilities, tmp_path):
    item = read_scope(path_of("cma")).items[0]
    long = item.__class__(**{**item.__dict__, "parameter": "长" * 201})
    path = write_scope(tmp_path / "long.xlsx", [long])
    before = row_counts(session)
    report = import_scope(session, path, "F0001", actor="test")
    (problem,) = report.errors
    assert (problem.reason, problem.sheet, problem.column) == ("value.too_long", long.sheet, "D (产品/项目/参数/名称)")
    assert problem.row and problem.text.startswith("长")
    assert row_counts(session) == before


def test_v1_fields_follow_the_first_segment(session, facilities):
    import_scope(session, path_of("cnas-calibration"), "F0002", actor="test")
    for row in session.scalars(select(Capability)).all():
        if row.ranges and row.ranges[0].min is not None and not row.ranges[0].min_unit:
            assert D(str(row.range_min)) == row.ranges[0].min.normalize() or row.range_min is None


def test_a_scope_without_items_is_an_error_and_prune_removes_nothing(session, facilities, tmp_path):
    import_scope(session, path_of("cma"), "F0001", actor="test")
    empty = tmp_path / "empty.csv"
    empty.write_text("序号,类别（产品/项目/参数）,产品/项目/参数,依据的标准（方法）名称及编号（含年号）\n",
                     encoding="utf-8")
    before = row_counts(session)
    report = import_scope(session, empty, "F0001", actor="test", prune=True)
    assert report.outcome == "rejected" and [p.reason for p in report.errors] == ["scope.empty"]
    assert row_counts(session) == before
