"""Sign-in, sign-out and sign-up pages: CSRF, lockout, session fixation, roles."""
import pytest

from registry.models import User
from registry.services.accounts.users import SignInRefused, authenticate
from tests.factories import PASSWORD, csrf_token, login, post_form, uscc, user


def signed_in_name(client) -> str | None:
    html = client.get("/").get_data(as_text=True)
    start = html.find('id="signed-in">')
    return html[start + 15:html.find("<", start + 15)] if start >= 0 else None


def test_login_page_is_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_sign_in_and_out(client, session):
    account = user(session, "enterprise", name="王经理")
    response = login(client, account)
    assert response.headers["Location"] == "/"
    assert signed_in_name(client) == "王经理"
    response = post_form(client, "/logout")
    assert response.status_code == 302
    assert signed_in_name(client) is None


def test_form_posted_without_csrf_token_is_refused(client, session):
    account = user(session, "enterprise")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 400
    assert signed_in_name(client) is None
    response = client.post("/login", data={"email": account.email, "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400
    login(client, account)
    assert client.post("/logout").status_code == 400  # signed in, still no token: refused
    assert signed_in_name(client) == account.name


def test_wrong_password_is_a_401_with_a_message(client, session):
    account = user(session, "enterprise")
    response = client.post("/login?lang=en", data={"email": account.email, "password": "nope nope nope",
                                                   "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "Wrong e-mail address or password." in response.get_data(as_text=True)


def test_account_locked_after_repeated_failed_logins(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    account = user(session, "enterprise")
    for _ in range(3):
        client.post("/login", data={"email": account.email, "password": "guess guess guess",
                                    "csrf_token": csrf_token(client)})
    response = client.post("/login?lang=en", data={"email": account.email, "password": PASSWORD,
                                                   "csrf_token": csrf_token(client)})
    assert response.status_code == 401
    assert "locked" in response.get_data(as_text=True)
    assert signed_in_name(client) is None


def test_session_fixation_attempt_fails(app, client, session):
    """A session cookie obtained before sign-in (e.g. planted by an attacker) is not signed in after."""
    account = user(session, "enterprise")
    with client.session_transaction() as planted:
        planted["attacker_marker"] = "x"
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, account)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as current:
        assert "attacker_marker" not in current  # the old session's content is gone
    attacker = app.test_client()
    attacker.set_cookie("session", before)
    assert signed_in_name(attacker) is None


def test_copied_cookie_stops_working_after_logout(app, client, session):
    account = user(session, "enterprise")
    login(client, account)
    stolen = client.get_cookie("session").value
    post_form(client, "/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert signed_in_name(thief) is None


def test_login_redirects_only_to_local_next(client, session):
    account = user(session, "enterprise")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD,
                                           "next": "https://evil.example/", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/"


def test_register_an_enterprise(client, session):
    data = {"org_name": "杭州测试电缆有限公司", "uscc": uscc(42), "name": "李工", "email": "li@cable.cn",
            "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    response = post_form(client, "/register", data, token_from="/register")
    assert response.status_code == 302
    created = session.query(User).filter_by(email="li@cable.cn").one()
    assert (created.role, created.uscc, created.org_name) == ("enterprise", uscc(42), "杭州测试电缆有限公司")
    assert signed_in_name(client) == "李工"


def test_register_refuses_an_invalid_uscc_and_cannot_choose_a_role(client, session):
    data = {"org_name": "<b>坏</b>公司", "uscc": "91330106MA2X00000X", "name": "x", "email": "x@y.cn",
            "password": PASSWORD, "confirm": PASSWORD, "role": "admin", "consent": "y"}
    response = post_form(client, "/register?lang=en", data, token_from="/register")
    assert response.status_code == 400
    assert "Unified Social Credit Code:" in response.get_data(as_text=True)
    assert "<b>坏</b>" not in response.get_data(as_text=True)
    assert session.query(User).count() == 0
    data["uscc"] = uscc(43)
    post_form(client, "/register", data, token_from="/register")
    assert session.query(User).one().role == "enterprise"


def test_roles_required_redirects_anonymous_to_login_and_forbids_other_roles(client, session):
    response = client.get("/workspace/")  # @roles_required("operator")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    login(client, user(session, "enterprise"))
    assert client.get("/workspace/").status_code == 403


def test_roles_required_lets_the_role_in(client, session):
    login(client, user(session, "operator"))
    assert client.get("/workspace/").status_code == 200


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, session):
    account = user(session, "operator")
    elsewhere = app.test_client()
    login(elsewhere, account)
    login(client, account)
    new = "a brand new long password"
    wrong = post_form(client, "/account/password?lang=en", {"current": "not it", "password": new, "confirm": new},
                      token_from="/account/password")
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.get_data(as_text=True)
    short = post_form(client, "/account/password", {"current": PASSWORD, "password": "short", "confirm": "short"},
                      token_from="/account/password")
    assert short.status_code == 400
    done = post_form(client, "/account/password", {"current": PASSWORD, "password": new, "confirm": new},
                     token_from="/account/password")
    assert done.status_code == 303
    assert signed_in_name(client) == account.name  # this browser goes on
    assert signed_in_name(elsewhere) is None  # the other one is signed out
    session.expire_all()
    assert authenticate(session, account.email, new).id == account.id
    with pytest.raises(SignInRefused):
        authenticate(session, account.email, PASSWORD)


def test_change_password_is_for_signed_in_users(client, session):
    response = client.get("/account/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_registration_needs_consent_to_the_terms_and_records_it(app, client, session, monkeypatch):
    # counters of their own (the limit is part of the key): the sign-up limit of later tests is not used up here
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1000 per hour")
    data = {"org_name": "杭州同意测试有限公司", "uscc": uscc(44), "name": "周工", "email": "zhou@consent.cn",
            "password": PASSWORD, "confirm": PASSWORD}
    refused = post_form(client, "/register", data, token_from="/register")
    assert refused.status_code == 400 and "请阅读并同意《用户协议》和《隐私政策》" in refused.get_data(as_text=True)
    assert session.query(User).filter_by(email="zhou@consent.cn").count() == 0
    assert post_form(client, "/register", {**data, "consent": "y"}, token_from="/register").status_code == 302
    created = session.query(User).filter_by(email="zhou@consent.cn").one()
    assert created.terms_version == app.config["TERMS_VERSION"] and created.terms_accepted_at is not None
    terms = client.get("/terms").get_data(as_text=True)
    assert 'id="terms"' in terms and 'id="privacy"' in terms and app.config["TERMS_VERSION"] in terms
