"""A forgotten password: the same mail work for any address, a link that works once, expires, and ends
every session and failed sign-in of the account."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.models import SignInFailure
from registry.models.base import utcnow
from registry.services.accounts.mail import LinkInvalid
from registry.services.accounts.recovery import request_password_reset, reset_password, reset_target
from registry.services.accounts.users import (
    AccountError,
    LockoutPolicy,
    SignInRefused,
    authenticate,
    change_password,
    set_active,
    user_for_session,
)
from tests.factories import PASSWORD, mails_to, user

HOUR = timedelta(minutes=60)
NEW = "a brand new long passphrase"


def ask(session, email, **kwargs):
    request_password_reset(session, email, link=lambda token: f"https://registry.example.cn/password/reset/{token}",
                           register_url="https://registry.example.cn/register", valid_for=HOUR, **kwargs)


def token_mailed_to(session, address: str) -> str | None:
    mails = mails_to(session, address)
    body = mails[-1].body if mails else ""
    return body.split("/password/reset/")[1].split()[0] if "/password/reset/" in body else None


def test_an_account_gets_a_link_that_sets_the_password_once(session):
    account = user(session, "enterprise")
    old_session_token = account.session_token
    ask(session, account.email.upper())
    token = token_mailed_to(session, account.email)
    assert token and "设置新密码" in mails_to(session, account.email)[0].subject
    reset_password(session, token, NEW, valid_for=HOUR)
    assert authenticate(session, account.email, NEW).id == account.id
    assert user_for_session(session, old_session_token) is None  # every session ended
    with pytest.raises(LinkInvalid):  # works once: the password it was made for is gone
        reset_password(session, token, "yet another passphrase", valid_for=HOUR)


def test_an_unknown_address_gets_a_note_without_a_link(session):
    ask(session, "nobody@example.cn")
    (mail,) = mails_to(session, "nobody@example.cn")
    assert "/password/reset/" not in mail.body and "https://registry.example.cn/register" in mail.body


@pytest.mark.parametrize("whose", ["partner", "deactivated"])
def test_no_link_for_partner_or_deactivated_accounts(session, whose):
    if whose == "partner":
        account = user(session, "enterprise", email="key1-x@partners.invalid", partner_account=True)
    else:
        account = user(session, "enterprise")
        set_active(session, account, False)
    ask(session, account.email)
    assert token_mailed_to(session, account.email) is None


def test_a_link_expires_and_dies_when_the_password_changes_otherwise(session):
    account = user(session, "enterprise")
    ask(session, account.email)
    token = token_mailed_to(session, account.email)
    with pytest.raises(LinkInvalid):
        reset_target(session, token, valid_for=HOUR, now=utcnow() + HOUR + timedelta(minutes=1))
    assert reset_target(session, token, valid_for=HOUR).id == account.id
    change_password(session, account, PASSWORD, "changed the usual way")
    with pytest.raises(LinkInvalid):
        reset_target(session, token, valid_for=HOUR)


def test_a_weak_password_is_refused_and_the_link_still_works(session):
    account = user(session, "enterprise")
    ask(session, account.email)
    token = token_mailed_to(session, account.email)
    with pytest.raises(AccountError) as caught:
        reset_password(session, token, "password1234", valid_for=HOUR)
    assert caught.value.field == "password"
    session.rollback()
    assert reset_password(session, token, NEW, valid_for=HOUR).id == account.id


def test_a_new_password_ends_the_failed_sign_ins_of_the_address(session):
    account = user(session, "enterprise")
    policy = LockoutPolicy(max_failures=2)
    for _ in range(2):
        with pytest.raises(SignInRefused):
            authenticate(session, account.email, "wrong wrong wrong", policy, address="198.51.100.20")
    ask(session, account.email)
    reset_password(session, token_mailed_to(session, account.email), NEW, valid_for=HOUR)
    assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0
    assert authenticate(session, account.email, NEW, policy, address="198.51.100.20").id == account.id


@pytest.mark.parametrize("token", ["", "x", "WzEsImFiYyIsMV0.forged"])
def test_forged_links_are_refused(session, token):
    user(session, "enterprise")
    with pytest.raises(LinkInvalid):
        reset_target(session, token, valid_for=HOUR)
