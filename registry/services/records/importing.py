"""Import a data set of the interchange format (DATA_FORMAT.md).

One import is one transaction. Every row is validated and every problem is
collected; rows are written as they stream, in chunks, only while the data is
clean (or with `skip_invalid`). At the end the transaction commits, or rolls
back when anything was wrong, so that an import with one error, or one killed
half-way, leaves the registry exactly as it was.
"""
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import Column, Integer, MetaData, Text, bindparam, select, text, update
from sqlalchemy import Table as SqlTable

from registry.models import Accreditation, Capability, Change, ChangeSet, Facility
from registry.models.base import utcnow
from registry.models.capability import SearchDoc
from registry.ops import events
from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema
from registry.search_text import doc_fields, facility_text, range_in_base
from registry.services.records.canonical import (
    CAPABILITY_ATTRS,
    FACILITY_ATTRS,
    accreditation_rows,
    capability_record,
    difference,
    import_digest,
    jsonable,
    load_facilities,
)
from registry.services.records.tables import FileProblem, Table, open_tables
from registry.services.records.write_lock import begin_write

ACTIONS = ("created", "updated", "unchanged", "deleted", "rejected")

# The keys of one chunk, joined against the unique index of capabilities: a row-value
# IN (...) list makes SQLite scan the table once per chunk.
CHUNK_KEYS = SqlTable("import_chunk_keys", MetaData(), Column("facility_pk", Integer),
                      Column("capability_id", Text), prefixes=["TEMPORARY"])  # raw, unvalidated


@dataclass
class Issue:
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: object  # str or lazy string, rendered in the reader's language
    level: str = "error"


@dataclass
class ImportReport:
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, Counter] = field(
        default_factory=lambda: {"facilities": Counter(), "capabilities": Counter()})
    committed: bool = False
    change_set_id: int | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    aborted: bool = False  # a file could not be read: nothing is written, whatever the options
    out_of_scope_rows: int = 0  # rows naming a facility outside `facility_scope` (web uploads refuse them all)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    def abort(self, problem: FileProblem) -> None:
        """A file could not be read (as a whole or from some row on): nothing is written."""
        self.issues.append(Issue(problem.file, problem.row, None, None, problem.message))
        self.aborted = True

    @property
    def rejected_rows(self) -> int:
        return sum(c["rejected"] for c in self.counts.values())

    @property
    def outcome(self) -> str:
        """rejected (nothing written) · partial (valid rows applied, others rejected) ·
        dry_run · committed · unchanged."""
        if self.errors:
            partial = self.skip_invalid and not self.dry_run and not self.aborted
            return "partial" if partial else "rejected"
        if self.dry_run:
            return "dry_run"
        return "committed" if self.committed else "unchanged"

    @property
    def changed(self) -> bool:
        return any(c[a] for c in self.counts.values() for a in ("created", "updated", "deleted"))


@events.import_run
def import_dataset(session, paths: list[Path], *, locator, actor: str, encoding=None,
                   skip_invalid=False, prune=False, dry_run=False, demo=False, chunk_rows=2000,
                   progress: Callable[[int, int], None] | None = None,
                   facility_scope: frozenset[str] | None = None,
                   on_changes: Callable[[list[dict]], None] | None = None) -> ImportReport:
    """Validate and apply the files; see the module docstring for the guarantees.

    `dry_run` does all the work, counts included, and then rolls it back.
    `facility_scope`: the only facility ids the rows may name (an operator's own); any other is
    a row error. `on_changes` receives each batch of change-log rows as it is written (a preview).
    """
    report = ImportReport(skip_invalid=skip_invalid, dry_run=dry_run)
    try:
        tables, warnings = open_tables(paths, encoding)
    except FileProblem as problem:
        report.abort(problem)
        return report
    report.issues += [Issue("-", None, None, None, w, "warning") for w in warnings]
    for table in tables.values():
        report.issues += [Issue(table.label, 1, None, None, w, "warning") for w in table.warnings]
    run = _ImportRun(session, locator, actor, report, skip_invalid=skip_invalid, prune=prune,
                     demo=demo, chunk_rows=chunk_rows, progress=progress, facility_scope=facility_scope,
                     on_changes=on_changes)
    try:
        begin_write(session)
        run.execute(tables, source="import " + " ".join(p.name for p in paths))
    except FileProblem as problem:
        report.abort(problem)
        session.rollback()
        return report
    except BaseException:
        session.rollback()
        raise
    if dry_run or (report.errors and not skip_invalid) or not report.changed:
        session.rollback()
        report.change_set_id = None
    else:
        session.commit()
        report.committed = True
        if sum(c[a] for c in report.counts.values() for a in ("created", "updated", "deleted")) >= ANALYZE_AFTER_ROWS:
            refresh_statistics(session)
    return report


