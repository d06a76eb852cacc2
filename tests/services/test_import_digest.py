"""Re-import fast path: unchanged rows skip validation, and nothing else does."""
import pytest
from sqlalchemy import func, select, update

from registry.models import Capability, Change
from registry.schemas.interchange import CapabilityRowSchema
from registry.schemas.row_loader import RowLoader
from registry.services.records import canonical as records
from tests.factories import capability, facility, run, write_csv, write_dataset


@pytest.fixture
def schema_loads(monkeypatch):
    """How many capability rows went through full validation (the import loads rows through a RowLoader)."""
    calls = []
    original = RowLoader.load

    def counting_load(self, data):
        if isinstance(self.schema, CapabilityRowSchema):
            calls.append(data.get("capability_id"))
        return original(self, data)

    monkeypatch.setattr(RowLoader, "load", counting_load)
    return calls


def test_identical_rows_are_unchanged_without_validation(session, tmp_path, schema_loads):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, n) for n in range(1, 6)])
    run(session, paths)
    assert len(schema_loads) == 5
    report = run(session, paths)
    assert report.counts["capabilities"] == {"unchanged": 5}
    assert len(schema_loads) == 5  # none validated the second time


def test_a_record_edited_elsewhere_is_restored_from_the_file(session, tmp_path, schema_loads):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1, price_cny="80")])
    run(session, paths)
    session.execute(update(Capability).values(price_cny=999))  # e.g. an edit on the web
    session.commit()
    report = run(session, paths)
    assert report.counts["capabilities"] == {"updated": 1}
    assert str(session.scalar(select(Capability.price_cny))) == "80.00"


def test_a_duplicate_of_an_unchanged_row_is_still_reported(session, tmp_path):
    rows = [capability(1, 1), capability(1, 2)]
    run(session, write_dataset(tmp_path / "a", [facility(1)], rows))
    paths = write_dataset(tmp_path / "b", [facility(1)], rows + [capability(1, 1)])
    report = run(session, paths)
    # both rows that claim the id are reported (issue 13: no record overwritten by another's data)
    assert [(i.row, i.column) for i in report.errors] == [(2, "capability_id"), (4, "capability_id")]
    assert not report.committed


def test_changed_validation_rules_revalidate_every_row(session, tmp_path, schema_loads,
                                                        monkeypatch):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1), capability(1, 2)])
    run(session, paths)
    monkeypatch.setattr(records, "validation_version", lambda: b"rules of another release")
    report = run(session, paths)
    assert report.counts["capabilities"] == {"unchanged": 2}
    assert len(schema_loads) == 4


def test_rows_validated_again_under_new_rules_skip_validation_from_then_on(session, tmp_path, schema_loads,
                                                                         monkeypatch):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1), capability(1, 2)])
    run(session, paths)
    before = session.execute(select(Capability.id, Capability.version, Capability.updated_at)
                             .order_by(Capability.id)).all()
    changes = session.scalar(select(func.count()).select_from(Change))
    monkeypatch.setattr(records, "validation_version", lambda: b"rules of another release")
    run(session, paths)  # validated again: the same records, their digests renewed
    assert len(schema_loads) == 4
    report = run(session, paths)
    assert report.counts["capabilities"] == {"unchanged": 2}
    assert len(schema_loads) == 4  # the renewed digests match: no row validated a third time
    assert session.execute(select(Capability.id, Capability.version, Capability.updated_at)
                           .order_by(Capability.id)).all() == before  # the data itself untouched
    assert session.scalar(select(func.count()).select_from(Change)) == changes


def test_the_same_record_from_other_cells_is_validated_and_unchanged(session, tmp_path,
                                                                      schema_loads):
    run(session, write_dataset(tmp_path / "a", [facility(1)], [capability(1, 1, bookable="no")]))
    (tmp_path / "b").mkdir()
    write_csv(tmp_path / "b" / "capabilities.csv", [capability(1, 1, bookable="否")])
    report = run(session, [tmp_path / "b" / "capabilities.csv"])
    assert report.counts["capabilities"] == {"unchanged": 1}
    assert len(schema_loads) == 2
    run(session, [tmp_path / "b" / "capabilities.csv"])
    assert len(schema_loads) == 2  # those cells' digest is the stored one now


def test_the_digest_hashes_what_it_always_hashed():
    """Digests stored by earlier releases stay valid: same key, same bytes, same order."""
    import hashlib

    from registry.schemas.interchange import CAPABILITY_FIELDS

    raw = {"facility_id": "F0001", "capability_id": "C0001", "name": "导体直流电阻", "price_cny": "80"}
    record = {field: None for field in CAPABILITY_FIELDS} | {"facility_id": "F0001", "name": "导体直流电阻"}
    columns = frozenset(raw) | {"kind"}
    expected = hashlib.blake2b(records.validation_version(), digest_size=16)
    for part in (repr(sorted(raw.items())), repr(sorted(columns)), repr([record[f] for f in CAPABILITY_FIELDS])):
        expected.update(part.encode())
    assert records.import_digest(raw, record, columns) == expected.hexdigest()
    assert records.import_digest(raw, record, columns) == expected.hexdigest()  # the prepared parts reused
