"""Rows 5, 7, 8, 17 and 19 of issue 13: API limits shared by every endpoint, limits that fail open
when their Redis is gone, caps on an enterprise's open bookings, the first partner bookings of a new
enterprise arriving at once, and a calendars page that writes nothing."""
import socket
import threading
import time

import pytest
from sqlalchemy import func, select

from registry import create_app
from registry.clock import today
from registry.extensions import db, limiter
from registry.models import Booking, CalendarFeed, User
from registry.services.booking.caps import OpenBookingCaps
from registry.services.booking.workflow import BookingConflict, request_booking
from tests.factories import (
    booking_request,
    capability,
    capability_of,
    facility,
    post_form,
    run,
    uscc,
    user,
    write_dataset,
)
from tests.security.conftest import service_day, sign_in_as

READS = ["/api/v1/facilities", "/api/v1/districts", "/api/v1/capabilities", "/api/v1/changes",
         "/api/v1/facilities.geojson"]


# --- Row 17: one API limit for all endpoints ------------------------------------------------------

def test_row17_anonymous_limit_counts_across_endpoints(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "3 per minute")
    statuses = [client.get(path).status_code for path in READS[:4]]
    assert statuses == [200, 200, 200, 429]
    assert client.get(READS[0], environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 200  # per address


def test_row17_key_limit_counts_across_endpoints_per_key(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_KEY", "4 per minute")
    key, other = world.keys["key_read"][1], world.keys["key_book"][1]
    statuses = [client.get(path, headers={"X-API-Key": key}).status_code for path in READS]
    assert statuses == [200, 200, 200, 200, 429]
    assert client.get(READS[0], headers={"X-API-Key": other}).status_code == 200


# --- Row 5: the rate-limit store is down ---------------------------------------------------------

@pytest.fixture
def closed_port():
    """A local port nobody listens on (bound, never listening: connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def test_row05_api_keeps_answering_and_limiting_when_redis_is_down(app, session, world, closed_port):
    down = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                       "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port}",
                       "API_RATE_LIMIT_ANONYMOUS": "3 per minute"})
    try:
        with down.app_context():
            client = down.test_client()
            started = time.perf_counter()
            statuses = [client.get("/api/v1/districts").status_code for _ in range(4)]
            elapsed = time.perf_counter() - started
            assert statuses == [200, 200, 200, 429]  # counted in this process meanwhile (fails open, not blind)
            assert elapsed < 3, elapsed  # no 6.5 s waits: Redis is given up on at once
            assert client.get("/login").status_code == 200  # pages too
            db.session.remove()
    finally:
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
        with app.app_context():
            limiter.reset()


# --- Row 7: capacity hoarding --------------------------------------------------------------------

def test_row07_one_enterprise_holds_at_most_the_cap_of_open_bookings_per_facility_and_day(session, world):
    capability = capability_of(session, "F0001")
    caps = OpenBookingCaps(per_day=2, per_facility=10)
    twin = user(session, "enterprise", n=40, uscc=world.users["enterprise"].uscc, email="twin@example.cn")
    day = service_day(20)
    request_booking(session, world.users["enterprise"], booking_request(capability, day), today=today(),
                    notify=None, caps=caps)
    request_booking(session, twin, booking_request(capability, day), today=today(), notify=None, caps=caps)
    with pytest.raises(BookingConflict):  # a second account of the same company counts too
        request_booking(session, twin, booking_request(capability, day), today=today(), notify=None, caps=caps)
    other = user(session, "enterprise", n=41, uscc=uscc(41))
    assert request_booking(session, other, booking_request(capability, day), today=today(), notify=None, caps=caps)


def test_row07_and_over_all_days_at_one_facility(session, world):
    capability = capability_of(session, "F0001")
    caps = OpenBookingCaps(per_day=2, per_facility=3)  # B1 is already open at F0001
    for days in (21, 22):
        request_booking(session, world.users["enterprise"], booking_request(capability, service_day(days)),
                        today=today(), notify=None, caps=caps)
    with pytest.raises(BookingConflict):
        request_booking(session, world.users["enterprise"], booking_request(capability, service_day(23)),
                        today=today(), notify=None, caps=caps)
    on_that_day = (Booking.facility_pk == capability.facility_pk, Booking.service_date == service_day(23))
    assert session.scalar(select(func.count()).select_from(Booking).where(*on_that_day)) == 0


def test_row07_the_caps_are_configured_and_answered_on_the_booking_page(app, client, session, world, monkeypatch):
    monkeypatch.setitem(app.config, "BOOKING_MAX_OPEN_PER_DAY", 1)
    sign_in_as(client, world.users["enterprise"])
    data = {"capability": str(world.capabilities["F0001"]), "service_date": service_day().isoformat(),
            "quantity": "1", "description": "校准", "contact_name": "王工", "contact_phone": "0571-1"}
    response = post_form(client, "/facilities/F0001/book?lang=en", data, token_from="/facilities/F0001/book")
    assert response.status_code == 400 and "open bookings" in response.get_data(as_text=True)


def test_row07_the_api_answers_409_beyond_the_cap(app, client, session, world, monkeypatch):
    monkeypatch.setitem(app.config, "BOOKING_MAX_OPEN_PER_DAY", 1)
    body = {"facility_id": "F0002", "capability_id": "C0001", "service_date": service_day().isoformat(),
            "quantity": 1, "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
            "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": uscc(90)}}  # KB1's company, same day
    response = client.post("/api/v1/bookings", json=body, headers={"X-API-Key": world.keys["key_book"][1]})
    assert response.status_code == 409 and response.get_json()["error"]["fields"]


def book_at_once(app, enterprise_id: int, requests, caps: OpenBookingCaps) -> list[str]:
    """Each request in a thread of its own (its own connection), all released together; their outcomes."""
    barrier, outcomes = threading.Barrier(len(requests)), []

    def book(req):
        with app.app_context():
            enterprise = db.session.get(User, enterprise_id)
            barrier.wait()
            try:
                request_booking(db.session, enterprise, req, today=today(), notify=None, caps=caps)
                outcomes.append("booked")
            except BookingConflict:
                outcomes.append("capped")
            except Exception as exc:  # noqa: BLE001 (reported by the assertion, whatever it is)
                outcomes.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(req,)) for req in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(outcomes)


@pytest.fixture
def eight_services(session, tmp_path):
    """F0003 with eight bookable capabilities C0001…C0008: requests for different ones take different
    capacity rows, so nothing but the cap's own serialisation orders them."""
    values = {"bookable": "yes", "daily_capacity": "5", "lead_time_days": "2"}
    report = run(session, write_dataset(tmp_path / "eight", [facility(3)],
                                        [capability(3, n, **values) for n in range(1, 9)]))
    assert report.committed, report.issues
    return [capability_of(session, "F0003", f"C{n:04d}") for n in range(1, 9)]


def test_row07_the_per_day_cap_holds_exactly_when_requests_for_different_services_arrive_at_once(
        app, session, world, eight_services):
    day = service_day(25)
    twin = user(session, "enterprise", n=42, uscc=world.users["enterprise"].uscc, email="twin42@example.cn")
    requests = [booking_request(c, day) for c in eight_services]
    outcomes = book_at_once(app, twin.id, requests, OpenBookingCaps(per_day=2, per_facility=100))
    assert outcomes == ["booked"] * 2 + ["capped"] * 6
    session.rollback()
    open_ = select(func.count()).select_from(Booking).where(Booking.uscc == twin.uscc,
                                                            Booking.facility_pk == eight_services[0].facility_pk)
    assert session.scalar(open_) == 2


def test_row07_the_per_facility_cap_holds_exactly_when_requests_for_different_days_arrive_at_once(
        app, session, world, eight_services):
    enterprise = world.users["enterprise2"]
    requests = [booking_request(c, service_day(30 + n)) for n, c in enumerate(eight_services)]
    outcomes = book_at_once(app, enterprise.id, requests, OpenBookingCaps(per_day=2, per_facility=3))
    assert outcomes == ["booked"] * 3 + ["capped"] * 5


# --- Row 8: first partner bookings of a new enterprise at once -----------------------------------

def test_row08_parallel_first_bookings_for_a_new_enterprise_make_one_account_and_no_500(app, session, world,
                                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "BOOKING_MAX_OPEN_PER_DAY", 100)
    monkeypatch.setitem(app.config, "BOOKING_MAX_OPEN_PER_FACILITY", 100)
    key = world.keys["key_book"][1]
    parallel = 12
    barrier, statuses = threading.Barrier(parallel), []

    def book(n):
        body = {"facility_id": "F0001", "capability_id": "C0001", "service_date": service_day(30 + n).isoformat(),
                "quantity": 1, "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
                "enterprise": {"org_name": "新来的企业", "uscc": uscc(500)}}
        with app.app_context():
            client = app.test_client()
            barrier.wait()
            statuses.append(client.post("/api/v1/bookings", json=body, headers={"X-API-Key": key}).status_code)
            db.session.remove()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201] * parallel
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User).where(User.uscc == uscc(500))) == 1


