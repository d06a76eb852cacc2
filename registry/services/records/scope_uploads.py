"""Web uploads of one facility's published scope: an upload job of kind `scope` (uploads.py runs its
lifecycle: preview, confirmation, apply or cancel, in the background when large).

What is particular to a scope is here: who may upload it (an admin for any facility, an operator for
their own), which files are taken (one .xlsx or .csv of at most `SCOPE_UPLOAD_MAX_MB`, whose layout is
recognised, or matches the one chosen, before the job is kept), the dry run of `import_scope` that
lists every item as added / updated / unchanged / removed, and the annotated workbook: the file as
uploaded with a first column saying what is wrong with each row and the cells at fault marked, which
can be fixed and uploaded again as it is (the reader reads past that column).
"""
import re
from collections import Counter
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.errors import Forbidden, RegistryError
from registry.models import Facility, UploadJob, User
from registry.services.records.editing import facility_scope
from registry.services.records.scope_import import ACTIONS, ItemOutcome, import_scope, scope_facility
from registry.services.records.scope_records import record_item
from registry.services.records.scopes import LAYOUTS, Problem, ScopeFileError, ScopeItem, open_scope
from registry.services.records.scopes.cells import method_text, number_text, range_text, uncertainty_text
from registry.services.records.upload_files import (
    REJECTS_NAME,
    AnnotatedSheet,
    ProgressFile,
    UploadRefused,
    job_folder,
    job_paths,
    write_annotated,
)
from registry.services.records.writer import web_actor

ITEMS_KEPT = 500  # items listed per action on the preview page (the counts are complete)
ISSUES_KEPT = 500
SUFFIXES = (".xlsx", ".csv")
ITEM_FIELDS = ("seq", "object", "parameter", "methods", "ranges", "limitation", "remarks", "status", "service",
               "field_code", "certificate_no", "valid_until", "public_standard", "price", "verbatim", "sheet")


# --- taking the upload -------------------------------------------------------------------------

def check_request(session, user: User, names: list[str], facility_id: str | None, layout: str | None) -> list[str]:
    """Refuse what may not be uploaded before anything is kept; the name the file is kept under."""
    if not facility_id:
        raise UploadRefused(_l("Choose the facility whose scope this is."))
    if user.role != "admin" and facility_id not in facility_scope(user):
        raise Forbidden(_l("You may only upload the scope of your own facilities."))
    scope_facility(session, facility_id)  # NotFound (404) when there is no such live facility
    if layout is not None and layout not in LAYOUTS:
        raise UploadRefused(_l("Unknown layout %(layout)s.", layout=layout))
    names = [n for n in names if n]
    if len(names) != 1:
        raise UploadRefused(_l("Upload one scope file (.xlsx or .csv)."))
    suffix = Path(names[0]).suffix.lower()
    if suffix not in SUFFIXES:
        raise UploadRefused(_l("A scope is read from an .xlsx workbook or a .csv file."))
    return [f"scope{suffix}"]


def check_file(path: Path, layout: str | None, label: str, lang: str) -> None:
    """Recognise the layout of every scope sheet (or check the chosen one) from the header rows: a file that
    is not a scope is refused at once, naming the header it saw."""
    try:
        open_scope(path, layout, label=label)
    except ScopeFileError as refusal:
        raise UploadRefused(refusal.problem.message(lang)) from None


def facility_choices(session, user: User) -> list[tuple[str, str]]:
    """(id, name) of the live facilities whose scope `user` may upload."""
    query = select(Facility.facility_id, Facility.name).where(Facility.deleted_at.is_(None))
    scope = facility_scope(user)
    if scope is not None:
        query = query.where(Facility.facility_id.in_(sorted(scope)))
    return [tuple(row) for row in session.execute(query.order_by(Facility.facility_id))]


# --- the dry run and the real one ---------------------------------------------------------------

