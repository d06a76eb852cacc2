"""`flask --app registry seed`: the districts, the demonstration data set and the example scopes, all
marked demo; running it again changes nothing. `--districts-only`: the 13 districts alone, for a registry
that will hold real data only."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask_babel import force_locale

from registry.cli.data import EXIT_STATUS, lang_option, print_report, refusal_exits, run_import
from registry.cli.scopes import echo_scope_report
from registry.extensions import db
from registry.services.districts import sync_districts
from registry.services.records.demo_scopes import load_example_scopes


@click.command("seed")
@click.option("--districts-only", is_flag=True,
              help="Only the 13 districts (boundaries, population, area): no demonstration data.")
@lang_option
def seed_command(districts_only, lang):
    """Load the districts, the demonstration data set and the example scopes (seeds/examples/) of its
    demo facilities; running it again changes nothing."""
    config = current_app.config
    if districts_only:
        counts = sync_districts(db.session, config["DISTRICTS_GEOJSON"], config["DISTRICTS_CSV"])
        click.echo("districts: created {created}, updated {updated}, unchanged {unchanged}".format(**counts))
        return
    with force_locale(lang):
        report = run_import([Path(config["DEMO_DATA_DIR"])], actor="seed", demo=True)
        print_report(report, None)
        if report.outcome == "rejected":
            sys.exit(EXIT_STATUS["rejected"])
        with refusal_exits(EXIT_STATUS["rejected"]):
            scopes = load_example_scopes(db.session, Path(config["DEMO_SCOPES_DIR"]))
        outcomes = [echo_scope_report(s.report, lang, f"{s.file} → {s.facility_id}") for s in scopes]
    sys.exit(EXIT_STATUS["rejected"] if "rejected" in outcomes else EXIT_STATUS[report.outcome])


COMMANDS = (seed_command,)
