"""Rows 2, 3, 6, 10, 11 and 14 of issue 13, at the edge of the app: one check of every `next`, security
headers with a nonce CSP on every answer, control characters refused before any view or database sees
them, out-of-range pages and dates refused, e-mail addresses that would add mail headers refused, and
unsendable mail given up instead of retried forever."""
import re
import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.models import Booking, OutboxMessage, User
from registry.models.base import utcnow
from registry.services.booking.notifications import send_pending
from registry.web.security import safe_next
from tests.factories import PASSWORD, csrf_token, post_form, user
from tests.security.conftest import service_day, sign_in_as

EVIL = ["/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "//evil.example", "/\\evil.example",
        "https://evil.example/", "/ /evil.example", "\t/evil.example", "/\r\nSet-Cookie:x=1"]


# --- Rows 2 and 11: redirects -------------------------------------------------------------------

@pytest.mark.parametrize("target", EVIL)
def test_row02_row11_safe_next_refuses_anything_but_a_plain_local_path(target):
    assert safe_next(target) is None


def test_row02_safe_next_keeps_local_paths():
    assert safe_next("/search?q=电缆&page=2") == "/search?q=电缆&page=2"


@pytest.mark.parametrize("query", ["%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%0D%0A%2Fevil.example",
                                   "%2F%5Cevil.example", "https%3A%2F%2Fevil.example"])
def test_row02_row11_language_switch_never_redirects_off_site(client, query):
    response = client.get(f"/lang/en?next={query}")
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example"])
def test_row02_row11_sign_in_never_redirects_off_site(client, session, target):
    account = user(session, "enterprise")
    response = client.post("/login", data={"email": account.email, "password": PASSWORD, "next": target,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"


# --- Row 3: headers -----------------------------------------------------------------------------

HEADERS = {"X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


@pytest.mark.parametrize("path", ["/", "/login", "/map", "/api/v1/facilities", "/api/v1/docs", "/no/such/page",
                                  "/static/maps/registry-map.js", "/map/districts.geojson"])
def test_row03_every_answer_carries_the_security_headers(client, registry, path):
    response = client.get(path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy and "base-uri 'self'" in policy
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'$", policy.split(";")[1].strip())
    assert "unsafe-inline" not in policy.split(";")[1] and "unsafe-eval" not in policy


@pytest.mark.parametrize("path", ["/search?q=电缆", "/map", "/facilities/F0001/map", "/api/v1/docs"])
def test_row03_every_inline_script_carries_the_answers_nonce(client, registry, path):
    response = client.get(path)
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
    tags = re.findall(r"<script\b[^>]*>", response.get_data(as_text=True))
    assert tags and all(f'nonce="{nonce}"' in tag or "src=" in tag for tag in tags), tags
    assert client.get(path).headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]


def test_row03_no_inline_event_handlers_in_pages(client, registry, session):
    sign_in_as(client, user(session, "auditor"))
    for path in ("/", "/search?q=电缆", "/facilities/F0001", "/audit/report", "/audit/"):
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", client.get(path).get_data(as_text=True)), path


# --- Row 6: control characters ------------------------------------------------------------------

def test_row06_nul_in_sign_in_and_sign_up_is_a_400(client, session):
    for path, data in (("/login", {"email": "a\x00@example.cn", "password": "x"}),
                       ("/register", {"org_name": "坏\x00公司", "email": "b@example.cn"})):
        response = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
        assert response.status_code == 400, path
    assert session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("path, status", [("/facilities/F0001?q=%00", 400), ("/search?q=a%00b", 400),
                                          ("/map/facilities.geojson?q=%01", 400), ("/facilities/F%000001", 404),
                                          ("/api/v1/facilities?q=%00", 422), ("/api/v1/facilities/F%000001", 404)])
def test_row06_control_characters_in_the_query_or_path_are_refused(client, registry, path, status):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)


def test_row06_keepers_and_auditors_pages_refuse_nul(client, session, world):
    sign_in_as(client, world.users["admin"])
    assert client.get("/admin/changes?actor=%00").status_code == 400
    assert client.get("/audit/gaps?quantity=%00").status_code == 400


@pytest.mark.parametrize("field", ["description", "enterprise.org_name", "contact_name"])
def test_row06_nul_in_an_api_booking_is_a_422_naming_the_field_and_stores_nothing(client, session, world, field):
    body = {"facility_id": "F0001", "capability_id": "C0001", "service_date": service_day(20).isoformat(),
            "quantity": 1, "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
            "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": "91330106000000902E"}}
    if "." in field:
        body["enterprise"]["org_name"] = "杭州\x00制造"
    else:
        body[field] = "校准\x00"
    before = session.scalar(select(func.count()).select_from(Booking))
    response = client.post("/api/v1/bookings", json=body, headers={"X-API-Key": world.keys["key_book"][1]})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == before


def test_row06_text_areas_keep_their_line_breaks_and_tabs(client, session, world):
    sign_in_as(client, world.users["enterprise"])
    data = {"capability": str(world.capabilities["F0002"]), "service_date": service_day(30).isoformat(),
            "quantity": "1", "description": "第一行\r\n\t第二行", "contact_name": "王工", "contact_phone": "0571-1"}
    response = post_form(client, "/facilities/F0002/book", data, token_from="/facilities/F0002/book")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# --- Row 10: pages and dates out of range ---------------------------------------------------------

@pytest.mark.parametrize("path, status", [
    ("/bookings?page=1000000000000000000000000000000", 404),
    ("/admin/changes?page=1000000000000000000000000000000", 404),
    ("/admin/actions?page=1000000000000000000000000000000", 404),
    ("/admin/changes?page=-3", 404),
    ("/admin/changes?page=" + "9" * 5000, 404),
    ("/bookings?page=-1", 404),
    ("/admin/changes?until=9999-12-31", 400),
    ("/admin/changes?since=0001-01-01", 400),
    ("/workspace/export?start=9999-12-31", 400),
    ("/workspace/export?start=2026-01-01&end=0001-01-01", 400),
])
def test_row10_out_of_range_pages_and_dates_are_4xx_not_500(client, session, world, path, status):
    sign_in_as(client, world.users["admin"])
    assert client.get(path).status_code == status


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_row10_load_view_refuses_dates_at_the_ends_of_the_calendar(client, session, world, start):
    sign_in_as(client, world.users["operator"])
    response = client.get(f"/workspace/capabilities/{world.capabilities['F0001']}/load?start={start}")
    assert response.status_code == 400


# --- Row 14: e-mail addresses with control characters, and send-mail -------------------------------

HEADER_INJECTION = "li@cable.cn\r\nBcc: all@evil.example"


def test_row14_contact_email_with_crlf_is_refused_on_the_booking_page(client, session, world):
    sign_in_as(client, world.users["enterprise"])
    data = {"capability": str(world.capabilities["F0002"]), "service_date": service_day(30).isoformat(),
            "quantity": "1", "description": "校准", "contact_name": "王工", "contact_phone": "0571-1",
            "contact_email": HEADER_INJECTION}
    before = session.scalar(select(func.count()).select_from(Booking))
    response = post_form(client, "/facilities/F0002/book", data, token_from="/facilities/F0002/book")
    assert response.status_code == 400
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == before


def test_row14_contact_email_with_crlf_is_refused_by_the_api(client, session, world):
    body = {"facility_id": "F0001", "capability_id": "C0001", "service_date": service_day(20).isoformat(),
            "quantity": 1, "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
            "contact_email": HEADER_INJECTION,
            "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": "91330106000000902E"}}
    response = client.post("/api/v1/bookings", json=body, headers={"X-API-Key": world.keys["key_book"][1]})
    assert response.status_code == 422 and "contact_email" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("failure", [None, smtplib.SMTPRecipientsRefused({"x@y.cn": (550, b"no such user")})])
