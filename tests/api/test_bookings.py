"""Partner bookings through the API: the booking pages' rules and answers, a partner's own bookings only."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from registry.identifiers import make_uscc
from registry.models import Booking, OutboxMessage
from registry.services.accounts.users import SignInRefused, authenticate

USCC = make_uscc("91330106", "P0000001")


def service_day(days: int = 5) -> str:
    return (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)).isoformat()


def booking_body(**overrides) -> dict:
    body = {"facility_id": "F0002", "capability_id": "C0001", "service_date": service_day(), "quantity": 2,
            "description": "校准两块压力表，量程 0–40 MPa", "contact_name": "王工", "contact_phone": "0571-88880000",
            "contact_email": "wang@factory.example.cn", "voucher_no": "HZ-2026-0001",
            "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": USCC}}
    body.update(overrides)
    return body


@pytest.fixture
def partner(make_key):
    return {"X-API-Key": make_key("read,book", partner="区政务服务平台")}


def book(client, headers, **overrides):
    return client.post("/api/v1/bookings", json=booking_body(**overrides), headers=headers)


def test_booking_needs_a_key_with_the_book_scope(client, registry, make_key):
    assert book(client, {}).status_code == 401
    response = book(client, {"X-API-Key": make_key("read")})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert registry.scalar(select(Booking.id)) is None


def test_a_partner_books_for_an_enterprise_and_follows_the_booking(client, registry, partner):
    response = book(client, partner)
    assert response.status_code == 201, response.get_json()
    booking = response.get_json()
    assert response.headers["Location"] == f"/api/v1/bookings/{booking['id']}"
    assert (booking["state"], booking["quantity"], booking["fee_cny"]) == ("requested", 2, "600.00")
    assert (booking["facility_id"], booking["capability_id"], booking["uscc"]) == ("F0002", "C0001", USCC)
    assert booking["created_at"].endswith("+00:00")
    assert [e["to_state"] for e in booking["events"]] == ["requested"]

    again = client.get(f"/api/v1/bookings/{booking['id']}", headers=partner)
    assert again.status_code == 200 and again.get_json()["id"] == booking["id"]
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers={"If-None-Match": again.headers["ETag"],
                                                                    **partner}).status_code == 304


def test_the_enterprise_account_behind_a_partner_booking_cannot_sign_in(client, registry, partner):
    assert book(client, partner).status_code == 201
    booking = registry.scalars(select(Booking)).one()
    with pytest.raises(SignInRefused):
        authenticate(registry, booking.enterprise.email, "")
    # The enterprise hears of the booking at its contact address, never at the reserved one.
    assert all(m.to_address != booking.enterprise.email for m in registry.scalars(select(OutboxMessage)))


def test_another_partner_cannot_see_or_cancel_the_booking(client, registry, partner, make_key):
    booking_id = book(client, partner).get_json()["id"]
    other = {"X-API-Key": make_key("read,book", partner="行业云")}
    assert client.get(f"/api/v1/bookings/{booking_id}", headers=other).status_code == 404
    response = client.post(f"/api/v1/bookings/{booking_id}/cancel", json={"reason": "x"}, headers=other)
    assert response.status_code == 404
    assert client.get(f"/api/v1/bookings/{booking_id + 1}", headers=partner).status_code == 404
    assert registry.scalar(select(Booking.state)) == "requested"


@pytest.mark.parametrize("overrides, field", [
    ({"service_date": service_day(1)}, "service_date"),  # sooner than the 3 days' lead time
    ({"service_date": service_day(-1)}, "service_date"),
    ({"quantity": 6}, "quantity"),  # daily capacity 5
    ({"capability_id": "C0002"}, "capability"),  # not bookable
    ({"voucher_no": "券"}, "voucher_no"),
    ({"enterprise": {"org_name": "某公司", "uscc": USCC[:-1] + ("0" if USCC[-1] != "0" else "1")}}, "enterprise.uscc"),
])
def test_a_request_the_rules_refuse_is_a_422_naming_the_field(client, registry, partner, overrides, field):
    response = book(client, partner, **overrides)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert registry.scalar(select(Booking.id)) is None


@pytest.mark.parametrize("body", [{}, {"quantity": "two"}, {"service_date": "tomorrow"}, {"enterprise": "x"}])
def test_malformed_bodies_are_422_with_the_fields(client, registry, partner, body):
    response = client.post("/api/v1/bookings", json={**booking_body(), **body} if body else {}, headers=partner)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_an_unknown_capability_is_a_404(client, registry, partner):
    assert book(client, partner, capability_id="C9999").status_code == 404
    assert book(client, partner, facility_id="F9999", capability_id="C0001").status_code == 404


def test_a_suspended_facility_cannot_be_booked(client, registry, partner):
    response = book(client, partner, facility_id="F0004", capability_id="C0001")
    assert response.status_code == 422 and "capability" in response.get_json()["error"]["fields"]


def test_a_full_day_is_a_409(client, registry, partner):
    assert book(client, partner, quantity=5).status_code == 201
    response = book(client, partner, quantity=1)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "fully_booked"


def test_cancel_with_a_reason_and_a_stale_version_is_a_409(client, registry, partner):
    booking = book(client, partner).get_json()
    url = f"/api/v1/bookings/{booking['id']}/cancel"
    assert client.post(url, json={"version": booking["version"]}, headers=partner).status_code == 422
    stale = client.post(url, json={"reason": "计划变更", "version": booking["version"] + 1}, headers=partner)
    assert stale.status_code == 409
    done = client.post(url, json={"reason": "计划变更", "version": booking["version"]}, headers=partner)
    assert done.status_code == 200 and done.get_json()["state"] == "cancelled"
    assert done.get_json()["events"][-1]["reason"] == "计划变更"