ANALYZE_AFTER_ROWS = 10_000


def refresh_statistics(session) -> None:
    """After a large import, give the query planner fresh statistics (and PostgreSQL a visibility
    map) at once instead of whenever autovacuum next looks: searches right after a first load of
    300,000 capabilities took up to twice as long."""
    engine = session.get_bind()
    if engine.dialect.name == "postgresql":  # VACUUM also lets counts use index-only scans
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE facilities, capabilities, search_docs, accreditations")
    elif engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")


class _ImportRun:
    def __init__(self, session, locator, actor, report, *, skip_invalid, prune, demo,
                 chunk_rows, progress, facility_scope=None, on_changes=None):
        self.session, self.report = session, report
        self.facility_schema = FacilityRowSchema(locator)
        self.capability_schema = CapabilityRowSchema()
        self.actor, self.skip_invalid, self.prune, self.demo = actor, skip_invalid, prune, demo
        self.chunk_rows, self.progress = chunk_rows, progress or (lambda done, total: None)
        self.now = utcnow()
        self.rejected_facilities: dict[str, int] = {}  # facility_id -> row
        self.rejected_capabilities: set[tuple[str, str]] = set()
        self.seen_facilities: set[str] = set()
        self.chunk_keys_ready = False
        self.search_docs: dict[str, int] | None = None  # digest -> id, loaded on first use
        self.facility_scope, self.on_changes = facility_scope, on_changes

    @property
    def writing(self) -> bool:
        return self.skip_invalid or not self.report.errors

    def execute(self, tables: dict[str, Table], source: str) -> None:
        change_set = ChangeSet(actor=self.actor, source=source[:500], created_at=self.now)
        self.session.add(change_set)
        self.session.flush()
        self.change_set_id = self.report.change_set_id = change_set.id
        total = sum(t.estimated_rows for t in tables.values())
        self.done = 0
        self.progress(0, total)
        if "facilities" in tables:
            self.import_facilities(tables["facilities"], total)
        if "capabilities" in tables:
            self.import_capabilities(tables["capabilities"], total)
        if self.prune and self.writing:
            self.prune_missing(tables)
        change_set.summary = {name: dict(c) for name, c in self.report.counts.items()}

    # --- helpers -----------------------------------------------------------

    def reject(self, table: Table, number: int, raw: dict, messages: dict) -> None:
        for column, texts in _flatten(messages):
            self.report.issues.append(Issue(
                table.label, number, table.header_labels.get(column, column) if column else None,
                raw.get(column) if column else None, texts))

    def log(self, entity, action, facility_id, capability_id=None, before=None, after=None):
        return {"change_set_id": self.change_set_id, "at": self.now, "entity": entity,
                "facility_id": facility_id, "capability_id": capability_id, "action": action,
                "before": before, "after": after}

    def tick(self, rows: int, total: int) -> None:
        self.done += rows
        self.progress(self.done, total)

    # --- facilities --------------------------------------------------------

    def import_facilities(self, table: Table, total: int) -> None:
        self.facility_columns = columns_given(table.header_labels, FACILITY_COLUMN_GROUPS)
        counts = self.report.counts["facilities"]
        valid: list[dict] = []
        seen: dict[str, int] = {}
        for number, raw in table.rows:
            problems, record = _load(self.facility_schema, raw)
            fid = raw.get("facility_id")
            first = seen.setdefault(fid, number) if fid else number
            if first != number:
                problems.setdefault("facility_id", []).append(
                    _l("duplicate facility_id: also in row %(row)s", row=first))
            if self.facility_scope is not None and fid not in self.facility_scope:
                problems.setdefault("facility_id", []).append(out_of_scope(fid))
                self.report.out_of_scope_rows += 1
            if problems:
                self.reject(table, number, raw, problems)
                counts["rejected"] += 1
                if fid and first == number:
                    self.rejected_facilities[fid] = number
                continue
            valid.append(record)
        self.tick(len(valid) + counts["rejected"], total)
        self.seen_facilities = {r["facility_id"] for r in valid}
        if self.writing:
            self.apply_facilities(valid, counts)

    def apply_facilities(self, records: list[dict], counts: Counter) -> None:
        existing = load_facilities(self.session)
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
            if deleted:
                action, before, after = "create", None, jsonable(record)
            else:
                before, after = difference(stored, record)
                if not after:
                    counts["unchanged"] += 1
                    continue
                action = "update"
            updates.append({"row_id": pk, **_facility_values(record)})
            touched.append(record)
            changes.append(self.log("facility", action, fid, before=before, after=after))
            counts["created" if deleted else "updated"] += 1
        session = self.session
        if creates:
            self.insert(Facility, [
                {**_facility_values(r), "created_at": self.now, "updated_at": self.now,
                 "demo": self.demo, "version": 1} for r in creates])
        if updates:
            self.update_by_id(Facility, updates)
            session.execute(Accreditation.__table__.delete().where(
                Accreditation.facility_pk.in_([u["row_id"] for u in updates])))
        pks = dict(session.execute(select(Facility.facility_id, Facility.id)).all())
        accreditations = [row for r in creates + touched
                          for row in accreditation_rows(r, pks[r["facility_id"]])]
        self.insert(Accreditation, accreditations)
        self.insert(Change, changes)

    # --- capabilities ------------------------------------------------------

    def import_capabilities(self, table: Table, total: int) -> None:
        # Known facilities: live ones, and this import's valid rows (written or not).
        facilities = {fid: pk for fid, (pk, deleted, _r) in load_facilities(self.session).items()
                      if not deleted}
        facilities.update({fid: None for fid in self.seen_facilities if fid not in facilities})
        self.seen_capabilities: dict[tuple[str, str], int] = {}
        self.capability_columns = columns_given(table.header_labels, CAPABILITY_COLUMN_GROUPS)
        counts = self.report.counts["capabilities"]
        rows = iter(table.rows)
        while chunk := list(islice(rows, self.chunk_rows)):
            stored = self.stored_capabilities(chunk, facilities)
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

    def stored_capabilities(self, chunk, facilities) -> dict[tuple[str, str], object]:
        """The stored rows (live or tombstoned) that the chunk's rows name."""
        pk_to_id = {}
        keys = []
        for _number, raw in chunk:
            pk = facilities.get(raw.get("facility_id"))
            if pk is not None and raw.get("capability_id"):
                pk_to_id[pk] = raw["facility_id"]
                keys.append({"facility_pk": pk, "capability_id": raw["capability_id"]})
        if not keys:
            return {}
        connection = self.session.connection()
        if not self.chunk_keys_ready:
            CHUNK_KEYS.create(connection, checkfirst=True)  # per connection; gone when it closes
            self.chunk_keys_ready = True
        connection.execute(CHUNK_KEYS.delete())
        connection.execute(CHUNK_KEYS.insert(), keys)
        if connection.dialect.name == "postgresql":
            # Without statistics on the fresh rows PostgreSQL hashes the whole capabilities
            # table for every chunk (≈190 ms at 300,000 rows) instead of probing its index (≈6 ms).
            connection.execute(text("ANALYZE import_chunk_keys"))
        query = (select(Capability.id, Capability.facility_pk, Capability.deleted_at,
                        Capability.import_digest, *[getattr(Capability, a) for a in CAPABILITY_ATTRS])
                 .join(CHUNK_KEYS, (CHUNK_KEYS.c.facility_pk == Capability.facility_pk)
                       & (CHUNK_KEYS.c.capability_id == Capability.capability_id)))
        return {(pk_to_id[row.facility_pk], row.capability_id): row
                for row in connection.execute(query)}

    def unchanged_since_import(self, key, number, raw, row) -> bool:
        """True when this exact row was imported before and the record has not changed since:
        then it needs no validation (see records.import_digest). First sightings only, so
        that duplicates still go through validation and are reported."""
        if row is None or row.deleted_at is not None or row.import_digest is None:
            return False
        if row.import_digest != import_digest(raw, capability_record(row, key[0]), self.capability_columns):
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
            if first != number:
                problems.setdefault("capability_id", []).append(
                    _l("duplicate capability_id for facility %(id)s: also in row %(row)s",
                       id=fid, row=first))
            elif problems:
                self.rejected_capabilities.add((fid, cid))
        if problems:
            self.reject(table, number, raw, problems)
            return None
        return record

    def apply_capabilities(self, checked, stored, facilities, counts) -> None:
        """Write the chunk's valid (record, raw row) pairs: create, update or leave alone."""
        creates, updates, changes = [], [], []
        for record, raw in checked:
            fid, cid = record["facility_id"], record["capability_id"]
            row = stored.get((fid, cid))
            if row is not None:
                record = keep_absent_columns(record, capability_record(row, fid),
                                             self.capability_columns)
            values = {a: record[a] for a in CAPABILITY_ATTRS}
            values["import_digest"] = import_digest(raw, record, self.capability_columns)
            values.update(self.search_values(record))
            if row is None:
                creates.append({**values, "facility_pk": facilities[fid], "created_at": self.now,
                                "updated_at": self.now, "demo": self.demo, "version": 1})
                changes.append(self.log("capability", "create", fid, cid, after=jsonable(record)))
                counts["created"] += 1
                continue
            if row.deleted_at is not None:
                action, before, after = "create", None, jsonable(record)
            else:
                before, after = difference(capability_record(row, fid), record)
                if not after:
                    counts["unchanged"] += 1
                    continue
                action = "update"
            updates.append({**values, "row_id": row.id})
            changes.append(self.log("capability", action, fid, cid, before=before, after=after))
            counts["created" if action == "create" else "updated"] += 1
        self.store_search_docs(creates + updates)
        self.insert(Capability, creates)
        self.update_by_id(Capability, updates)
        self.insert(Change, changes)

    def search_values(self, record: dict) -> dict:
        """The search columns of a capability (registry/search_text.py); the document's id
        is filled in by store_search_docs, which replaces the `search_doc_id` digest."""
        digest, _text, _keys = doc_fields(record["name"], record["category"], record["quantity"],
                                          record["standards"])
        low, high, dimension = range_in_base(record["range_min"], record["range_max"], record["unit"])
        return {"search_doc_id": digest, "range_min_base": low, "range_max_base": high,
                "range_dimension": dimension}

    def store_search_docs(self, rows: list[dict]) -> None:
        """Insert the documents not stored yet; point the rows at their document ids."""
        if not rows:
            return
        if self.search_docs is None:
            self.search_docs = dict(self.session.execute(select(SearchDoc.digest, SearchDoc.id)).all())
        known = self.search_docs
        new = {}
        for row in rows:
            digest = row["search_doc_id"]
            if digest not in known and digest not in new:
                _digest, text, keys = doc_fields(row["name"], row["category"], row["quantity"],
                                                 row["standards"])
                new[digest] = {"digest": digest, "text": text, "standard_keys": keys}
        if new:
            self.insert(SearchDoc, list(new.values()))
            known.update(self.session.execute(select(SearchDoc.digest, SearchDoc.id)
                                              .where(SearchDoc.digest.in_(list(new)))).all())
        for row in rows:
            row["search_doc_id"] = known[row["search_doc_id"]]

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
            self.tombstone(Facility, list(pruned))
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
                self.tombstone(Capability, doomed[start:start + 5000])
        self.insert(Change, changes)

    def insert(self, model, rows: list[dict]) -> None:
        """One executemany on the table: the ORM's bulk path costs a statement per row here."""
        if rows:
            self.session.execute(model.__table__.insert(), rows)
            if model is Change and self.on_changes is not None:
                self.on_changes(rows)

    def update_by_id(self, model, rows: list[dict]) -> None:
        """Rows carry `row_id` and new values; a tombstone is lifted, the version goes up."""
        if not rows:
            return
        table = model.__table__
        columns = [key for key in rows[0] if key != "row_id"]
        statement = (table.update().where(table.c.id == bindparam("row_id"))
                     .values({c: bindparam(c) for c in columns})
                     .values(updated_at=self.now, deleted_at=None, version=table.c.version + 1))
        self.session.execute(statement, rows)

    def tombstone(self, model, pks) -> None:
        self.session.execute(update(model).where(model.id.in_(pks)).values(
            deleted_at=self.now, updated_at=self.now, version=model.version + 1))


