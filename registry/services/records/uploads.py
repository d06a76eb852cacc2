"""Web uploads of interchange data sets: validate and preview first, apply on confirmation.

An upload is a job (`UploadJob`): the files are kept in the job's folder; a dry run of the same
import as the CLI (`import_dataset`) gives the counts, every problem, and the change-log rows it
would write, of which a sample per kind is kept for the preview. Confirming runs the import for
real, under the registry's write lock, only if the registry is still in the state the preview saw
(`records.data_version`): then the outcome is exactly the previewed one, else nothing is written.

Both steps run inline for small files and in a background thread for large ones; progress is a
small JSON file in the job's folder, so any server process on the machine can report it.
"""
import json
import re
import shutil
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import PatternFill
from sqlalchemy import select

from registry.errors import NotFound, RegistryError
from registry.models import UploadJob, User
from registry.services.districts import district_locator
from registry.services.records.canonical import data_version
from registry.services.records.exporting import xlsx_cell
from registry.services.records.importing import ImportReport, import_dataset
from registry.services.records.tables import FileProblem, open_tables, table_name_for
from registry.services.records.write_lock import begin_write

SAMPLE_PER_KIND = 100  # changes kept per (entity, action) for the preview page
ISSUES_KEPT = 500  # problems listed on the page; the rejects workbook has all of them
XLSX_MAX_UNPACKED = 600 * 2**20  # a 300,000-row sheet unpacks to about 150 MB
XLSX_MAX_RATIO = 100  # XML compresses ≈10-20 times; far more is a ZIP bomb
PROGRESS_EVERY_S = 0.5
REJECTS_NAME = "rejects.xlsx"
ERROR_COLUMN = {"zh": "错误说明", "en": "errors"}


class UploadRefused(RegistryError):
    """The upload cannot be taken: wrong kind of file, too big, or not the user's to make."""


# --- taking an upload -------------------------------------------------------------------------

def job_folder(upload_dir: str, job_id: int) -> Path:
    return Path(upload_dir) / str(int(job_id))


def create_job(session, user: User, files: list[tuple[str, object]], *, upload_dir: str, prune: bool = False,
               lang: str = "zh") -> UploadJob:
    """Keep the uploaded files (name, binary stream) in a new job's folder and check what they are.

    A CSV pair (facilities.csv / capabilities.csv, either or both) or one .xlsx workbook."""
    if user.role not in ("admin", "operator"):
        raise UploadRefused(_l("Only administrators and facility operators can upload data."))
    if prune and user.role != "admin":
        raise UploadRefused(_l("Only administrators can mark records missing from a file as deleted."))
    targets = target_names([name for name, _stream in files])
    job = UploadJob(user_id=user.id, status="queued", files=[name for name, _s in files], prune=prune, lang=lang)
    session.add(job)
    session.flush()
    folder = job_folder(upload_dir, job.id)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for (_name, stream), target in zip(files, targets):
            with (folder / target).open("wb") as out:
                shutil.copyfileobj(stream, out, 1 << 20)
            if target.endswith(".xlsx"):
                check_workbook(folder / target)
    except BaseException:
        session.rollback()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    session.commit()
    return job


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


def job_paths(upload_dir: str, job: UploadJob) -> list[Path]:
    folder = job_folder(upload_dir, job.id)
    return [p for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".xlsx") and p.name != REJECTS_NAME]


def facility_scope(user: User) -> frozenset[str] | None:
    """None for admins (every facility); an operator's own facility ids."""
    return None if user.role == "admin" else frozenset(f.facility_id for f in user.facilities)


def get_job(session, job_id: int, user: User) -> UploadJob:
    """A job its owner or an admin may see; others' jobs do not exist for them."""
    job = session.get(UploadJob, job_id)
    if job is None or (user.role != "admin" and job.user_id != user.id):
        raise NotFound(_l("No such upload."))
    return job