# --- Row 19: GET /calendars writes nothing ----------------------------------------------------------

def feed_path(page: str, marker: str) -> str:
    return page.split(marker)[0].rsplit('value="', 1)[1].split('"')[0].split("localhost", 1)[1]


def test_row19_calendars_page_writes_nothing_and_its_addresses_work(app, client, session, world):
    session.execute(CalendarFeed.__table__.delete())
    session.commit()
    sign_in_as(client, world.users["operator"])
    page = client.get("/calendars").get_data(as_text=True)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
    mine, facility_feed = feed_path(page, 'id="feed-mine"'), feed_path(page, 'class="feed-facility"')
    anonymous = app.test_client()
    assert anonymous.get(mine).status_code == 200 and anonymous.get(facility_feed).status_code == 200
    again = client.get("/calendars").get_data(as_text=True)  # the same addresses, still nothing stored
    assert (feed_path(again, 'id="feed-mine"'), feed_path(again, 'class="feed-facility"')) == (mine, facility_feed)
    assert session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
    post_form(client, "/calendars/revoke", {}, token_from="/calendars")
    assert anonymous.get(mine).status_code == 404  # the signed address dies with the first revocation
    assert anonymous.get(facility_feed).status_code == 200  # the facility's own is another feed
    assert anonymous.get("/calendar/WzEsMF0.forged-signature.ics").status_code == 404
