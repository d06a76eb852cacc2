"""The booking flow (issue 14, item 6): grouped services with standard numbers, a calendar of free capacity,
errors at their field, where to send samples, operators told, the operator's list, fees written one way."""
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from registry.clock import today
from registry.models import Notification, OutboxMessage
from registry.services.booking.workflow import request_booking
from tests.factories import bookable_dataset, booking_request, capability_of, login, post_form, run, user

ADDRESS = "杭州市西湖区文三路 90 号"
PHONE = "0571-87654321"


@pytest.fixture
def cap(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facility_overrides={"address": ADDRESS, "phone": PHONE,
                                                                "email": "public@lab.cn"},
                                  price_cny="2030", category="电线电缆"))
    return capability_of(session)


@pytest.fixture
def people(session, cap):
    return {"ent": user(session, "enterprise"), "op": user(session, "operator", facility_ids=["F0001"])}


def form_data(cap, **overrides):
    data = {"capability": str(cap.id), "service_date": (today() + timedelta(days=10)).isoformat(), "quantity": "1",
            "description": "电缆样品 3 段", "contact_name": "李工", "contact_phone": "0571-1",
            "contact_email": "", "voucher_no": ""}
    data.update(overrides)
    return data


def test_services_are_grouped_with_standard_numbers_and_fees(client, cap, people):
    login(client, people["ent"])
    html = client.get("/facilities/F0001/book").get_data(as_text=True)
    assert '<optgroup label="电线电缆">' in html
    assert "电线电缆 导体直流电阻 · GB/T 3048.4-2007 · ¥2,030.00" in html
    assert 'id="service-filter"' in html and 'id="booking-calendar"' in html
    assert "booking.js" in html and "onclick" not in html


def test_the_booking_page_says_where_to_send_samples(client, cap, people):
    login(client, people["ent"])
    html = client.get("/facilities/F0001/book").get_data(as_text=True)
    assert ADDRESS in html and PHONE in html and "样品" in html


def test_availability_answers_free_capacity_per_day_as_json(client, session, cap, people):
    request_booking(session, people["ent"], booking_request(cap, today() + timedelta(days=10), quantity=2),
                    today=today())
    login(client, people["ent"])
    wanted = today() + timedelta(days=10)
    data = client.get(f"/facilities/F0001/book/availability?capability={cap.id}&month={wanted:%Y-%m}").get_json()
    day = next(d for d in data["days"] if d["date"] == wanted.isoformat())
    assert (day["free"], day["capacity"], day["open"]) == (1, 3, True)
    assert data["earliest"] == (today() + timedelta(days=2)).isoformat()
    assert client.get("/facilities/F0001/book/availability").get_json()["capability"] == cap.id


def test_availability_refuses_a_bad_month_and_an_unknown_service(client, cap, people):
    login(client, people["ent"])
    response = client.get(f"/facilities/F0001/book/availability?capability={cap.id}&month=2026-13")
    assert response.status_code == 400 and "YYYY-MM" in response.get_data(as_text=True)
    assert client.get("/facilities/F0001/book/availability?capability=999999").status_code == 404


def test_errors_are_at_their_field_and_summed_up_above_the_form(client, session, cap, people):
    login(client, people["ent"])
    response = post_form(client, "/facilities/F0001/book", form_data(cap, service_date=today().isoformat()),
                         token_from="/facilities/F0001/book")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.index('id="error-summary"') < html.index('id="capability"') < html.index('id="offers"')
    assert '<a href="#service_date">' in html
    field = html[html.index('<div class="field has-errors">'):]
    assert field.index('id="service_date"') < field.index("field-error")


def test_operators_hear_of_a_new_request_in_the_app_and_by_mail_to_their_own_accounts(client, session, cap, people):
    login(client, people["ent"])
    post_form(client, "/facilities/F0001/book", form_data(cap), token_from="/facilities/F0001/book")
    op = people["op"]
    assert session.scalar(select(Notification).where(Notification.user_id == op.id)) is not None
    mail = session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == op.email))
    assert mail is not None and ADDRESS in mail.body and PHONE in mail.body and "¥2,030.00" in mail.body
    client.post("/logout", data={})
    login(client, op)
    assert 'id="unread">1<' in client.get("/workspace/").get_data(as_text=True)


def test_the_operators_list_shows_the_samples_and_the_contact(client, session, cap, people):
    request_booking(session, people["ent"], booking_request(cap, today() + timedelta(days=10),
                                                            description="电缆样品 3 段", contact_name="李工",
                                                            contact_phone="0571-55556666"), today=today())
    login(client, people["op"])
    html = client.get("/workspace/").get_data(as_text=True)
    assert "电缆样品 3 段" in html and "李工" in html and "0571-55556666" in html


def test_booking_page_e_mail_and_ics_carry_address_phone_instructions_and_one_fee_format(client, session, cap,
                                                                                         people):
    booking = request_booking(session, people["ent"], booking_request(cap, today() + timedelta(days=10)),
                              today=today())
    login(client, people["ent"])
    html = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert ADDRESS in html and PHONE in html and "¥2,030.00" in html and 'id="delivery"' in html
    ics = Calendar.from_ical(client.get(f"/bookings/{booking.id}.ics").data)
    event = next(c for c in ics.walk("VEVENT"))
    description = str(event["description"])
    assert PHONE in description and "¥2,030.00" in description and f"#{booking.id}" in description
    assert str(event["location"]) == ADDRESS
    facility_page = client.get("/facilities/F0001").get_data(as_text=True)
    assert "¥2,030.00" in facility_page


def test_a_price_on_request_reads_mianyi_on_the_facility_and_booking_pages(client, session, tmp_path):
    run(session, bookable_dataset(tmp_path, price_cny="面议", category="电线电缆"))
    login(client, user(session, "enterprise"))
    facility_page = client.get("/facilities/F0001").get_data(as_text=True)
    assert 'data-label="收费（元）">面议</td>' in facility_page
    book = client.get("/facilities/F0001/book").get_data(as_text=True)
    assert "电线电缆 导体直流电阻 · GB/T 3048.4-2007 · 面议" in book and "¥" not in book
    english = client.get("/facilities/F0001?lang=en").get_data(as_text=True)
    assert 'data-label="Fee (CNY)">On request</td>' in english and "面议" not in english


def test_a_booking_of_a_price_on_request_service_reads_mianyi_not_a_dash(client, session, tmp_path):
    run(session, bookable_dataset(tmp_path, price_cny="面议", category="电线电缆"))
    cap, ent = capability_of(session), user(session, "enterprise")
    user(session, "operator", facility_ids=["F0001"])  # told of the request by mail
    booking = request_booking(session, ent, booking_request(cap, today() + timedelta(days=10)), today=today())
    assert booking.fee_cny is None and booking.fee_on_request
    login(client, ent)
    detail = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "参考费用（元）</th><td>面议</td>" in detail
    assert "<td>On request</td>" in client.get(f"/bookings/{booking.id}?lang=en").get_data(as_text=True)
    mail = session.scalars(select(OutboxMessage)).first()
    assert "参考费用：面议" in mail.body and "Indicative fee: On request" in mail.body


def test_a_booking_with_a_fee_or_none_given_is_not_on_request(session, cap, people):
    booking = request_booking(session, people["ent"], booking_request(cap, today() + timedelta(days=10)),
                              today=today())
    assert booking.fee_cny == 2030 and not booking.fee_on_request
