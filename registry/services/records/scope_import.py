"""Import one facility's published scope (CNAS testing/calibration, CMA 附表, measurement standards)
through the one writer, and export it back in the same layouts.

A newer scope for the same facility updates, adds and (with `prune`) tombstones items in one change
set; an item is the same item when its service, object, parameter and first standard are
(scope_records.item_key), so unchanged items keep their rows, ids and versions. Nothing is written
when the file has an error (the reader's problems name sheet, row, column and the cell's text), and
`dry_run` does all the work and rolls it back. `prune` removes only items that came from a scope
file: capabilities of the v1 interchange format are left to `import --prune`.
"""
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from registry.errors import Forbidden, NotFound
from registry.models import Capability, CapabilityMethod, CapabilityRange, Facility
from registry.search_text import segment_in_base
from registry.services.records.canonical import jsonable
from registry.services.records.scope_records import (
    LENGTHS,
    RECORD_COLUMNS,
    capability_id,
    item_key,
    item_record,
    record_item,
    stored_record,
)
from registry.services.records.scopes import Problem, ScopeFileError, open_scope, write_scope
from registry.services.records.writer import BulkWrite, change_row, compare, log, open_change_set

ACTIONS = ("created", "updated", "unchanged", "deleted")
FIELD_LABELS = {"object": "检测对象", "parameter": "项目/参数", "seq": "序号", "field_code": "领域代码",
                "certificate_no": "证书编号"}
SHEET_FIELDS = {"object": ("object",), "parameter": ("parameter",), "seq": ("param_seq", "seq"),
                "field_code": ("field_code",), "certificate_no": ("certificate",)}  # the columns they are read from


@dataclass(frozen=True)
class ItemOutcome:
    """What an import does (or, dry, would do) to one item: its stored and its new record, and where the
    file has it (an item removed by `prune` is in no file)."""

    action: str  # one of ACTIONS
    capability_id: str
    before: dict | None
    after: dict | None
    sheet: str = ""
    row: int | None = None


@dataclass
class ScopeImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    layouts: dict[str, str] = field(default_factory=dict)
    items: int = 0
    dry_run: bool = False
    committed: bool = False
    change_set_id: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def outcome(self) -> str:
        """rejected (nothing written) · dry_run · committed · unchanged: the exit codes of `import`."""
        if self.errors:
            return "rejected"
        if self.dry_run:
            return "dry_run"
        return "committed" if self.committed else "unchanged"


def scope_facility(session, facility_id: str, facility_scope: frozenset[str] | None = None) -> Facility:
    """The live facility a scope is imported into or exported from; an operator's own only."""
    if facility_scope is not None and facility_id not in facility_scope:
        raise Forbidden(_l("You may only work with the scope of your own facilities."))
    facility = session.scalar(select(Facility).where(Facility.facility_id == facility_id,
                                                     Facility.deleted_at.is_(None)))
    if facility is None:
        raise NotFound(_l("No facility %(id)s.", id=facility_id))
    return facility


def import_scope(session, path: Path, facility_id: str, *, actor: str, layout: str | None = None,
                 dry_run: bool = False, prune: bool = False, encoding: str | None = None,
                 facility_scope: frozenset[str] | None = None, label: str | None = None,
                 on_item: Callable[[ItemOutcome], None] | None = None,
                 demo: bool = False) -> ScopeImportReport:
    """Read `path` and write its items as `facility_id`'s scope; see the module docstring.

    `on_item` receives every item's outcome, unchanged ones included (a preview lists them). `demo` marks
    the items it creates as demonstration data (`flask seed`, services/records/demo_scopes.py)."""
    facility = scope_facility(session, facility_id, facility_scope)
    facility_pk = facility.id
    report = ScopeImportReport(dry_run=dry_run)
    label = label or Path(path).name
    try:
        scope = open_scope(Path(path), layout, encoding, label)
        items = list(scope.items())
    except ScopeFileError as refusal:
        report.problems.append(refusal.problem)
        return report
    report.problems += scope.problems
    report.layouts, report.items = scope.layouts, len(items)
    if not items:  # a header without items is a mistake, not a wish to remove the whole scope (--prune)
        report.problems.append(Problem("error", "scope.empty", label))
    records, places = file_records(items, report, scope)
    if report.errors:
        session.rollback()
        return report
    change_set = open_change_set(session, actor, f"import-scope {label}"[:500])
    try:
        write_records(session, change_set, facility_pk, facility_id, records, prune, report,
                      on_item or (lambda outcome: None), places, demo)
    except BaseException:
        session.rollback()
        raise
    changed = any(report.counts[a] for a in ("created", "updated", "deleted"))
    if dry_run or not changed:
        session.rollback()
        return report
    change_set.summary = {"capabilities": {a: report.counts[a] for a in ACTIONS}, "facility": facility_id}
    session.commit()
    report.committed, report.change_set_id = True, change_set.id
    return report


