"""Beijing time wherever a person reads a time; stored times stay UTC. A change made at 15:07 UTC reads
23:07 in the change log, the admin actions, the booking export, the e-mail and the booking's timeline."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import update

from registry.clock import today
from registry.models import AdminAction, Booking, BookingEvent, Change
from registry.services.booking.notifications import mail_content
from registry.services.booking.workflow import request_booking
from tests.factories import bookable_dataset, booking_request, capability_of, login, post_form, run, user

AT_UTC = datetime(2026, 3, 2, 15, 7, 5, tzinfo=timezone.utc)  # 23:07:05 in Hangzhou


@pytest.fixture
def booked(session, tmp_path):
    run(session, bookable_dataset(tmp_path))
    people = {"ent": user(session, "enterprise"), "op": user(session, "operator", facility_ids=["F0001"]),
              "admin": user(session, "admin")}
    booking = request_booking(session, people["ent"], booking_request(capability_of(session),
                              today() + timedelta(days=10)), today=today())
    session.execute(update(Booking).values(created_at=AT_UTC, updated_at=AT_UTC))
    session.execute(update(BookingEvent).values(at=AT_UTC))
    session.execute(update(Change).values(at=AT_UTC))
    session.commit()
    return people, booking


def test_the_change_log_reads_beijing_time(client, session, booked):
    people, _booking = booked
    login(client, people["admin"])
    log = client.get("/admin/changes").get_data(as_text=True)
    assert "2026-03-02 23:07:05" in log and "15:07" not in log
    change_id = session.query(Change.id).first()[0]
    assert "2026-03-02 23:07:05" in client.get(f"/admin/changes/{change_id}").get_data(as_text=True)


def test_admin_actions_read_beijing_time(client, session, booked):
    people, _booking = booked
    login(client, people["admin"])
    post_form(client, "/admin/users", {"email": "new@example.cn", "name": "新用户", "role": "auditor"})
    session.execute(update(AdminAction).values(at=AT_UTC))
    session.commit()
    page = client.get("/admin/actions").get_data(as_text=True)
    assert "2026-03-02 23:07:05" in page and "15:07" not in page


def test_booking_export_reads_beijing_time_with_chinese_headers_by_default(client, booked):
    people, booking = booked
    login(client, people["op"])
    period = f"start={today().isoformat()}&end={(today() + timedelta(days=30)).isoformat()}"
    rows = list(csv.reader(io.StringIO(client.get(f"/workspace/export?{period}").get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["预约编号", "状态", "服务日期"] and "提交时间（北京时间）" in rows[0]
    assert rows[1][1] == "待确认" and "2026-03-02 23:07:05" in rows[1]
    english = client.get(f"/workspace/export?{period}&headers=en&format=xlsx").get_data()
    sheet = load_workbook(io.BytesIO(english))["bookings"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["booking_id", "state"] and values[1][1] == "requested"
    assert "2026-03-02 23:07:05" in values[1]


def test_the_timeline_and_the_mail_read_beijing_time(client, session, booked):
    people, booking = booked
    login(client, people["ent"])
    assert "2026-03-02 23:07" in client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    event = session.query(BookingEvent).filter_by(booking_id=booking.id).first()
    body = mail_content(booking, event, None)["body"]
    assert "2026-03-02 23:07（北京时间）" in body and "2026-03-02 23:07 (Beijing time)" in body


def test_the_calendar_names_its_zone(client, booked):
    people, booking = booked
    login(client, people["ent"])
    calendar = Calendar.from_ical(client.get(f"/bookings/{booking.id}.ics").get_data())
    assert str(calendar["x-wr-timezone"]) == "Asia/Shanghai"
