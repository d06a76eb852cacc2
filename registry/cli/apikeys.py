"""`flask --app registry apikey create|list|revoke`: partner keys from the command line."""

import click

from registry.cli.data import refusal_exits
from registry.extensions import db
from registry.services.accounts.api_keys import create_key, list_keys, revoke_key


@click.group("apikey")
def apikey():
    """Create, list and revoke partner API keys."""


@apikey.command("create")
@click.option("--partner", required=True, help="Who the key is for.")
@click.option("--scopes", default="read", show_default=True, help="Comma-separated: read, book, audit.")
def create_command(partner, scopes):
    """Create a key and print it: it is shown only this once (only its hash is stored)."""
    with refusal_exits(2):
        row, key = create_key(db.session, partner, scopes)
    click.echo(key)
    click.echo(f"id {row.id} · {row.prefix} · {row.partner} · scopes {row.scopes} "
               "(store the key now: it cannot be shown again)", err=True)


@apikey.command("list")
def list_command():
    """Every key: id, public prefix, partner, scopes, created, revoked."""
    for row in list_keys(db.session):
        revoked = row.revoked_at.isoformat() if row.revoked_at else "-"
        click.echo(f"{row.id}\t{row.prefix}\t{row.partner}\t{row.scopes}\t{row.created_at.isoformat()}\t{revoked}")


@apikey.command("revoke")
@click.argument("key")
def revoke_command(key):
    """Revoke a key, by id or by its public prefix (hqr_xxxxxxxx)."""
    with refusal_exits():
        row = revoke_key(db.session, key)
    click.echo(f"revoked {row.id} · {row.prefix} · {row.partner}")


COMMANDS = (apikey,)
