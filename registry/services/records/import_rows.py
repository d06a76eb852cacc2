"""The rows of one import, checked and written: the work `importing.import_dataset` runs in its transaction.

Facilities are read whole (a city has some 1,500), capabilities in chunks; every problem becomes an
Issue with file, row and column. Valid rows are written through the one writer's BulkWrite while the
data is clean (or with skip_invalid); rows that would overwrite a record with another's data (two rows
claiming one id, an unconfirmed change of a facility's USCC) are rejected.
"""
from collections import Counter
from dataclasses import dataclass
from itertools import islice

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select

from registry.models import Accreditation, Capability, Change, Facility
from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema
from registry.schemas.row_loader import RowLoader
from registry.services.records.canonical import (
    CAPABILITY_ATTRS,
    accreditation_rows,
    capability_record,
    import_digest,
    jsonable,
    load_facilities,
)
from registry.services.records.first_load import DeferredIndexes
from registry.services.records.stored_rows import StoredCapabilities
from registry.services.records.tables import Table
from registry.services.records.writer import BulkWrite, change_row, compare, facility_values, flatten, open_change_set


@dataclass
class Issue:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: object  # str or lazy string, rendered in the reader's language
    level: str = "error"


class ImportRun:
    """One import's rows: checked, then written through a BulkWrite of its change set."""

    def __init__(self, session, locator, actor, report, *, skip_invalid, prune, demo,
                 chunk_rows, progress, facility_scope=None, on_changes=None, allow_uscc_change=False):
        self.session, self.report = session, report
        self.facility_schema = RowLoader(FacilityRowSchema(locator))
        self.capability_schema = RowLoader(CapabilityRowSchema())
        self.actor, self.skip_invalid, self.prune, self.demo = actor, skip_invalid, prune, demo
        self.chunk_rows, self.progress = chunk_rows, progress or (lambda done, total: None)
        self.allow_uscc_change = allow_uscc_change
        self.duplicate_capabilities: dict[tuple[str, str], list[int]] = {}  # key -> rows, when known in advance
        self.rejected_facilities: dict[str, int] = {}  # facility_id -> row
        self.rejected_capabilities: set[tuple[str, str]] = set()
        self.seen_facilities: set[str] = set()
        self.facility_scope, self.on_changes = facility_scope, on_changes
        self.renewed_digests = 0  # unchanged rows validated again (new rules, other cells): digests rewritten

    @property
    def writing(self) -> bool:
        return self.skip_invalid or not self.report.errors

    def execute(self, tables: dict[str, Table], source: str) -> None:
        self.change_set = change_set = open_change_set(self.session, self.actor, source)
        self.now, self.report.change_set_id = change_set.created_at, change_set.id
        self.bulk = BulkWrite(self.session, change_set, self.on_changes)
        total = sum(t.estimated_rows for t in tables.values())
        self.done = 0
        self.progress(0, total)
        deferred = DeferredIndexes(self.session)  # under the write lock: empty stays empty
        deferred.drop(total)
        if "facilities" in tables:
            self.import_facilities(tables["facilities"], total)
        if "capabilities" in tables:
            self.import_capabilities(tables["capabilities"], total)
        if self.writing:  # otherwise the import rolls back, and the indexes with it
            deferred.build()
        if self.prune and self.writing:
            self.prune_missing(tables)
        change_set.summary = {name: dict(c) for name, c in self.report.counts.items()}

    # --- helpers -----------------------------------------------------------

    def reject(self, table: Table, number: int, raw: dict, messages: dict) -> None:
        for column, texts in flatten(messages):
            self.report.issues.append(Issue(
                table.label, number, table.header_labels.get(column, column) if column else None,
                raw.get(column) if column else None, texts))

    def log(self, entity, action, facility_id, capability_id=None, before=None, after=None):
        return change_row(self.change_set, entity, action, facility_id, capability_id, before, after)

    def tick(self, rows: int, total: int) -> None:
        self.done += rows
        self.progress(self.done, total)

    # --- facilities --------------------------------------------------------

    def import_facilities(self, table: Table, total: int) -> None:
        self.facility_columns = columns_given(table.header_labels, FACILITY_COLUMN_GROUPS)
        counts = self.report.counts["facilities"]
        valid: dict[str, tuple[int, dict, dict]] = {}  # facility_id -> (row, raw, record)
        seen: dict[str, list[int]] = {}  # facility_id -> its rows
        for number, raw in table.rows:
            problems, record = _load(self.facility_schema, raw)
            fid = raw.get("facility_id")
            rows = seen.setdefault(fid, []) if fid else []
            rows.append(number)
            if rows[0] != number:
                problems.setdefault("facility_id", []).append(
                    _l("duplicate facility_id: also in row %(row)s", row=rows[0]))
            if self.facility_scope is not None and fid not in self.facility_scope:
                problems.setdefault("facility_id", []).append(out_of_scope(fid))
                self.report.out_of_scope_rows += 1
            if problems:
                self.reject(table, number, raw, problems)
                counts["rejected"] += 1
                if fid and rows[0] == number:
                    self.rejected_facilities[fid] = number
                continue
            valid[fid] = (number, raw, record)
        self.tick(len(valid) + counts["rejected"], total)
        self.reject_first_of_duplicates(table, seen, valid, counts)
        self.existing_facilities = load_facilities(self.session)
        for fid, (number, raw, record) in list(valid.items()):
            if not self.keeps_legal_identity(table, number, raw, record):
                del valid[fid]
                counts["rejected"] += 1
                self.rejected_facilities[fid] = number
        self.seen_facilities = set(valid)
        if self.writing:
            self.apply_facilities([record for _number, _raw, record in valid.values()], counts)

    def reject_first_of_duplicates(self, table: Table, seen: dict, valid: dict, counts: Counter) -> None:
        """Two rows claiming one id: the later ones are rejected as they come, and the first one too,
        so that neither overwrites the record with the other's data."""
        for fid, rows in seen.items():
            if len(rows) < 2:
                continue
            message = _l("duplicate facility_id: also in row %(row)s", row=", ".join(map(str, rows[1:])))
            if fid in valid:
                number, raw, _record = valid.pop(fid)
                counts["rejected"] += 1
                self.rejected_facilities[fid] = number
            else:  # the first row was rejected already, for other reasons
                number, raw = rows[0], {"facility_id": fid}
            self.reject(table, number, raw, {"facility_id": [message]})

    def keeps_legal_identity(self, table: Table, number: int, raw: dict, record: dict) -> bool:
        """False (the row rejected) when the row changes a stored facility's USCC without permission."""
        stored = self.existing_facilities.get(record["facility_id"])
        if stored is None or stored[2]["uscc"] in (None, record["uscc"]):
            return True
        self.report.uscc_changes.append({"facility_id": record["facility_id"], "file": table.label, "row": number,
                                         "name": stored[2]["name"], "before": stored[2]["uscc"],
                                         "after": record["uscc"]})
        if self.allow_uscc_change:
            return True
        self.reject(table, number, raw, {"uscc": [_l(
            "changes the Unified Social Credit Code of facility %(id)s from %(before)s to %(after)s: a change "
            "of its legal identity is applied only when confirmed (the upload preview's confirmation, or the "
            "import's --allow-uscc-change)", id=record["facility_id"], before=stored[2]["uscc"],
            after=record["uscc"])]})
        return False

    def apply_facilities(self, records: list[dict], counts: Counter) -> None:
        existing = self.existing_facilities
        changes, creates, updates, touched = [], [], [], []
        for record in records:
            fid = record["facility_id"]
            if fid not in existing:
                creates.append(record)
                changes.append(self.log("facility", "create", fid, after=jsonable(record)))
                counts["created"] += 1
                continue
            pk, deleted, stored = existing[fid]
            record = keep_absent_columns(record, stored, self.facility_columns)
            action, before, after = compare(stored, record, deleted)
            if action is None:
                counts["unchanged"] += 1
                continue
            updates.append({"row_id": pk, **facility_values(record)})
            touched.append(record)
            changes.append(self.log("facility", action, fid, before=before, after=after))
            counts["created" if deleted else "updated"] += 1
        session = self.session
        if creates:
            self.bulk.insert(Facility, [
                {**facility_values(r), "created_at": self.now, "updated_at": self.now,
                 "demo": self.demo, "version": 1} for r in creates])
        if updates:
            self.bulk.update_by_id(Facility, updates)
            session.execute(Accreditation.__table__.delete().where(
                Accreditation.facility_pk.in_([u["row_id"] for u in updates])))
        pks = dict(session.execute(select(Facility.facility_id, Facility.id)).all())
        accreditations = [row for r in creates + touched
                          for row in accreditation_rows(r, pks[r["facility_id"]])]
        self.bulk.insert(Accreditation, accreditations)
        self.bulk.insert(Change, changes)

    # --- capabilities ------------------------------------------------------

    def import_capabilities(self, table: Table, total: int) -> None:
        # Known facilities: live ones, and this import's valid rows (written or not).
        facilities = {fid: pk for fid, (pk, deleted, _r) in load_facilities(self.session).items()
                      if not deleted}
        facilities.update({fid: None for fid in self.seen_facilities if fid not in facilities})
        self.seen_capabilities: dict[tuple[str, str], int] = {}
        lookup = StoredCapabilities(self.session)
        self.capability_columns = columns_given(table.header_labels, CAPABILITY_COLUMN_GROUPS)
        counts = self.report.counts["capabilities"]
        rows = iter(table.rows)
        while chunk := list(islice(rows, self.chunk_rows)):
            stored = lookup.named_by(chunk, facilities)
            valid = []
            for number, raw in chunk:
                key = (raw.get("facility_id"), raw.get("capability_id"))
                if self.facility_scope is not None and key[0] not in self.facility_scope:
                    self.reject(table, number, raw, {"facility_id": [out_of_scope(key[0])]})
                    self.report.out_of_scope_rows += 1
                    counts["rejected"] += 1
                    continue
                if self.unchanged_since_import(key, number, raw, stored.get(key)):
                    counts["unchanged"] += 1
                    continue
                record = self.validate_capability(table, number, raw, facilities)
                if record is None:
                    counts["rejected"] += 1
                else:
                    valid.append((record, raw))
            if self.writing and valid:
                self.apply_capabilities(valid, stored, facilities, counts)
            self.tick(len(chunk), total)

    def unchanged_since_import(self, key, number, raw, row) -> bool:
        """True when this exact row was imported before and the record has not changed since:
        then it needs no validation (see records.import_digest). First sightings only, so
        that duplicates still go through validation and are reported."""
        if row is None or row.deleted_at is not None or row.import_digest is None:
            return False
        if key in self.duplicate_capabilities:
            return False
        if row.import_digest != import_digest(raw, row.record, self.capability_columns):
            return False
        return self.seen_capabilities.setdefault(key, number) == number

    def validate_capability(self, table, number, raw, facilities) -> dict | None:
        problems, record = _load(self.capability_schema, raw)
        fid, cid = raw.get("facility_id"), raw.get("capability_id")
        if fid and "facility_id" not in problems and fid not in facilities:
            rejected_row = self.rejected_facilities.get(fid)
            problems["facility_id"] = [
                _l("facility %(id)s was rejected (facilities row %(row)s)", id=fid, row=rejected_row)
                if rejected_row else
                _l("facility %(id)s is neither in this import nor in the registry", id=fid)]
        if fid and cid:
            first = self.seen_capabilities.setdefault((fid, cid), number)
            others = [n for n in self.duplicate_capabilities.get((fid, cid), ()) if n != number]
            if first != number:
                problems.setdefault("capability_id", []).append(
                    _l("duplicate capability_id for facility %(id)s: also in row %(row)s",
                       id=fid, row=first))
                if (fid, cid) not in self.duplicate_capabilities:  # all or nothing: the first is reported now
                    self.duplicate_capabilities[(fid, cid)] = [first, number]
                    self.reject(table, first, {"capability_id": cid}, {"capability_id": [
                        _l("duplicate capability_id for facility %(id)s: also in row %(row)s", id=fid, row=number)]})
                    self.report.counts["capabilities"]["rejected"] += 1
            elif others:  # the first of several rows: rejected too (known in advance with skip_invalid)
                problems.setdefault("capability_id", []).append(
                    _l("duplicate capability_id for facility %(id)s: also in row %(row)s",
                       id=fid, row=", ".join(map(str, others))))
            if first == number and problems:
                self.rejected_capabilities.add((fid, cid))
        if problems:
            self.reject(table, number, raw, problems)
            return None
        return record

    def apply_capabilities(self, checked, stored, facilities, counts) -> None:
        """Write the chunk's valid (record, raw row) pairs: create, update or leave alone."""
        creates, updates, changes, digests = [], [], [], []
        scopes = self.bulk.stored_scopes([row.id for row in (
            stored.get((r["facility_id"], r["capability_id"])) for r, _raw in checked) if row is not None])
        for record, raw in checked:
            fid, cid = record["facility_id"], record["capability_id"]
            row = stored.get((fid, cid))
            if row is not None:
                record = keep_absent_columns(record, row.record,
                                             self.capability_columns)
            values = {a: record[a] for a in CAPABILITY_ATTRS}
            values["import_digest"] = import_digest(raw, record, self.capability_columns)
            values.update(self.bulk.search_values(record, scopes.get(row.id) if row is not None else None))
            if row is None:
                creates.append({**values, "facility_pk": facilities[fid], "created_at": self.now,
                                "updated_at": self.now, "demo": self.demo, "version": 1})
                changes.append(self.log("capability", "create", fid, cid, after=jsonable(record)))
                counts["created"] += 1
                continue
            action, before, after = compare(row.record, record, row.deleted_at is not None)
            if action is None:
                counts["unchanged"] += 1
                if row.import_digest != values["import_digest"]:
                    digests.append({"row_id": row.id, "import_digest": values["import_digest"]})
                continue
            updates.append({**values, "row_id": row.id})
            changes.append(self.log("capability", action, fid, cid, before=before, after=after))
            counts["created" if action == "create" else "updated"] += 1
        self.bulk.store_search_docs(creates + updates)
        self.bulk.insert(Capability, creates)
        self.bulk.update_by_id(Capability, updates)
        self.bulk.set_import_digests(digests)
        self.renewed_digests += len(digests)
        self.bulk.insert(Change, changes)

    # --- prune -------------------------------------------------------------

    def prune_missing(self, tables) -> None:
        """Tombstone what the import no longer lists; never a hard delete.

        A pruned facility takes its capabilities with it. Rows that were
        rejected (with skip_invalid) are still listed, so they are kept.
        """
        changes, pruned = [], set()
        facilities = load_facilities(self.session)
        if "facilities" in tables:
            keep = self.seen_facilities | set(self.rejected_facilities)
            for fid, (pk, deleted, record) in facilities.items():
                if not deleted and fid not in keep:
                    pruned.add(pk)
                    changes.append(self.log("facility", "delete", fid, before=jsonable(record)))
            self.report.counts["facilities"]["deleted"] += len(pruned)
            self.bulk.tombstone(Facility, list(pruned))
        listed = "capabilities" in tables
        if pruned or listed:
            ids = {pk: fid for fid, (pk, _deleted, _record) in facilities.items()}
            keep = set(getattr(self, "seen_capabilities", {})) | self.rejected_capabilities
            doomed = []
            query = (select(Capability.id, Capability.facility_pk,
                            *[getattr(Capability, a) for a in CAPABILITY_ATTRS])
                     .where(Capability.deleted_at.is_(None)).execution_options(yield_per=5000))
            for row in self.session.execute(query):
                fid = ids[row.facility_pk]
                if row.facility_pk in pruned or (listed and (fid, row.capability_id) not in keep):
                    doomed.append(row.id)
                    changes.append(self.log("capability", "delete", fid, row.capability_id,
                                            before=jsonable(capability_record(row, fid))))
            self.report.counts["capabilities"]["deleted"] += len(doomed)
            for start in range(0, len(doomed), 5000):
                self.bulk.tombstone(Capability, doomed[start:start + 5000])
        self.bulk.insert(Change, changes)



