"""`hz-registry`: the flask command line with the app already named (`hz-registry serve` is
`flask --app registry serve`, `hz-registry db upgrade` is `flask --app registry db upgrade`)."""
from flask.cli import FlaskGroup

from registry import create_app

cli = FlaskGroup(create_app=create_app, help="Hangzhou Quality Infrastructure Registry (flask --app registry).")


def main() -> None:
    cli.main(prog_name="hz-registry")
