"""`flask --app registry import-scope|export-scope`: one facility's published scope in and out
(CNAS testing and calibration scopes, the CMA 附表, measurement standards; SCOPE_LAYOUTS.md)."""
import getpass
import sys
from pathlib import Path

import click
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from registry.cli.data import EXIT_STATUS, echo_outcome, lang_option, refusal_exits
from registry.extensions import db
from registry.services.records.scope_import import ScopeImportReport, export_scope, import_scope
from registry.services.records.scopes import LAYOUTS


@click.command("import-scope")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--facility", "facility_id", required=True, help="The facility the scope belongs to (机构编号).")
@click.option("--layout", type=click.Choice(LAYOUTS), help="The layout; recognised from the header when left out.")
@click.option("--dry-run", is_flag=True, help="Read, compare and count, but write nothing.")
@click.option("--prune", is_flag=True, help="Remove the facility's scope items missing from this file.")
@click.option("--encoding", help="CSV encoding, when detection is not enough (e.g. gb18030).")
@click.option("--actor", default=lambda: f"cli:{getpass.getuser()}", help="Who is importing.")
@lang_option
def import_scope_command(path, facility_id, layout, dry_run, prune, encoding, actor, lang):
    """Import one facility's scope as published (XLSX or CSV): updates, adds and, with --prune, removes items."""
    with force_locale(lang):
        with refusal_exits():
            report = import_scope(db.session, path, facility_id, actor=actor, layout=layout, dry_run=dry_run,
                                  prune=prune, encoding=encoding)
        outcome = echo_scope_report(report, lang)
    sys.exit(EXIT_STATUS[outcome])


def echo_scope_report(report: ScopeImportReport, lang: str, what: str = "") -> str:
    """Every problem, the layouts seen and the counts of an import-scope report; returns its outcome.
    `what` (file → facility) heads the counts when several scopes are reported together."""
    language = str(get_locale() or lang)
    for problem in report.problems:
        level = _("error") if problem.level == "error" else _("warning")
        click.echo(f"{level}: {problem.message(language)}", err=True)
    if report.layouts:
        click.echo(", ".join(f"{sheet}: {layout_}" for sheet, layout_ in report.layouts.items()))
    outcome = report.outcome
    if outcome == "rejected":
        click.echo(_("%(n)s errors: nothing was written.", n=len(report.errors)), err=True)
        return outcome
    labels = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged"),
              "deleted": _("deleted")}
    click.echo((f"{what}: " if what else "") + _("capabilities") + ": "
               + ", ".join(f"{labels[a]} {report.counts[a]}" for a in labels))
    echo_outcome(outcome, report.change_set_id)
    return outcome


@click.command("export-scope")
@click.argument("facility_id")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@lang_option
def export_scope_command(facility_id, path, lang):
    """Write a facility's scope in its published layouts (XLSX, merged cells, two-row headers)."""
    with force_locale(lang):
        with refusal_exits():
            count = export_scope(db.session, facility_id, path)
        click.echo(_("%(n)s scope items → %(path)s", n=count, path=path))


COMMANDS = (import_scope_command, export_scope_command)
