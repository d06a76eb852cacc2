"""`flask --app registry user create|list`: accounts from the command line (the first admin too)."""
import sys

import click
from flask_babel import force_locale
from sqlalchemy import select

from registry.extensions import db
from registry.models import ROLES, User
from registry.services.accounts.users import AccountError, create_user

user_group = click.Group("user", help="Manage user accounts.")


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (better: keeps it out of the shell history).")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", help="Display name (default: the e-mail's local part).")
@click.option("--district", "district_code", help="Auditors: the district code they audit (default: city-wide).")
@click.option("--facility", "facility_ids", multiple=True, help="Operators: a facility id they run (repeatable).")
@click.option("--org-name", help="Enterprises: company name.")
@click.option("--uscc", help="Enterprises: Unified Social Credit Code.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def create_command(email, password, role, name, district_code, facility_ids, org_name, uscc, lang):
    """Create a user; nothing is written when any value is refused."""
    with force_locale(lang):
        try:
            user = create_user(db.session, email=email, password=password, role=role, name=name,
                               district_code=district_code, facility_ids=facility_ids, org_name=org_name,
                               uscc=uscc)
        except AccountError as exc:
            db.session.rollback()
            click.echo(f"{exc.field or 'error'}: {exc.message}", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"user {user.id} {user.email} ({user.role})")


@user_group.command("list")
def list_command():
    """Every account with its role and scope."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        scope = user.district_code or ",".join(f.facility_id for f in user.facilities) or user.uscc or ""
        state = "" if user.is_active else " inactive"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{scope}{state}")


COMMANDS = (user_group,)
