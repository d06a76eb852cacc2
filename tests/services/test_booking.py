"""Booking service: the rules of a request, the workflow, capacity under concurrency, versions, scope."""
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry.errors import Conflict, NotFound
from registry.extensions import db
from registry.models import Booking, BookingEvent, Capability, CapacityDay, Facility, Notification, User
from registry.models.base import utcnow
from registry.services.booking.workflow import (
    BookingError,
    Forbidden,
    FullyBooked,
    StaleBooking,
    day_load,
    expire_unanswered,
    get_booking,
    request_booking,
    transition,
    visible_bookings,
)
from tests.factories import bookable_dataset, booking_request, capability_of, in_english, run, user

TODAY = date(2026, 12, 1)
DAY = TODAY + timedelta(days=10)


@pytest.fixture
def cap(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facilities=2))
    return capability_of(session)


@pytest.fixture
def people(session, cap):
    return {"ent": user(session, "enterprise"), "ent2": user(session, "enterprise"),
            "op": user(session, "operator", facility_ids=["F0001"]),
            "op2": user(session, "operator", facility_ids=["F0002"]),
            "auditor": user(session, "auditor"), "xiaoshan": user(session, "auditor", district_code="330109")}


def book(session, who, cap, day=DAY, quantity=1, **kw):
    return request_booking(session, who, booking_request(cap, day, quantity, **kw), today=TODAY)


def holding(session, cap, day=DAY) -> int:
    return session.scalar(select(func.coalesce(func.sum(Booking.quantity), 0)).where(
        Booking.capability_pk == cap.id, Booking.service_date == day,
        Booking.state.in_(("requested", "accepted", "in_progress", "completed"))))


def booked(session, cap, day=DAY) -> int:
    session.expire_all()
    return session.scalar(select(CapacityDay.booked).where(CapacityDay.capability_pk == cap.id,
                                                           CapacityDay.day == day)) or 0


def test_request_records_booking_fee_event_and_capacity(session, cap, people):
    booking = book(session, people["ent"], cap, quantity=2, voucher_no="zj-cxq-2026-001")
    assert (booking.state, booking.quantity, booking.fee_cny, booking.voucher_no) == (
        "requested", 2, 240, "ZJ-CXQ-2026-001")
    assert (booking.org_name, booking.uscc) == (people["ent"].org_name, people["ent"].uscc)
    assert [(e.from_state, e.to_state, e.actor_id) for e in booking.events] == [(None, "requested", people["ent"].id)]
    assert booked(session, cap) == 2


@pytest.mark.parametrize("day, field", [(TODAY - timedelta(days=1), "service_date"),
                                        (TODAY + timedelta(days=1), "service_date"),  # lead time is 2 days
                                        (TODAY + timedelta(days=400), "service_date")])
def test_dates_in_the_past_within_lead_time_or_too_far_are_refused(session, cap, people, day, field):
    with pytest.raises(BookingError) as caught:
        book(session, people["ent"], cap, day=day)
    assert caught.value.field == field
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_earliest_date_allowed_by_the_lead_time_is_accepted(session, cap, people):
    assert book(session, people["ent"], cap, day=TODAY + timedelta(days=2)).state == "requested"


@pytest.mark.parametrize("quantity", [0, -1, 4])
def test_quantity_outside_one_to_daily_capacity_is_refused(session, cap, people, quantity):
    with pytest.raises(BookingError) as caught:
        book(session, people["ent"], cap, quantity=quantity)
    assert caught.value.field == "quantity"


def test_bad_voucher_and_missing_description_are_refused(session, cap, people):
    with pytest.raises(BookingError) as caught:
        book(session, people["ent"], cap, voucher_no="<券>")
    assert caught.value.field == "voucher_no"
    with pytest.raises(BookingError) as caught:
        book(session, people["ent"], cap, description="  ")
    assert caught.value.field == "description"


def test_suspended_facility_cannot_be_booked(session, cap, people):
    session.get(Facility, cap.facility_pk).status = "suspended"
    session.commit()
    with pytest.raises(BookingError) as caught:
        book(session, people["ent"], cap)
    assert "not active" in in_english(caught.value.message)


def test_expired_capability_cannot_be_booked(session, cap, people):
    session.get(Capability, cap.id).valid_until = TODAY - timedelta(days=1)
    session.commit()
    with pytest.raises(BookingError):
        book(session, people["ent"], cap)


def test_capability_that_is_not_bookable_is_refused(session, cap, people):
    session.get(Capability, cap.id).bookable = False
    session.commit()
    with pytest.raises(BookingError):
        book(session, people["ent"], cap)


def test_only_enterprises_book(session, cap, people):
    with pytest.raises(Forbidden):
        book(session, people["op"], cap)


def test_a_full_day_answers_fully_booked(session, cap, people):
    book(session, people["ent"], cap, quantity=3)
    with pytest.raises(FullyBooked):
        book(session, people["ent2"], cap)
    assert book(session, people["ent2"], cap, day=DAY + timedelta(days=1)).state == "requested"


def test_workflow_accept_start_complete_with_timeline(session, cap, people):
    booking = book(session, people["ent"], cap)
    for action in ("accept", "start", "complete"):
        booking = transition(session, booking, people["op"], action)
    assert booking.state == "completed"
    assert [(e.from_state, e.to_state, e.actor_role) for e in booking.events] == [
        (None, "requested", "enterprise"), ("requested", "accepted", "operator"),
        ("accepted", "in_progress", "operator"), ("in_progress", "completed", "operator")]
    assert booked(session, cap) == 1  # a completed service still used the day


