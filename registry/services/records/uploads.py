"""Web uploads of interchange data sets: validate and preview first, apply on confirmation.

An upload is a job (`UploadJob`): the files are kept in the job's folder (upload_files.py); a dry
run of the same import as the CLI (`import_dataset`) gives the counts, every problem, and the
change-log rows it would write, of which a sample per kind is kept for the preview. Confirming runs
the import for real, under the registry's write lock, only if the registry is still in the state the
preview saw (`records.data_version`): then the outcome is exactly the previewed one, else nothing is
written. Where and how each step runs (inline, in a thread, or by `flask upload work`) is decided
here too, by `JobRunner`, from plain settings.
"""
import logging
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from registry.clock import as_utc
from registry.errors import NotFound, RegistryError
from registry.models import UploadJob, User
from registry.services.districts import district_locator
from registry.services.records.canonical import data_version
from registry.services.records.importing import import_dataset
from registry.services.records.upload_files import (
    REJECTS_NAME,
    Lease,
    ProgressFile,
    UploadRefused,
    check_workbook,
    job_folder,
    job_paths,
    job_size,
    lease_until,
    read_progress,
    rejects_path,
    target_names,
    write_rejects,
)
from registry.services.records.write_lock import begin_write
from registry.services.records.writer import web_actor

# The views use these as parts of the upload service, with everything defined below.
__all__ = ["UploadRefused", "job_folder", "read_progress", "rejects_path"]

logger = logging.getLogger(__name__)

SAMPLE_PER_KIND = 100  # changes kept per (entity, action) for the preview page
ISSUES_KEPT = 500  # problems listed on the page; the rejects workbook has all of them
FINISHED = ("applied", "cancelled")  # every other state can be cancelled, a stalled one included


# --- taking an upload -------------------------------------------------------------------------

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


def facility_scope(user: User) -> frozenset[str] | None:
    """None for admins (every facility); an operator's own facility ids."""
    return None if user.role == "admin" else frozenset(f.facility_id for f in user.facilities)


def get_job(session, job_id: int, user: User) -> UploadJob:
    """A job its owner or an admin may see, as stored now; others' jobs do not exist for them."""
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job is None or (user.role != "admin" and job.user_id != user.id):
        raise NotFound(_l("No such upload."))
    return job


