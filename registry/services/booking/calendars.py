"""Bookings as iCalendar (RFC 5545): one .ics per booking, and private feeds per user and per facility.

A feed is read by calendar apps that cannot sign in, so its URL carries a random token; revoking
a feed retires the token and issues a new one, and the old URL answers 404 from then on.

Showing a feed's address writes nothing (GET /calendars is safe): until a user first revokes it,
the address carries a token signed with the app's secret (whose feed it is), valid as long as
no feed row exists for that user or facility; the first revocation stores a random one.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select

from registry.clock import zone
from registry.errors import Forbidden
from registry.models import Booking, CalendarFeed, Facility, User
from registry.models.base import utcnow
from registry.money import fee_text
from registry.services.booking.samples import delivery_lines
from registry.services.booking.workflow import visible_bookings

if TYPE_CHECKING:
    from icalendar import Event

PRODID = "-//Hangzhou Quality Infrastructure Registry//Bookings//ZH"
STATUS = {"requested": "TENTATIVE", "accepted": "CONFIRMED", "in_progress": "CONFIRMED",
          "completed": "CONFIRMED", "declined": "CANCELLED", "cancelled": "CANCELLED", "expired": "CANCELLED"}
FEED_LIMIT = 2000  # newest bookings in a feed


def booking_event(booking: Booking, url: str | None = None) -> Event:
    from icalendar import Event  # icalendar loads when a calendar is written, not at start

    event = Event()
    event.add("uid", f"booking-{booking.id}@hz-quality-registry")
    event.add("dtstamp", booking.updated_at)
    event.add("dtstart", booking.service_date)
    event.add("dtend", booking.service_date + timedelta(days=1))
    event.add("summary", f"#{booking.id} {booking.capability.name} · {booking.facility.name}")
    lines = [f"{booking.org_name} · {booking.quantity} × {booking.capability.name}", booking.description,
             f"{booking.contact_name} {booking.contact_phone}"]
    if booking.fee_cny is not None or booking.fee_on_request:
        lines.append(fee_text(booking.fee_cny, on_request=booking.fee_on_request))
    lines += [f"{label}: {text}" for label, text in delivery_lines(booking.facility, booking.id)]
    event.add("description", "\n".join(lines))
    if booking.facility.address:
        event.add("location", booking.facility.address)
    event.add("status", STATUS[booking.state])
    event.add("sequence", booking.version)
    if url:
        event.add("url", url)
    return event


def calendar_of(bookings, name: str, url_for_booking=None) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone().key)  # the events are whole days in Hangzhou; DTSTAMP stays UTC
    for booking in bookings:
        calendar.add_component(booking_event(booking, url_for_booking(booking.id) if url_for_booking else None))
    return calendar.to_ical()


def _active_feed(session, *, user: User | None = None, facility: Facility | None = None):
    query = select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
    query = query.where(CalendarFeed.user_id == user.id) if user else query.where(
        CalendarFeed.facility_pk == facility.id)
    return session.scalar(query.order_by(CalendarFeed.id.desc()))


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="calendar-feed")


def _has_rows(session, *, user_id: int | None, facility_pk: int | None) -> bool:
    owner = CalendarFeed.facility_pk == facility_pk if facility_pk else CalendarFeed.user_id == user_id
    return session.scalar(select(CalendarFeed.id).where(owner).limit(1)) is not None


def feed_for(session, creator: User, *, facility: Facility | None = None) -> CalendarFeed:
    """The active feed of `creator` (or of a facility `creator` operates); writes nothing. Before the
    first revocation it is an unsaved feed whose token is signed (see the module's docstring)."""
    if facility is not None and (creator.role != "operator" or facility.id not in creator.facility_pks):
        raise Forbidden("not an operator of this facility")
    feed = _active_feed(session, user=None if facility else creator, facility=facility)
    if feed is None:
        token = _signer().dumps([creator.id, facility.id if facility else 0])
        feed = CalendarFeed(token=token, user_id=None if facility else creator.id,
                            facility_pk=facility.id if facility else None, created_by=creator.id)
    return feed


def revoke_feed(session, creator: User, *, facility: Facility | None = None) -> CalendarFeed:
    """Retire the active feed's token (stored or signed) and issue a new random one; commits."""
    old = feed_for(session, creator, facility=facility)
    if old.id is not None:
        old.revoked_at = utcnow()
    feed = CalendarFeed(token=secrets.token_urlsafe(32), user_id=None if facility else creator.id,
                        facility_pk=facility.id if facility else None, created_by=creator.id)
    session.add(feed)
    session.commit()
    return feed


def _signed_feed(session, token: str) -> CalendarFeed | None:
    """The unsaved feed a signed token stands for, while no feed row exists for its owner."""
    try:
        creator_id, facility_pk = _signer().loads(token)
    except (BadData, ValueError, TypeError):
        return None
    if not isinstance(creator_id, int) or not isinstance(facility_pk, int):
        return None
    if _has_rows(session, user_id=creator_id, facility_pk=facility_pk or None):
        return None
    return CalendarFeed(token=token, user_id=None if facility_pk else creator_id, facility_pk=facility_pk or None,
                        created_by=creator_id)


def feed_bookings(session, token: str) -> tuple[str, list[Booking]] | None:
    """(calendar name, bookings) for a live feed token, or None."""
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token, CalendarFeed.revoked_at.is_(None)))
    if feed is None:
        feed = _signed_feed(session, token)
    if feed is None:
        return None
    if feed.user_id is not None:
        owner = session.get(User, feed.user_id)
        if owner is None or not owner.is_active:
            return None
        query, name = visible_bookings(owner), owner.org_name or owner.name
    else:
        creator = session.get(User, feed.created_by)
        if creator is None or not creator.is_active or feed.facility_pk not in creator.facility_pks:
            return None  # the operator who made it no longer runs the facility
        facility = session.get(Facility, feed.facility_pk)
        query, name = select(Booking).where(Booking.facility_pk == facility.id), facility.name
    bookings = session.scalars(query.order_by(Booking.service_date.desc()).limit(FEED_LIMIT)).all()
    return name, bookings
