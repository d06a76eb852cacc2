"""Sign-up finished by a mailed link: nothing is made before the link is opened, a taken address is told
by mail only, links are signed, expire and work once."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.models import PendingRegistration, User
from registry.models.base import utcnow
from registry.services.accounts.mail import LinkInvalid
from registry.services.accounts.registration import (
    AlreadyRegistered,
    Links,
    SignUp,
    confirm_registration,
    pending_registration,
    request_registration,
)
from registry.services.accounts.users import AccountError, authenticate
from tests.factories import PASSWORD, mails_to, uscc, user

LINKS = Links(confirm=lambda token: f"https://registry.example.cn/register/confirm/{token}",
              sign_in="https://registry.example.cn/login", forgot_password="https://registry.example.cn/password/forgot")
DAY = timedelta(hours=48)


def sign_up(email="li@cable.cn", **overrides) -> SignUp:
    values = {"email": email, "password": PASSWORD, "name": "李工", "org_name": "杭州测试电缆有限公司",
              "uscc": uscc(42), "terms_version": "2026-12", "accepted_terms": True}
    return SignUp(**{**values, **overrides})


def token_mailed_to(session, address: str) -> str:
    body = mails_to(session, address)[-1].body
    return body.split("/register/confirm/")[1].split()[0]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_new_address_gets_a_link_and_no_account_until_it_is_opened(session):
    request_registration(session, sign_up(email=" Li@Cable.cn"), LINKS, valid_for=DAY)
    assert count(session, User) == 0
    (mail,) = mails_to(session, "li@cable.cn")
    assert "确认注册" in mail.subject and "Confirm your registration" in mail.subject
    assert "48" in mail.body and "杭州测试电缆有限公司" not in mail.body  # no text a stranger chose
    user_ = confirm_registration(session, token_mailed_to(session, "li@cable.cn"), valid_for=DAY)
    assert (user_.role, user_.email, user_.uscc, user_.org_name) == ("enterprise", "li@cable.cn", uscc(42),
                                                                     "杭州测试电缆有限公司")
    assert user_.terms_version == "2026-12" and user_.terms_accepted_at is not None
    assert authenticate(session, "li@cable.cn", PASSWORD).id == user_.id
    assert count(session, PendingRegistration) == 0


def test_a_taken_address_gets_a_note_and_nothing_changes(session):
    owner = user(session, "enterprise", email="li@cable.cn")
    before = owner.password_hash
    request_registration(session, sign_up(password="another long passphrase"), LINKS, valid_for=DAY)
    (mail,) = mails_to(session, "li@cable.cn")
    assert "Someone tried to register with your e-mail address" in mail.subject
    assert LINKS.sign_in in mail.body and LINKS.forgot_password in mail.body and "/register/confirm/" not in mail.body
    assert count(session, PendingRegistration) == 0 and count(session, User) == 1
    session.refresh(owner)
    assert owner.password_hash == before


def test_input_is_refused_alike_for_a_new_and_a_taken_address(session):
    user(session, "enterprise", email="taken@example.cn")
    for email in ("taken@example.cn", "new@example.cn"):
        for bad, field in (({"uscc": "91330106MA2X00000X"}, "uscc"), ({"password": "password1234"}, "password"),
                           ({"org_name": " "}, "org_name"), ({"accepted_terms": False}, "consent")):
            with pytest.raises(AccountError) as caught:
                request_registration(session, sign_up(email=email, **bad), LINKS, valid_for=DAY)
            assert caught.value.field == field, (email, bad)
    assert mails_to(session, "taken@example.cn") == [] and mails_to(session, "new@example.cn") == []


def test_a_partner_address_cannot_even_ask_for_a_link(session):
    with pytest.raises(AccountError) as caught:
        request_registration(session, sign_up(email=f"key1-{uscc(5).lower()}@partners.invalid"), LINKS, valid_for=DAY)
    assert caught.value.field == "email" and count(session, PendingRegistration) == 0


def test_the_first_link_opened_wins_and_the_others_then_say_so(session):
    """A stranger's sign-up with someone's address holds nothing: the owner's own sign-up still works, and
    the stranger's link (which only the owner received) then answers "has an account"."""
    request_registration(session, sign_up(password="strangers long password", org_name="冒名公司"), LINKS,
                         valid_for=DAY)
    strangers = token_mailed_to(session, "li@cable.cn")
    request_registration(session, sign_up(), LINKS, valid_for=DAY)
    owners = token_mailed_to(session, "li@cable.cn")
    assert confirm_registration(session, owners, valid_for=DAY).org_name == "杭州测试电缆有限公司"
    for used in (strangers, owners):  # every sign-up of the address ended with the account
        with pytest.raises(LinkInvalid):
            confirm_registration(session, used, valid_for=DAY)
    assert count(session, User) == 1


def test_a_link_to_an_address_that_got_an_account_meanwhile_makes_nothing(session):
    request_registration(session, sign_up(), LINKS, valid_for=DAY)
    user(session, "enterprise", email="li@cable.cn")  # e.g. an admin's invitation
    with pytest.raises(AlreadyRegistered):
        confirm_registration(session, token_mailed_to(session, "li@cable.cn"), valid_for=DAY)
    assert count(session, User) == 1


def test_links_expire_and_expired_sign_ups_are_cleared(session):
    request_registration(session, sign_up(), LINKS, valid_for=DAY)
    token = token_mailed_to(session, "li@cable.cn")
    later = utcnow() + DAY + timedelta(minutes=1)
    with pytest.raises(LinkInvalid):
        confirm_registration(session, token, valid_for=DAY, now=later)
    assert pending_registration(session, token, valid_for=DAY)  # still within its time now
    request_registration(session, sign_up(email="other@example.cn"), LINKS, valid_for=DAY, now=later)
    assert session.scalars(select(PendingRegistration.email)).all() == ["other@example.cn"]
    assert count(session, User) == 0


@pytest.mark.parametrize("token", ["", "not-a-token", "ImFiYyI.forged", "WzEsMF0.bFiS1Vh5ETNCEK3l8NUy4j3m6ac"])
def test_forged_links_are_refused(session, token):
    request_registration(session, sign_up(), LINKS, valid_for=DAY)
    with pytest.raises(LinkInvalid):
        confirm_registration(session, token, valid_for=DAY)
    nonce = session.scalar(select(PendingRegistration.nonce))
    with pytest.raises(LinkInvalid):  # the bare nonce, unsigned, is no link either
        confirm_registration(session, nonce, valid_for=DAY)
    assert count(session, User) == 0