def recent_jobs(session, user: User, limit: int = 20) -> list[UploadJob]:
    query = select(UploadJob).order_by(UploadJob.id.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(UploadJob.user_id == user.id)
    return list(session.scalars(query))


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
    folder, paths = job_folder(upload_dir, job.id), job_paths(upload_dir, job.id)
    sample = ChangeSample()
    begin_write(session)  # the version read and the dry run see the same registry
    version = version_text(session)
    report = import_dataset(session, paths, locator=locator, actor=actor_of(job.user), skip_invalid=True,
                            prune=job.prune, dry_run=True, chunk_rows=chunk_rows,
                            progress=ProgressFile(folder, "validating"), facility_scope=facility_scope(job.user),
                            on_changes=sample)
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job.status == "cancelled":  # while it ran: its files are gone, and so is the interest in them
        return job
    refused = report.aborted or report.out_of_scope_rows > 0  # an operator's file naming others' facilities
    with force_locale(job.lang):
        rejects = (write_rejects(paths, report, folder / REJECTS_NAME, job.lang)
                   if report.errors and not report.aborted else 0)
        job.preview = {
            "counts": {name: dict(c) for name, c in report.counts.items()},
            "changes": sample.sample, "change_counts": dict(sample.count),
            "issues": [issue_dict(i, job.files) for i in report.issues[:ISSUES_KEPT]],
            "issue_count": len(report.issues), "error_count": len(report.errors),
            "scope": scope_text(job.user), "rejects": rejects,
            "uscc_changes": report.uscc_changes,  # refused in the preview; applied only when confirmed
        }
    job.data_version = version
    job.status = "rejected" if refused else "previewed"
    session.commit()
    return job


def issue_dict(issue, uploaded: list[str]) -> dict:
    """A problem as the preview keeps it, its file named as the uploader named it (能力.xlsx [能力]), not as
    the job keeps it (upload.xlsx)."""
    file = issue.file or ""
    for kept, given in zip(target_names(uploaded), uploaded):
        if file == kept or file.startswith(kept + " "):
            file = given + file[len(kept):]
            break
    return {"file": file, "row": issue.row, "column": issue.column, "value": issue.value,
            "message": str(issue.message), "level": issue.level}


def scope_text(user: User) -> str | None:
    """The uploader's facility scope as the preview saw it: a change of it makes the preview stale."""
    scope = facility_scope(user)
    return None if scope is None else ",".join(sorted(scope))


def actor_of(user: User) -> str:
    return web_actor(user)  # the one actor format of web writes


# --- confirmation -------------------------------------------------------------------------------

def confirm_job(session, job: UploadJob, allow_uscc_change: bool = False) -> UploadJob:
    """Mark a previewed job for applying (JobRunner runs apply_job inline or in the background).

    Rows that change a facility's USCC (listed apart in the preview) are applied only with
    `allow_uscc_change`, the preview's explicit confirmation; without it they stay refused."""
    uscc_changes = (job.preview or {}).get("uscc_changes") or []
    if job.status != "previewed" or not preview_changes(job):
        raise UploadRefused(_l("This upload cannot be applied (it is %(status)s).", status=job.status))
    if not allow_uscc_change and not sum(job.preview.get("change_counts", {}).values()):
        raise UploadRefused(_l("This upload only changes the USCC of facilities: tick the box that confirms "
                               "these changes to apply them."))
    job.preview = {**job.preview, "uscc_confirmed": bool(allow_uscc_change and uscc_changes)}
    job.status = "confirmed"
    session.commit()
    return job


def preview_changes(job: UploadJob) -> int:
    """Changes the upload can make: those previewed, and the USCC changes it would make if confirmed."""
    preview = job.preview or {}
    return sum(preview.get("change_counts", {}).values()) + len(preview.get("uscc_changes") or [])


def apply_job(session, job_id: int, *, upload_dir: str, locator, chunk_rows: int = 2000) -> UploadJob:
    """Apply exactly what the preview showed, or nothing when the registry changed since (or the job
    was cancelled before the import began)."""
    job = session.get(UploadJob, job_id)
    job.status = "applying"
    session.commit()
    folder = job_folder(upload_dir, job.id)
    begin_write(session)
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job.status == "cancelled":
        session.rollback()
        return job
    if version_text(session) != job.data_version or scope_text(job.user) != job.preview.get("scope"):
        session.rollback()
        job = session.get(UploadJob, job_id)
        job.status = "stale"
        job.message = "stale"
        session.commit()
        return job
    confirmed_uscc = bool(job.preview.get("uscc_confirmed"))
    report = import_dataset(session, job_paths(upload_dir, job.id), locator=locator, actor=actor_of(job.user),
                            skip_invalid=True, prune=job.prune, chunk_rows=chunk_rows,
                            progress=ProgressFile(folder, "applying"), facility_scope=facility_scope(job.user),
                            allow_uscc_change=confirmed_uscc)
    job = session.get(UploadJob, job_id, populate_existing=True)
    job.status = "applied" if report.committed else "failed"  # what was written, whatever was asked meanwhile
    job.change_set_id = report.change_set_id
    if not confirmed_uscc and {name: dict(c) for name, c in report.counts.items()} != job.preview["counts"]:
        job.message = "counts differ from the preview"  # cannot happen while the version check holds
    session.commit()
    return job


def cancel_job(session, job: UploadJob, upload_dir: str) -> None:
    """Forget an upload and its files, at any step before it was applied (a stalled one too)."""
    if job.status in FINISHED:
        raise UploadRefused(_l("This upload cannot be cancelled (it is %(status)s).", status=job.status))
    job.status = "cancelled"
    session.commit()
    shutil.rmtree(job_folder(upload_dir, job.id), ignore_errors=True)


def fail_job(session, job_id: int, message: str) -> None:
    session.rollback()
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job is not None and job.status != "cancelled":
        job.status, job.message = "failed", message[:2000]
        session.commit()


# --- where and how a step runs ------------------------------------------------------------------

STEPS = {"preview": preview_job, "apply": apply_job}
WAITING = {"preview": "queued", "apply": "confirmed"}
RUNNING = {"preview": "validating", "apply": "applying"}
LEASE_SECONDS = 60.0


@dataclass(frozen=True)
class UploadSettings:
    """Where uploads are kept and how they run, as plain values."""

    upload_dir: str
    districts_geojson: str
    chunk_rows: int = 2000
    background_bytes: int = 1_000_000  # larger uploads run outside the request
    worker: str = "thread"  # thread: the web process runs them; command: `flask upload work` does
    lease_seconds: float = LEASE_SECONDS  # a worker silent this long is taken for dead

    @classmethod
    def from_config(cls, config: Mapping) -> "UploadSettings":
        return cls(upload_dir=config["UPLOAD_DIR"], districts_geojson=config["DISTRICTS_GEOJSON"],
                   chunk_rows=config["IMPORT_CHUNK_ROWS"], background_bytes=config["UPLOAD_BACKGROUND_BYTES"],
                   worker=config["UPLOAD_WORKER"], lease_seconds=config.get("UPLOAD_LEASE_SECONDS", LEASE_SECONDS))


@dataclass(frozen=True)
class JobRunner:
    """Runs the steps of upload jobs. `context()` is entered around each step (for the web app, its
    app context: a database session and translations of its own); `session()` is the session in it."""

    settings: UploadSettings
    context: Callable[[], AbstractContextManager]
    session: Callable[[], object]
    log: logging.Logger = logger

    def start(self, job_id: int, step: str) -> None:
        """Inline for small files; for large ones a thread, or `flask upload work` (worker = command).
        Jobs whose worker died are taken up again first."""
        self.resume_stalled()
        if job_size(self.settings.upload_dir, job_id) <= self.settings.background_bytes:
            self.run(job_id, step)
        elif self.settings.worker != "command":
            self.run_in_background(job_id, step)

    def run_in_background(self, job_id: int, step: str) -> threading.Thread:
        thread = threading.Thread(target=self.run, args=(job_id, step), name=f"upload-job-{job_id}", daemon=True)
        thread.start()
        return thread

    def run(self, job_id: int, step: str) -> bool:
        """Claim the job (one worker only) and run the step holding a lease; a failure marks the job
        failed, clearly. False when another worker had claimed it."""
        settings = self.settings
        with self.context():
            session = self.session()
            try:
                if not claim(session, job_id, step):
                    return False
                with Lease(job_folder(settings.upload_dir, job_id), settings.lease_seconds):
                    STEPS[step](session, job_id, upload_dir=settings.upload_dir, chunk_rows=settings.chunk_rows,
                                locator=district_locator(settings.districts_geojson))
            except RegistryError as error:
                fail_job(session, job_id, str(error.message))
            except Exception as error:  # noqa: BLE001 - a background job must end in a state the page shows
                self.log.exception("upload job %s failed", job_id)
                fail_job(session, job_id, type(error).__name__)
            finally:
                session.close()
        return True

    def resume_stalled(self) -> list[tuple[int, str]]:
        """Put the jobs whose worker's lease ran out back in the queue; in thread mode, run them."""
        with self.context():
            resumed = requeue_stalled(self.session(), self.settings.upload_dir, self.settings.lease_seconds)
        if self.settings.worker != "command":
            for job_id, step in resumed:
                self.run_in_background(job_id, step)
        return resumed

    def work(self, *, once: bool, poll: float, echo=logger.info) -> None:
        """`flask upload work`: run the waiting and the stalled jobs, oldest first, here."""
        while True:
            with self.context():
                session = self.session()
                requeue_stalled(session, self.settings.upload_dir, self.settings.lease_seconds)
                jobs = pending_jobs(session)
                session.rollback()
            for job_id, step in jobs:
                echo(f"upload {job_id}: {step}")
                self.run(job_id, step)
            if once:
                return
            time.sleep(poll)


def claim(session, job_id: int, step: str) -> bool:
    """Move a waiting job to running, unless another worker did first."""
    claimed = session.execute(update(UploadJob).where(UploadJob.id == job_id, UploadJob.status == WAITING[step])
                              .values(status=RUNNING[step])).rowcount == 1
    session.commit()
    return claimed


def requeue_stalled(session, upload_dir: str, lease_seconds: float, now: float | None = None) -> list[tuple[int, str]]:
    """(job id, step) of the running jobs whose lease ran out, put back to waiting for that step.

    A job with no lease yet counts from its last change (a worker dies before its first beat too)."""
    now = time.time() if now is None else now
    running = session.execute(select(UploadJob.id, UploadJob.status, UploadJob.updated_at)
                              .where(UploadJob.status.in_(tuple(RUNNING.values()))).order_by(UploadJob.id)).all()
    resumed = []
    for job_id, status, updated_at in running:
        until = lease_until(upload_dir, job_id)
        if until is None:
            until = as_utc(updated_at).timestamp() + lease_seconds
        if until >= now:
            continue
        step = "preview" if status == RUNNING["preview"] else "apply"
        if session.execute(update(UploadJob).where(UploadJob.id == job_id, UploadJob.status == status)
                           .values(status=WAITING[step])).rowcount:
            resumed.append((job_id, step))
    session.commit()
    return resumed


def pending_jobs(session) -> list[tuple[int, str]]:
    """(job id, step) of the jobs waiting for a worker, oldest first."""
    rows = session.execute(select(UploadJob.id, UploadJob.status)
                           .where(UploadJob.status.in_(tuple(WAITING.values()))).order_by(UploadJob.id))
    return [(job_id, "preview" if status == WAITING["preview"] else "apply") for job_id, status in rows]
