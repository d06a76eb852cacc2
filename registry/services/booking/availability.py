"""Free capacity per day for one service over a calendar month: what the booking page's calendar shows.

A day is open when it lies between the earliest date (lead time) and the booking horizon, before the
certificate lapses, and still has room; its free capacity is the daily capacity less what is booked
(capacity_days). The same rules as request_booking, so that the calendar never offers a day the
booking would refuse for its date.
"""
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from registry.models import Capability
from registry.services.booking.workflow import HORIZON_DAYS, day_load, earliest_date


@dataclass(frozen=True)
class DayRoom:
    day: date
    free: int
    capacity: int
    open: bool  # can be chosen: within lead time, horizon and validity, with room left

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "free": self.free, "capacity": self.capacity, "open": self.open}


def month_of(text: str | None, today: date) -> date:
    """The first day of the month written YYYY-MM; this month for nothing; ValueError for anything else."""
    if not text:
        return today.replace(day=1)
    year, _, month = text.partition("-")
    if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
        raise ValueError(text)
    return date(int(year), int(month), 1)


def month_availability(session, capability: Capability, month: date, today: date) -> list[DayRoom]:
    """Every day of `month` (its first day) with its free capacity and whether it can be booked."""
    first = month.replace(day=1)
    last = first.replace(day=monthrange(first.year, first.month)[1])
    earliest = earliest_date(capability, today)
    latest = today + timedelta(days=HORIZON_DAYS)
    if capability.valid_until is not None:
        latest = min(latest, capability.valid_until)
    days = []
    for day, booked, capacity in day_load(session, capability, first, last):
        free = max(capacity - booked, 0)
        days.append(DayRoom(day, free, capacity, earliest <= day <= latest and free > 0))
    return days


def first_open_month(session, capability: Capability, today: date) -> date:
    """The month the calendar opens on: the one holding the earliest date that can be booked."""
    return earliest_date(capability, today).replace(day=1)
