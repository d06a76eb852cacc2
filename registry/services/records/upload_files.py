"""What an upload job keeps on disk, in its own folder: the files as uploaded, its progress, the lease
of the worker running it, and the rejects workbook.

Progress and lease are small JSON files, so that any process on the machine (a gunicorn worker, a
`flask upload work` process) can report a job's progress and tell a running job from one whose
worker died.
"""
import json
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

from registry.errors import NotFound, RegistryError
from registry.services.records.exporting import xlsx_cell
from registry.services.records.importing import ImportReport
from registry.services.records.tables import FileProblem, open_tables, table_name_for

XLSX_MAX_UNPACKED = 600 * 2**20  # a 300,000-row sheet unpacks to about 150 MB
XLSX_MAX_RATIO = 100  # XML compresses ≈10-20 times; far more is a ZIP bomb
PROGRESS_EVERY_S = 0.5
REJECTS_NAME = "rejects.xlsx"
LEASE_NAME = "lease.json"
ERROR_COLUMN = {"zh": "错误说明", "en": "errors"}


class UploadRefused(RegistryError):
    """The upload cannot be taken: wrong kind of file, too big, or not the user's to make."""


class UploadTooLarge(UploadRefused):
    status = 413


def too_large(max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(_l("The file is larger than %(mb)s MB, the most this upload may be.",
                             mb=round(max_bytes / 2**20)))


def keep_file(stream, path: Path, max_bytes: int | None = None) -> None:
    """Copy an uploaded stream to `path`, refusing it past `max_bytes` (a body sent without its length too)."""
    kept = 0
    with path.open("wb") as out:
        while chunk := stream.read(1 << 20):
            kept += len(chunk)
            if max_bytes is not None and kept > max_bytes:
                raise too_large(max_bytes)
            out.write(chunk)


def job_folder(upload_dir: str, job_id: int) -> Path:
    return Path(upload_dir) / str(int(job_id))


def target_names(names: list[str]) -> list[str]:
    """The names the files are kept under: facilities.csv, capabilities.csv or upload.xlsx."""
    names = [n for n in names if n]
    if not names:
        raise UploadRefused(_l("Choose a file to upload."))
    suffixes = [Path(n).suffix.lower() for n in names]
    if suffixes == [".xlsx"]:
        return ["upload.xlsx"]
    if all(s == ".csv" for s in suffixes) and len(names) <= 2:
        tables = [table_name_for(Path(n)) for n in names]
        if None in tables:
            raise UploadRefused(_l("Name the CSV files facilities.csv and capabilities.csv."))
        if len(set(tables)) != len(tables):
            raise UploadRefused(_l("Give one facilities file and one capabilities file."))
        return [f"{t}.csv" for t in tables]
    raise UploadRefused(_l("Upload one .xlsx workbook, or facilities.csv and/or capabilities.csv."))


def check_workbook(path: Path) -> None:
    """An .xlsx is a ZIP of XML: refuse what is not one, and ZIP bombs, before anything unpacks it."""
    if not zipfile.is_zipfile(path):
        raise UploadRefused(_l("This is not an XLSX workbook (it is not a ZIP container)."))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise UploadRefused(_l("This is not an XLSX workbook (the ZIP container is damaged).")) from None
    unpacked = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if unpacked > XLSX_MAX_UNPACKED or (unpacked > 10 * 2**20 and unpacked / packed > XLSX_MAX_RATIO):
        raise UploadRefused(_l("The workbook would unpack to %(mb)s MB (packed %(packed)s MB): refused as a "
                               "possible ZIP bomb.", mb=unpacked // 2**20, packed=round(packed / 2**20, 1)))
    if not any(m.filename == "[Content_Types].xml" for m in members):
        raise UploadRefused(_l("This is not an XLSX workbook (a ZIP file without a workbook in it)."))


def job_paths(upload_dir: str, job_id: int) -> list[Path]:
    folder = job_folder(upload_dir, job_id)
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".xlsx") and p.name != REJECTS_NAME]


def job_size(upload_dir: str, job_id: int) -> int:
    return sum(p.stat().st_size for p in job_paths(upload_dir, job_id))


# --- progress ----------------------------------------------------------------------------------

class ProgressFile:
    """import_dataset's progress callback, written (at most twice a second) to the job's folder."""

    def __init__(self, folder: Path, phase: str):
        self.path, self.phase, self.last = folder / "progress.json", phase, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or done >= total:
            self.last = now
            write_json(self.path, {"phase": self.phase, "done": done, "total": total})


def write_json(path: Path, value: dict) -> None:
    """Replace the file at once, so that a reader never sees half of it."""
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(value))
    temporary.replace(path)


def read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def read_progress(upload_dir: str, job_id: int) -> dict:
    progress = read_json(job_folder(upload_dir, job_id) / "progress.json") or {"phase": None, "done": 0, "total": 0}
    total = progress.get("total") or 0
    progress["percent"] = min(100, round(100 * progress.get("done", 0) / total)) if total else 0
    return progress


# --- lease -------------------------------------------------------------------------------------

