"""Telling the other party: an in-app notification and an e-mail for every booking transition.

Both are written in the transaction of the transition itself (the booking service calls
`notify_booking_event` before it commits). E-mail goes to the outbox and is sent by
`send_pending`: a message is marked sent only after the mail server took it; a failure is
counted, recorded, and retried later with a growing delay, never dropped.
"""
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from registry.clock import local_text
from registry.models import Booking, BookingEvent, Notification, OutboxMessage, User, operator_facilities
from registry.models.base import utcnow
from registry.money import fee_text
from registry.schemas import rules
from registry.services.accounts.users import PARTNER_ACCOUNTS_DOMAIN
from registry.services.booking.samples import delivery_lines

log = logging.getLogger(__name__)

STATE_LABELS = {
    "requested": _l("requested"), "accepted": _l("accepted"), "declined": _l("declined"),
    "in_progress": _l("in progress"), "completed": _l("completed"), "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}
MAX_DELAY = timedelta(hours=6)


def recipients(session, booking: Booking, event: BookingEvent) -> list[User]:
    """The other party: operators when the enterprise acted, the enterprise when an operator did;
    both when the registry itself did (expiry)."""
    people = []
    if event.actor_role in ("enterprise", "system"):
        people += session.scalars(
            select(User).join(operator_facilities, operator_facilities.c.user_id == User.id)
            .where(operator_facilities.c.facility_pk == booking.facility_pk, User.is_active.is_(True))
            .order_by(User.id)).all()
    if event.actor_role in ("operator", "system"):
        people.append(session.get(User, booking.enterprise_id))
    return [p for p in people if p.id != event.actor_id]


def event_text(booking: Booking, event: BookingEvent) -> str:
    """One line about the event, in the current locale."""
    text = str(_l("Booking #%(id)d (%(capability)s, %(date)s, %(org)s): %(state)s",
                  id=booking.id, capability=booking.capability.name, date=booking.service_date.isoformat(),
                  org=booking.org_name, state=STATE_LABELS[event.to_state]))
    if event.reason:
        text += " — " + str(_l("reason: %(reason)s", reason=event.reason))
    return text


def notify_booking_event(session, booking: Booking, event: BookingEvent, url_for_booking=None) -> None:
    """Add the notifications and e-mails of `event` (not committed: the transition commits them)."""
    session.flush()
    url = url_for_booking(booking.id) if url_for_booking else None
    people = recipients(session, booking, event)
    for person in people:
        session.add(Notification(user_id=person.id, booking_id=booking.id, event_id=event.id))
        address = mail_address(person, booking)
        if address:
            session.add(OutboxMessage(to_address=address, **mail_content(booking, event, url)))
    if event.actor_role in ("enterprise", "system") and not any(p.role == "operator" for p in people):
        # No operator account for this facility yet: its registered e-mail hears of the request.
        if booking.facility.email:
            session.add(OutboxMessage(to_address=booking.facility.email, **mail_content(booking, event, url)))


def mail_address(person: User, booking: Booking) -> str | None:
    """Where `person` hears of the booking: an enterprise a partner booked for has no mailbox of its
    own here, so the booking's contact address (if any) is written to instead."""
    if person.email.endswith("@" + PARTNER_ACCOUNTS_DOMAIN):
        return booking.contact_email
    return person.email


def mail_content(booking: Booking, event: BookingEvent, booking_url: str | None) -> dict:
    """Subject and body in Chinese, then English (the recipient's choice is not known here)."""
    parts, subjects = [], []
    for lang in ("zh", "en"):
        with force_locale(lang):
            subjects.append(str(_l("Booking #%(id)d %(state)s", id=booking.id, state=STATE_LABELS[event.to_state])))
            parts.append(event_text(booking, event))
            if event.at:
                parts.append(str(_l("At %(time)s (Beijing time)", time=local_text(event.at))))
            if booking.fee_cny is not None or booking.fee_on_request:
                parts.append(str(_l("Indicative fee: %(fee)s",
                                    fee=fee_text(booking.fee_cny, on_request=booking.fee_on_request))))
            parts.extend(f"{label}: {text}" for label, text in delivery_lines(booking.facility, booking.id))
            if booking_url:
                parts.append(str(_l("Details: %(url)s", url=booking_url)))
            parts.append("")
    return {"subject": " / ".join(subjects), "body": "\n".join(parts)}


def unread_count(session, user: User) -> int:
    return session.scalar(select(func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent_notifications(session, user: User, limit: int = 50) -> list[Notification]:
    return session.scalars(select(Notification).where(Notification.user_id == user.id)
                           .order_by(Notification.id.desc()).limit(limit)).all()


def mark_all_read(session, user: User) -> None:
    session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                    .values(read_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()


# --- Sending ----------------------------------------------------------------------------------------

@dataclass
class SmtpTransport:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    sender: str = "registry@localhost"
    timeout: float = 20

    def __call__(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to_address, message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


def log_transport(message: OutboxMessage) -> None:
    """Where mail goes when no SMTP server is configured: the log."""
    log.warning("mail (no SMTP_HOST set) to %s: %s\n%s", message.to_address, message.subject, message.body)


MAX_ATTEMPTS = 30  # then a message is given up (about three weeks of retries)


class Unsendable(Exception):
    """A message no retry can deliver (a malformed or refused address): given up at once."""


def is_permanent(exc: Exception) -> bool:
    """Failures that no later attempt can mend: a bad address or header (ValueError from the e-mail
    package), every recipient refused, or a 5xx answer of the server."""
    if isinstance(exc, (Unsendable, ValueError, smtplib.SMTPRecipientsRefused)):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 500 <= code < 600


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_DELAY)


def send_pending(session, transport, *, now: datetime | None = None, limit: int = 100) -> tuple[int, int]:
    """Send the messages that are due; returns (sent, failed). Each outcome is committed at once.

    On PostgreSQL the due rows are claimed with SKIP LOCKED, so senders running side by side
    never send one message twice.
    """
    now = now or utcnow()
    query = (select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_(None),
                                         OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.id).limit(limit))
    postgres = session.get_bind().dialect.name == "postgresql"
    sent = failed = 0
    for message_id in session.scalars(query.with_only_columns(OutboxMessage.id)).all():
        claim = select(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        message = session.scalar(claim.with_for_update(skip_locked=True) if postgres else claim)
        if message is None:
            session.rollback()
            continue
        try:
            if not rules.is_email(message.to_address):
                raise Unsendable(f"not a valid e-mail address: {message.to_address!r}")
            transport(message)
        except Exception as exc:  # a failure of the mail server: keep the message, try later, unless hopeless
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.next_attempt_at = now + retry_delay(message.attempts)
            if is_permanent(exc) or message.attempts >= MAX_ATTEMPTS:
                message.given_up_at = now
            failed += 1
            log.warning("mail %s to %s failed (attempt %s): %s", message.id, message.to_address,
                        message.attempts, message.last_error)
        else:
            message.attempts += 1
            message.sent_at = utcnow()
            sent += 1
        session.commit()
    return sent, failed
