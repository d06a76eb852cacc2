"""Accounts: creating users, checking passwords, locking out guessers, ending sessions.

Passwords are hashed with scrypt (werkzeug; memory-hard, salted). A sign-in that fails
`max_failures` times in a row locks the account for `lockout`; the counter is raised by one
UPDATE so that parallel guesses cannot lose counts. An unknown e-mail costs the same hash
as a known one, so timing does not tell which addresses have accounts.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from registry.errors import RegistryError
from registry.identifiers import IdentifierError, normalize_uscc
from registry.models import ROLES, District, Facility, User
from registry.models.base import as_utc, utcnow
from registry.models.user import new_session_token
from registry.schemas.fields import IDENTIFIER_MESSAGES

PASSWORD_MIN_LENGTH = 10


class AccountError(RegistryError):
    """A user that cannot be created as asked; `field` names the input at fault."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)
        self.field = field


class SignInRefused(RegistryError):
    status = 401


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def _decoy_hash() -> str:
    return hash_password("not a password anyone has")


def check_password_strength(password: str) -> None:
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise AccountError(_l("The password needs at least %(n)d characters.", n=PASSWORD_MIN_LENGTH),
                           field="password")


def create_user(session, *, email: str, password: str, role: str, name: str | None = None,
                district_code: str | None = None, facility_ids=(), org_name: str | None = None,
                uscc: str | None = None, phone: str | None = None, password_hash: str | None = None) -> User:
    """Add a user (not committed). `facility_ids` are registry ids (F0001), for operators."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(_l("Enter a valid e-mail address."), field="email")
    if role not in ROLES:
        raise AccountError(_l("Unknown role %(role)s.", role=role), field="role")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this e-mail address exists already."), field="email")
    if password_hash is None:
        check_password_strength(password)
        password_hash = hash_password(password)
    if district_code and role != "auditor":
        raise AccountError(_l("Only auditors are bound to a district."), field="district")
    if district_code and session.get(District, district_code) is None:
        raise AccountError(_l("Unknown district code %(code)s.", code=district_code), field="district")
    if facility_ids and role != "operator":
        raise AccountError(_l("Only operators are bound to facilities."), field="facility")
    if role == "enterprise":
        if not (org_name or "").strip():
            raise AccountError(_l("Enter the company's name."), field="org_name")
        try:
            uscc = normalize_uscc(uscc or "")
        except IdentifierError as exc:
            reason = IDENTIFIER_MESSAGES.get(exc.reason, str(exc))
            raise AccountError(_l("Unified Social Credit Code: %(reason)s", reason=reason), field="uscc") from None
    user = User(email=email, name=(name or "").strip() or email.split("@")[0], role=role,
                password_hash=password_hash, district_code=district_code or None,
                org_name=(org_name or "").strip() or None, uscc=uscc or None, phone=phone or None)
    for facility_id in facility_ids:
        bind_facility(session, user, facility_id)
    session.add(user)
    session.flush()
    return user


def bind_facility(session, user: User, facility_id: str) -> None:
    if user.role != "operator":
        raise AccountError(_l("Only operators are bound to facilities."), field="facility")
    facility = session.scalar(select(Facility).where(Facility.facility_id == facility_id,
                                                     Facility.deleted_at.is_(None)))
    if facility is None:
        raise AccountError(_l("No facility with id %(id)s.", id=facility_id), field="facility")
    if facility not in user.facilities:
        user.facilities.append(facility)


def register_enterprise(session, *, email: str, password: str, name: str, org_name: str, uscc: str,
                        phone: str | None = None) -> User:
    """Self-service sign-up: always the enterprise role, never anything more."""
    return create_user(session, email=email, password=password, role="enterprise", name=name,
                       org_name=org_name, uscc=uscc, phone=phone)


def authenticate(session, email: str, password: str, policy: LockoutPolicy = LockoutPolicy(),
                 now: datetime | None = None) -> User:
    """The user with this e-mail and password, or SignInRefused; commits the failure count."""
    now = now or utcnow()
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_decoy_hash(), password or "")
        raise SignInRefused(_l("Wrong e-mail address or password."))
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        minutes = max(1, int((as_utc(user.locked_until) - now).total_seconds() // 60) + 1)
        raise SignInRefused(_l("Too many failed sign-ins: this account is locked for %(n)d more minutes.",
                               n=minutes))
    if not check_password_hash(user.password_hash, password or ""):
        _count_failure(session, user, policy, now)
        raise SignInRefused(_l("Wrong e-mail address or password."))
    if not user.is_active:
        raise SignInRefused(_l("This account has been deactivated."))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.commit()
    return user


def _count_failure(session, user: User, policy: LockoutPolicy, now: datetime) -> None:
    session.execute(update(User).where(User.id == user.id)
                    .values(failed_logins=User.failed_logins + 1).execution_options(synchronize_session=False))
    failures = session.scalar(select(User.failed_logins).where(User.id == user.id))
    if failures >= policy.max_failures:
        session.execute(update(User).where(User.id == user.id)
                        .values(locked_until=now + policy.lockout, failed_logins=0)
                        .execution_options(synchronize_session=False))
    session.commit()


def change_password(session, user: User, current: str, new: str) -> None:
    """Replace the password (the current one proves it is the user); every other session ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError(_l("The current password is wrong."), field="current")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    end_sessions(session, user)


def end_sessions(session, user: User) -> None:
    """Sign the user out everywhere: every cookie naming the old token stops working."""
    user.session_token = new_session_token()
    session.commit()


def user_for_session(session, token: str) -> User | None:
    if not token:
        return None
    return session.scalar(select(User).where(User.session_token == token, User.is_active.is_(True)))


def set_active(session, user: User, active: bool) -> None:
    """Deactivate (ending every session at once) or reactivate an account; commits."""
    user.is_active = active
    if not active:
        user.session_token = new_session_token()
    session.commit()
