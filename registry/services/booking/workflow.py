"""Booking a capability's service: request, accept or decline, start, complete, cancel, expire.

Business rules only, no HTTP: functions take plain values (the acting user, dates, the
expected version) and commit once per unit of work — the booking, its timeline event, its
capacity and its notifications together, or nothing. Capacity is taken and given back with
conditional UPDATEs of `capacity_days` (see registry/models/booking.py), and every change of
state is a conditional UPDATE on the version the actor saw, so two people acting on the same
booking cannot overwrite each other silently (409). An enterprise's caps on open bookings at a
facility (caps.py) are counted, and its booking inserted, under a lock of that enterprise there.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from registry.clock import local
from registry.errors import Conflict, Forbidden, NotFound, RegistryError
from registry.models import Booking, BookingEvent, Capability, CapacityDay, Facility, User
from registry.models.base import utcnow
from registry.models.booking import HOLDING_STATES
from registry.ops import events
from registry.schemas import rules
from registry.services.audit.unmet import record_booking
from registry.services.booking.caps import OpenBookingCaps, cap_reached, one_request_at_a_time
from registry.services.booking.notifications import notify_booking_event

HORIZON_DAYS = rules.BOOKING_HORIZON_DAYS  # how far ahead a service can be booked
VOUCHER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")


class BookingError(RegistryError):
    """A request that cannot be accepted as given; `field` names the input at fault."""

    status = 422

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)
        self.field = field


class FullyBooked(Conflict):
    pass


class BookingConflict(BookingError):
    """A request refused because of the enterprise's other open bookings (409)."""

    status = 409


class StaleBooking(Conflict):
    """The booking changed since the actor saw it."""


@dataclass(frozen=True)
class BookingRequest:
    capability_pk: int
    service_date: date
    quantity: int
    description: str
    contact_name: str
    contact_phone: str
    contact_email: str | None = None
    voucher_no: str | None = None


@dataclass(frozen=True)
class Action:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # who may take it (operators of the facility; the enterprise that booked)
    needs_reason: bool = False


ACTIONS = {a.name: a for a in (
    Action("accept", ("requested",), "accepted", ("operator",)),
    Action("decline", ("requested",), "declined", ("operator",), needs_reason=True),
    Action("start", ("accepted",), "in_progress", ("operator",)),
    Action("complete", ("in_progress",), "completed", ("operator",)),
    Action("cancel", ("requested", "accepted"), "cancelled", ("operator", "enterprise"), needs_reason=True),
    Action("expire", ("requested",), "expired", ("system",)),
)}


# --- What can be booked ---------------------------------------------------------------------------

def indicative_fee(capability: Capability, quantity: int) -> Decimal | None:
    if capability.price_cny is None or quantity < 1:
        return None
    return (capability.price_cny * quantity).quantize(Decimal("0.01"))


def earliest_date(capability: Capability, today: date) -> date:
    return today + timedelta(days=capability.lead_time_days or 0)


def unbookable_reason(capability: Capability | None, today: date):
    """Why this capability cannot be booked at all now, or None."""
    if capability is None or capability.deleted_at is not None or capability.facility.deleted_at is not None:
        return _l("No such capability.")
    if not capability.bookable or not capability.daily_capacity:
        return _l("This capability cannot be booked online.")
    if capability.facility.status != "active":
        return _l("The facility is not active (suspended, revoked or closed): it cannot be booked.")
    if capability.valid_until is not None and capability.valid_until < today:
        return _l("The capability's certificate has expired: it cannot be booked.")
    return None


def _check_request(capability: Capability, req: BookingRequest, today: date) -> None:
    reason = unbookable_reason(capability, today)
    if reason:
        raise BookingError(reason, field="capability")
    if req.service_date < today:
        raise BookingError(_l("The date is in the past."), field="service_date")
    earliest = earliest_date(capability, today)
    if req.service_date < earliest:
        raise BookingError(_l("The lead time of this service is %(n)d days: the earliest date is %(date)s.",
                              n=capability.lead_time_days, date=earliest.isoformat()), field="service_date")
    if req.service_date > today + timedelta(days=HORIZON_DAYS):
        raise BookingError(_l("Bookings open at most %(n)d days ahead.", n=HORIZON_DAYS), field="service_date")
    if capability.valid_until is not None and req.service_date > capability.valid_until:
        raise BookingError(_l("The capability's certificate lapses on %(date)s, before that date.",
                              date=capability.valid_until.isoformat()), field="service_date")
    if not 1 <= req.quantity <= capability.daily_capacity:
        raise BookingError(_l("The quantity must be between 1 and %(n)d (the daily capacity).",
                              n=capability.daily_capacity), field="quantity")
    for name, text, longest in (("description", req.description, rules.DESCRIPTION_MAX),
                                ("contact_name", req.contact_name, rules.CONTACT_NAME_MAX),
                                ("contact_phone", req.contact_phone, rules.PHONE_MAX)):
        if not (text or "").strip():
            raise BookingError(_l("This field is required."), field=name)
        if len(text) > longest:
            raise BookingError(_l("At most %(n)d characters.", n=longest), field=name)
    if req.contact_email and not rules.is_email(req.contact_email.strip()):
        raise BookingError(_l("Enter a valid e-mail address."), field="contact_email")
    if req.voucher_no and not VOUCHER.match(req.voucher_no.strip()):
        raise BookingError(_l("An innovation voucher number has 4 to 40 letters, digits or dashes."),
                           field="voucher_no")


