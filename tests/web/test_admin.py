"""Admins manage accounts; nobody else reaches those pages."""
from sqlalchemy import select

from registry.models import User
from tests.factories import PASSWORD, login, post_form, user


def test_admin_creates_an_auditor_of_a_district(client, session):
    login(client, user(session, "admin"))
    data = {"email": "audit@xs.gov.cn", "name": "萧山审计", "role": "auditor", "password": PASSWORD,
            "district_code": "330109"}
    assert post_form(client, "/admin/users", data, token_from="/admin/users").status_code == 303
    created = session.scalar(select(User).where(User.email == "audit@xs.gov.cn"))
    assert (created.role, created.district_code) == ("auditor", "330109")


def test_admin_form_errors_are_shown_and_nothing_written(client, session):
    login(client, user(session, "admin"))
    data = {"email": "x@y.cn", "name": "x", "role": "auditor", "password": PASSWORD, "district_code": "999999"}
    response = post_form(client, "/admin/users?lang=en", data, token_from="/admin/users")
    assert response.status_code == 400 and "Unknown district code 999999." in response.get_data(as_text=True)
    assert session.scalar(select(User).where(User.email == "x@y.cn")) is None


def test_deactivated_user_is_signed_out_at_once(app, client, session):
    target = user(session, "enterprise")
    other = app.test_client()
    login(other, target)
    login(client, user(session, "admin"))
    post_form(client, f"/admin/users/{target.id}/active", {}, token_from="/admin/users")
    assert 'id="signed-in"' not in other.get("/").get_data(as_text=True)


def test_only_admins_manage_accounts(client, session):
    login(client, user(session, "auditor"))
    assert client.get("/admin/users").status_code == 403
    assert post_form(client, "/admin/users/1/active", {}).status_code == 403
