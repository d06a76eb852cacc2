"""Web uploads: validate and preview first, apply on confirmation.

An upload is a job (`UploadJob`) of a kind: a data set of the interchange format (`dataset`, here) or
one facility's published scope (`scope`, scope_uploads.py). The files are kept in the job's folder
(upload_files.py); a dry run of the same import as the CLI (`import_dataset`, `import_scope`) gives
the counts, every problem, and what it would write, of which a sample is kept for the preview.
Confirming runs the import for real, under the registry's write lock, only if the registry is still
in the state the preview saw (`records.data_version`): then the outcome is exactly the previewed one,
else nothing is written. Every kind shares this lifecycle; where and how each step runs (inline, in a
thread, or by `flask upload work`) is decided here too, by `JobRunner`, from plain settings.
"""
import logging
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from registry.clock import as_utc
from registry.errors import NotFound, RegistryError
from registry.models import UploadJob, User
from registry.services.districts import district_locator
from registry.services.records import dataset_uploads, scope_uploads
from registry.services.records.canonical import data_version
from registry.services.records.editing import facility_scope
from registry.services.records.upload_files import (
    Lease,
    UploadRefused,
    check_workbook,
    job_folder,
    job_size,
    keep_file,
    lease_until,
    read_progress,
    rejects_path,
    target_names,
    too_large,
)
from registry.services.records.write_lock import begin_write

# The views use these as parts of the upload service, with everything defined below.
__all__ = ["UploadRefused", "facility_scope", "job_folder", "read_progress", "rejects_path", "too_large"]

logger = logging.getLogger(__name__)

FINISHED = ("applied", "cancelled")  # every other state can be cancelled, a stalled one included


# --- taking an upload -------------------------------------------------------------------------

def create_job(session, user: User, files: list[tuple[str, object]], *, upload_dir: str, prune: bool = False,
               lang: str = "zh", kind: str = "dataset", facility_id: str | None = None, layout: str | None = None,
               max_bytes: int | None = None) -> UploadJob:
    """Keep the uploaded files (name, binary stream) in a new job's folder and check what they are.

    A data set: a CSV pair (facilities.csv / capabilities.csv, either or both) or one .xlsx workbook.
    A scope: one .xlsx or .csv of `facility_id` (scope_uploads.check_request says who may), in `layout`
    or one recognised from its header. Nothing is kept of a file that is refused."""
    if user.role not in ("admin", "operator"):
        raise UploadRefused(_l("Only administrators and facility operators can upload data."))
    names = [name for name, _stream in files]
    if kind == "scope":  # an operator may prune their own facility's scope: it is theirs as a whole
        targets = scope_uploads.check_request(session, user, names, facility_id, layout)
        names = [Path(names[0]).name[:200]]
    else:
        if prune and user.role != "admin":
            raise UploadRefused(_l("Only administrators can mark records missing from a file as deleted."))
        targets = target_names(names)
    job = UploadJob(user_id=user.id, status="queued", files=names, prune=prune, lang=lang, kind=kind,
                    facility_id=facility_id if kind == "scope" else None, layout=layout)
    session.add(job)
    session.flush()
    folder = job_folder(upload_dir, job.id)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for (_name, stream), target in zip(files, targets):
            keep_file(stream, folder / target, max_bytes)
            if target.endswith(".xlsx"):
                check_workbook(folder / target)
        if kind == "scope":
            scope_uploads.check_file(folder / targets[0], layout, names[0], lang)
    except BaseException:
        session.rollback()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    session.commit()
    return job


def get_job(session, job_id: int, user: User) -> UploadJob:
    """A job its owner or an admin may see, as stored now; others' jobs do not exist for them."""
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job is None or (user.role != "admin" and job.user_id != user.id):
        raise NotFound(_l("No such upload."))
    return job


def recent_jobs(session, user: User, limit: int = 20, kind: str | None = None) -> list[UploadJob]:
    query = select(UploadJob).order_by(UploadJob.id.desc()).limit(limit)
    if user.role != "admin":
        query = query.where(UploadJob.user_id == user.id)
    if kind is not None:
        query = query.where(UploadJob.kind == kind)
    return list(session.scalars(query))


# --- preview ------------------------------------------------------------------------------------

def version_text(session) -> str:
    newest_set, newest_update = data_version(session)
    return f"{newest_set}|{newest_update.isoformat() if newest_update else ''}"


def preview_job(session, job_id: int, *, upload_dir: str, locator, chunk_rows: int = 2000) -> UploadJob:
    """The dry run of the job's kind: counts, problems and a sample of the changes; the rejects workbook if any."""
    job = session.get(UploadJob, job_id)
    job.status = "validating"
    session.commit()
    begin_write(session)  # the version read and the dry run see the same registry
    version = version_text(session)
    try:
        preview, refused = KINDS[job.kind].dry_run(session, job, upload_dir=upload_dir, locator=locator,
                                                   chunk_rows=chunk_rows)
    except OSError:
        if job_folder(upload_dir, job_id).exists():
            raise
        preview, refused = {}, True  # cancelled while it ran: its folder was removed under it
    session.rollback()  # (the dry run rolled its writes back; this ends its transaction in every case)
    job = session.get(UploadJob, job_id, populate_existing=True)
    if job.status == "cancelled":  # while it ran: its files are gone, and so is the interest in them
        return job
    job.preview = {**preview, "scope": scope_text(job.user)}
    job.data_version = version
    job.status = "rejected" if refused else "previewed"
    session.commit()
    return job


def scope_text(user: User) -> str | None:
    """The uploader's facility scope as the preview saw it: a change of it makes the preview stale."""
    scope = facility_scope(user)
    return None if scope is None else ",".join(sorted(scope))


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
    committed, change_set_id, note = KINDS[job.kind].apply(session, job, upload_dir=upload_dir, locator=locator,
                                                            chunk_rows=chunk_rows)
    job = session.get(UploadJob, job_id, populate_existing=True)
    job.status = "applied" if committed else "failed"  # what was written, whatever was asked meanwhile
    job.change_set_id = change_set_id
    job.message = note or job.message
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

@dataclass(frozen=True)
class Kind:
    """What one kind of upload does in the lifecycle's two steps."""

    dry_run: Callable  # (session, job, **settings) -> (preview, refused)
    apply: Callable  # (session, job, **settings) -> (committed, change set id, note)
    weight: int = 1  # how much a byte of its files costs next to the interchange format's, to run it inline or not


# A scope's byte costs about ten of a data set's: its rows are merged, multi-line cells read one by one
# (a 110 KB workbook of 3,000 items previews in ≈6 s), so it goes to the background ten times sooner.
KINDS = {"dataset": Kind(dataset_uploads.dry_run, dataset_uploads.apply),
         "scope": Kind(scope_uploads.dry_run, scope_uploads.apply, weight=10)}
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

    def start(self, job_id: int, step: str, kind: str = "dataset") -> None:
        """Inline for small files; for large ones a thread, or `flask upload work` (worker = command).
        Jobs whose worker died are taken up again first."""
        self.resume_stalled()
        if job_size(self.settings.upload_dir, job_id) * KINDS[kind].weight <= self.settings.background_bytes:
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