def dry_run(session, job: UploadJob, *, upload_dir: str, **_settings) -> tuple[dict, bool]:
    """(the preview, refused): every item's outcome, the problems and warnings, the annotated workbook."""
    folder, path, label, lang = job_folder(upload_dir, job.id), job_paths(upload_dir, job.id)[0], job.files[0], job.lang
    facility_id, layout = job.facility_id, job.layout
    listed = ItemList()
    progress = ProgressFile(folder, "validating")
    report = import_scope(session, path, facility_id, actor=web_actor(job.user), layout=layout, dry_run=True,
                          prune=job.prune, facility_scope=facility_scope(job.user), label=label, on_item=listed)
    progress(report.items, report.items)
    with force_locale(lang):
        annotated = write_scope_rejects(path, layout, label, report.problems, folder / REJECTS_NAME, lang)
        preview = {
            "facility_id": facility_id,
            "facility_name": session.scalar(select(Facility.name).where(Facility.facility_id == facility_id)),
            "layouts": report.layouts,
            "counts": {"capabilities": {a: report.counts[a] for a in ACTIONS}},
            "items": listed.items, "item_counts": dict(listed.count),
            "change_counts": {f"capability.{action}": report.counts[counted] for action, counted in
                              (("create", "created"), ("update", "updated"), ("delete", "deleted"))},
            "issues": [issue_dict(p, lang) for p in report.problems[:ISSUES_KEPT]],
            "issue_count": len(report.problems), "error_count": len(report.errors), "rejects": annotated,
        }
    return preview, bool(report.errors)


def apply(session, job: UploadJob, *, upload_dir: str, **_settings) -> tuple[bool, int | None, str | None]:
    """(committed, change set, a note when the outcome differs from the preview): one change set."""
    report = import_scope(session, job_paths(upload_dir, job.id)[0], job.facility_id, actor=web_actor(job.user),
                          layout=job.layout, prune=job.prune, facility_scope=facility_scope(job.user),
                          label=job.files[0])
    ProgressFile(job_folder(upload_dir, job.id), "applying")(report.items, report.items)
    if report.errors:
        raise RegistryError(report.errors[0].message(job.lang))  # cannot happen while the version check holds
    differs = {a: report.counts[a] for a in ACTIONS} != job.preview["counts"]["capabilities"]
    return report.committed, report.change_set_id, "counts differ from the preview" if differs else None


def issue_dict(problem: Problem, lang: str) -> dict:
    """A problem as the preview's table shows it: sheet, row, column, the cell's text and what is wrong."""
    return {"file": problem.sheet, "row": problem.row, "column": problem.column, "value": problem.text,
            "message": problem.reason_text(lang), "level": problem.level}


class ItemList:
    """Receives every item's outcome from the dry run; keeps the first ITEMS_KEPT of each action."""

    def __init__(self):
        self.items: dict[str, list] = {action: [] for action in ACTIONS}
        self.count = Counter()

    def __call__(self, outcome: ItemOutcome) -> None:
        self.count[outcome.action] += 1
        if self.count[outcome.action] <= ITEMS_KEPT:
            self.items[outcome.action].append(item_view(outcome))


def item_view(outcome: ItemOutcome) -> dict:
    """One item as the preview lists it; an update with the fields it changes, before and after."""
    new = item_texts(record_item(outcome.after)) if outcome.after else None
    old = item_texts(record_item(outcome.before)) if outcome.before else None
    shown = new or old
    view = {"id": outcome.capability_id, "sheet": outcome.sheet, "row": outcome.row,
            **{f: shown[f] for f in ("seq", "object", "parameter", "methods", "ranges", "status")}}
    if outcome.action == "updated" and old and new:
        view["changes"] = [{"field": f, "before": old[f], "after": new[f]} for f in ITEM_FIELDS if old[f] != new[f]]
    return view


