"""Accounts: creating users, checking passwords, locking out guessers, ending sessions.

Passwords are hashed with scrypt (werkzeug; memory-hard, salted) and follow ASVS 2.1: at least
12 characters, at most 128, no composition rules, common and repetitive ones refused.

Sign-in failures are counted per e-mail address *and* client address (`sign_in_failures`),
whether or not an account has that e-mail: after `max_failures` in a row that pair is locked,
for `lockout` the first time and twice as long each further time. A stranger's guesses therefore
lock out the stranger's address, never the account's owner elsewhere, and a locked or unknown
account answers exactly as a known one, after the same scrypt work.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from registry.errors import RegistryError
from registry.identifiers import IdentifierError, normalize_uscc
from registry.models import ROLES, District, Facility, SignInFailure, User
from registry.models.base import as_utc, utcnow
from registry.models.user import new_session_token
from registry.schemas import rules
from registry.schemas.fields import IDENTIFIER_MESSAGES

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
# Addresses of the accounts partner platforms book for (services/booking/partners.py): nobody may
# register or be given one, so that a stranger can never own the account a partner's bookings go to.
PARTNER_ACCOUNTS_DOMAIN = "partners.invalid"
RESERVED_DOMAINS = (PARTNER_ACCOUNTS_DOMAIN,)
KEYBOARD_RUNS = ("01234567890123456789", "9876543210987654321", "abcdefghijklmnopqrstuvwxyz",
                 "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")


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
    lockout: timedelta = timedelta(minutes=15)  # the first lock; each further one lasts twice as long
    longest: timedelta = timedelta(hours=24)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def is_reserved_email(email: str) -> bool:
    return normalize_email(email).rsplit("@", 1)[-1] in RESERVED_DOMAINS


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


@cache
def _decoy_hash() -> str:
    return hash_password("not a password anyone has")


@cache
def common_passwords() -> frozenset[str]:
    lines = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def weakness(password: str) -> str | None:
    """Why a long-enough password is still easy to guess, or None."""
    lowered = password.lower()
    stem = lowered.strip("0123456789!@#$%^&*()-_=+.,;:?~ ")
    if lowered in common_passwords() or stem in common_passwords() or len(set(lowered)) < 4:
        return "common"
    if any(lowered == (lowered[:k] * (len(lowered) // k + 1))[:len(lowered)] for k in range(1, len(lowered) // 2 + 1)):
        return "common"
    if any(lowered in run * 2 for run in KEYBOARD_RUNS):
        return "common"
    return None


def check_password_strength(password: str) -> None:
    """ASVS 2.1.1-2.1.9: length 12-128 (any characters, spaces too), not common, no composition rules."""
    password = password or ""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(_l("The password needs at least %(n)d characters.", n=PASSWORD_MIN_LENGTH),
                           field="password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(_l("The password may have at most %(n)d characters.", n=PASSWORD_MAX_LENGTH),
                           field="password")
    if weakness(password):
        raise AccountError(_l("This password is too common or too easy to guess: choose a longer phrase of "
                              "your own."), field="password")


def create_user(session, *, email: str, password: str, role: str, name: str | None = None,
                district_code: str | None = None, facility_ids=(), org_name: str | None = None,
                uscc: str | None = None, phone: str | None = None, password_hash: str | None = None,
                partner_account: bool = False) -> User:
    """Add a user (not committed). `facility_ids` are registry ids (F0001), for operators.
    Only `partner_account`s (made by services/booking/partners.py) have reserved addresses."""
    email, uscc = checked_account(session, email=email, role=role, district_code=district_code,
                                  facility_ids=facility_ids, org_name=org_name, uscc=uscc,
                                  partner_account=partner_account)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this e-mail address exists already."), field="email")
    if password_hash is None:
        check_password_strength(password)
        password_hash = hash_password(password)
    user = User(email=email, name=(name or "").strip() or email.split("@")[0], role=role,
                password_hash=password_hash, district_code=district_code or None,
                org_name=(org_name or "").strip() or None, uscc=uscc or None, phone=phone or None)
    for facility_id in facility_ids:
        bind_facility(session, user, facility_id)
    session.add(user)
    session.flush()
    return user


def checked_account(session, *, email: str, role: str, district_code: str | None = None, facility_ids=(),
                    org_name: str | None = None, uscc: str | None = None,
                    partner_account: bool = False) -> tuple[str, str | None]:
    """The normalised e-mail and USCC of an account as asked, or AccountError naming the field at fault.
    Says nothing about whether the address has an account (sign-up must not tell: registration.py)."""
    email = normalize_email(email)
    if not rules.is_email(email):
        raise AccountError(_l("Enter a valid e-mail address."), field="email")
    if is_reserved_email(email) != partner_account:
        raise AccountError(_l("This e-mail address cannot be used for an account."), field="email")
    if role not in ROLES:
        raise AccountError(_l("Unknown role %(role)s.", role=role), field="role")
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
    return email, uscc


def bind_facility(session, user: User, facility_id: str) -> None:
    if user.role != "operator":
        raise AccountError(_l("Only operators are bound to facilities."), field="facility")
    facility = session.scalar(select(Facility).where(Facility.facility_id == facility_id,
                                                     Facility.deleted_at.is_(None)))
    if facility is None:
        raise AccountError(_l("No facility with id %(id)s.", id=facility_id), field="facility")
    if facility not in user.facilities:
        user.facilities.append(facility)


def authenticate(session, email: str, password: str, policy: LockoutPolicy = LockoutPolicy(),
                 now: datetime | None = None, address: str = "") -> User:
    """The user with this e-mail and password, or SignInRefused; commits the failure count.

    `address` is the client's; known, unknown, locked and partner accounts cost the same scrypt
    check and answer the same words, so neither timing nor text tells which e-mails have accounts."""
    now = now or utcnow()
    email = normalize_email(email)[:254]
    address = (address or "")[:64]
    password = (password or "")[:PASSWORD_MAX_LENGTH * 4]
    user = session.scalar(select(User).where(User.email == email))
    record = session.scalar(select(SignInFailure).where(SignInFailure.email == email,
                                                        SignInFailure.address == address))
    usable = user is not None and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    matches = check_password_hash(user.password_hash if usable else _decoy_hash(), password) and usable
    if record is not None and record.locked_until is not None and as_utc(record.locked_until) > now:
        minutes = max(1, int((as_utc(record.locked_until) - now).total_seconds() // 60) + 1)
        session.rollback()
        raise SignInRefused(_l("Too many failed sign-ins from your address: signing in to this account is locked "
                               "for %(n)d more minutes.", n=minutes))
    if not matches:
        _count_failure(session, email, address, policy, now)
        raise SignInRefused(_l("Wrong e-mail address or password."))
    if not user.is_active:
        session.rollback()
        raise SignInRefused(_l("This account has been deactivated."))
    session.execute(delete(SignInFailure).where(SignInFailure.email == email, SignInFailure.address == address))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.commit()
    return user


def _count_failure(session, email: str, address: str, policy: LockoutPolicy, now: datetime) -> None:
    """One more failure for (email, address), by one UPDATE (parallel guesses lose no counts);
    at `max_failures` the pair is locked, each lock in a row twice as long as the one before."""
    try:
        with session.begin_nested():
            session.add(SignInFailure(email=email, address=address, failures=0, locks=0, updated_at=now))
    except IntegrityError:
        pass  # a parallel failure made it first
    pair = (SignInFailure.email == email, SignInFailure.address == address)
    session.execute(update(SignInFailure).where(*pair).values(failures=SignInFailure.failures + 1, updated_at=now)
                    .execution_options(synchronize_session=False))
    failures, locks = session.execute(select(SignInFailure.failures, SignInFailure.locks).where(*pair)).one()
    if failures >= policy.max_failures:
        lockout = min(policy.lockout * 2 ** min(locks, 16), policy.longest)
        session.execute(update(SignInFailure).where(*pair)
                        .values(locked_until=now + lockout, failures=0, locks=locks + 1)
                        .execution_options(synchronize_session=False))
    session.commit()


def change_password(session, user: User, current: str, new: str) -> None:
    """Replace the password (the current one proves it is the user); every other session ends."""
    if not check_password_hash(user.password_hash, (current or "")[:PASSWORD_MAX_LENGTH * 4]):
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
