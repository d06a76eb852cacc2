"""Users and API keys: admins only; the key and the initial password shown once; every action logged."""
import re

import pytest
from sqlalchemy import select

from registry.models import AdminAction, ApiKey, User
from registry.services.accounts.api_keys import identify
from tests.factories import csrf_token, login


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/admin/users")})


def test_invite_operator_with_facilities_then_sign_in_with_the_initial_password(admin_client, session,
                                                                                registry_with_two, app):
    response = post(admin_client, "/admin/users", {"email": "Op@Example.cn", "name": "操作员", "role": "operator",
                                                   "facilities": "F0001, F0002"})
    assert response.status_code == 201
    password = re.search(r'id="initial-password">([^<]+)<', response.get_data(as_text=True)).group(1)
    invited = session.scalar(select(User).where(User.email == "op@example.cn"))
    assert [f.facility_id for f in invited.facilities] == ["F0001", "F0002"]
    assert invited.password_hash != password
    action = session.scalar(select(AdminAction).where(AdminAction.entity == "user"))
    assert (action.action, action.target, action.after["role"]) == ("create", "op@example.cn", "operator")
    assert password not in str(action.after)
    other = app.test_client()
    login(other, invited, password)


def test_deactivate_ends_the_users_sessions(admin_client, app, session):
    from tests.factories import user
    victim = user(session, "operator")
    victim_client = app.test_client()
    login(victim_client, victim)
    assert victim_client.get("/admin/uploads").status_code == 200
    response = post(admin_client, f"/admin/users/{victim.id}/active", {"active": "no"})
    assert response.status_code == 302
    assert victim_client.get("/admin/uploads").status_code == 302  # to the sign-in page
    assert session.scalar(select(AdminAction.action).where(AdminAction.target == victim.email)) == "deactivate"


def test_assign_role_and_district(admin_client, session):
    from tests.factories import user
    someone = user(session, "operator")
    response = post(admin_client, f"/admin/users/{someone.id}", {"role": "auditor", "district_code": "330109"})
    assert response.status_code == 302
    session.rollback()
    someone = session.get(User, someone.id, populate_existing=True)
    assert (someone.role, someone.district_code) == ("auditor", "330109")
    refused = post(admin_client, f"/admin/users/{someone.id}", {"role": "enterprise", "district_code": "330109"})
    assert refused.status_code == 400


def test_admin_cannot_deactivate_itself(admin_client, admin, session):
    response = post(admin_client, f"/admin/users/{admin.id}/active", {"active": "no"})
    assert response.status_code == 400
    session.rollback()
    assert session.get(User, admin.id, populate_existing=True).is_active


def test_key_shown_once_works_and_revoked_stops_working(admin_client, session):
    response = admin_client.post("/admin/keys", data={"partner": "区服务平台", "scopes": ["read"],
                                                      "csrf_token": csrf_token(admin_client, "/admin/keys")})
    assert response.status_code == 201
    key = re.search(r'<code id="key">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert identify(session, key) is not None
    assert key not in admin_client.get("/admin/keys").get_data(as_text=True)
    row = session.scalar(select(ApiKey))
    admin_client.post(f"/admin/keys/{row.id}/revoke", data={"csrf_token": csrf_token(admin_client, "/admin/keys")})
    session.rollback()
    assert identify(session, key) is None
    logged = [a.action for a in session.scalars(select(AdminAction).where(AdminAction.entity == "api_key")
                                                .order_by(AdminAction.id))]
    assert logged == ["create", "revoke"]
    assert "区服务平台" in admin_client.get("/admin/actions").get_data(as_text=True)


@pytest.mark.parametrize("role", ["operator", "auditor", "enterprise"])
@pytest.mark.parametrize("path", ["/admin/users", "/admin/keys", "/admin/actions"])
def test_only_admins_reach_user_and_key_management(client, session, role, path):
    from tests.factories import user
    login(client, user(session, role))
    assert client.get(path).status_code == 403
    response = client.post(path if path != "/admin/actions" else "/admin/keys",
                           data={"partner": "x", "scopes": "read", "email": "a@b.cn", "role": "admin",
                                 "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403
    assert session.scalar(select(AdminAction)) is None and session.scalar(select(ApiKey)) is None


def test_anonymous_is_sent_to_sign_in(client, session):
    assert client.get("/admin/users").status_code == 302
