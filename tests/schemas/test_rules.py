"""Issue 11 item 3: each bound is defined once (registry/schemas/rules.py) and the booking form, the API
schema, the interchange schemas (imports, uploads, edit forms) and the services all apply that one."""
import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from registry.api.bookings import BookingIn
from registry.schemas import rules
from registry.schemas.fields import Email
from registry.schemas.interchange import CapabilityRowSchema
from registry.services.booking import workflow
from registry.web.booking_forms import BookingForm
from tests.factories import capability, in_english


def booking_form(app, **values) -> BookingForm:
    data = {"capability": "1", "service_date": "2030-01-02", "quantity": "1", "description": "样品",
            "contact_name": "李工", "contact_phone": "0571-1", **values}
    with app.test_request_context():
        form = BookingForm(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return form


def api_errors(**values) -> dict:
    body = {"facility_id": "F1", "capability_id": "C1", "service_date": "2030-01-02", "quantity": 1,
            "description": "样品", "contact_name": "李工", "contact_phone": "0571-1",
            "enterprise": {"org_name": "某公司", "uscc": "9" * 18}, **values}
    return BookingIn().validate(body)


def capability_errors(**values) -> dict:
    return CapabilityRowSchema().validate(capability(1, 1, **values))


def test_booking_quantity_has_one_bound_in_form_api_and_import():
    low, high = rules.BOOKING_QUANTITY
    assert (low, high) == (1, 10_000) and rules.DAILY_CAPACITY == rules.BOOKING_QUANTITY


@pytest.mark.parametrize("quantity, refused", [(10_000, False), (10_001, True), (100_000, True), (0, True)])
def test_the_booking_form_and_the_api_refuse_the_same_quantities(app, quantity, refused):
    assert ("quantity" in booking_form(app, quantity=str(quantity)).errors) is refused
    assert ("quantity" in api_errors(quantity=quantity)) is refused


@pytest.mark.parametrize("capacity, refused", [("10000", False), ("10001", True)])
def test_a_daily_capacity_above_the_most_a_booking_can_ask_is_refused_at_import(capacity, refused):
    assert ("daily_capacity" in capability_errors(bookable="yes", daily_capacity=capacity)) is refused


@pytest.mark.parametrize("days, refused", [("365", False), ("366", True)])
def test_a_lead_time_longer_than_the_booking_horizon_is_refused(days, refused):
    errors = capability_errors(lead_time_days=days)
    assert ("lead_time_days" in errors) is refused
    assert workflow.HORIZON_DAYS == rules.LEAD_TIME_DAYS[1] == rules.BOOKING_HORIZON_DAYS
    if refused:
        message = errors["lead_time_days"]
        assert in_english(message[0] if isinstance(message, list) else message) == "must be at most 365"


def test_a_fee_beyond_what_the_column_holds_is_refused():
    assert "price_cny" in capability_errors(price_cny="10000000000")
    assert "price_cny" not in capability_errors(price_cny="9999999999.99")


@pytest.mark.parametrize("address, valid", [("lab@example.cn", True), ("a@b", False), ("a b@c.cn", False),
                                            ("x" * 250 + "@a.cn", False)])
def test_one_e_mail_rule_for_facilities_and_booking_contacts(app, address, valid):
    try:
        Email().deserialize(address)
        interchange_valid = True
    except ValidationError:
        interchange_valid = False
    assert interchange_valid is valid
    assert ("contact_email" not in booking_form(app, contact_email=address).errors) is valid


def test_text_lengths_of_a_booking_are_the_same_in_the_form_and_the_service(app):
    form = booking_form(app, description="样" * (rules.DESCRIPTION_MAX + 1))
    assert "description" in form.errors
    assert "description" not in booking_form(app, description="样" * rules.DESCRIPTION_MAX).errors
