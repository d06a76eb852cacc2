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
from pathlib import Path

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import PatternFill

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

def write_rejects(paths: list[Path], report: ImportReport, target: Path, lang: str) -> int:
    """The rejected rows as they were given, with a first column saying what is wrong with each and the bad
    cells highlighted (numbers as numbers, the header frozen): fix them in a spreadsheet and upload the
    workbook again. Formula-like text stays text."""
    messages: dict[tuple[str, int], list[str]] = {}
    bad_cells: dict[tuple[str, int], set[str]] = {}
    for issue in report.errors:
        if issue.row is not None:
            where = f"{issue.column}: " if issue.column else ""
            messages.setdefault((issue.file, issue.row), []).append(f"{where}{issue.message}")
            bad_cells.setdefault((issue.file, issue.row), set()).add(issue.column)
    tables, _warnings = open_tables(paths)
    workbook = Workbook(write_only=True)
    written = 0
    for name in ("facilities", "capabilities"):
        table = tables.get(name)
        if table is None:
            continue
        sheet = workbook.create_sheet(name)
        sheet.freeze_panes = "C2"  # the explanation and the id stay in view
        columns = list(table.header_labels)
        sheet.append([ERROR_COLUMN[lang]] + [xlsx_cell(sheet, table.header_labels[c]) for c in columns])
        try:
            for number, raw in table.rows:
                found = messages.get((table.label, number))
                if found:
                    bad = bad_cells[(table.label, number)]
                    sheet.append([xlsx_cell(sheet, "; ".join(found))]
                                 + [reject_cell(sheet, c, raw.get(c), c in bad) for c in columns])
                    written += 1
        except FileProblem:
            pass  # the rows up to the unreadable one are in; the page reports the problem
    workbook.save(target)
    return written


NUMBER_COLUMNS = {"lon", "lat", "range_min", "range_max", "price_cny", "lead_time_days", "daily_capacity"}
NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")


def reject_cell(sheet, column: str, value, bad: bool):
    """A cell of a rejected row: a number where the column holds numbers, highlighted when it is wrong."""
    if column in NUMBER_COLUMNS and isinstance(value, str) and NUMBER_TEXT.fullmatch(value.strip()):
        value = float(value) if "." in value else int(value)
    cell = xlsx_cell(sheet, value)
    if not bad:
        return cell
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    cell.fill = BAD_FILL
    return cell


def rejects_path(upload_dir: str, job_id: int) -> Path:
    path = job_folder(upload_dir, job_id) / REJECTS_NAME
    if not path.exists():
        raise NotFound(_l("This upload has no rejected rows."))
    return path
