"""Bookings made by partner platforms on behalf of enterprises (scope `book`).

The same rules and answers as the booking pages (registry/services/booking/workflow.py): a date
too soon or in the past, a quantity over the daily capacity or an unbookable capability is
a 422 naming the field, a fully booked day or a stale version a 409. A partner sees only
the bookings it made with its key; any other id is a 404.
"""
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from registry.api.access import current_key, require_scope
from registry.api.conventions import error_responses, json_response
from registry.api.schemas import ErrorSchema, UtcDateTime
from registry.clock import today
from registry.extensions import db
from registry.schemas import rules
from registry.services.booking.partners import book_for_partner, cancel_for_partner, partner_booking

blp = Blueprint("api_bookings", __name__, url_prefix="/api/v1", description=(
    "Book a capability's service for an enterprise (an API key with the `book` scope), follow the "
    "booking through its states, or cancel it. The facility answers in the registry."))

ID = validate.Length(min=1, max=64)


class EnterpriseIn(Schema):
    org_name = fields.String(required=True, validate=validate.Length(min=1, max=200),
                             metadata={"description": "The company's registered name."})
    uscc = fields.String(required=True, validate=validate.Length(min=18, max=18),
                         metadata={"description": "Unified Social Credit Code (统一社会信用代码), checked."})


class BookingIn(Schema):
    facility_id = fields.String(required=True, validate=ID)
    capability_id = fields.String(required=True, validate=ID)
    service_date = fields.Date(required=True, metadata={"description": "The day of the service (Asia/Shanghai)."})
    quantity = fields.Integer(required=True, validate=validate.Range(*rules.BOOKING_QUANTITY),
                              metadata={"description": "Samples or instruments; at most the daily capacity."})
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    contact_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_phone = fields.String(required=True, validate=validate.Length(min=1, max=50))
    contact_email = fields.Email(load_default=None, validate=validate.Length(max=254),
                                 metadata={"description": "Where the enterprise hears of the booking."})
    voucher_no = fields.String(load_default=None, validate=validate.Length(max=40),
                               metadata={"description": "Innovation voucher (创新券) number to redeem."})
    enterprise = fields.Nested(EnterpriseIn, required=True)


class CancelIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "The version you last saw: 409 if it changed since."})


class BookingEventOut(Schema):
    at = UtcDateTime(required=True)
    actor_role = fields.String(required=True)
    from_state = fields.String(allow_none=True)
    to_state = fields.String(required=True)
    reason = fields.String(allow_none=True)


class BookingOut(Schema):
    id = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"description": (
        "requested → accepted | declined; accepted → in_progress → completed; requested or accepted → "
        "cancelled; unanswered requests → expired.")})
    version = fields.Integer(required=True)
    facility_id = fields.String(required=True, attribute="facility.facility_id")
    capability_id = fields.String(required=True, attribute="capability.capability_id")
    capability_name = fields.String(required=True, attribute="capability.name")
    service_date = fields.Date(required=True)
    quantity = fields.Integer(required=True)
    fee_cny = fields.Decimal(as_string=True, allow_none=True,
                             metadata={"description": "Indicative fee: unit price × quantity."})
    voucher_no = fields.String(allow_none=True)
    org_name = fields.String(required=True)
    uscc = fields.String(required=True)
    contact_name = fields.String(required=True)
    contact_phone = fields.String(required=True)
    contact_email = fields.String(allow_none=True)
    description = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)
    events = fields.List(fields.Nested(BookingEventOut), required=True)


def _write_errors(view):
    view = blp.alt_response(404, schema=ErrorSchema, description="No such capability or booking (of yours).")(view)
    view = blp.alt_response(409, schema=ErrorSchema, description="Fully booked, or the booking changed since.")(view)
    return view


@blp.route("/bookings", methods=["POST"])
@error_responses(blp)
@_write_errors
@blp.arguments(BookingIn)
@blp.response(201, BookingOut)
def create_booking(values):
    """Book a service for an enterprise

    Requests the service of one bookable capability on one day. The answer is the booking in
    state `requested`; the facility accepts or declines it in the registry."""
    require_scope("book")
    booking = book_for_partner(db.session, current_key().id, values, today=today())
    response = json_response(BookingOut, booking, status=201)
    response.headers["Location"] = f"/api/v1/bookings/{booking.id}"
    return response


@blp.route("/bookings/<int:booking_id>")
@error_responses(blp)
@_write_errors
@blp.response(200, BookingOut)
def get_booking(booking_id):
    """One booking made with your key

    Its state, version and timeline."""
    require_scope("book")
    return json_response(BookingOut, partner_booking(db.session, current_key().id, booking_id))


@blp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@error_responses(blp)
@_write_errors
@blp.arguments(CancelIn)
@blp.response(200, BookingOut)
def cancel_booking(values, booking_id):
    """Cancel a booking made with your key

    A requested or accepted booking can be cancelled, with a reason."""
    require_scope("book")
    booking = cancel_for_partner(db.session, current_key().id, booking_id, values["reason"], values["version"])
    return json_response(BookingOut, booking)
