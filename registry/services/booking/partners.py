"""Bookings that partner platforms make through the API on behalf of an enterprise.

A partner names the enterprise (company name and USCC) in each request. The booking rules
need an enterprise account, so each (API key, USCC) gets one of its own: it can never sign
in (its password hash matches nothing) and its address is in a reserved domain that nobody
can register or be given (services/accounts/users.py), so no stranger can own the account
the partner's bookings go to; mail about the booking goes to the booking's contact address
instead. The first bookings of a new enterprise may arrive at once: the account is committed
on its own before the booking, and whoever loses the race to insert it takes the winner's.
A partner sees and acts on the bookings made with its key only, and any other id is "not
found", as on the web pages.
"""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry.errors import Conflict, NotFound
from registry.identifiers import IdentifierError, normalize_uscc
from registry.models import Booking, Capability, Facility, User
from registry.schemas.fields import IDENTIFIER_MESSAGES
from registry.services.accounts.users import PARTNER_ACCOUNTS_DOMAIN, AccountError, create_user
from registry.services.booking.workflow import BookingError, BookingRequest, request_booking, transition

UNUSABLE_PASSWORD = "!"  # not a werkzeug hash: no password ever matches it


def source_of(key_id: int) -> str:
    return f"api:{key_id}"


def partner_enterprise(session, key_id: int, org_name: str, uscc: str) -> User:
    """The account that books for this enterprise with this key (made on first use)."""
    org_name = (org_name or "").strip()
    if not org_name or len(org_name) > 200:
        raise BookingError(_l("Enter the company's name (at most 200 characters)."), field="enterprise.org_name")
    try:
        uscc = normalize_uscc(uscc or "")
    except IdentifierError as exc:
        reason = IDENTIFIER_MESSAGES.get(exc.reason, str(exc))
        raise BookingError(_l("Unified Social Credit Code: %(reason)s", reason=reason),
                           field="enterprise.uscc") from None
    email = f"key{key_id}-{uscc.lower()}@{PARTNER_ACCOUNTS_DOMAIN}"
    account = session.scalar(select(User).where(User.email == email))
    if account is None:
        try:  # committed on its own: a parallel first booking that loses the race reads the winner's
            account = create_user(session, email=email, password="", role="enterprise", name=org_name,
                                  org_name=org_name, uscc=uscc, password_hash=UNUSABLE_PASSWORD,
                                  partner_account=True)
            session.commit()
        except (IntegrityError, AccountError):
            session.rollback()
            account = session.scalar(select(User).where(User.email == email))
    if account is None or account.password_hash != UNUSABLE_PASSWORD or account.role != "enterprise":
        raise Conflict(_l("This enterprise cannot be booked for with this key."))
    account.org_name = org_name
    return account


def live_capability(session, facility_id: str, capability_id: str) -> Capability:
    capability = session.scalar(
        select(Capability).join(Facility, Facility.id == Capability.facility_pk)
        .where(Facility.facility_id == facility_id, Facility.deleted_at.is_(None),
               Capability.capability_id == capability_id, Capability.deleted_at.is_(None)))
    if capability is None:
        raise NotFound(_l("No such capability."))
    return capability


def book_for_partner(session, key_id: int, values: dict, *, today: date) -> Booking:
    """`values` as the API received them (already typed); commits, like request_booking."""
    capability = live_capability(session, values["facility_id"], values["capability_id"])
    enterprise = values["enterprise"]
    account = partner_enterprise(session, key_id, enterprise["org_name"], enterprise["uscc"])
    request = BookingRequest(capability_pk=capability.id, service_date=values["service_date"],
                             quantity=values["quantity"], description=values["description"],
                             contact_name=values["contact_name"], contact_phone=values["contact_phone"],
                             contact_email=values.get("contact_email"), voucher_no=values.get("voucher_no"))
    return request_booking(session, account, request, today=today, source=source_of(key_id))


def partner_booking(session, key_id: int, booking_id: int) -> Booking:
    booking = session.scalar(select(Booking).where(Booking.id == booking_id, Booking.source == source_of(key_id)))
    if booking is None:
        raise NotFound(_l("No such booking."))
    return booking


def cancel_for_partner(session, key_id: int, booking_id: int, reason: str, version: int | None) -> Booking:
    booking = partner_booking(session, key_id, booking_id)
    return transition(session, booking, booking.enterprise, "cancel", reason=reason, expected_version=version)
