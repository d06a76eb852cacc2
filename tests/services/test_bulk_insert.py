"""Bulk writes of an import (records/bulk_insert.py): PostgreSQL's COPY stores what the INSERT stores,
and a bad row still rejects the whole import with its report, nothing half-written."""
import pytest
from sqlalchemy import Text, cast, func, select

from registry.models import Accreditation, Capability, Change, ChangeSet, Facility
from registry.models.capability import SearchDoc
from registry.services.records import bulk_insert
from seeds.generate import generate
from tests.conftest import _empty_tables
from tests.factories import capability, facility, nothing_written, problems, run, write_dataset


def stored(session) -> dict[str, list]:
    """Every row an import writes, by natural keys (no ids, no times: they differ between runs)."""
    session.rollback()
    skip = {"id", "facility_pk", "search_doc_id", "created_at", "updated_at", "change_set_id", "at"}

    def columns(model):
        return [cast(c, Text) if isinstance(c.type, type(Change.after.type)) else c
                for c in model.__table__.columns if c.name not in skip]

    def rows(query):
        return sorted(tuple(map(repr, row)) for row in session.execute(query))

    snapshot = {
        "facilities": rows(select(*columns(Facility))),
        "accreditations": rows(select(Facility.facility_id, *columns(Accreditation))
                               .join(Facility, Facility.id == Accreditation.facility_pk)),
        "capabilities": rows(select(Facility.facility_id, SearchDoc.digest, *columns(Capability))
                             .join(Facility, Facility.id == Capability.facility_pk)
                             .join(SearchDoc, SearchDoc.id == Capability.search_doc_id)),
        "search_docs": rows(select(*columns(SearchDoc))),
        "changes": rows(select(*columns(Change))),
    }
    session.rollback()  # no lock held: the tables are emptied next
    return snapshot


def test_copy_stores_exactly_what_the_insert_stores(session, tmp_path, monkeypatch):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always inserts")
    paths = generate(tmp_path / "data", 40, 1200, seed=3, vocabulary="realistic")

    monkeypatch.setattr(bulk_insert, "COPY_FROM_ROWS", 10**9)  # the ordinary INSERT
    assert run(session, paths, chunk_rows=500).committed
    inserted = stored(session)
    _empty_tables()

    copied = []
    monkeypatch.setattr(bulk_insert, "COPY_FROM_ROWS", 2)
    monkeypatch.setattr(bulk_insert, "copy_rows", lambda c, table, rows, real=bulk_insert.copy_rows: (
        copied.append(table.name), real(c, table, rows)))
    assert run(session, paths, chunk_rows=500).committed
    assert {"capabilities", "changes", "search_docs"} <= set(copied)  # a first load looks nothing up
    assert stored(session) == inserted
    assert len(inserted["capabilities"]) == 1200 and len(inserted["changes"]) == 1240
    # the times left out above: a binary COPY stores the change set's time, zone and all
    [when] = session.scalars(select(ChangeSet.created_at)).all()
    assert when.utcoffset() is not None
    assert session.execute(select(func.min(Capability.created_at), func.max(Capability.updated_at))).one() == (
        when, when)
    assert session.execute(select(func.min(Change.at), func.max(Change.at))).one() == (when, when)


def test_a_bad_row_after_written_chunks_leaves_nothing_written(session, tmp_path):
    capabilities = [capability(1 + n % 2, n) for n in range(1, 300)]
    capabilities.append(capability(2, 300, range_min="5", range_max="1", unit="MPa"))
    paths = write_dataset(tmp_path, [facility(1), facility(2)], capabilities)
    report = run(session, paths, chunk_rows=100)  # three chunks written (by COPY on PostgreSQL) before it
    assert report.outcome == "rejected"
    assert [(p[0], p[1]) for p in problems(report)] == [("capabilities.csv", 301)]
    assert nothing_written(session)


def test_skip_invalid_writes_the_good_rows_around_a_bad_one(session, tmp_path):
    capabilities = [capability(1, n) for n in range(1, 200)]
    capabilities.insert(120, capability(1, 999, kind="nonsense"))
    report = run(session, write_dataset(tmp_path, [facility(1)], capabilities), chunk_rows=100,
                 skip_invalid=True)
    assert report.outcome == "partial" and report.counts["capabilities"]["created"] == 199
    assert [(p[1], p[2]) for p in problems(report)] == [(122, "kind")]
    session.rollback()
    ids = set(session.scalars(select(Capability.capability_id)))
    assert len(ids) == 199 and "C0999" not in ids
