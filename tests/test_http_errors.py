"""One error contract: every error has a snake_case code; the API (and JSON callers) always get the envelope,
werkzeug's own errors and unexpected failures included; HTML callers get a page."""
import re

import pytest

import registry.api  # noqa: F401  (imports every module that defines an error)
from registry.errors import RegistryError, snake_case

SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def every_error(cls=RegistryError):
    for sub in cls.__subclasses__():
        yield sub
        yield from every_error(sub)


def test_every_registry_error_has_a_snake_case_code():
    errors = [RegistryError, *every_error()]
    assert len(errors) > 10
    for error in errors:
        assert SNAKE.match(error.code), (error, error.code)
    codes = {e.__name__: e.code for e in errors}
    assert (codes["NotFound"], codes["BadCursor"], codes["FullyBooked"], codes["BookingError"]) == (
        "not_found", "invalid_cursor", "fully_booked", "booking_error")


@pytest.mark.parametrize("name, code", [("FullyBooked", "fully_booked"), ("Method Not Allowed", "method_not_allowed"),
                                        ("I'm a teapot", "im_a_teapot"), ("Request Entity Too Large",
                                                                         "request_entity_too_large")])
def test_snake_case(name, code):
    assert snake_case(name) == code


def envelope(response):
    body = response.get_json()
    assert response.mimetype == "application/json" and set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", "request_id"} and SNAKE.match(body["error"]["code"])
    return body["error"]


def test_api_body_over_the_limit_is_a_413_envelope(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/api/v1/bookings", data=b"{" + b" " * 5000 + b"}", content_type="application/json")
    assert response.status_code == 413
    assert envelope(response)["code"] == "request_entity_too_large"


def test_unexpected_failure_is_a_500_envelope_in_the_api_and_a_page_elsewhere(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("registry.api.districts.district_figures", broken)
    response = client.get("/api/v1/districts/330106")
    assert response.status_code == 500
    error = envelope(response)
    assert error["code"] == "internal_error" and "boom" not in error["message"]
    page = client.get("/api/v1/districts/330106".replace("/api/v1", "/no-such-page"))
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_pages_answer_json_callers_with_the_envelope_and_browsers_with_a_page(client):
    as_json = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and envelope(as_json)["code"] == "not_found"
    as_html = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert as_html.status_code == 404 and as_html.mimetype == "text/html" and "404" in as_html.get_data(as_text=True)


def test_api_wrong_method_and_unknown_route_are_envelopes(client):
    assert envelope(client.delete("/api/v1/facilities"))["code"] == "method_not_allowed"
    assert envelope(client.get("/api/v1/nothing", headers={"Accept": "text/html"}))["code"] == "not_found"