def file_records(items, report: ScopeImportReport, scope) -> tuple[dict[str, dict], dict[str, tuple[str, int]]]:
    """capability_id -> record of every item, and -> (sheet, row) where it starts; a value too long for its
    column is an error naming its cell as the reader names cells ('D (项目/参数/名称)')."""
    layouts = {sheet.name: layout for sheet, layout in scope.sheets}
    records: dict[str, dict] = {}
    places: dict[str, tuple[str, int]] = {}
    seen: Counter = Counter()
    for item in items:
        key = item_key(item)
        seen[key] += 1
        record = item_record(item)
        for column, limit in LENGTHS.items():
            if record.get(column) and len(record[column]) > limit:
                report.problems.append(Problem("error", "value.too_long", item.sheet, item.row,
                                               column_name(layouts.get(item.sheet), column), record[column][:80],
                                               str(limit)))
        cid = capability_id(key, seen[key])
        records[cid], places[cid] = record, (item.sheet, item.row)
    return records, places


def column_name(layout, column: str) -> str:
    """The sheet's column a record's column was read from, as the reader names it; its usual label without one."""
    for name in SHEET_FIELDS[column]:
        if layout is not None and name in layout.by_field:
            return layout.by_field[name].name
    return FIELD_LABELS[column]


def load_stored(session, facility_pk: int) -> dict[str, tuple]:
    """capability_id -> (pk, deleted, record) of the facility's capabilities, methods and ranges included."""
    rows = session.execute(select(Capability).where(Capability.facility_pk == facility_pk)
                           .order_by(Capability.id)).scalars().all()
    pks = [row.id for row in rows]
    methods: dict[int, list] = {}
    ranges: dict[int, list] = {}
    if pks:
        for m in session.scalars(select(CapabilityMethod).where(CapabilityMethod.capability_pk.in_(pks))
                                 .order_by(CapabilityMethod.capability_pk, CapabilityMethod.position)):
            methods.setdefault(m.capability_pk, []).append(m)
        for r in session.scalars(select(CapabilityRange).where(CapabilityRange.capability_pk.in_(pks))
                                 .order_by(CapabilityRange.capability_pk, CapabilityRange.position)):
            ranges.setdefault(r.capability_pk, []).append(r)
    return {row.capability_id: (row.id, row.deleted_at is not None,
                                stored_record(row, methods.get(row.id, []), ranges.get(row.id, [])))
            for row in rows}


