"""Web uploads of interchange data sets (the upload kind `dataset`; uploads.py runs the lifecycle).

The dry run is the CLI's `import_dataset` with `skip_invalid`: the counts, every problem, a sample of the
change-log rows it would write, and the rejected rows as a workbook to fix; an operator's file naming
others' facilities is refused as a whole. Apply runs the same import for real.
"""
from collections import Counter

from flask_babel import force_locale

from registry.models import UploadJob
from registry.services.records.editing import facility_scope
from registry.services.records.importing import import_dataset
from registry.services.records.upload_files import REJECTS_NAME, ProgressFile, job_folder, job_paths, write_rejects
from registry.services.records.writer import web_actor

SAMPLE_PER_KIND = 100  # changes kept per (entity, action) for the preview page
ISSUES_KEPT = 500  # problems listed on the page; the rejects workbook has all of them


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


def dry_run(session, job: UploadJob, *, upload_dir: str, locator, chunk_rows: int) -> tuple[dict, bool]:
    """(the preview, refused): counts, problems, a sample of the changes; the rejected rows' workbook."""
    folder, paths = job_folder(upload_dir, job.id), job_paths(upload_dir, job.id)
    user, prune, lang = job.user, job.prune, job.lang
    sample = ChangeSample()
    report = import_dataset(session, paths, locator=locator, actor=web_actor(user), skip_invalid=True,
                            prune=prune, dry_run=True, chunk_rows=chunk_rows,
                            progress=ProgressFile(folder, "validating"), facility_scope=facility_scope(user),
                            on_changes=sample)
    refused = report.aborted or report.out_of_scope_rows > 0  # an operator's file naming others' facilities
    with force_locale(lang):
        rejects = write_rejects(paths, report, folder / REJECTS_NAME, lang) if report.errors and not report.aborted \
            else 0
        preview = {
            "counts": {name: dict(c) for name, c in report.counts.items()},
            "changes": sample.sample, "change_counts": dict(sample.count),
            "issues": [issue_dict(i) for i in report.issues[:ISSUES_KEPT]],
            "issue_count": len(report.issues), "error_count": len(report.errors), "rejects": rejects,
            "uscc_changes": report.uscc_changes,  # refused in the preview; applied only when confirmed
        }
    return preview, refused


def issue_dict(issue) -> dict:
    return {"file": issue.file, "row": issue.row, "column": issue.column, "value": issue.value,
            "message": str(issue.message), "level": issue.level}


def apply(session, job: UploadJob, *, upload_dir: str, locator, chunk_rows: int) -> tuple[bool, int | None, str | None]:
    """(committed, change set, a note when the outcome differs from the preview, which it cannot while the
    version check holds; confirmed USCC changes add to it)."""
    confirmed_uscc = bool(job.preview.get("uscc_confirmed"))
    previewed = job.preview["counts"]
    report = import_dataset(session, job_paths(upload_dir, job.id), locator=locator, actor=web_actor(job.user),
                            skip_invalid=True, prune=job.prune, chunk_rows=chunk_rows,
                            progress=ProgressFile(job_folder(upload_dir, job.id), "applying"),
                            facility_scope=facility_scope(job.user), allow_uscc_change=confirmed_uscc)
    differs = not confirmed_uscc and {name: dict(c) for name, c in report.counts.items()} != previewed
    return report.committed, report.change_set_id, "counts differ from the preview" if differs else None