def item_texts(item: ScopeItem) -> dict:
    """Each field of an item as the published table writes it (status and service as keys, the page names them)."""
    ranges = []
    for segment in item.ranges:
        text = range_text(segment)
        if segment.uncertainty is not None:
            text = " · ".join(t for t in (text, uncertainty_text(segment.uncertainty)) if t)
        ranges.append(text)
    price = "面议" if item.price_on_request else ("" if item.price is None else number_text(item.price))
    return {"seq": item.seq, "object": item.object, "parameter": item.parameter,
            "methods": [method_text(m) for m in item.methods], "ranges": ranges,
            "limitation": item.limitation.text if item.limitation else "", "remarks": item.remarks,
            "status": item.status, "service": item.service, "field_code": item.field_code,
            "certificate_no": item.certificate_no, "valid_until": item.valid_until.isoformat() if item.valid_until
            else "", "public_standard": item.public_standard, "price": price,
            "verbatim": [f"{column}: {text}" for column, text in item.verbatim], "sheet": item.sheet}


# --- the annotated workbook ---------------------------------------------------------------------

COLUMN = re.compile(r"([A-Z]{1,3}) \((.*)\)$", re.S)  # how the reader names a column: 'E (检测标准…)'


def write_scope_rejects(path: Path, layout: str | None, label: str, problems: list[Problem], target: Path,
                        lang: str) -> int:
    """The uploaded scope sheets, every row as given (merged cells too), with a first column saying what is
    wrong with each row and the cells at fault marked; no workbook when no row has a problem. The number
    of annotated rows."""
    from openpyxl.utils import column_index_from_string  # openpyxl loads when rejects are written

    notes: dict[tuple[str, int], list[tuple[int | None, str, str]]] = {}
    for problem in problems:
        if problem.row is None:
            continue
        found = COLUMN.match(problem.column or "")
        index = column_index_from_string(found[1]) - 1 if found else None
        where = found[2] if found else problem.column
        level = _("error") if problem.level == "error" else _("warning")
        text = _("%(level)s, %(column)s: %(problem)s", level=level, column=where, problem=problem.reason_text(lang)) \
            if where else _("%(level)s: %(problem)s", level=level, problem=problem.reason_text(lang))
        notes.setdefault((problem.sheet, problem.row), []).append((index, problem.level, text))
    target.unlink(missing_ok=True)
    if not notes:
        return 0
    try:
        scope = open_scope(path, layout, label=label)
    except ScopeFileError:
        return 0  # refused as a whole: the page names the header it saw, there is no row to mark
    sheets = [annotated_sheet(sheet, sheet_layout.header_rows, notes) for sheet, sheet_layout in scope.sheets]
    written = write_annotated(target, sheets, lang)
    if not written:  # the problems were all about header rows or sheets passed over: nothing to mark
        target.unlink()
    return written


def annotated_sheet(sheet, header_rows: tuple[int, ...], notes: dict) -> AnnotatedSheet:
    rows = sheet.rows()
    header = []
    for number, values, merged in rows:
        header.append(as_given(values, merged))
        if number >= header_rows[-1]:
            break

    def data():
        for number, values, merged in rows:
            found = notes.get((sheet.name, number), [])
            marks: dict[int, str] = {}
            for index, level, _text in found:
                if index is not None and marks.get(index) != "error":  # an error's mark wins over a warning's
                    marks[index] = level
            yield "\n".join(text for _index, _level, text in found), as_given(values, merged), marks

    return AnnotatedSheet(sheet_title(sheet.name), header, data(), label_row=header_rows[0] - 1,
                          merges=sheet.merges, freeze=f"B{header_rows[-1] + 1}")


def sheet_title(name: str) -> str:
    """A sheet's name as a workbook allows it (a CSV's file name may hold [ ] : * ?)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "Sheet1"


def as_given(values: list, merged: dict) -> list:
    """A row's cells as the file has them: a merged range's value in its first cell only."""
    return [None if index in merged or value == "" else value for index, value in enumerate(values)]