def recent_jobs(session, user: User, limit: int = 20) -> list[UploadJob]:
    query = select(UploadJob).order_by(UploadJob.id.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(UploadJob.user_id == user.id)
    return list(session.scalars(query))


# --- progress ----------------------------------------------------------------------------------

class ProgressFile:
    """import_dataset's progress callback, written (at most twice a second) to the job's folder."""

    def __init__(self, folder: Path, phase: str):
        self.path, self.phase, self.last = folder / "progress.json", phase, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or done >= total:
            self.last = now
            write_progress(self.path, self.phase, done, total)


def write_progress(path: Path, phase: str, done: int, total: int) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
    temporary.replace(path)


def read_progress(upload_dir: str, job: UploadJob) -> dict:
    path = job_folder(upload_dir, job.id) / "progress.json"
    try:
        progress = json.loads(path.read_text())
    except (OSError, ValueError):
        progress = {"phase": None, "done": 0, "total": 0}
    total = progress.get("total") or 0
    progress["percent"] = min(100, round(100 * progress.get("done", 0) / total)) if total else 0
    return {"status": job.status, **progress}


# --- preview ------------------------------------------------------------------------------------

class ChangeSample:
    """Receives the change-log rows an import writes; keeps a sample of each kind."""

    def __init__(self):
        self.sample: dict[str, list] = {}
        self.count = Counter()

    def __call__(self, rows: list[dict]) -> None:
        for row in rows:
            kind = f"{row['entity']}.{row['action']}"
            self.count[kind] += 1
            if self.count[kind] <= SAMPLE_PER_KIND:
                self.sample.setdefault(kind, []).append(
                    {k: row[k] for k in ("entity", "action", "facility_id", "capability_id", "before", "after")})


def version_text(session) -> str:
    newest_set, newest_update = data_version(session)
    return f"{newest_set}|{newest_update.isoformat() if newest_update else ''}"


def preview_job(session, job_id: int, *, upload_dir: str, locator, chunk_rows: int = 2000) -> UploadJob:
    """The dry run: counts, problems and a sample of the changes; the rejects workbook if any."""
    job = session.get(UploadJob, job_id)
    job.status = "validating"
    session.commit()
    folder, paths = job_folder(upload_dir, job.id), job_paths(upload_dir, job)
    sample = ChangeSample()
    begin_write(session)  # the version read and the dry run see the same registry
    version = version_text(session)
    report = import_dataset(session, paths, locator=locator, actor=actor_of(job.user), skip_invalid=True,
                            prune=job.prune, dry_run=True, chunk_rows=chunk_rows,
                            progress=ProgressFile(folder, "validating"), facility_scope=facility_scope(job.user),
                            on_changes=sample)
    job = session.get(UploadJob, job_id)
    refused = report.aborted or report.out_of_scope_rows > 0  # an operator's file naming others' facilities
    with force_locale(job.lang):
        rejects = (write_rejects(paths, report, folder / REJECTS_NAME, job.lang)
                   if report.errors and not report.aborted else 0)
        job.preview = {
            "counts": {name: dict(c) for name, c in report.counts.items()},
            "changes": sample.sample, "change_counts": dict(sample.count),
            "issues": [issue_dict(i) for i in report.issues[:ISSUES_KEPT]],
            "issue_count": len(report.issues), "error_count": len(report.errors),
            "scope": scope_text(job.user), "rejects": rejects,
        }
    job.data_version = version
    job.status = "rejected" if refused else "previewed"
    session.commit()
    return job


def issue_dict(issue) -> dict:
    return {"file": issue.file, "row": issue.row, "column": issue.column, "value": issue.value,
            "message": str(issue.message), "level": issue.level}


def scope_text(user: User) -> str | None:
    """The uploader's facility scope as the preview saw it: a change of it makes the preview stale."""
    scope = facility_scope(user)
    return None if scope is None else ",".join(sorted(scope))


def actor_of(user: User) -> str:
    return f"user:{user.email}"


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


def rejects_path(upload_dir: str, job: UploadJob) -> Path:
    path = job_folder(upload_dir, job.id) / REJECTS_NAME
    if not path.exists():
        raise NotFound(_l("This upload has no rejected rows."))
    return path


# --- confirmation -------------------------------------------------------------------------------

def confirm_job(session, job: UploadJob) -> UploadJob:
    """Mark a previewed job for applying (the caller runs apply_job inline or in the background)."""
    if job.status != "previewed" or not preview_changes(job):
        raise UploadRefused(_l("This upload cannot be applied (it is %(status)s).", status=job.status))
    job.status = "confirmed"
    session.commit()
    return job


def preview_changes(job: UploadJob) -> int:
    return sum((job.preview or {}).get("change_counts", {}).values())


def apply_job(session, job_id: int, *, upload_dir: str, locator, chunk_rows: int = 2000) -> UploadJob:
    """Apply exactly what the preview showed, or nothing when the registry changed since."""
    job = session.get(UploadJob, job_id)
    job.status = "applying"
    session.commit()
    folder = job_folder(upload_dir, job.id)
    begin_write(session)
    if version_text(session) != job.data_version or scope_text(job.user) != job.preview.get("scope"):
        session.rollback()
        job = session.get(UploadJob, job_id)
        job.status = "stale"
        job.message = "stale"
        session.commit()
        return job
    report = import_dataset(session, job_paths(upload_dir, job), locator=locator, actor=actor_of(job.user),
                            skip_invalid=True, prune=job.prune, chunk_rows=chunk_rows,
                            progress=ProgressFile(folder, "applying"), facility_scope=facility_scope(job.user))
    job = session.get(UploadJob, job_id)
    job.status = "applied" if report.committed else "failed"
    job.change_set_id = report.change_set_id
    if {name: dict(c) for name, c in report.counts.items()} != job.preview["counts"]:
        job.message = "counts differ from the preview"  # cannot happen while the version check holds
    session.commit()
    return job


def cancel_job(session, job: UploadJob, upload_dir: str) -> None:
    if job.status not in ("previewed", "rejected", "stale", "failed", "queued"):
        raise UploadRefused(_l("This upload cannot be cancelled (it is %(status)s).", status=job.status))
    job.status = "cancelled"
    session.commit()
    shutil.rmtree(job_folder(upload_dir, job.id), ignore_errors=True)


def fail_job(session, job_id: int, message: str) -> None:
    session.rollback()
    job = session.get(UploadJob, job_id)
    if job is not None:
        job.status, job.message = "failed", message[:2000]
        session.commit()


# --- running ------------------------------------------------------------------------------------

def run_job_step(app, session_factory, job_id: int, step) -> None:
    """Run `step(session, job_id)` in the app's context; a failure marks the job failed, clearly."""
    with app.app_context():
        session = session_factory()
        try:
            step(session, job_id)
        except RegistryError as error:
            fail_job(session, job_id, str(error.message))
        except Exception as error:  # noqa: BLE001 - a background job must end in a state the page shows
            app.logger.exception("upload job %s failed", job_id)
            fail_job(session, job_id, type(error).__name__)
        finally:
            session.close()


def job_step(name: str, config):
    """The `preview` or `apply` step of a job, with the app's settings, as step(session, job_id)."""
    options = {"upload_dir": config["UPLOAD_DIR"], "chunk_rows": config["IMPORT_CHUNK_ROWS"]}
    run = preview_job if name == "preview" else apply_job

    def step(session, job_id):
        run(session, job_id, locator=district_locator(config["DISTRICTS_GEOJSON"]), **options)
    return step


def start_in_background(app, session_factory, job_id: int, step) -> threading.Thread:
    thread = threading.Thread(target=run_job_step, args=(app, session_factory, job_id, step),
                              name=f"upload-job-{job_id}", daemon=True)
    thread.start()
    return thread


def pending_jobs(session) -> list[tuple[int, str]]:
    """(job id, step) of the jobs waiting for a worker, oldest first: for `flask upload work`."""
    rows = session.execute(select(UploadJob.id, UploadJob.status)
                           .where(UploadJob.status.in_(("queued", "confirmed"))).order_by(UploadJob.id))
    return [(job_id, "preview" if status == "queued" else "apply") for job_id, status in rows]