class Lease:
    """The running worker's claim on a job, renewed by a heartbeat until the step ends.

    A worker that is killed stops renewing it: once `until` has passed, the job is stalled and the
    next worker (or `flask upload work`) runs its step again."""

    def __init__(self, folder: Path, seconds: float):
        self.path, self.seconds = folder / LEASE_NAME, seconds
        self.stopped = threading.Event()
        self.heartbeat = threading.Thread(target=self._beat, name=f"upload-lease-{folder.name}", daemon=True)

    def renew(self) -> None:
        try:
            write_json(self.path, {"until": time.time() + self.seconds, "holder": f"{socket.gethostname()}:"
                                   f"{os.getpid()}:{threading.get_ident()}"})
        except OSError:
            pass  # the job was cancelled and its folder removed: nothing left to hold

    def _beat(self) -> None:
        while not self.stopped.wait(self.seconds / 3):
            self.renew()

    def __enter__(self):
        self.renew()
        self.heartbeat.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.heartbeat.join()
        self.path.unlink(missing_ok=True)


def lease_until(upload_dir: str, job_id: int) -> float | None:
    """When the lease of the job's worker ends (seconds since the epoch); None without a lease."""
    lease = read_json(job_folder(upload_dir, job_id) / LEASE_NAME)
    until = lease.get("until") if lease else None
    return until if isinstance(until, (int, float)) else None


# --- rejects ------------------------------------------------------------------------------------

@dataclass
class AnnotatedSheet:
    """A sheet of the rejects workbook: the rows above the data as given, then data rows as (what is wrong
    with the row, its cells, {cell index: 'error' | 'warning'} of the cells at fault)."""

    name: str
    header: list[list]
    rows: Iterable[tuple[str, list, dict[int, str]]]
    label_row: int = 0  # the header row that names the explanation column
    merges: Callable[[], list] = list  # merged ranges (min_col, min_row, max_col, max_row) of the rows as given
    freeze: str = "C2"  # the explanation and the row's id stay in view


def write_annotated(target: Path, sheets: Iterable[AnnotatedSheet], lang: str) -> int:
    """The one rejects workbook of uploads: each sheet's rows as they were given, with a first column saying
    what is wrong with each (错误说明) and the cells at fault highlighted (an error red, a warning yellow),
    merged cells merged again; formula-like text stays text. Written as a stream. The number of data rows
    with an explanation."""
    from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start
    from openpyxl.worksheet.cell_range import CellRange

    workbook = Workbook(write_only=True)
    written = 0
    for given in sheets:
        sheet = workbook.create_sheet(given.name)
        sheet.freeze_panes = given.freeze
        for number, cells in enumerate(given.header):
            label = ERROR_COLUMN[lang] if number == given.label_row else None
            sheet.append([label] + [xlsx_cell(sheet, value) for value in cells])
        for note, cells, marks in given.rows:
            sheet.append([xlsx_cell(sheet, note or None)]
                         + [marked_cell(sheet, value, marks.get(index)) for index, value in enumerate(cells)])
            written += bool(note)
        for min_col, min_row, max_col, max_row in given.merges():  # one column to the right of where they were
            sheet.merged_cells.ranges.add(CellRange(min_col=min_col + 1, min_row=min_row, max_col=max_col + 1,
                                                    max_row=max_row))
    workbook.save(target)
    return written


def write_rejects(paths: list[Path], report: ImportReport, target: Path, lang: str) -> int:
    """The rejected rows of an interchange upload as they were given, each explained, numbers as numbers:
    fix them in a spreadsheet and upload the workbook again."""
    messages: dict[tuple[str, int], list[str]] = {}
    bad_cells: dict[tuple[str, int], set[str]] = {}
    for issue in report.errors:
        if issue.row is not None:
            where = f"{issue.column}: " if issue.column else ""
            messages.setdefault((issue.file, issue.row), []).append(f"{where}{issue.message}")
            bad_cells.setdefault((issue.file, issue.row), set()).add(issue.column)
    tables, _warnings = open_tables(paths)

    def rejected(table, columns):
        try:
            for number, raw in table.rows:
                found = messages.get((table.label, number))
                if found:
                    bad = bad_cells[(table.label, number)]
                    yield ("; ".join(found), [typed(c, raw.get(c)) for c in columns],
                           {i: "error" for i, c in enumerate(columns) if c in bad})
        except FileProblem:
            pass  # the rows up to the unreadable one are in; the page reports the problem

    sheets = []
    for name in ("facilities", "capabilities"):
        table = tables.get(name)
        if table is not None:
            columns = list(table.header_labels)
            sheets.append(AnnotatedSheet(name, [[table.header_labels[c] for c in columns]], rejected(table, columns)))
    return write_annotated(target, sheets, lang)


NUMBER_COLUMNS = {"lon", "lat", "range_min", "range_max", "price_cny", "lead_time_days", "daily_capacity"}
NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}  # red, yellow


@cache
def _marking():
    """openpyxl's cell classes and the fill of each level, made once on first use."""
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.styles import PatternFill

    return Cell, WriteOnlyCell, {level: PatternFill("solid", fgColor=color) for level, color in FILLS.items()}


def typed(column: str, value):
    """A number where the interchange column holds numbers."""
    if column in NUMBER_COLUMNS and isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip()):
        return float(value) if "." in value else int(value)
    return value


def marked_cell(sheet, value, level: str | None):
    """A cell as given, highlighted when it is at fault."""
    cell = xlsx_cell(sheet, value)
    if level is None:
        return cell
    Cell, WriteOnlyCell, fills = _marking()
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    cell.fill = fills[level]
    return cell


def rejects_path(upload_dir: str, job_id: int) -> Path:
    path = job_folder(upload_dir, job_id) / REJECTS_NAME
    if not path.exists():
        raise NotFound(_l("This upload has no rejected rows."))
    return path
