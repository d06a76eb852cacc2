"""Accounts service: creation rules, password hashing, lockout after repeated failures."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.models import User
from registry.models.base import utcnow
from registry.services.accounts.users import (
    AccountError,
    LockoutPolicy,
    SignInRefused,
    authenticate,
    create_user,
    end_sessions,
    user_for_session,
)
from tests.factories import PASSWORD, facility, in_english, run, uscc, user, write_dataset


def test_password_is_stored_as_a_salted_scrypt_hash(session):
    one = create_user(session, email="a@example.cn", password="long enough pw", role="admin")
    two = create_user(session, email="b@example.cn", password="long enough pw", role="admin")
    assert one.password_hash.startswith("scrypt:")
    assert "long enough pw" not in one.password_hash
    assert one.password_hash != two.password_hash


def test_short_password_is_refused(session):
    with pytest.raises(AccountError) as caught:
        create_user(session, email="a@example.cn", password="short", role="admin")
    assert caught.value.field == "password"


def test_enterprise_account_validates_the_uscc(session):
    with pytest.raises(AccountError) as caught:
        create_user(session, email="e@example.cn", password=PASSWORD, role="enterprise", name="Wang",
                    org_name="杭州某某有限公司", uscc="91330106MA2X00000X")
    assert caught.value.field == "uscc"
    created = create_user(session, email="E@Example.cn ", password=PASSWORD, role="enterprise", name="Wang",
                          org_name="杭州某某有限公司", uscc=uscc(7).lower())
    assert (created.role, created.email, created.uscc) == ("enterprise", "e@example.cn", uscc(7))


def test_email_is_unique_whatever_its_case(session):
    user(session, "admin", email="boss@example.cn")
    with pytest.raises(AccountError) as caught:
        create_user(session, email="BOSS@example.cn", password=PASSWORD, role="admin")
    assert in_english(caught.value.message) == "An account with this e-mail address exists already."


def test_operator_is_bound_to_existing_facilities_only(session, tmp_path):
    run(session, write_dataset(tmp_path, [facility(1), facility(2)]))
    operator = user(session, "operator", facility_ids=["F0001"])
    assert [f.facility_id for f in operator.facilities] == ["F0001"]
    with pytest.raises(AccountError):
        create_user(session, email="o2@example.cn", password=PASSWORD, role="operator", facility_ids=["F9999"])
    with pytest.raises(AccountError):
        create_user(session, email="x@example.cn", password=PASSWORD, role="auditor", facility_ids=["F0001"])


def test_auditor_district_must_exist(session):
    assert user(session, "auditor", district_code="330109").district_code == "330109"
    with pytest.raises(AccountError):
        create_user(session, email="a2@example.cn", password=PASSWORD, role="auditor", district_code="999999")


def test_wrong_password_is_refused_and_right_one_accepted(session):
    account = user(session, "enterprise")
    with pytest.raises(SignInRefused):
        authenticate(session, account.email, "wrong password")
    with pytest.raises(SignInRefused):
        authenticate(session, "nobody@example.cn", PASSWORD)
    assert authenticate(session, account.email.upper(), PASSWORD).id == account.id


def test_account_locks_after_repeated_failures_even_for_the_right_password(session):
    account = user(session, "enterprise")
    policy = LockoutPolicy(max_failures=3, lockout=timedelta(minutes=15))
    now = utcnow()
    for _ in range(3):
        with pytest.raises(SignInRefused):
            authenticate(session, account.email, "wrong password", policy, now=now)
    with pytest.raises(SignInRefused) as caught:
        authenticate(session, account.email, PASSWORD, policy, now=now + timedelta(minutes=1))
    assert "locked" in in_english(caught.value.message)
    # After the lockout the right password works again, and the counter starts afresh.
    assert authenticate(session, account.email, PASSWORD, policy, now=now + timedelta(minutes=16))
    assert session.scalar(select(User.failed_logins).where(User.id == account.id)) == 0


def test_success_resets_the_failure_count(session):
    account = user(session, "enterprise")
    policy = LockoutPolicy(max_failures=3)
    for _ in range(2):
        with pytest.raises(SignInRefused):
            authenticate(session, account.email, "wrong password", policy)
    authenticate(session, account.email, PASSWORD, policy)
    with pytest.raises(SignInRefused):
        authenticate(session, account.email, "wrong password", policy)
    assert authenticate(session, account.email, PASSWORD, policy)


def test_deactivated_account_cannot_sign_in_or_keep_its_session(session):
    account = user(session, "enterprise")
    token = account.session_token
    account.is_active = False
    session.commit()
    with pytest.raises(SignInRefused):
        authenticate(session, account.email, PASSWORD)
    assert user_for_session(session, token) is None


def test_ending_sessions_revokes_the_old_token(session):
    account = user(session, "enterprise")
    old = account.session_token
    end_sessions(session, account)
    assert user_for_session(session, old) is None
    assert user_for_session(session, account.session_token).id == account.id
