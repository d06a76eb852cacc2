"""Booking figures of the district table, computed only when the bookings table exists.

The booking branch lands after this one, so its schema is not known here. These figures are read
from a table named `bookings` with a facility reference (`facility_pk` or `facility_id`, the
facilities' primary key), `status`, `created_at` and a response time (`responded_at` or
`decided_at`). Without such a table (or with other columns) the figures are None and the dashboard
says "not available": nothing is estimated. MERGE: check these names against the booking models.
"""
from __future__ import annotations

import statistics

from sqlalchemy import MetaData, Table, inspect, select

from registry.models import Facility

SERVED_STATUSES = ("accepted", "completed", "served", "done")
EMPTY = {"bookings_requested": 0, "bookings_served": 0, "booking_median_response_h": None}
TOTAL = "total"


def bookings_table(session) -> Table | None:
    connection = session.connection()
    if not inspect(connection).has_table("bookings"):
        return None
    return Table("bookings", MetaData(), autoload_with=connection)


def _column(table: Table, *names):
    return next((table.c[n] for n in names if n in table.c), None)


def booking_figures(session, district: str | None) -> dict[str, dict] | None:
    """code -> {bookings_requested, bookings_served, booking_median_response_h}, plus 'total'; or None."""
    table = bookings_table(session)
    if table is None:
        return None
    facility = _column(table, "facility_pk", "facility_id")
    status, created = _column(table, "status"), _column(table, "created_at")
    responded = _column(table, "responded_at", "decided_at")
    if facility is None or status is None or created is None:
        return None
    columns = [Facility.district_code, status, created] + ([responded] if responded is not None else [])
    query = select(*columns).join(Facility, facility == Facility.id).where(Facility.deleted_at.is_(None))
    if district is not None:
        query = query.where(Facility.district_code == district)
    per: dict[str, dict] = {}
    hours: dict[str, list[float]] = {}
    for row in session.execute(query):
        for code in (row[0], TOTAL):
            figures = per.setdefault(code, dict(EMPTY))
            figures["bookings_requested"] += 1
            figures["bookings_served"] += row[1] in SERVED_STATUSES
            if responded is not None and row[3] is not None and row[2] is not None:
                hours.setdefault(code, []).append((row[3] - row[2]).total_seconds() / 3600)
    for code, values in hours.items():
        per[code]["booking_median_response_h"] = statistics.median(values)
    return per