def write_records(session, change_set, facility_pk: int, facility_id: str, records: dict[str, dict],
                  prune: bool, report: ScopeImportReport, on_item: Callable[[ItemOutcome], None],
                  places: dict[str, tuple[str, int]], demo: bool = False) -> None:
    bulk = BulkWrite(session, change_set)
    stored = load_stored(session, facility_pk)
    creates, updates, changes, children = [], [], [], {}
    for cid, record in records.items():
        pk, deleted, before_record = stored.get(cid, (None, False, None))
        action, before, after = compare(before_record, record, deleted)
        done = "unchanged" if action is None else "created" if action == "create" else "updated"
        report.counts[done] += 1
        on_item(ItemOutcome(done, cid, None if deleted else before_record, record, *places[cid]))
        if action is None:
            continue
        changes.append(change_row(change_set, "capability", action, facility_id, cid, before, jsonable_deep(after)))
        columns = {c: record[c] for c in RECORD_COLUMNS} | bulk.search_values(record)
        if pk is None:
            creates.append({"facility_pk": facility_pk, "capability_id": cid, "created_at": bulk.now,
                            "updated_at": bulk.now, "version": 1, "demo": demo, **columns})
        else:
            updates.append({"row_id": pk, **columns})
        children[cid] = record
    bulk.store_search_docs(creates + updates)
    bulk.insert(Capability, creates)
    bulk.update_by_id(Capability, updates)
    if prune:
        gone = [(cid, pk, old) for cid, (pk, deleted, old) in stored.items()
                if cid not in records and not deleted and old["scope_layout"]]
        if gone:
            bulk.tombstone(Capability, [pk for _cid, pk, _old in gone])
            report.counts["deleted"] += len(gone)
            for cid, _pk, old in gone:
                on_item(ItemOutcome("deleted", cid, old, None))
            changes += [change_row(change_set, "capability", "delete", facility_id, cid,
                                   before=jsonable_deep(old)) for cid, _pk, old in gone]
    write_children(session, facility_pk, children)
    log(session, changes)


def write_children(session, facility_pk: int, records: dict[str, dict]) -> None:
    """Methods and range segments of the created and updated items, written anew."""
    if not records:
        return
    pks = dict(session.execute(select(Capability.capability_id, Capability.id).where(
        Capability.facility_pk == facility_pk, Capability.capability_id.in_(list(records)))).all())
    ids = list(pks.values())
    session.execute(delete(CapabilityMethod).where(CapabilityMethod.capability_pk.in_(ids)))
    session.execute(delete(CapabilityRange).where(CapabilityRange.capability_pk.in_(ids)))
    methods = [{"capability_pk": pks[cid], "position": n, **m}
               for cid, record in records.items() for n, m in enumerate(record["methods"])]
    ranges = [{"capability_pk": pks[cid], "position": n, **r, **segment_search_values(r)}
              for cid, record in records.items() for n, r in enumerate(record["ranges"])]
    if methods:
        session.execute(CapabilityMethod.__table__.insert(), methods)
    if ranges:
        session.execute(CapabilityRange.__table__.insert(), ranges)


def segment_search_values(segment: dict) -> dict:
    """The search columns of a range segment: its bounds in SI base units (range search reads every segment)."""
    low, high, dimension = segment_in_base(segment["min"], segment["max"], segment["unit"], segment["min_unit"])
    return {"min_base": low, "max_base": high, "dimension": dimension}


def jsonable_deep(record: dict | None) -> dict | None:
    return None if record is None else jsonable(record)


def scope_items(session, facility_id: str, facility_scope: frozenset[str] | None = None) -> list:
    """The facility's live scope items, in the order they were published (sheet, 序号)."""
    facility = scope_facility(session, facility_id, facility_scope)
    stored = load_stored(session, facility.id)
    records = [record for _pk, deleted, record in stored.values() if not deleted and record["scope_layout"]]
    return [record_item(record) for record in records]


def export_scope(session, facility_id: str, path: Path, facility_scope: frozenset[str] | None = None,
                 allow_empty: bool = False) -> int:
    """Write the facility's scope in its published layouts (XLSX, merged cells, two-row headers); with
    `allow_empty`, a facility without scope items gets the empty table of its kind's layout."""
    facility = scope_facility(session, facility_id, facility_scope)
    items = scope_items(session, facility_id, facility_scope)
    if not items and not allow_empty:
        raise NotFound(_l("Facility %(id)s has no scope items to export.", id=facility_id))
    write_scope(Path(path), items, None if items else
                ("cnas-calibration" if facility.kind == "metrology" else "cnas-testing"))
    return len(items)


def scope_workbook(session, facility_id: str, facility_scope: frozenset[str] | None = None) -> bytes:
    """The export as bytes, for a download (an empty table when the registry holds no scope items)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scope.xlsx"
        export_scope(session, facility_id, path, facility_scope, allow_empty=True)
        return path.read_bytes()
