"""Rows 1, 4, 12 and 16 of issue 13: partner accounts nobody can register into; sign-in and sign-up answer
and work alike for known, unknown and locked accounts (sign-up is finished by a mailed link); a lockout per
e-mail and address that grows and that a stranger cannot turn against the owner; per-address limits; ASVS
passwords; Secure cookies and an absolute session lifetime."""
import re
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.models import Booking, PendingRegistration, User
from registry.models.base import utcnow
from registry.services.accounts import registration
from registry.services.accounts import users as accounts
from registry.services.accounts.users import (
    AccountError,
    LockoutPolicy,
    SignInRefused,
    authenticate,
    check_password_strength,
    create_user,
)
from tests.factories import (
    CSRF_FIELD,
    PASSWORD,
    csrf_token,
    in_english,
    login,
    mailed_path,
    mails_to,
    post_form,
    uscc,
    user,
)

STRANGER, OWNER = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}


def sign_in(client, email, password, environ=None, lang="en"):
    return client.post(f"/login?lang={lang}", data={"email": email, "password": password,
                                                    "csrf_token": csrf_token(client)}, environ_base=environ or {})


def refusal(response) -> str:
    """The message a refused sign-in shows (the form's error under the password)."""
    found = re.search(r'class="field-error"[^>]*>([^<]+)<', response.get_data(as_text=True))
    return found.group(1).strip() if found else response.get_data(as_text=True)


def signed_in(client) -> bool:
    return 'id="signed-in"' in client.get("/").get_data(as_text=True)


# --- Row 1: partner enterprises cannot be claimed ---------------------------------------------

def test_row01_partner_account_address_cannot_be_registered(client, session):
    address = f"key1-{uscc(5).lower()}@partners.invalid"
    data = {"org_name": "攻击者公司", "uscc": uscc(5), "name": "x", "email": address,
            "password": PASSWORD, "confirm": PASSWORD}
    response = post_form(client, "/register?lang=en", data, token_from="/register")
    assert response.status_code == 400 and "cannot be used" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0
    with pytest.raises(AccountError):  # nor can an admin invite one
        create_user(session, email="KEY2-X@Partners.Invalid", password=PASSWORD, role="enterprise")


def test_row01_a_registered_look_alike_never_receives_a_partners_bookings(client, session, world):
    """An account that got a partner address before the fix (made here behind the service's back) is
    not used for the partner's bookings: they are refused instead of attached to it."""
    key_row, key = world.keys["key_book"]
    squatter = User(email=f"key{key_row.id}-{uscc(77).lower()}@partners.invalid", name="x", role="enterprise",
                    password_hash=accounts.hash_password(PASSWORD), org_name="x", uscc=uscc(77))
    session.add(squatter)
    session.commit()
    body = {"facility_id": "F0001", "capability_id": "C0001", "service_date": (utcnow().date() + timedelta(days=9))
            .isoformat(), "quantity": 1, "description": "校准", "contact_name": "王工",
            "contact_phone": "0571-88880000", "enterprise": {"org_name": "真正的企业", "uscc": uscc(77)}}
    response = client.post("/api/v1/bookings", json=body, headers={"X-API-Key": key})
    assert response.status_code == 409
    assert session.scalar(select(func.count()).select_from(Booking).where(Booking.enterprise_id == squatter.id)) == 0


# --- Row 4: enumeration and lockout abuse -----------------------------------------------------

def test_row04_unknown_and_known_accounts_get_the_same_answer_before_and_after_the_lock(app, client, session,
                                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    known = user(session, "enterprise")
    answers = {}
    for email in (known.email, "nobody@example.cn"):
        first = sign_in(client, email, "wrong guess one")
        for _ in range(2):
            sign_in(client, email, "wrong guess two")
        locked = sign_in(client, email, PASSWORD if email == known.email else "anything at all")
        answers[email] = (first.status_code, refusal(first), locked.status_code, refusal(locked))
    assert answers[known.email] == answers["nobody@example.cn"]
    assert answers[known.email][0] == 401 and "locked" in answers[known.email][3]


def test_row04_known_unknown_and_locked_accounts_cost_the_same_password_check(session, monkeypatch):
    known = user(session, "enterprise")
    policy = LockoutPolicy(max_failures=2)
    for _ in range(2):
        with pytest.raises(SignInRefused):
            authenticate(session, "locked@example.cn", "guess", policy, address="a")
    checks = []
    original = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: checks.append(a[0][:7]) or original(*a))
    timings = {}
    for name, email in (("known", known.email), ("unknown", "nobody@example.cn"), ("locked", "locked@example.cn")):
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            with pytest.raises(SignInRefused):
                authenticate(session, email, "wrong password", LockoutPolicy(max_failures=1000), address="a")
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs)
    assert checks == ["scrypt:"] * 9  # one scrypt check per attempt, whoever it is for
    fastest, slowest = min(timings.values()), max(timings.values())
    assert fastest > slowest / 3, timings  # the old locked answer took 9 ms against 116 ms


