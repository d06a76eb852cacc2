"""What the operators' workspace lists: requests to answer, work coming up, the bookable services,
and which capabilities' load a user may see (operators their own; auditors their district)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.errors import NotFound
from registry.models import Booking, Capability, Facility, User
from registry.services.booking.workflow import visible_bookings

LISTED = 200  # rows per list on the workspace page


def incoming_requests(session, user: User) -> list[Booking]:
    return list(session.scalars(visible_bookings(user).where(Booking.state == "requested")
                                .order_by(Booking.service_date, Booking.id).limit(LISTED)))


def upcoming_work(session, user: User, today) -> list[Booking]:
    return list(session.scalars(visible_bookings(user)
                                .where(Booking.state.in_(("accepted", "in_progress")), Booking.service_date >= today)
                                .order_by(Booking.service_date, Booking.id).limit(LISTED)))


def bookable_capabilities(session, user: User) -> list[Capability]:
    return list(session.scalars(
        select(Capability).where(Capability.facility_pk.in_(user.facility_pks or {-1}),
                                 Capability.bookable.is_(True), Capability.deleted_at.is_(None))
        .order_by(Capability.facility_pk, Capability.capability_id)))


def capability_in_scope(session, user: User, capability_pk: int) -> Capability:
    """The live capability if `user` may see its load, else NotFound (as if it did not exist)."""
    capability = session.get(Capability, capability_pk)
    if capability is None or capability.deleted_at is not None:
        raise NotFound(_l("No such capability."))
    in_scope = (user.role == "operator" and capability.facility_pk in user.facility_pks) or (
        user.role in ("auditor", "admin") and (not user.district_code
                                               or session.get(Facility, capability.facility_pk).district_code
                                               == user.district_code))
    if not in_scope:
        raise NotFound(_l("No such capability."))
    return capability
