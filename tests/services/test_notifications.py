"""Outbox: e-mails written with the transition, sent later, kept and retried when sending fails."""
import logging
import socket
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.models import OutboxMessage
from registry.models.base import utcnow
from registry.services.booking.notifications import SmtpTransport, send_pending, unread_count
from registry.services.booking.workflow import request_booking, transition
from tests.factories import bookable_dataset, booking_request, capability_of, run, user

TODAY = date(2026, 12, 1)


@pytest.fixture
def accepted(session, tmp_path):
    run(session, bookable_dataset(tmp_path))
    ent, op = user(session, "enterprise"), user(session, "operator", facility_ids=["F0001"])
    booking = request_booking(session, ent, booking_request(capability_of(session), TODAY + timedelta(days=5)),
                              today=TODAY)
    transition(session, booking, op, "accept")
    return booking, ent, op


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once closed


def test_each_transition_writes_mail_for_the_other_party_in_both_languages(session, accepted):
    booking, ent, op = accepted
    mails = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_address for m in mails] == [op.email, ent.email]
    assert "已接受" in mails[1].subject and "accepted" in mails[1].subject
    assert f"#{booking.id}" in mails[1].body
    assert unread_count(session, ent) == 1 == unread_count(session, op)


def test_failed_send_is_kept_and_retried_later(session, accepted):
    now = utcnow()
    sent, failed = send_pending(session, SmtpTransport("127.0.0.1", closed_port(), timeout=2), now=now)
    assert (sent, failed) == (0, 2)
    mails = session.scalars(select(OutboxMessage)).all()
    assert all(m.sent_at is None and m.attempts == 1 and "ConnectionRefused" in m.last_error for m in mails)
    delivered = []
    assert send_pending(session, delivered.append, now=now + timedelta(seconds=30)) == (0, 0)  # not due yet
    assert send_pending(session, delivered.append, now=now + timedelta(minutes=3)) == (2, 0)
    assert len(delivered) == 2
    assert all(m.sent_at is not None for m in session.scalars(select(OutboxMessage)))
    assert send_pending(session, delivered.append, now=now + timedelta(hours=1)) == (0, 0)  # sent once only


def test_send_mail_without_smtp_writes_to_the_log(app, session, accepted, caplog):
    with caplog.at_level(logging.WARNING):
        result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "sent: 2" in result.output
    assert "accepted" in caplog.text
    assert all(m.sent_at is not None for m in session.scalars(select(OutboxMessage)))


def test_send_mail_exits_non_zero_when_the_server_is_down(app, session, accepted, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", closed_port())
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 4
    assert all(m.sent_at is None for m in session.scalars(select(OutboxMessage)))


def test_facility_without_operators_hears_by_its_registered_email(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facility_overrides={"email": "lab@f0001.cn"}))
    request_booking(session, user(session, "enterprise"),
                    booking_request(capability_of(session), TODAY + timedelta(days=5)), today=TODAY)
    assert [m.to_address for m in session.scalars(select(OutboxMessage))] == ["lab@f0001.cn"]
