"""Free capacity per day for the booking calendar, and the one way fees are written."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from registry.money import fee_text
from registry.services.booking.availability import month_availability, month_of
from registry.services.booking.workflow import request_booking
from tests.factories import bookable_dataset, booking_request, capability_of, run, user

TODAY = date(2026, 12, 1)


@pytest.fixture
def cap(session, tmp_path):
    run(session, bookable_dataset(tmp_path))
    return capability_of(session)


def test_a_month_shows_free_capacity_and_only_bookable_days_are_open(session, cap):
    ent = user(session, "enterprise")
    request_booking(session, ent, booking_request(cap, date(2026, 12, 10), quantity=2), today=TODAY)
    days = {d.day: d for d in month_availability(session, cap, date(2026, 12, 1), TODAY)}
    assert len(days) == 31
    assert (days[date(2026, 12, 10)].free, days[date(2026, 12, 10)].capacity) == (1, 3)
    assert days[date(2026, 12, 11)].free == 3 and days[date(2026, 12, 11)].open
    assert not days[date(2026, 12, 2)].open  # inside the two days' lead time
    assert days[date(2026, 12, 3)].open  # the earliest date


def test_a_full_day_and_days_past_the_certificate_are_closed(session, cap):
    for n in range(3):
        request_booking(session, user(session, "enterprise"), booking_request(cap, date(2026, 12, 15)),
                        today=TODAY)
    cap.valid_until = date(2026, 12, 20)
    session.commit()
    days = {d.day: d for d in month_availability(session, cap, date(2026, 12, 1), TODAY)}
    assert (days[date(2026, 12, 15)].free, days[date(2026, 12, 15)].open) == (0, False)
    assert days[date(2026, 12, 20)].open and not days[date(2026, 12, 21)].open


def test_days_beyond_the_horizon_are_closed(session, cap):
    far = month_availability(session, cap, TODAY + timedelta(days=400), TODAY)
    assert far and not any(d.open for d in far)


@pytest.mark.parametrize("text", ["2026-13", "26-12", "2026/12", "abcd-ef", "2026-1"])
def test_a_month_is_written_yyyy_mm(text):
    with pytest.raises(ValueError):
        month_of(text, TODAY)


def test_month_of_nothing_is_this_month():
    assert month_of(None, TODAY) == date(2026, 12, 1) and month_of("2027-02", TODAY) == date(2027, 2, 1)


@pytest.mark.parametrize("amount, text", [(Decimal("2030"), "¥2,030.00"), (Decimal("120.5"), "¥120.50"),
                                          (0, "¥0.00"), ("1234567.891", "¥1,234,567.89"), (None, "—")])
def test_fees_are_written_one_way(amount, text):
    assert fee_text(amount) == text
