"""Mail about an account itself (confirming a sign-up, resetting a password): written to the outbox that
`flask send-mail` empties, like the booking notifications, and signed links that expire.

Such mail goes to addresses typed by anyone, so it carries no text a stranger chose (no company or
person name): only the registry's own words and links.
"""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from itsdangerous import BadData, URLSafeSerializer

from registry.errors import RegistryError
from registry.models import OutboxMessage
from registry.models.base import as_utc


class LinkInvalid(RegistryError):
    """A mailed link that is forged, used up or past its time."""


def queue_mail(session, to_address: str, subject, paragraphs) -> None:
    """One message in Chinese, then English (whose language the reader reads is not known); not committed.
    `subject` and `paragraphs` are lazy strings, rendered in each language."""
    subjects, parts = [], []
    for lang in ("zh", "en"):
        with force_locale(lang):
            subjects.append(str(subject))
            parts.extend([*(str(p) for p in paragraphs), ""])
    session.add(OutboxMessage(to_address=to_address, subject=" / ".join(subjects)[:300], body="\n\n".join(parts)))


def sign(purpose: str, payload) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}").dumps(payload)


def unsign(purpose: str, token: str):
    """The payload of a link this registry signed for `purpose`, or None (forged, cut or another kind)."""
    try:
        return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}").loads(token or "")
    except BadData:
        return None


def expired(issued: datetime, valid_for: timedelta, now: datetime) -> bool:
    return as_utc(issued) + valid_for < now