def test_row14_send_mail_gives_up_an_unsendable_message_instead_of_retrying_forever(session, failure):
    session.add(OutboxMessage(to_address=HEADER_INJECTION if failure is None else "x@y.cn", subject="s", body="b"))
    session.commit()
    tried = []

    def transport(message):
        tried.append(message.id)
        if failure is not None:
            raise failure

    now = utcnow()
    assert send_pending(session, transport, now=now) == (0, 1)
    assert send_pending(session, transport, now=now + timedelta(days=30)) == (0, 0)
    message = session.scalars(select(OutboxMessage)).one()
    assert message.given_up_at is not None and message.sent_at is None and message.attempts == 1
    assert len(tried) == (0 if failure is None else 1)


def test_row14_a_passing_server_failure_is_still_retried(session):
    session.add(OutboxMessage(to_address="x@y.cn", subject="s", body="b"))
    session.commit()

    def transport(message):
        raise ConnectionRefusedError("down")

    now = utcnow()
    assert send_pending(session, transport, now=now) == (0, 1)
    assert send_pending(session, transport, now=now + timedelta(days=1)) == (0, 1)
    assert session.scalars(select(OutboxMessage)).one().given_up_at is None


def test_row14_sign_up_refuses_an_address_with_a_line_break(client, session):
    data = {"org_name": "杭州测试电缆有限公司", "uscc": "91330106000000902E", "name": "李工", "email": HEADER_INJECTION,
            "password": PASSWORD, "confirm": PASSWORD}
    assert post_form(client, "/register", data, token_from="/register").status_code == 400
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_row03_opener_and_permissions_policies_everywhere_and_hsts_over_https(client, registry):
    for path in ("/", "/api/v1/facilities"):
        plain = client.get(path)
        assert plain.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in plain.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in plain.headers  # a plain-HTTP answer cannot set it
        secure = client.get(path, base_url="https://localhost")
        assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


# --- Row 18: one error style ----------------------------------------------------------------------

def test_row18_api_errors_have_a_stable_code_and_a_message_in_the_callers_language(client, session, world):
    key = {"X-API-Key": world.keys["key_book"][1]}
    english = client.get("/api/v1/bookings/999999", headers={**key, "Accept-Language": "en"}).get_json()["error"]
    chinese = client.get("/api/v1/bookings/999999", headers=key).get_json()["error"]
    assert english["code"] == chinese["code"] == "not_found"
    assert english["message"] == "No such booking." and re.search(r"[\u4e00-\u9fff]", chinese["message"])
