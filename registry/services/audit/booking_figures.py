"""Booking figures of the district table: how much service the district's facilities were asked for,
how much they granted, and how fast they answered (registry/models/booking.py)."""
from __future__ import annotations

import statistics

from sqlalchemy import func, select

from registry.models import Booking, BookingEvent, Facility
from registry.models.base import as_utc

GRANTED_STATES = ("accepted", "in_progress", "completed")
ANSWERS = ("accepted", "declined")
EMPTY = {"bookings_requested": 0, "bookings_served": 0, "booking_median_response_h": None}
TOTAL = "total"


def booking_figures(session, district: str | None) -> dict[str, dict]:
    """code -> {bookings_requested, bookings_served, booking_median_response_h}, plus 'total'."""
    answered = (select(BookingEvent.booking_id, func.min(BookingEvent.at).label("at"))
                .where(BookingEvent.from_state == "requested", BookingEvent.to_state.in_(ANSWERS))
                .group_by(BookingEvent.booking_id).subquery())
    query = (select(Facility.district_code, Booking.state, Booking.created_at, answered.c.at)
             .join(Facility, Booking.facility_pk == Facility.id)
             .outerjoin(answered, answered.c.booking_id == Booking.id)
             .where(Facility.deleted_at.is_(None)))
    if district is not None:
        query = query.where(Facility.district_code == district)
    per: dict[str, dict] = {}
    hours: dict[str, list[float]] = {}
    for code, state, created, answered_at in session.execute(query):
        for key in (code, TOTAL):
            figures = per.setdefault(key, dict(EMPTY))
            figures["bookings_requested"] += 1
            figures["bookings_served"] += state in GRANTED_STATES
            if answered_at is not None:
                hours.setdefault(key, []).append((as_utc(answered_at) - as_utc(created)).total_seconds() / 3600)
    for key, values in hours.items():
        per[key]["booking_median_response_h"] = statistics.median(values)
    return per

