"""A first load (records/first_load.py, import_rows' none_stored): indexes built at the end, no lookups
of stored rows, and still every guarantee of an import."""
import pytest
from sqlalchemy import select, text

from registry.models import Capability
from registry.services.records import first_load
from registry.services.records.first_load import DeferredIndexes
from tests.factories import capability, facility, nothing_written, problems, run, write_dataset


def indexes(session) -> dict[str, str]:
    return dict(session.execute(text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('capabilities', 'search_docs', 'changes')"
    )).all())


@pytest.fixture
def postgresql(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("indexes are deferred on PostgreSQL only")


@pytest.fixture
def every_load_first(monkeypatch):
    monkeypatch.setattr(first_load, "FIRST_LOAD_ROWS", 0)


def test_a_first_load_builds_again_every_index_it_dropped(session, tmp_path, postgresql, every_load_first):
    before = indexes(session)
    session.rollback()
    during = []
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, n) for n in range(1, 40)])
    report = run(session, paths, chunk_rows=10, on_changes=lambda rows: during.append(set(indexes(session))))
    assert report.committed and report.counts["capabilities"]["created"] == 39
    # while loading: the primary keys and search_docs' digest (read by the import) only
    assert during[-1] == {"pk_capabilities", "pk_search_docs", "pk_changes", "uq_search_docs_digest"}
    assert indexes(session) == before
    constraints = set(session.scalars(text(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'capabilities'::regclass")))
    assert "uq_capabilities_facility_pk" in constraints


def test_a_failed_first_load_leaves_the_indexes_and_writes_nothing(session, tmp_path, postgresql, every_load_first):
    before = indexes(session)
    session.rollback()
    rows = [capability(1, n) for n in range(1, 40)] + [capability(1, 40, kind="nonsense")]
    report = run(session, write_dataset(tmp_path, [facility(1)], rows), chunk_rows=10)
    assert report.outcome == "rejected"
    assert nothing_written(session)
    assert indexes(session) == before


def test_a_load_into_a_table_with_rows_keeps_its_indexes(session, tmp_path, postgresql, every_load_first):
    run(session, write_dataset(tmp_path / "a", [facility(1)], [capability(1, 1)]))
    during = []
    paths = write_dataset(tmp_path / "b", [facility(1)], [capability(1, n) for n in range(1, 30)])
    report = run(session, paths, chunk_rows=10, on_changes=lambda rows: during.append(set(indexes(session))))
    assert report.counts["capabilities"]["created"] == 28
    assert "uq_capabilities_facility_pk" in during[-1] and "ix_search_docs_grams" in during[-1]


def test_small_loads_and_sqlite_defer_nothing(session):
    deferred = DeferredIndexes(session)
    if session.get_bind().dialect.name == "postgresql":
        assert deferred.drop(first_load.FIRST_LOAD_ROWS - 1) == []
    else:
        assert deferred.drop(10**9) == []
    assert deferred.statements == []


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_a_first_load_reports_a_key_repeated_chunks_apart(session, tmp_path, skip_invalid):
    """Nothing stored before: no stored row is looked up, and the repeated key is still caught."""
    rows = [capability(1, n) for n in range(1, 30)] + [capability(1, 3, name="另一项能力")]
    report = run(session, write_dataset(tmp_path, [facility(1)], rows), chunk_rows=10, skip_invalid=skip_invalid)
    assert [(p[1], p[2]) for p in problems(report)] == [(4, "capability_id"), (31, "capability_id")]
    if skip_invalid:
        session.rollback()
        stored = set(session.scalars(select(Capability.capability_id)))
        assert len(stored) == 28 and "C0003" not in stored
    else:
        assert report.outcome == "rejected" and nothing_written(session)
