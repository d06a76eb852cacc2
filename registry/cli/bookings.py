"""`flask --app registry bookings expire` and `flask --app registry send-mail`: the booking chores a
scheduler (cron, a systemd timer) runs every few minutes."""

import click
from flask import current_app

from registry.clock import today
from registry.extensions import db
from registry.models.base import utcnow
from registry.services.booking.notifications import SmtpTransport, log_transport, send_pending
from registry.services.booking.workflow import expire_unanswered

bookings_group = click.Group("bookings", help="Booking chores.")


@bookings_group.command("expire")
def expire_command():
    """Expire requests left unanswered for BOOKING_EXPIRY_DAYS days, or whose date has come."""
    count = expire_unanswered(db.session, now=utcnow(), after_days=current_app.config["BOOKING_EXPIRY_DAYS"],
                              today=today())
    click.echo(f"expired: {count}")


def mail_transport():
    """SMTP when SMTP_HOST is set; otherwise messages are written to the log."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        return log_transport
    return SmtpTransport(host=config["SMTP_HOST"], port=config["SMTP_PORT"], username=config["SMTP_USER"] or None,
                         password=config["SMTP_PASSWORD"] or None, starttls=config["SMTP_STARTTLS"],
                         sender=config["MAIL_FROM"])


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="Messages to try in this run at most.")
def send_mail_command(limit):
    """Send the e-mails waiting in the outbox; failures stay there and are retried later."""
    sent, failed = send_pending(db.session, mail_transport(), limit=limit)
    click.echo(f"sent: {sent}, failed (kept for a retry): {failed}")
    if failed:
        raise SystemExit(4)


COMMANDS = (bookings_group, send_mail_command,)