# Columns that only make sense together: a file that has one of them gives them all (an
# absent one is empty), so a row's cross-column rules hold for what is stored.
FACILITY_COLUMN_GROUPS = ({"lon", "lat", "crs", "district_code"}, {"cma_no", "cma_valid_until"},
                          {"cnas_no", "cnas_valid_until"})
CAPABILITY_COLUMN_GROUPS = ({"kind", "discipline"}, {"range_min", "range_max", "unit"},
                            {"bookable", "daily_capacity"})


def out_of_scope(facility_id):
    return _l("facility %(id)s is not one of the facilities you keep", id=facility_id or "")


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


def _load(schema, raw: dict) -> tuple[dict, dict | None]:
    """(problems by column, record): every problem of the row, or the valid record."""
    try:
        return {}, schema.load(raw)
    except ValidationError as exc:
        problems = {}
        for column, message in _flatten(exc.messages):
            problems.setdefault(column, []).append(message)
        return problems, None


def _facility_values(record: dict) -> dict:
    values = {a: record[a] for a in FACILITY_ATTRS}
    values["search_text"] = facility_text(record["name"], record["name_en"], record["district_code"],
                                          record["address"])
    return values


def _flatten(messages, column=None):
    """marshmallow's nested error dict as (column, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, None if key == "_schema" else key)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _flatten(value, column)
    else:
        yield column, messages
