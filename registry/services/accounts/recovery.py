"""A forgotten password: a link mailed to the account's address sets a new one (ASVS 2.5).

Asking answers the same words after the same work for any address: one message goes to it, the
link for an account that can sign in, otherwise a note that the address has no account here. The
link names the account and a fingerprint of its present password hash, so it works once (the new
password changes the hash) and stops working when the password changes any other way; it expires
after `valid_for`. Setting the password ends every session of the account and its failed sign-ins.
"""
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from registry.models import SignInFailure, User
from registry.models.base import utcnow
from registry.services.accounts.mail import LinkInvalid, expired, queue_mail, sign, unsign
from registry.services.accounts.users import (
    check_password_strength,
    end_sessions,
    hash_password,
    is_reserved_email,
    normalize_email,
)

PURPOSE = "password-reset"


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _can_reset(user: User | None) -> bool:
    """Accounts that sign in with a password: not deactivated ones, nor partners' (services/booking/partners.py)."""
    return user is not None and user.is_active and not is_reserved_email(user.email)


def request_password_reset(session, email: str, *, link: Callable[[str], str], register_url: str, valid_for: timedelta,
                           now: datetime | None = None) -> None:
    """Mail `email` a link to set a new password, or a note that it has no account; commits.
    `link(token)` is the page the link opens. An address that is not one is silently ignored."""
    now = now or utcnow()
    email = normalize_email(email)[:254]
    user = session.scalar(select(User).where(User.email == email))
    if _can_reset(user):
        token = sign(PURPOSE, [user.id, _fingerprint(user), int(now.timestamp())])
        minutes = int(valid_for.total_seconds() // 60)
        queue_mail(session, user.email, _l("Set a new password"), (
            _l("Someone, perhaps you, asked to set a new password for your account at the Hangzhou Quality "
               "Infrastructure Registry. Open this link within %(n)d minutes to choose one:", n=minutes),
            link(token),
            _l("If it was not you, ignore this message: your password stays as it is."),
        ))
    elif user is None and not is_reserved_email(email):
        queue_mail(session, email, _l("Set a new password"), (
            _l("Someone, perhaps you, asked to set a new password at the Hangzhou Quality Infrastructure "
               "Registry for this e-mail address, but it has no account there."),
            _l("To register an enterprise: %(url)s", url=register_url),
            _l("If it was not you, ignore this message."),
        ))
    session.commit()


def reset_target(session, token: str, *, valid_for: timedelta, now: datetime | None = None) -> User:
    """The account a reset link names, or LinkInvalid (forged, used, expired, or the password changed since)."""
    payload = unsign(PURPOSE, token)
    user = None
    if isinstance(payload, list) and len(payload) == 3 and all(isinstance(v, int) for v in payload[::2]):
        user_id, fingerprint, issued = payload
        user = session.get(User, user_id)
        if not _can_reset(user) or _fingerprint(user) != fingerprint or \
                expired(datetime.fromtimestamp(issued, UTC), valid_for, now or utcnow()):
            user = None
    if user is None:
        raise LinkInvalid(_l("This link to set a new password is not valid (any more): ask for a new one."))
    return user


def reset_password(session, token: str, password: str, *, valid_for: timedelta, now: datetime | None = None
                   ) -> User:
    """Set the password a reset link allows (AccountError for a weak one); commits. Every session of the
    account ends, and so do the failed sign-ins counted against its address."""
    user = reset_target(session, token, valid_for=valid_for, now=now)
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    session.execute(delete(SignInFailure).where(SignInFailure.email == user.email))
    end_sessions(session, user)
    return user