def test_decline_needs_a_reason_and_gives_the_capacity_back(session, cap, people):
    booking = book(session, people["ent"], cap, quantity=3)
    with pytest.raises(BookingError):
        transition(session, booking, people["op"], "decline", reason=" ")
    booking = transition(session, booking, people["op"], "decline", reason="设备检修")
    assert (booking.state, booking.events[-1].reason) == ("declined", "设备检修")
    assert booked(session, cap) == 0
    assert book(session, people["ent2"], cap, quantity=3).state == "requested"


def test_either_side_cancels_with_a_reason(session, cap, people):
    mine = book(session, people["ent"], cap)
    assert transition(session, mine, people["ent"], "cancel", reason="样品未备齐").state == "cancelled"
    theirs = transition(session, book(session, people["ent"], cap), people["op"], "accept")
    assert transition(session, theirs, people["op"], "cancel", reason="停电").state == "cancelled"
    assert booked(session, cap) == 0 == holding(session, cap)


def test_impossible_transitions_are_refused(session, cap, people):
    booking = book(session, people["ent"], cap)
    with pytest.raises(Conflict):
        transition(session, booking, people["op"], "complete")
    with pytest.raises(Forbidden):
        transition(session, booking, people["ent"], "accept")  # an enterprise accepting its own request


def test_operator_cannot_accept_other_facilitys_booking(session, cap, people):
    booking = book(session, people["ent"], cap)
    with pytest.raises(NotFound):
        get_booking(session, people["op2"], booking.id)
    with pytest.raises(Forbidden):
        transition(session, booking, people["op2"], "accept")
    assert session.get(Booking, booking.id).state == "requested"


def test_auditor_sees_but_cannot_change(session, cap, people):
    booking = book(session, people["ent"], cap)
    assert get_booking(session, people["auditor"], booking.id).id == booking.id
    for action in ("accept", "decline", "cancel"):
        with pytest.raises(Forbidden):
            transition(session, booking, people["auditor"], action, reason="x")
    with pytest.raises(NotFound):  # F0001 is in Xihu, not in this auditor's Xiaoshan
        get_booking(session, people["xiaoshan"], booking.id)


def test_other_enterprise_gets_not_found(session, cap, people):
    booking = book(session, people["ent"], cap)
    with pytest.raises(NotFound):
        get_booking(session, people["ent2"], booking.id)
    assert session.scalars(visible_bookings(people["ent2"])).all() == []
    with pytest.raises(NotFound):
        get_booking(session, people["ent"], booking.id + 1000)


def test_stale_version_is_a_conflict_not_an_overwrite(session, cap, people):
    booking = book(session, people["ent"], cap)
    seen = booking.version
    transition(session, booking, people["op"], "accept", expected_version=seen)
    with pytest.raises(StaleBooking):
        transition(session, booking, people["op"], "decline", reason="late click", expected_version=seen)
    session.expire_all()
    assert session.get(Booking, booking.id).state == "accepted"


def test_unanswered_requests_expire_and_free_the_day(session, cap, people):
    old = book(session, people["ent"], cap)
    fresh = book(session, people["ent2"], cap)
    answered = transition(session, book(session, people["ent"], cap), people["op"], "accept")
    session.execute(Booking.__table__.update().where(Booking.id.in_([old.id, answered.id]))
                    .values(created_at=utcnow() - timedelta(days=8)))
    session.commit()
    assert expire_unanswered(session, now=utcnow(), after_days=7, today=TODAY) == 1
    session.expire_all()
    states = {b.id: b.state for b in session.scalars(select(Booking))}
    assert states == {old.id: "expired", fresh.id: "requested", answered.id: "accepted"}
    event = session.scalar(select(BookingEvent).where(BookingEvent.booking_id == old.id,
                                                      BookingEvent.to_state == "expired"))
    assert (event.actor_id, event.actor_role) == (None, "system")
    assert booked(session, cap) == 2


def test_transitions_notify_the_other_party(session, cap, people):
    booking = book(session, people["ent"], cap)
    transition(session, booking, people["op"], "accept")
    got = {(n.user_id, n.event.to_state) for n in session.scalars(select(Notification))}
    assert got == {(people["op"].id, "requested"), (people["ent"].id, "accepted")}


def test_day_load_reports_booked_against_capacity(session, cap, people):
    book(session, people["ent"], cap, quantity=2)
    load = day_load(session, cap, DAY - timedelta(days=1), DAY + timedelta(days=1))
    assert [(d, b, c) for d, b, c in load] == [(DAY - timedelta(days=1), 0, 3), (DAY, 2, 3),
                                               (DAY + timedelta(days=1), 0, 3)]


def test_fifty_simultaneous_requests_for_the_last_unit_one_succeeds(app, session, cap, people):
    book(session, people["ent"], cap, quantity=2)  # one unit of three left
    enterprises = [user(session, "enterprise", n=100 + i).id for i in range(50)]
    start = threading.Barrier(50)
    outcomes, lock = [], threading.Lock()

    def attempt(user_id):
        with app.app_context():
            who = db.session.get(User, user_id)
            request = booking_request(db.session.get(Capability, cap.id), DAY)
            db.session.rollback()  # hand the connection back: 50 threads share the pool
            start.wait(timeout=60)
            try:
                request_booking(db.session, who, request, today=TODAY)
                result = "booked"
            except FullyBooked:
                result = "full"
            except Exception as exc:  # anything else is a failure of the test
                result = repr(exc)
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in enterprises]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["booked"] + ["full"] * 49
    assert holding(session, cap) == 3 == booked(session, cap)
