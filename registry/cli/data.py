"""`flask --app registry import|export`: the registry's data in and out."""
import csv
import gc
import getpass
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from registry.errors import RegistryError
from registry.extensions import db
from registry.services.districts import district_locator, sync_districts
from registry.services.records.exporting import export_dataset
from registry.services.records.importing import ACTIONS, ImportReport, import_dataset

EXIT_REJECTED = 1  # errors: nothing was written
EXIT_PARTIAL = 3  # --skip-invalid applied the valid rows and rejected others
EXIT_STATUS = {"rejected": EXIT_REJECTED, "partial": EXIT_PARTIAL, "dry_run": 0,
               "committed": 0, "unchanged": 0}
MAX_ISSUES_SHOWN = 1000

@contextmanager
def refusal_exits(status: int = EXIT_REJECTED):
    """A RegistryError raised inside (a refusal: a held lock, an unknown id, a bad key) ends the command
    with its message on stderr and exit `status`, never a stack trace."""
    try:
        yield
    except RegistryError as exc:
        click.echo(str(exc.message), err=True)
        sys.exit(status)


lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh",
                           show_default=True, help="Language of messages.")


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Write the valid rows, report the rest.")
@click.option("--prune", is_flag=True, help="Mark records missing from the import as deleted.")
@click.option("--dry-run", is_flag=True, help="Validate and count, but write nothing.")
@click.option("--encoding", help="CSV encoding, when detection is not enough (e.g. gbk).")
@click.option("--allow-uscc-change", is_flag=True,
              help="Apply rows that change a stored facility's USCC (its legal identity); refused without it.")
@click.option("--actor", default=lambda: f"cli:{getpass.getuser()}", help="Who is importing.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Also write every problem to this CSV file.")
@lang_option
def import_command(paths, skip_invalid, prune, dry_run, encoding, allow_uscc_change, actor, report_path, lang):
    """Import facilities.csv + capabilities.csv, or an .xlsx workbook (DATA_FORMAT.md)."""
    with force_locale(lang), rare_collections():
        with refusal_exits():  # e.g. another import held the registry for too long
            report = run_import(paths, actor=actor, encoding=encoding, skip_invalid=skip_invalid,
                                prune=prune, dry_run=dry_run, allow_uscc_change=allow_uscc_change)
        print_report(report, report_path)
    sys.exit(EXIT_STATUS[report.outcome])


@contextmanager
def rare_collections():
    """The command's one import keeps millions of objects alive (the rows seen, ids, records); Python's
    cycle collector rescanned them all again and again, a tenth of a re-import of 300,000 rows. The app's
    objects are set aside (gc.freeze) and collections made rarer while it runs: rows make no cycles."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def run_import(paths, *, actor, **options) -> ImportReport:
    """Import with the districts in place: they are reference data every facility points to."""
    config = current_app.config
    sync_districts(db.session, config["DISTRICTS_GEOJSON"], config["DISTRICTS_CSV"])
    progress = Progress()
    try:
        return import_dataset(
            db.session, list(paths), locator=district_locator(config["DISTRICTS_GEOJSON"]),
            actor=actor, chunk_rows=config["IMPORT_CHUNK_ROWS"], progress=progress, **options)
    finally:
        progress.close()


class Progress:
    """A bar on a terminal; a line per tenth of the way in logs."""

    def __init__(self):
        self.bar, self.shown = None, -1

    def __call__(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            if self.bar is None:
                self.bar = click.progressbar(length=max(total, 1), label=_("Importing"),
                                             file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(done - self.bar.pos)
            return
        tenth = int(10 * done / total) if total else 0
        if tenth != self.shown:
            self.shown = tenth
            click.echo(_("progress: %(done)s of about %(total)s rows", done=done, total=total),
                       err=True)

    def close(self):
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def print_report(report: ImportReport, report_path: Path | None) -> None:
    for issue in report.issues[:MAX_ISSUES_SHOWN]:
        click.echo(format_issue(issue), err=True)
    if len(report.issues) > MAX_ISSUES_SHOWN:
        click.echo(_("… and %(n)s more problems (write them all with --report FILE)",
                     n=len(report.issues) - MAX_ISSUES_SHOWN), err=True)
    if report_path:
        write_issues(report, report_path)
    labels = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged"),
              "deleted": _("deleted"), "rejected": _("rejected")}
    names = {"facilities": _("facilities"), "capabilities": _("capabilities")}
    outcome = report.outcome
    # After a rejection the other counts describe work that was rolled back: leave them out.
    shown = ("rejected",) if outcome == "rejected" else ACTIONS
    for table, counts in report.counts.items():
        if sum(counts.values()):
            figures = ", ".join(f"{labels[a]} {counts[a]}" for a in shown)
            click.echo(f"{names[table]}: {figures}")
    if outcome == "rejected":
        click.echo(_("%(n)s errors: nothing was written.", n=len(report.errors)), err=True)
    elif outcome == "partial":
        click.echo(_("%(n)s rows rejected; the valid rows were applied.",
                     n=report.rejected_rows), err=True)
    else:
        echo_outcome(outcome, report.change_set_id)


def echo_outcome(outcome: str, change_set_id: int | None) -> None:
    """The last line of an import's report that was not refused: dry run, committed or unchanged."""
    if outcome == "dry_run":
        click.echo(_("Dry run: the counts above are what an import would do; nothing was written."))
    elif outcome == "committed":
        click.echo(_("Import complete (change set %(id)s).", id=change_set_id))
    else:
        click.echo(_("Nothing changed."))


def format_issue(issue) -> str:
    where = issue.file
    if issue.row:
        where += " " + _("row %(row)s", row=issue.row)
    if issue.column:
        where += " " + _("column %(column)s", column=issue.column)
    value = f" «{issue.value[:80]}»" if issue.value else ""
    level = _("error") if issue.level == "error" else _("warning")
    return f"{level}: {where}{value}: {issue.message}"


def write_issues(report: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["level", "file", "row", "column", "value", "message"])
        for issue in report.issues:
            writer.writerow([issue.level, issue.file, issue.row or "", issue.column or "",
                             issue.value or "", str(issue.message)])


@click.command("export")
@click.argument("target", type=click.Path(path_type=Path))
@lang_option
@click.option("--headers", "headers_lang", type=click.Choice(["zh", "en"]),
              help="Language of the file: zh, Chinese headers and values as people write them (检验检测机构, "
                   "国有, 是, 面议); en, English column names and keys. Default: that of --lang.")
def export_command(target, lang, headers_lang):
    """Export to a folder (facilities.csv, capabilities.csv) or to a .xlsx workbook; import reads either language."""
    try:
        counts = export_dataset(db.session, target, headers_lang or lang)
    except RegistryError as exc:
        with force_locale(lang):
            raise click.UsageError(str(exc.message)) from None
    click.echo(", ".join(f"{name}: {n}" for name, n in counts.items()) + f" → {target}")


COMMANDS = (import_command, export_command)
