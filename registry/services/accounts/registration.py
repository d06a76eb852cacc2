"""Enterprise sign-up, finished by a link mailed to the address given.

Sign-up answers the same words after the same work whether or not the address has an account
(issue 13, row 4): the input is checked, the password hashed, and one message written to the outbox.
A new address gets a link that makes the account when it is opened (the account does not exist
before, so nobody can hold an address they cannot read); an address with an account gets a note that
someone tried to register with it, with the ways to sign in or set a new password. Only the mailbox's
owner learns which of the two happened.
"""
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from registry.errors import Conflict
from registry.models import PendingRegistration, User
from registry.models.base import utcnow
from registry.services.accounts.mail import LinkInvalid, expired, queue_mail, sign, unsign
from registry.services.accounts.users import (
    AccountError,
    check_password_strength,
    checked_account,
    create_user,
    hash_password,
)

PURPOSE = "registration"


class AlreadyRegistered(Conflict):
    """The address got an account meanwhile (another link to it was opened first)."""


@dataclass(frozen=True)
class SignUp:
    email: str
    password: str
    name: str
    org_name: str
    uscc: str
    phone: str | None = None
    terms_version: str | None = None
    accepted_terms: bool | None = None  # None where nobody was asked


@dataclass(frozen=True)
class Links:
    """Where the mails point: `confirm(token)` opens a sign-up's link; the others are fixed pages."""

    confirm: Callable[[str], str]
    sign_in: str
    forgot_password: str


def request_registration(session, form: SignUp, links: Links, *, valid_for: timedelta,
                         now: datetime | None = None) -> None:
    """Check `form` (AccountError naming the field), then mail the address; commits.

    The sign-up page asks for consent to the terms of use and privacy policy: without it nothing is kept
    (AccountError on `consent`, after the other checks so that every problem can be fixed at once)."""
    now = now or utcnow()
    email, uscc = checked_account(session, email=form.email, role="enterprise", org_name=form.org_name,
                                  uscc=form.uscc)
    check_password_strength(form.password)
    if form.accepted_terms is False:
        raise AccountError(_l("Agree to the terms of use and the privacy policy to register."), field="consent")
    password_hash = hash_password(form.password)  # also for a taken address: the same work either way
    session.execute(delete(PendingRegistration).where(PendingRegistration.created_at < now - valid_for))
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        queue_mail(session, email, _l("Someone tried to register with your e-mail address"), (
            _l("Someone, perhaps you, tried to register an enterprise at the Hangzhou Quality Infrastructure "
               "Registry with this e-mail address. It has an account already, so no new one was made."),
            _l("Sign in: %(url)s", url=links.sign_in),
            _l("Forgotten your password? Set a new one: %(url)s", url=links.forgot_password),
            _l("If it was not you, ignore this message: nothing has changed."),
        ))
    else:
        pending = PendingRegistration(
            nonce=secrets.token_urlsafe(32), email=email, name=(form.name or "").strip() or email.split("@")[0],
            org_name=form.org_name.strip(), uscc=uscc, phone=(form.phone or "").strip() or None,
            password_hash=password_hash, created_at=now,
            terms_version=str(form.terms_version)[:20] if form.accepted_terms and form.terms_version else None,
            terms_accepted_at=now if form.accepted_terms and form.terms_version else None)
        session.add(pending)
        hours = int(valid_for.total_seconds() // 3600)
        queue_mail(session, email, _l("Confirm your registration"), (
            _l("Open this link within %(n)d hours to confirm your e-mail address and finish registering at the "
               "Hangzhou Quality Infrastructure Registry:", n=hours),
            links.confirm(sign(PURPOSE, pending.nonce)),
            _l("If you did not register, ignore this message: no account is made without this link."),
        ))
    session.commit()


def pending_registration(session, token: str, *, valid_for: timedelta, now: datetime | None = None
                         ) -> PendingRegistration:
    """The sign-up a link names, or LinkInvalid (forged, used, or older than `valid_for`)."""
    nonce = unsign(PURPOSE, token)
    pending = session.scalar(select(PendingRegistration).where(PendingRegistration.nonce == nonce)) \
        if isinstance(nonce, str) else None
    if pending is None or expired(pending.created_at, valid_for, now or utcnow()):
        raise LinkInvalid(_l("This confirmation link is not valid (any more): register again to get a new one."))
    return pending


def confirm_registration(session, token: str, *, valid_for: timedelta, now: datetime | None = None) -> User:
    """Make the account a sign-up's link names; commits. Every other pending sign-up of the address ends."""
    pending = pending_registration(session, token, valid_for=valid_for, now=now)
    email = pending.email
    try:
        user = create_user(session, email=email, password="", role="enterprise", name=pending.name,
                           org_name=pending.org_name, uscc=pending.uscc, phone=pending.phone,
                           password_hash=pending.password_hash)
        user.terms_version, user.terms_accepted_at = pending.terms_version, pending.terms_accepted_at
        session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
        session.commit()
    except (AccountError, IntegrityError):  # the address has an account (perhaps made a moment ago)
        session.rollback()
        raise AlreadyRegistered(_l("This e-mail address has an account already: sign in.")) from None
    return user