def test_row04_a_stranger_locks_out_only_the_strangers_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 3)
    admin = user(session, "admin")
    for _ in range(5):
        sign_in(client, admin.email, "guess guess guess", STRANGER)
    assert "locked" in refusal(sign_in(client, admin.email, PASSWORD, STRANGER))
    assert sign_in(client, admin.email, PASSWORD, OWNER).status_code == 302  # the owner is not locked out


def test_row04_each_lock_in_a_row_lasts_twice_as_long(session):
    account = user(session, "enterprise")
    policy = LockoutPolicy(max_failures=2, lockout=timedelta(minutes=1))
    now = utcnow()
    for lock, minutes in enumerate((1, 2, 4, 8)):
        for _ in range(2):
            with pytest.raises(SignInRefused):
                authenticate(session, account.email, "wrong password", policy, now=now, address="x")
        with pytest.raises(SignInRefused) as caught:
            authenticate(session, account.email, PASSWORD, policy, now=now + timedelta(seconds=minutes * 60 - 5),
                         address="x")
        assert "locked" in in_english(caught.value.message), lock
        now += timedelta(minutes=minutes, seconds=1)
    assert authenticate(session, account.email, PASSWORD, policy, now=now, address="x")


def test_row04_failed_sign_ins_are_limited_per_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    accounts_ = [user(session, "enterprise") for _ in range(4)]
    statuses = [sign_in(client, a.email, "wrong wrong wrong", STRANGER).status_code for a in accounts_]
    assert statuses == [401, 401, 401, 429]
    assert sign_in(client, accounts_[0].email, PASSWORD, OWNER).status_code == 302  # other addresses go on
    assert "Too many attempts" in sign_in(client, accounts_[1].email, PASSWORD, STRANGER).get_data(as_text=True)


def test_row04_and_row07_registrations_are_limited_per_address(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "2 per hour")
    statuses = []
    for n in range(3):
        browser = app.test_client()
        data = {"org_name": "杭州某公司", "uscc": uscc(1), "name": "x", "email": f"r{n}@example.cn",
                "password": PASSWORD, "confirm": PASSWORD, "consent": "y",
                "csrf_token": csrf_token(browser, "/register")}
        statuses.append(browser.post("/register", data=data, environ_base=STRANGER).status_code)
    assert statuses == [303, 303, 429]
    assert post_form(client, "/register", {}, token_from="/register").status_code == 400  # other addresses go on
    assert session.scalar(select(func.count()).select_from(PendingRegistration)) == 2  # accounts once confirmed


# --- Row 4: sign-up says nothing about an address ------------------------------------------------

def sign_up_data(browser, email: str) -> dict:
    return {"org_name": "杭州测试电缆有限公司", "uscc": uscc(42), "name": "李工", "email": email,
            "password": PASSWORD, "confirm": PASSWORD, "consent": "y", "csrf_token": csrf_token(browser, "/register")}


def without_request_tokens(html: str) -> str:
    """A page as it would read twice: this answer's CSP nonce and form tokens taken out."""
    return re.sub(r'(nonce|value)="[A-Za-z0-9_.\-]{16,}"', r'\1=""', html)