# Columns that only make sense together: a file that has one of them gives them all (an
# absent one is empty), so a row's cross-column rules hold for what is stored.
FACILITY_COLUMN_GROUPS = ({"lon", "lat", "crs", "district_code"}, {"cma_no", "cma_valid_until"},
                          {"cnas_no", "cnas_valid_until"})
# price_on_request is no column: the price column's 面议 says it, so a file with prices gives it.
CAPABILITY_COLUMN_GROUPS = ({"kind", "discipline"}, {"range_min", "range_max", "unit"},
                            {"bookable", "daily_capacity"}, {"price_cny", "price_on_request"})


def out_of_scope(facility_id):
    return _l("facility %(id)s is not one of the facilities you keep", id=facility_id or "")


def repeated_keys(table: Table) -> dict[tuple[str, str], list[int]]:
    """(facility_id, capability_id) -> rows, for the keys that more than one row of the table claims."""
    rows: dict[tuple[str, str], list[int]] = {}
    for number, raw in table.rows:
        if raw.get("facility_id") and raw.get("capability_id"):
            rows.setdefault((raw["facility_id"], raw["capability_id"]), []).append(number)
    return {key: numbers for key, numbers in rows.items() if len(numbers) > 1}


def columns_given(header: dict, groups) -> frozenset[str]:
    given = set(header)
    for group in groups:
        if given & group:
            given |= group
    return frozenset(given)


def keep_absent_columns(record: dict, stored: dict, columns: set[str]) -> dict:
    """A column missing from the file is not provided: the stored value stays. (An empty
    cell in a column that is there does clear the value.)"""
    return {key: value if key in columns else stored[key] for key, value in record.items()}


def _load(loader: RowLoader, raw: dict) -> tuple[dict, dict | None]:
    """(problems by column, record): every problem of the row, or the valid record."""
    try:
        return {}, loader.load(raw)
    except ValidationError as exc:
        problems = {}
        for column, message in flatten(exc.messages):
            problems.setdefault(column, []).append(message)
        return problems, None
