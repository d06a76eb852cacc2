"""An enterprise's caps on open bookings at one facility, on one day and over all days (issue 13, row 7):
no one can hoard a facility's capacity, however many accounts or requests at once.

Counted by USCC, so that more accounts of one company (or a partner booking for it) do not mean more
bookings. Requests for different capabilities or days take different capacity rows, so nothing else
orders them: `request_booking` holds `one_request_at_a_time` of the enterprise at the facility while it
counts (`cap_reached`) and inserts, and the caps hold exactly under any concurrency.
"""
import zlib
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.models import Booking, User

OPEN_STATES = ("requested", "accepted", "in_progress")  # what the caps count
LOCK_SPACE = 7_301_003  # the first key of the caps' PostgreSQL advisory locks (the two-int4 form)


@dataclass(frozen=True)
class OpenBookingCaps:
    """How many open bookings one enterprise (all accounts with its USCC) may hold at one facility,
    on one day and over all days (BOOKING_MAX_OPEN_*)."""

    per_day: int = 2
    per_facility: int = 10

    @classmethod
    def configured(cls) -> "OpenBookingCaps":
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(per_day=config.get("BOOKING_MAX_OPEN_PER_DAY", cls.per_day),
                   per_facility=config.get("BOOKING_MAX_OPEN_PER_FACILITY", cls.per_facility))


def one_request_at_a_time(session, enterprise: User, facility_pk: int) -> None:
    """Lock this enterprise at this facility until the session's transaction ends.

    PostgreSQL: a transaction-level advisory lock on a hash of the pair (a collision only makes two
    enterprises queue). SQLite: nothing to add, since the booking's capacity UPDATE, made before, took the
    database's write lock, which no other writer gets until this transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return
    who = enterprise.uscc or f"user:{enterprise.id}"
    key = zlib.crc32(f"{who}|{facility_pk}".encode()) - 2**31  # a signed int4
    session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, key)))


def cap_reached(session, enterprise: User, facility_pk: int, day: date, caps: OpenBookingCaps):
    """Why one more open booking of `enterprise` at this facility on `day` is refused, or None."""
    same = (Booking.uscc == enterprise.uscc) if enterprise.uscc else (Booking.enterprise_id == enterprise.id)
    query = select(func.count(Booking.id)).where(same, Booking.facility_pk == facility_pk,
                                                 Booking.state.in_(OPEN_STATES))
    if session.scalar(query.where(Booking.service_date == day)) >= caps.per_day:
        return _l("Your company already has %(n)d open bookings at this facility on this day.", n=caps.per_day)
    if session.scalar(query) >= caps.per_facility:
        return _l("Your company already has %(n)d open bookings at this facility: wait until some are done.",
                  n=caps.per_facility)
    return None