@pytest.fixture
def many_sign_ups(app, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1000 per hour")


def test_row04_sign_up_answers_alike_for_a_new_and_a_taken_address(app, session, many_sign_ups):
    user(session, "enterprise", email="taken@example.cn")
    answers = {}
    for email in ("taken@example.cn", "new@example.cn"):
        browser = app.test_client()
        response = browser.post("/register?lang=en", data=sign_up_data(browser, email))
        page = browser.get(response.headers["Location"] + "?lang=en")
        answers[email] = (response.status_code, response.headers["Location"], page.status_code,
                          without_request_tokens(page.get_data(as_text=True)))
    assert answers["taken@example.cn"] == answers["new@example.cn"]
    assert answers["new@example.cn"][:3] == (303, "/check-mail/register", 200)
    assert "exists already" not in answers["new@example.cn"][3]
    # Only the mailbox tells: a link for the new address, a note with the ways in for the taken one.
    assert mailed_path(session, "new@example.cn", "/register/confirm/")
    (note,) = mails_to(session, "taken@example.cn")
    assert "/register/confirm/" not in note.body and "/login" in note.body and "/password/forgot" in note.body
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_row04_sign_up_costs_the_same_for_a_new_and_a_taken_address(app, session, many_sign_ups, monkeypatch):
    user(session, "enterprise", email="taken@example.cn")
    hashed = []
    original = registration.hash_password
    monkeypatch.setattr(registration, "hash_password", lambda password: hashed.append(1) or original(password))
    timings = {"taken": [], "new": []}
    for n in range(5):  # interleaved, so that the machine's load weighs on both alike
        for kind in timings:
            browser = app.test_client()
            data = sign_up_data(browser, "taken@example.cn" if kind == "taken" else f"new{n}@example.cn")
            started = time.perf_counter()
            assert browser.post("/register", data=data).status_code == 303
            timings[kind].append(time.perf_counter() - started)
    assert len(hashed) == 10  # one scrypt hash per sign-up, whoever the address belongs to
    medians = {kind: statistics.median(runs) for kind, runs in timings.items()}
    assert min(medians.values()) > max(medians.values()) / 2, medians  # "exists already" came before any hash


def test_row04_a_signed_up_account_works_only_once_its_mailed_link_is_opened(app, client, session, many_sign_ups):
    assert client.post("/register", data=sign_up_data(client, "li@cable.cn")).status_code == 303
    wrong = refusal(sign_in(client, "li@cable.cn", "not the password at all"))
    early = sign_in(client, "li@cable.cn", PASSWORD)
    assert (early.status_code, refusal(early)) == (401, wrong)  # as unknown as any address
    link = mailed_path(session, "li@cable.cn", "/register/confirm/")
    shown = client.get(link + "?lang=en")
    assert shown.status_code == 200 and "Confirm and sign in" in shown.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0  # opening the page made nothing
    assert post_form(client, link, token_from=link).status_code == 303
    assert signed_in(client)
    assert sign_in(app.test_client(), "li@cable.cn", PASSWORD).status_code == 302
    again = post_form(app.test_client(), link, token_from="/register")
    assert again.status_code == 400 and 'id="link-refused"' in again.get_data(as_text=True)


def test_row04_mailed_links_ignore_a_forged_host_header_when_the_site_address_is_set(app, session, many_sign_ups,
                                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://registry.example.cn/")
    browser, forged = app.test_client(), {"Host": "evil.example"}
    page = browser.get("/register", headers=forged).get_data(as_text=True)
    data = {**sign_up_data(browser, "li@cable.cn"), "csrf_token": CSRF_FIELD.search(page).group(1)}
    assert browser.post("/register", data=data, headers=forged).status_code == 303
    (mail,) = mails_to(session, "li@cable.cn")
    assert "https://registry.example.cn/register/confirm/" in mail.body and "evil.example" not in mail.body


# --- Row 12: passwords --------------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "password12", "aaaaaaaaaaaa", "123456789012",
                                  "password1234", "Password2024!", "qwertyuiop12", "abcabcabcabc", "woaini131452",
                                  "short pw", "x" * 129])
def test_row12_weak_passwords_are_refused(session, weak):
    with pytest.raises(AccountError) as caught:
        check_password_strength(weak)
    assert caught.value.field == "password"


@pytest.mark.parametrize("good", [PASSWORD, "柳浪闻莺断桥残雪三潭印月", "my cat eats 3 fish", "Tr0ub4dor&3-horse"])
def test_row12_long_uncommon_passwords_pass_without_composition_rules(good):
    check_password_strength(good)


def test_row12_sign_up_refuses_a_common_password_with_a_reason(client, session):
    data = {"org_name": "杭州测试电缆有限公司", "uscc": uscc(42), "name": "李工", "email": "li@cable.cn",
            "password": "password1234", "confirm": "password1234"}
    response = post_form(client, "/register?lang=en", data, token_from="/register")
    assert response.status_code == 400 and "too common" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == 0


# --- Row 16: cookies and session lifetime ------------------------------------------------------

def test_row16_session_cookie_is_secure_unless_debugging_or_testing(app, monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    production = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "DEBUG": True}).config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
                      ).config["SESSION_COOKIE_SECURE"] is False


def test_row16_a_sign_in_ends_after_its_absolute_lifetime_however_active(app, client, session, monkeypatch):
    account = user(session, "enterprise")
    login(client, account)
    assert signed_in(client)
    with client.session_transaction() as cookie:
        cookie["signed_in_at"] -= app.config["SESSION_ABSOLUTE_LIFETIME"] + 1
    assert not signed_in(client)
    login(client, account)
    with client.session_transaction() as cookie:
        del cookie["signed_in_at"]  # a session from before the rule: over too
    assert not signed_in(client)
