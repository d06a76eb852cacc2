"""Booking pages: each role's view, one-click answers, exports, calendars, and who may not do what."""
import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from registry.clock import today
from registry.models import Booking, User
from registry.services.booking.workflow import request_booking, transition
from tests.factories import bookable_dataset, booking_request, capability_of, login, post_form, run, user


@pytest.fixture
def cap(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facilities=2))
    return capability_of(session)


@pytest.fixture
def people(session, cap):
    return {"ent": user(session, "enterprise"), "ent2": user(session, "enterprise"),
            "op": user(session, "operator", facility_ids=["F0001"]),
            "op2": user(session, "operator", facility_ids=["F0002"]),
            "auditor": user(session, "auditor")}


def day(n=10):
    return today() + timedelta(days=n)


@pytest.fixture
def booking(session, cap, people):
    return request_booking(session, people["ent"], booking_request(cap, day(), description="=1+2 样品"),
                           today=today())


def form_data(cap, **overrides):
    data = {"capability": str(cap.id), "service_date": day().isoformat(), "quantity": "2",
            "description": "电缆 <b>样品</b>", "contact_name": "李工", "contact_phone": "0571-1",
            "contact_email": "", "voucher_no": ""}
    data.update(overrides)
    return data


def test_facility_page_links_to_the_booking_form(client, session, cap, people):
    html = client.get("/facilities/F0001").get_data(as_text=True)
    assert 'href="/facilities/F0001/book"' in html
    assert 'href="/facilities/F0001/book?capability=C0001"' in html
    login(client, people["ent"])
    form = client.get("/facilities/F0001/book?capability=C0001").get_data(as_text=True)
    assert f'<option selected value="{cap.id}">' in form


def test_anonymous_visitor_is_sent_to_sign_in(client, cap):
    response = client.get("/facilities/F0001/book")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_enterprise_books_through_the_form(client, session, cap, people):
    login(client, people["ent"])
    page = client.get("/facilities/F0001/book?lang=en").get_data(as_text=True)
    assert "240" not in page and "120" in page  # the unit fee is listed
    response = post_form(client, "/facilities/F0001/book", form_data(cap), token_from="/facilities/F0001/book")
    assert response.status_code == 302
    booking = session.scalars(select(Booking)).one()
    assert (booking.enterprise_id, booking.quantity, booking.fee_cny) == (people["ent"].id, 2, 240)
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "电缆 &lt;b&gt;样品&lt;/b&gt;" in detail and "<b>样品</b>" not in detail


def test_booking_as_another_enterprise_is_impossible(client, session, cap, people):
    login(client, people["ent"])
    data = form_data(cap, enterprise_id=str(people["ent2"].id), uscc=people["ent2"].uscc)
    post_form(client, "/facilities/F0001/book", data, token_from="/facilities/F0001/book")
    booking = session.scalars(select(Booking)).one()
    assert (booking.enterprise_id, booking.uscc) == (people["ent"].id, people["ent"].uscc)


def test_booking_form_without_csrf_token_is_refused(client, session, cap, people):
    login(client, people["ent"])
    response = client.post("/facilities/F0001/book", data=form_data(cap))
    assert response.status_code == 400
    assert session.scalars(select(Booking)).all() == []


def test_form_errors_are_shown_on_the_field(client, session, cap, people):
    login(client, people["ent"])
    response = post_form(client, "/facilities/F0001/book?lang=en",
                         form_data(cap, service_date=today().isoformat()), token_from="/facilities/F0001/book")
    assert response.status_code == 400
    assert "The lead time of this service is 2 days" in response.get_data(as_text=True)
    response = post_form(client, "/facilities/F0001/book", form_data(cap, capability="999999"),
                         token_from="/facilities/F0001/book")
    assert response.status_code == 400  # a capability of no facility, or of another one
    assert session.scalars(select(Booking)).all() == []