# --- Capacity ---------------------------------------------------------------------------------------

def _insert_ignoring_conflict(session, values: dict):
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(CapacityDay).values(**values).on_conflict_do_nothing()


def _take_capacity(session, capability_pk: int, day: date, quantity: int) -> bool:
    """Add `quantity` to the day's load if it still fits under the capability's daily capacity."""
    session.execute(_insert_ignoring_conflict(session, {"capability_pk": capability_pk, "day": day, "booked": 0}))
    capacity = select(Capability.daily_capacity).where(Capability.id == capability_pk).scalar_subquery()
    result = session.execute(
        update(CapacityDay)
        .where(CapacityDay.capability_pk == capability_pk, CapacityDay.day == day,
               CapacityDay.booked + quantity <= capacity)
        .values(booked=CapacityDay.booked + quantity)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _give_back_capacity(session, capability_pk: int, day: date, quantity: int) -> None:
    session.execute(
        update(CapacityDay)
        .where(CapacityDay.capability_pk == capability_pk, CapacityDay.day == day)
        .values(booked=CapacityDay.booked - quantity)
        .execution_options(synchronize_session=False))


def day_load(session, capability: Capability, start: date, end: date) -> list[tuple[date, int, int]]:
    """(day, booked, capacity) for each day from start to end inclusive."""
    booked = dict(session.execute(
        select(CapacityDay.day, CapacityDay.booked)
        .where(CapacityDay.capability_pk == capability.id, CapacityDay.day.between(start, end))).all())
    days = (end - start).days + 1
    return [(d, booked.get(d, 0), capability.daily_capacity or 0)
            for d in (start + timedelta(days=i) for i in range(max(days, 0)))]


# --- Requests and transitions ----------------------------------------------------------------------

@events.booking_step
def request_booking(session, enterprise: User, req: BookingRequest, *, today: date, source: str = "web",
                    notify=notify_booking_event, caps: OpenBookingCaps | None = None) -> Booking:
    """Book for `enterprise` (always the acting account, never one named in the input); commits."""
    if enterprise.role != "enterprise" or not enterprise.is_active:
        raise Forbidden(_l("Only enterprise accounts can book services."))
    capability = session.get(Capability, req.capability_pk)
    _check_request(capability, req, today)
    if not _take_capacity(session, capability.id, req.service_date, req.quantity):
        session.rollback()
        record_booking(session, capability, "fully_booked", today)
        raise FullyBooked(_l("Fully booked: %(date)s has no room left for %(n)d more.",
                             date=req.service_date.isoformat(), n=req.quantity))
    one_request_at_a_time(session, enterprise, capability.facility_pk)  # until the booking is in, or not
    refusal = cap_reached(session, enterprise, capability.facility_pk, req.service_date,
                          caps or OpenBookingCaps.configured())
    if refusal:
        session.rollback()
        raise BookingConflict(refusal, field="service_date")
    now = utcnow()
    booking = Booking(
        capability_pk=capability.id, facility_pk=capability.facility_pk, enterprise_id=enterprise.id,
        org_name=enterprise.org_name or enterprise.name, uscc=enterprise.uscc or "",
        service_date=req.service_date, quantity=req.quantity, description=req.description.strip(),
        contact_name=req.contact_name.strip(), contact_phone=req.contact_phone.strip(),
        contact_email=(req.contact_email or "").strip() or None,
        voucher_no=(req.voucher_no or "").strip().upper() or None,
        fee_cny=indicative_fee(capability, req.quantity), state="requested", source=source,
        created_at=now, updated_at=now)
    session.add(booking)
    session.flush()
    event = BookingEvent(booking_id=booking.id, at=now, actor_id=enterprise.id, actor_role="enterprise",
                         from_state=None, to_state="requested", reason=None)
    session.add(event)
    if notify:
        notify(session, booking, event)
    session.commit()
    return booking


def actor_role(user: User | None, booking: Booking) -> str | None:
    """The part `user` plays in this booking: enterprise, operator, system, or None."""
    if user is None:
        return "system"
    if user.role == "enterprise" and booking.enterprise_id == user.id:
        return "enterprise"
    if user.role == "operator" and booking.facility_pk in user.facility_pks:
        return "operator"
    return None


def allowed_actions(user: User | None, booking: Booking) -> list[str]:
    role = actor_role(user, booking)
    return [a.name for a in ACTIONS.values()
            if role in a.roles and role != "system" and booking.state in a.sources]


@events.booking_step
def transition(session, booking: Booking, actor: User | None, action: str, *, reason: str | None = None,
               expected_version: int | None = None, notify=notify_booking_event) -> Booking:
    """Move `booking` by `action` (see ACTIONS) as `actor` (None: the registry itself); commits.

    `booking` must come from `get_booking(session, actor, id)` (or be the system's), so that it
    is in the actor's view; `expected_version` is the version the actor saw (409 when stale).
    """
    step = ACTIONS.get(action)
    if step is None:
        raise BookingError(_l("Unknown action %(action)s.", action=action), field="action")
    role = actor_role(actor, booking)
    if role not in step.roles:
        raise Forbidden(_l("You may not do that with this booking."))
    seen = booking.version if expected_version is None else expected_version
    if seen != booking.version:
        raise StaleBooking(_l("This booking was changed by someone else meanwhile; reload it and try again."))
    if booking.state not in step.sources:
        raise Conflict(_l("The booking's present state does not allow that."))
    reason = (reason or "").strip() or None
    if step.needs_reason and not reason:
        raise BookingError(_l("Give a reason."), field="reason")
    if reason and len(reason) > 2000:
        raise BookingError(_l("At most %(n)d characters.", n=2000), field="reason")
    now = utcnow()
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.version == seen, Booking.state.in_(step.sources))
        .values(state=step.target, version=Booking.version + 1, updated_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise StaleBooking(_l("This booking was changed by someone else meanwhile; reload it and try again."))
    if step.target not in HOLDING_STATES:
        _give_back_capacity(session, booking.capability_pk, booking.service_date, booking.quantity)
    event = BookingEvent(booking_id=booking.id, at=now, actor_id=actor.id if actor else None, actor_role=role,
                         from_state=booking.state, to_state=step.target, reason=reason)
    session.add(event)
    session.flush()
    session.refresh(booking)
    if notify:
        notify(session, booking, event)
    session.commit()
    if step.target == "declined":
        record_booking(session, booking.capability, "declined", local(now).date())
    return booking


def expire_unanswered(session, *, now: datetime, after_days: int, today: date, notify=notify_booking_event) -> int:
    """Expire requests unanswered for `after_days`, or whose date has come; returns how many."""
    cutoff = now - timedelta(days=after_days)
    ids = session.scalars(select(Booking.id).where(
        Booking.state == "requested",
        (Booking.created_at < cutoff) | (Booking.service_date <= today)).order_by(Booking.id)).all()
    expired = 0
    for booking_id in ids:
        booking = session.get(Booking, booking_id)
        try:
            transition(session, booking, None, "expire", notify=notify)
        except (StaleBooking, Conflict):
            session.rollback()  # answered meanwhile: nothing to expire
            continue
        expired += 1
    return expired


# --- Who sees what ---------------------------------------------------------------------------------

def visible_bookings(user: User):
    """A SELECT of the bookings `user` may see: its own, its facilities', or its district's."""
    query = select(Booking)
    if user.role == "enterprise":
        return query.where(Booking.enterprise_id == user.id)
    if user.role == "operator":
        return query.where(Booking.facility_pk.in_(user.facility_pks or {-1}))
    if user.role == "auditor" and user.district_code:  # no join: callers join facilities themselves
        return query.where(Booking.facility_pk.in_(
            select(Facility.id).where(Facility.district_code == user.district_code)))
    if user.role in ("auditor", "admin"):
        return query.where(true())
    return query.where(and_(False))


def get_booking(session, user: User, booking_id: int) -> Booking:
    """The booking if `user` may see it; otherwise NotFound, exactly as for an id that does not exist."""
    booking = session.scalar(visible_bookings(user).where(Booking.id == booking_id))
    if booking is None:
        raise NotFound(_l("No such booking."))
    return booking


def booking_page(session, user: User, *, state: str | None, page: int, per_page: int) -> tuple[list[Booking], int]:
    """One page of the bookings `user` may see (newest service date first), optionally in one state, and their total."""
    query = visible_bookings(user)
    if state is not None:
        query = query.where(Booking.state == state)
    total = session.scalar(query.with_only_columns(func.count(Booking.id)).order_by(None))
    rows = session.scalars(query.order_by(Booking.service_date.desc(), Booking.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


# --- What can be booked ----------------------------------------------------------------------------

def live_facility(session, facility_id: str) -> Facility | None:
    """The facility with this registry id unless it was deleted."""
    return session.scalar(select(Facility).where(Facility.facility_id == facility_id, Facility.deleted_at.is_(None)))


def bookable_capabilities(session, facility_id: str, today: date) -> list[Capability]:
    """A facility's capabilities that can be booked now, by capability id."""
    capabilities = session.scalars(
        select(Capability).join(Facility, Facility.id == Capability.facility_pk)
        .where(Facility.facility_id == facility_id, Capability.bookable.is_(True),
               Capability.deleted_at.is_(None)).order_by(Capability.capability_id))
    return [c for c in capabilities if unbookable_reason(c, today) is None]


def bookable_count(session, facility_id: str, today: date) -> int:
    """How many of a facility's capabilities can be booked now (for the facility page's entry point)."""
    return len(bookable_capabilities(session, facility_id, today))
