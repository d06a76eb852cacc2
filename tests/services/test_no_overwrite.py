"""Issue 13: no record is overwritten by another's data. Rows of one file that claim the same id are all
rejected, in every mode; a change of a facility's USCC (its legal identity) is applied only when asked for."""
import pytest
from sqlalchemy import select

from registry.models import Capability, Facility
from tests.factories import capability, facility, in_english, problems, run, uscc, write_dataset


def stored(session, model, **where):
    session.rollback()
    query = select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalars(query.execution_options(populate_existing=True)).all()


@pytest.mark.parametrize("existing", [False, True])
def test_two_facility_rows_with_one_id_write_neither_with_skip_invalid(session, tmp_path, existing):
    if existing:
        run(session, write_dataset(tmp_path / "old", [facility(1)]))
    paths = write_dataset(tmp_path / "new", [facility(1, name="甲公司的中心"), facility(2),
                                             facility(3, facility_id="F0001", name="乙公司的中心")])
    report = run(session, paths, skip_invalid=True)
    assert report.committed and report.counts["facilities"]["rejected"] == 2
    assert sorted(i.row for i in report.errors) == [2, 4]
    names = [f.name for f in stored(session, Facility, facility_id="F0001")]
    assert names == (["测试检测中心1"] if existing else [])
    assert [f.facility_id for f in stored(session, Facility, facility_id="F0002")] == ["F0002"]


def test_two_capability_rows_with_one_id_write_neither_even_chunks_apart(session, tmp_path):
    run(session, write_dataset(tmp_path / "old", [facility(1)], [capability(1, 1, name="原来的项目")]))
    rows = [capability(1, 1, name="第一行的项目"), capability(1, 2), capability(1, 3),
            capability(1, 1, name="第二行的项目")]
    report = run(session, write_dataset(tmp_path / "new", [], rows), skip_invalid=True, chunk_rows=1)
    assert report.committed
    assert report.counts["capabilities"] == {"created": 2, "rejected": 2}
    assert [(i.row, i.column) for i in report.errors] == [(2, "capability_id"), (5, "capability_id")]
    assert "also in row 5" in in_english(report.errors[0].message)
    assert [c.name for c in stored(session, Capability, capability_id="C0001")] == ["原来的项目"]


def test_a_duplicate_is_reported_on_both_rows_when_all_or_nothing(session, tmp_path):
    report = run(session, write_dataset(tmp_path, [facility(1)], [capability(1, 1), capability(1, 1)]))
    assert not report.committed
    assert [(row, column) for _f, row, column, _v, _m in problems(report)] == [(2, "capability_id"),
                                                                                 (3, "capability_id")]


def test_a_uscc_change_is_refused_without_permission(session, tmp_path):
    run(session, write_dataset(tmp_path / "old", [facility(1), facility(2)]))
    paths = write_dataset(tmp_path / "new", [facility(1, uscc=uscc(7), name="新名称"), facility(2, name="二号")])
    report = run(session, paths, skip_invalid=True)
    assert [(file, row, column) for file, row, column, _v, _m in problems(report)] == [("facilities.csv", 2, "uscc")]
    message = problems(report)[0][4]
    assert f"from {uscc(1)} to {uscc(7)}" in message and "--allow-uscc-change" in message
    assert report.uscc_changes == [{"facility_id": "F0001", "file": "facilities.csv", "row": 2,
                                    "name": "测试检测中心1", "before": uscc(1), "after": uscc(7)}]
    first, second = stored(session, Facility)
    assert (first.uscc, first.name) == (uscc(1), "测试检测中心1")
    assert second.name == "二号"  # the rest of the file is applied
    assert not run(session, paths).committed  # all or nothing: refused as a whole


def test_a_uscc_change_is_applied_when_allowed(session, tmp_path):
    run(session, write_dataset(tmp_path / "old", [facility(1)]))
    report = run(session, write_dataset(tmp_path / "new", [facility(1, uscc=uscc(7))]), allow_uscc_change=True)
    assert report.committed and not report.errors and len(report.uscc_changes) == 1
    assert stored(session, Facility)[0].uscc == uscc(7)


def test_cli_import_needs_the_flag_for_a_uscc_change(app, session, tmp_path):
    run(session, write_dataset(tmp_path / "old", [facility(1)]))
    paths = [str(p) for p in write_dataset(tmp_path / "new", [facility(1, uscc=uscc(7))])]
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["import", "--lang", "en", *paths])
    assert refused.exit_code == 1 and "--allow-uscc-change" in refused.output
    assert stored(session, Facility)[0].uscc == uscc(1)
    allowed = runner.invoke(args=["import", "--allow-uscc-change", *paths])
    assert allowed.exit_code == 0
    assert stored(session, Facility)[0].uscc == uscc(7)