def test_a_full_day_answers_409_with_a_message(client, session, cap, people, booking):
    login(client, people["ent2"])
    response = post_form(client, "/facilities/F0001/book?lang=en", form_data(cap, quantity="3"),
                         token_from="/facilities/F0001/book")
    assert response.status_code == 409
    assert "Fully booked" in response.get_data(as_text=True)


def test_guessed_booking_id_is_404_for_another_enterprise(client, people, booking):
    login(client, people["ent2"])
    for path in (f"/bookings/{booking.id}", f"/bookings/{booking.id}.ics", f"/bookings/{booking.id + 1}"):
        assert client.get(path).status_code == 404
    response = post_form(client, f"/bookings/{booking.id}/cancel", {"version": "1", "reason": "x"})
    assert response.status_code == 404
    assert f"/bookings/{booking.id}\"" not in client.get("/bookings").get_data(as_text=True)


def test_operator_cannot_accept_a_booking_of_another_facility(client, session, people, booking):
    login(client, people["op2"])
    response = post_form(client, f"/bookings/{booking.id}/accept", {"version": "1"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Booking, booking.id).state == "requested"


def test_auditor_reads_but_cannot_change(client, session, people, booking):
    login(client, people["auditor"])
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert 'id="actions"' not in page
    for action in ("accept", "decline", "cancel"):
        assert post_form(client, f"/bookings/{booking.id}/{action}", {"version": "1", "reason": "x"}).status_code == 403
    assert client.get("/workspace/").status_code == 403
    session.expire_all()
    assert session.get(Booking, booking.id).state == "requested"


def test_operator_accepts_in_one_click_from_the_workspace(client, session, people, booking):
    login(client, people["op"])
    page = client.get("/workspace/").get_data(as_text=True)
    assert f'data-booking="{booking.id}"' in page
    response = post_form(client, f"/bookings/{booking.id}/accept", {"version": "1", "back": "/workspace/"},
                         token_from="/workspace/")
    assert (response.status_code, response.headers["Location"]) == (303, "/workspace/")
    session.expire_all()
    assert session.get(Booking, booking.id).state == "accepted"


def test_two_operators_on_the_same_booking_get_409_not_an_overwrite(client, session, people, booking):
    login(client, people["op"])
    assert post_form(client, f"/bookings/{booking.id}/accept", {"version": "1"}).status_code == 303
    response = post_form(client, f"/bookings/{booking.id}/decline", {"version": "1", "reason": "慢了一步"})
    assert response.status_code == 409
    session.expire_all()
    assert session.get(Booking, booking.id).state == "accepted"


def test_cancel_without_a_reason_is_refused(client, session, people, booking):
    login(client, people["ent"])
    response = post_form(client, f"/bookings/{booking.id}/cancel?lang=en", {"version": "1", "reason": ""})
    assert response.status_code == 303
    assert "Give a reason." in client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    response = post_form(client, f"/bookings/{booking.id}/cancel", {"version": "1", "reason": "样品未到"})
    assert response.status_code == 303
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "样品未到" in page and "已取消" in page


def test_load_view_shows_booked_against_capacity(client, cap, people, booking):
    login(client, people["op"])
    page = client.get(f"/workspace/capabilities/{cap.id}/load?start={day().isoformat()}&days=3").get_data(as_text=True)
    assert '<td class="num">1</td><td class="num">3</td>' in page
    post_form(client, "/logout")
    login(client, people["op2"])
    assert client.get(f"/workspace/capabilities/{cap.id}/load").status_code == 404


def test_export_neutralises_formula_like_cells(client, people, booking):
    login(client, people["op"])
    period = f"start={day(0).isoformat()}&end={day(30).isoformat()}"
    text = client.get(f"/workspace/export?{period}&headers=en").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["booking_id"], r["description"]) for r in rows] == [(str(booking.id), "'=1+2 样品")]
    workbook = load_workbook(io.BytesIO(client.get(f"/workspace/export?{period}&format=xlsx&headers=en").get_data()))
    cell = workbook["bookings"]["P2"]
    assert (cell.value, cell.data_type) == ("=1+2 样品", "s")
    post_form(client, "/logout")
    login(client, people["op2"])
    assert "=1+2" not in client.get(f"/workspace/export?{period}").get_data().decode("utf-8-sig")


