"""Administrators manage accounts and partner API keys; every action is logged (`AdminAction`).

An invited user gets a random initial password, shown once to the admin who passes it on; the
user changes it after signing in. Deactivating a user also ends every session of theirs.
"""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.errors import NotFound
from registry.models import AdminAction, ApiKey, District, User
from registry.models.base import utcnow
from registry.models.user import new_session_token
from registry.services.accounts import users as accounts
from registry.services.accounts.api_keys import create_key, revoke_key
from registry.services.accounts.users import AccountError, bind_facility, create_user

MANAGED_ROLES = ("operator", "auditor", "admin", "enterprise")


def actor_name(admin: User) -> str:
    return f"user:{admin.email}"


def user_state(user: User) -> dict:
    return {"email": user.email, "name": user.name, "role": user.role, "district_code": user.district_code,
            "facilities": [f.facility_id for f in user.facilities], "is_active": user.is_active}


def record(session, admin: User, entity: str, target: str, action: str, before=None, after=None) -> None:
    session.add(AdminAction(actor=actor_name(admin), entity=entity, target=target, action=action,
                            before=before, after=after, at=utcnow()))


def list_users(session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))


def get_user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user


def invite_user(session, admin: User, *, email: str, name: str, role: str, district_code: str | None = None,
                facility_ids=(), org_name: str | None = None, uscc: str | None = None) -> tuple[User, str]:
    """Create the account with a one-time initial password; returns (user, password)."""
    password = secrets.token_urlsafe(12)
    user = create_user(session, email=email, password=password, role=role, name=name,
                       district_code=district_code or None, facility_ids=list(facility_ids),
                       org_name=org_name, uscc=uscc)
    record(session, admin, "user", user.email, "create", after=user_state(user))
    session.commit()
    return user, password


def update_user(session, admin: User, user_id: int, *, role: str, district_code: str | None,
                facility_ids) -> User:
    """Assign the role and its scope: a district for auditors, facilities for operators."""
    user = get_user(session, user_id)
    if user.id == admin.id and role != "admin":
        raise AccountError(_l("You cannot take the admin role from yourself."), field="role")
    if role not in MANAGED_ROLES:
        raise AccountError(_l("Unknown role %(role)s.", role=role), field="role")
    district_code = district_code or None
    if district_code and role != "auditor":
        raise AccountError(_l("Only auditors are bound to a district."), field="district")
    if district_code and session.get(District, district_code) is None:
        raise AccountError(_l("Unknown district code %(code)s.", code=district_code), field="district")
    facility_ids = [f for f in facility_ids if f]
    if facility_ids and role != "operator":
        raise AccountError(_l("Only operators are bound to facilities."), field="facility")
    before = user_state(user)
    user.role, user.district_code = role, district_code
    user.facilities = []
    for facility_id in facility_ids:
        bind_facility(session, user, facility_id)
    after = user_state(user)
    if after != before:
        if before["role"] != after["role"]:
            user.session_token = new_session_token()  # a new role starts from a fresh sign-in
        record(session, admin, "user", user.email, "update", before, after)
    session.commit()
    return user


def set_active(session, admin: User, user_id: int, active: bool) -> User:
    user = get_user(session, user_id)
    if user.id == admin.id and not active:
        raise AccountError(_l("You cannot deactivate your own account."), field="is_active")
    if user.is_active != active:
        record(session, admin, "user", user.email, "reactivate" if active else "deactivate",
               {"is_active": not active}, {"is_active": active})
        accounts.set_active(session, user, active)  # deactivating signs the user out everywhere; commits
    return user


def list_keys(session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


def issue_key(session, admin: User, partner: str, scopes: str) -> tuple[ApiKey, str]:
    """A new partner key; the key itself is returned once (only its hash is stored)."""
    row, key = create_key(session, partner, scopes)
    record(session, admin, "api_key", row.prefix, "create", after={"partner": row.partner, "scopes": row.scopes})
    session.commit()
    return row, key


def withdraw_key(session, admin: User, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(_l("No such API key."))
    if row.revoked_at is None:
        row = revoke_key(session, str(key_id))
        record(session, admin, "api_key", row.prefix, "revoke", {"revoked": False}, {"revoked": True})
        session.commit()
    return row
