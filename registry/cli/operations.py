"""The operators' commands: serve, backup, restore, paths (the work itself is registry/ops')."""
import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from registry import config
from registry.errors import RegistryError
from registry.extensions import db
from registry.ops import backup as backups
from registry.ops.serve import serve_command


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Back up the database to PATH (SQLite: a consistent copy while serving; PostgreSQL: pg_dump -Fc)."""
    try:
        backups.backup(db.engine, path)
    except RegistryError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"backed up {db.engine.url.render_as_string(hide_password=True)} to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database with the backup at PATH. Stop the server (and workers) first."""
    target = db.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {target} with {path}?", abort=True)
    try:
        backups.restore(db.engine, path)
    except RegistryError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"restored {target} from {path}; run `flask --app registry db upgrade` if the backup is older")


@click.command("paths")
@with_appcontext
def paths_command():
    """Where this installation keeps its files (static/ is what nginx serves)."""
    app = current_app
    click.echo(json.dumps({
        "instance": app.instance_path, "static": app.static_folder, "templates": str(config.TEMPLATES_DIR),
        "migrations": app.extensions["migrate"].directory, "seeds": str(config.SEEDS_DIR),
        "upload_dir": app.config["UPLOAD_DIR"], "database": db.engine.url.render_as_string(hide_password=True),
    }, indent=2, ensure_ascii=False))


COMMANDS = (serve_command, backup_command, restore_command, paths_command)