def test_booking_ics_and_private_feeds(client, app, session, people, booking):
    login(client, people["ent"])
    ics = Calendar.from_ical(client.get(f"/bookings/{booking.id}.ics").get_data())
    event = ics.walk("VEVENT")[0]
    assert (event.decoded("dtstart"), str(event["status"])) == (day(), "TENTATIVE")
    page = client.get("/calendars").get_data(as_text=True)
    feed = page.split('id="feed-mine" size="80" aria-label')[0].rsplit('value="', 1)[1].split('"')[0]
    path = feed.split("localhost", 1)[1]
    anonymous = app.test_client()
    feed_ics = Calendar.from_ical(anonymous.get(path).get_data())
    assert [str(e["uid"]) for e in feed_ics.walk("VEVENT")] == [f"booking-{booking.id}@hz-quality-registry"]
    post_form(client, "/calendars/revoke", {}, token_from="/calendars")
    assert anonymous.get(path).status_code == 404


def test_operator_facility_feed_lists_the_facilitys_bookings(client, app, session, people, booking):
    login(client, people["op"])
    page = client.get("/calendars").get_data(as_text=True)
    url = page.split('class="feed-facility"')[0].rsplit('value="', 1)[1].split('"')[0]
    feed_ics = Calendar.from_ical(app.test_client().get(url.split("localhost", 1)[1]).get_data())
    assert len(feed_ics.walk("VEVENT")) == 1


def test_notifications_page_lists_and_marks_read(client, session, people, booking):
    transition(session, booking, people["op"], "accept")
    login(client, people["ent"])
    assert 'id="unread">1<' in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert f"预约 #{booking.id}" in page and "已接受" in page
    post_form(client, "/notifications/read", {}, token_from="/notifications")
    assert 'id="unread"' not in client.get("/").get_data(as_text=True)
    assert session.get(User, people["ent"].id)


def test_facility_feed_stops_when_the_operator_no_longer_runs_the_facility(client, app, session, people, booking):
    login(client, people["op"])
    page = client.get("/calendars").get_data(as_text=True)
    path = page.split('class="feed-facility"')[0].rsplit('value="', 1)[1].split('"')[0].split("localhost", 1)[1]
    assert app.test_client().get(path).status_code == 200
    operator = session.get(User, people["op"].id)
    operator.facilities.clear()
    session.commit()
    assert app.test_client().get(path).status_code == 404


def test_auditor_exports_and_reads_the_load(client, cap, people, booking):
    login(client, people["auditor"])
    assert 'id="export"' in client.get("/bookings").get_data(as_text=True)
    text = client.get(f"/workspace/export?start={day(0).isoformat()}&end={day(30).isoformat()}").get_data()
    assert str(booking.id).encode() in text
    assert client.get(f"/workspace/capabilities/{cap.id}/load").status_code == 200


def test_operator_sees_no_booking_link_on_facility_pages(client, people, cap):
    login(client, people["op"])
    assert 'class="book-link"' not in client.get("/facilities/F0001").get_data(as_text=True)


def test_a_district_auditor_exports_its_districts_bookings_only(client, app, session, people, booking):
    """F0001 is in 西湖区 (330106): its auditor's export lists the booking, 萧山区's does not."""
    period = f"start={day(0).isoformat()}&end={day(30).isoformat()}"
    login(client, user(session, "auditor", district_code="330106"))
    response = client.get(f"/workspace/export?{period}")
    assert response.status_code == 200 and str(booking.id).encode() in response.get_data()
    other = app.test_client()
    login(other, user(session, "auditor", district_code="330109"))
    rows = other.get(f"/workspace/export?{period}").get_data().decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1  # the header only
