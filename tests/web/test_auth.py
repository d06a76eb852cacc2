"""Sign-in, sign-out and sign-up pages: CSRF, lockout, session fixation, roles."""
import pytest

from registry.models import User
from registry.services.accounts.users import SignInRefused, authenticate
from tests.factories import PASSWORD, csrf_token, login, mailed_path, mails_to, post_form, register, uscc, user


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
    """The account is made, and signed in, once the link mailed to the address is opened (issue 13, row 4:
    until then sign-up says nothing about the address)."""
    data = {"org_name": "杭州测试电缆有限公司", "uscc": uscc(42), "name": "李工", "email": "li@cable.cn",
            "password": PASSWORD, "confirm": PASSWORD, "consent": "y"}
    response = register(client, session, data)
    assert response.status_code == 303
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
    register(client, session, data)
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
    assert register(client, session, {**data, "consent": "y"}).status_code == 303
    created = session.query(User).filter_by(email="zhou@consent.cn").one()
    assert created.terms_version == app.config["TERMS_VERSION"] and created.terms_accepted_at is not None
    terms = client.get("/terms").get_data(as_text=True)
    assert 'id="terms"' in terms and 'id="privacy"' in terms and app.config["TERMS_VERSION"] in terms


@pytest.fixture
def many_requests(app, monkeypatch):
    """Counters of their own (the limit is part of the key), so that other tests' limits are not used up here."""
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "1000 per hour")
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1000 per hour")


def test_a_forgotten_password_is_set_anew_through_the_mailed_link(app, client, session, many_requests):
    account = user(session, "enterprise", name="王经理")
    elsewhere = app.test_client()
    login(elsewhere, account)
    known = post_form(client, "/password/forgot", {"email": account.email}, token_from="/password/forgot")
    unknown = post_form(app.test_client(), "/password/forgot", {"email": "nobody@example.cn"},
                        token_from="/password/forgot")
    assert (known.status_code, known.headers["Location"]) == (unknown.status_code, unknown.headers["Location"]) \
        == (303, "/check-mail/password")
    assert "设置新密码" in client.get(known.headers["Location"]).get_data(as_text=True)
    link = mailed_path(session, account.email, "/password/reset/")
    assert mails_to(session, "nobody@example.cn") and mailed_path(session, "nobody@example.cn", "/password/") is None
    weak = post_form(client, link + "?lang=en", {"password": "password1234", "confirm": "password1234"},
                     token_from=link)
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    new = "a brand new long passphrase"
    done = post_form(client, link, {"password": new, "confirm": new}, token_from=link)
    assert done.status_code == 303 and signed_in_name(client) == "王经理"
    assert signed_in_name(elsewhere) is None  # every other session ended
    session.expire_all()
    assert authenticate(session, account.email, new).id == account.id
    used = client.get(link)
    assert used.status_code == 400 and 'id="link-refused"' in used.get_data(as_text=True)


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)


def test_password_links_are_limited_per_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "2 per hour")
    statuses = [post_form(client, "/password/forgot", {"email": f"x{n}@example.cn"},
                          token_from="/password/forgot").status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    assert len(mails_to(session, "x2@example.cn")) == 0


def test_a_confirmation_link_page_without_a_token_of_ours_says_so_in_the_readers_language(client):
    chinese = client.get("/register/confirm/forged")
    assert chinese.status_code == 400 and "此确认链接无效或已过期" in chinese.get_data(as_text=True)
    english = post_form(client, "/register/confirm/forged?lang=en", token_from="/register")
    assert english.status_code == 400 and "This confirmation link is not valid" in english.get_data(as_text=True)
