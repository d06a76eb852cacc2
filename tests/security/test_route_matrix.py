"""The role × action matrix over every route of app.url_map: each principal (anonymous, every role,
a district-bound auditor, API keys of each scope) against each route, with its own objects and with
another operator's, district's, enterprise's or partner's. A route that is not classified in ROUTES
fails `test_every_route_is_classified`, so a new route cannot escape the matrix.

Outcomes: "ok" (the view ran: 2xx, a redirect elsewhere than the sign-in page, or a 400/409/422 about the
input), "login" (302 to the sign-in page), 401, 403, 404. No cell may answer 5xx.
"""
from dataclasses import dataclass, field

import pytest

from tests.factories import csrf_token
from tests.security.conftest import KEY_PRINCIPALS, PRINCIPALS, ROLE_OF, WEB_PRINCIPALS, service_day, sign_in_as

ALL_ROLES = ("enterprise", "operator", "auditor", "admin")


@dataclass(frozen=True)
class Web:
    """A page: `roles` may open it (None: anyone; ALL_ROLES: anyone signed in); the principals in
    `scoped` get 404 for another's object; `cells` overrides single (principal, variant) outcomes."""

    roles: tuple | None = None
    scoped: tuple = ()
    cells: dict = field(default_factory=dict)
    body: dict | None = None


@dataclass(frozen=True)
class Api:
    """An API route needing `scope` ("read": also without a key); `scoped`: another key's object is 404."""

    scope: str = "read"
    scoped: bool = False
    body: dict | None = None


PUBLIC = Web()
SIGNED_IN = Web(roles=ALL_ROLES)
KEEPERS = ("admin", "operator")
AUDIT = Web(roles=("auditor", "admin"))
CITY_AUDIT = Web(roles=("auditor", "admin"), cells={("auditor_district", "own"): 403})
BOOKING_SCOPED = ("enterprise", "operator", "auditor_district")


def api_booking_body():
    return {"facility_id": "F0001", "capability_id": "C0001", "service_date": service_day(12).isoformat(),
            "quantity": 1, "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
            "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": "91330106000000902E"}}


# endpoint, method -> (URL with placeholders, policy). Placeholders: {facility} {capability} {booking} {change}
# {job} {token} {api_booking} (own/other per principal), {user} {key} (fixed objects of the admin pages).
ROUTES = {
    ("pages.home", "GET"): ("/", PUBLIC),
    ("pages.set_language", "GET"): ("/lang/en?next=/search", PUBLIC),
    ("static", "GET"): ("/static/maps/registry-map.js", PUBLIC),
    # Probes and metrics answer anyone: the proxy keeps /metrics to the host (docs/deploy/nginx).
    ("ops.healthz", "GET"): ("/healthz", PUBLIC),
    ("ops.readyz", "GET"): ("/readyz", PUBLIC),
    ("ops.metrics_text", "GET"): ("/metrics", PUBLIC),
    ("maps.map_page", "GET"): ("/map", PUBLIC),
    ("maps.facility_points", "GET"): ("/map/facilities.geojson", PUBLIC),
    ("maps.districts", "GET"): ("/map/districts.geojson", PUBLIC),
    ("search.results", "GET"): ("/search?q=电缆", PUBLIC),
    ("pages.terms", "GET"): ("/terms", PUBLIC),
    ("pages.favicon", "GET"): ("/favicon.ico", PUBLIC),
    ("search.facility", "GET"): ("/facilities/{facility}", PUBLIC),
    ("search.facility_map_page", "GET"): ("/facilities/{facility}/map", PUBLIC),
    ("plan.form", "GET"): ("/plan", PUBLIC),
    ("plan.answer", "POST"): ("/plan", Web(body={"items": "导体直流电阻"})),
    ("plan.map_page", "GET"): ("/plan/map?f=F0001", PUBLIC),
    ("plan.points", "GET"): ("/plan/points.geojson?f=F0001", PUBLIC),
    ("search.facility_scope_workbook", "GET"): ("/facilities/{facility}/scope.xlsx",
                                                Web(roles=KEEPERS, scoped=("operator",))),
    ("auth.login", "GET"): ("/login", PUBLIC),
    ("auth.login", "POST"): ("/login", PUBLIC),
    ("auth.register", "GET"): ("/register", PUBLIC),
    ("auth.register", "POST"): ("/register", PUBLIC),
    ("auth.check_mail", "GET"): ("/check-mail/register", PUBLIC),
    # A mailed link's token is the key: a forged one is a 400 page for anyone.
    ("auth.confirm_registration", "GET"): ("/register/confirm/not-a-token", PUBLIC),
    ("auth.confirm_registration", "POST"): ("/register/confirm/not-a-token", PUBLIC),
    ("auth.forgot_password", "GET"): ("/password/forgot", PUBLIC),
    ("auth.forgot_password", "POST"): ("/password/forgot", PUBLIC),
    ("auth.reset_password", "GET"): ("/password/reset/not-a-token", PUBLIC),
    ("auth.reset_password", "POST"): ("/password/reset/not-a-token", PUBLIC),
    ("auth.logout", "POST"): ("/logout", SIGNED_IN),
    ("auth.password", "GET"): ("/account/password", SIGNED_IN),
    ("auth.password", "POST"): ("/account/password", SIGNED_IN),
    ("bookings.book", "GET"): ("/facilities/{facility}/book", Web(roles=("enterprise",))),
    ("bookings.book", "POST"): ("/facilities/{facility}/book", Web(roles=("enterprise",))),
    ("bookings.availability", "GET"): ("/facilities/{facility}/book/availability", Web(roles=("enterprise",))),
    ("bookings.index", "GET"): ("/bookings", SIGNED_IN),
    ("bookings.detail", "GET"): ("/bookings/{booking}", Web(roles=ALL_ROLES, scoped=BOOKING_SCOPED)),
    ("bookings.booking_ics", "GET"): ("/bookings/{booking}.ics", Web(roles=ALL_ROLES, scoped=BOOKING_SCOPED)),
    # Auditors and admins see bookings but take no part in them (403 from the workflow).
    ("bookings.act", "POST"): ("/bookings/{booking}/cancel", Web(roles=ALL_ROLES, scoped=BOOKING_SCOPED, cells={
        ("auditor_city", "own"): 403, ("auditor_city", "other"): 403, ("admin", "own"): 403,
        ("admin", "other"): 403, ("auditor_district", "own"): 403}, body={"version": "1", "reason": "测试"})),
    ("bookings.notifications", "GET"): ("/notifications", SIGNED_IN),
    ("bookings.notifications_read", "POST"): ("/notifications/read", SIGNED_IN),
    ("bookings.calendars", "GET"): ("/calendars", SIGNED_IN),
    ("bookings.calendars_revoke", "POST"): ("/calendars/revoke", SIGNED_IN),
    # The token is the key: whoever holds a live one reads the feed, any other token is 404.
    ("bookings.feed", "GET"): ("/calendar/{token}.ics", Web(cells={(p, "other"): 404 for p in PRINCIPALS})),
    ("workspace.index", "GET"): ("/workspace/", Web(roles=("operator",))),
    ("workspace.load", "GET"): ("/workspace/capabilities/{capability}/load",
                                Web(roles=("operator", "auditor", "admin"), scoped=("operator", "auditor_district"))),
    ("workspace.export", "GET"): ("/workspace/export", Web(roles=("operator", "auditor", "admin"))),
    ("workspace.edit", "GET"): ("/workspace/facilities/{facility}/edit",
                                Web(roles=("operator",), scoped=("operator",))),
    ("workspace.edit_save", "POST"): ("/workspace/facilities/{facility}/edit",
                                      Web(roles=("operator",), scoped=("operator",))),
    ("workspace.capability_save", "POST"): ("/workspace/facilities/{facility}/capabilities/{capability}",
                                            Web(roles=("operator",), scoped=("operator",))),
    ("audit.dashboard", "GET"): ("/audit/", AUDIT),
    ("audit.district_map", "GET"): ("/audit/map", AUDIT),
    ("audit.gaps", "GET"): ("/audit/gaps", AUDIT),
    ("audit.accessibility", "GET"): ("/audit/access", AUDIT),
    ("audit.accessibility", "POST"): ("/audit/access", AUDIT),
    ("audit.accessibility_map", "GET"): ("/audit/access/map", AUDIT),
    ("audit.export", "GET"): ("/audit/export/districts.csv", AUDIT),
    ("audit.report", "GET"): ("/audit/report", AUDIT),
    ("audit.definitions_page", "GET"): ("/audit/definitions", AUDIT),
    ("audit.unmet", "GET"): ("/audit/unmet", AUDIT),
    ("audit.unmet_map", "GET"): ("/audit/unmet/map", AUDIT),
    ("audit.unmet_export", "GET"): ("/audit/unmet/export.csv", AUDIT),
    ("audit.public_standards", "GET"): ("/audit/public-standards", AUDIT),
    ("audit.public_standards_map", "GET"): ("/audit/public-standards/map", AUDIT),
    ("audit.public_standards_export", "GET"): ("/audit/public-standards/export/standards.csv", AUDIT),
    ("audit.access_sensitivity", "GET"): ("/audit/access/sensitivity?catchments=10", AUDIT),
    # Demand layers and outside supply are the city's: admins and city-wide auditors only.
    ("audit.demand_layers_page", "GET"): ("/audit/access/layers", CITY_AUDIT),
    ("audit.import_layer", "POST"): ("/audit/access/layers", CITY_AUDIT),
    ("audit.import_outside", "POST"): ("/audit/access/outside", CITY_AUDIT),
    ("audit.delete_layer", "POST"): ("/audit/access/layers/999999/delete", Web(roles=("auditor", "admin"), cells={
        ("auditor_district", "own"): 403, ("auditor_city", "own"): 404, ("admin", "own"): 404})),
    ("admin.index", "GET"): ("/admin/", Web(roles=KEEPERS)),
    ("admin.upload_form", "GET"): ("/admin/uploads", Web(roles=KEEPERS)),
    ("admin.upload", "POST"): ("/admin/uploads", Web(roles=KEEPERS)),
    ("admin.upload_template", "GET"): ("/admin/uploads/template/workbook.xlsx", Web(roles=KEEPERS)),
    # A scope upload names its facility in the form: another's is a 403 (tests/admin/test_scope_uploads.py);
    # a POST without a file or facility is a 400 about the input.
    ("admin.scope_upload_form", "GET"): ("/admin/uploads/scope", Web(roles=KEEPERS)),
    ("admin.scope_upload", "POST"): ("/admin/uploads/scope", Web(roles=KEEPERS)),
    ("admin.upload_job", "GET"): ("/admin/uploads/{job}", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.upload_progress", "GET"): ("/admin/uploads/{job}/progress", Web(roles=KEEPERS, scoped=("operator",))),
    # A failed job has no rejects file: 404 even for its owner, never another's file.
    ("admin.upload_rejects", "GET"): ("/admin/uploads/{job}/rejects.xlsx", Web(roles=KEEPERS, scoped=("operator",),
                                      cells={("operator", "own"): 404, ("admin", "own"): 404,
                                             ("admin", "other"): 404})),
    ("admin.upload_confirm", "POST"): ("/admin/uploads/{job}/confirm", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.upload_cancel", "POST"): ("/admin/uploads/{job}/cancel", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.quality", "GET"): ("/admin/quality", Web(roles=KEEPERS)),
    ("admin.change_log", "GET"): ("/admin/changes", Web(roles=KEEPERS)),
    ("admin.change", "GET"): ("/admin/changes/{change}", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.restore", "POST"): ("/admin/changes/{change}/restore", Web(roles=("admin",))),
    ("admin.restore_preview", "GET"): ("/admin/changes/{change}/restore", Web(roles=("admin",))),
    ("admin.edit_facility", "GET"): ("/admin/facilities/{facility}/edit", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.edit_facility", "POST"): ("/admin/facilities/{facility}/edit", Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.edit_capability", "GET"): ("/admin/facilities/{facility}/capabilities/C0001/edit",
                                       Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.edit_capability", "POST"): ("/admin/facilities/{facility}/capabilities/C0001/edit",
                                        Web(roles=KEEPERS, scoped=("operator",))),
    ("admin.admin_actions", "GET"): ("/admin/actions", Web(roles=("admin",))),
    ("admin.users", "GET"): ("/admin/users", Web(roles=("admin",))),
    ("admin.invite", "POST"): ("/admin/users", Web(roles=("admin",))),
    ("admin.update_user", "POST"): ("/admin/users/{user}", Web(roles=("admin",))),
    ("admin.set_active", "POST"): ("/admin/users/{user}/active", Web(roles=("admin",))),
    ("admin.keys", "GET"): ("/admin/keys", Web(roles=("admin",))),
    ("admin.create_key", "POST"): ("/admin/keys", Web(roles=("admin",))),
    ("admin.revoke_key", "POST"): ("/admin/keys/{key}/revoke", Web(roles=("admin",))),
    ("api-docs.openapi_json", "GET"): ("/api/v1/openapi.json", Api()),
    ("api-docs.openapi_swagger_ui", "GET"): ("/api/v1/docs", Api()),
    ("api_facilities.list_facilities", "GET"): ("/api/v1/facilities", Api()),
    ("api_facilities.get_facility", "GET"): ("/api/v1/facilities/{facility}", Api()),
    ("api_facilities.facility_capabilities", "GET"): ("/api/v1/facilities/{facility}/capabilities", Api()),
    ("api_facilities.facility_scope_workbook", "GET"): ("/api/v1/facilities/{facility}/scope.xlsx", Api()),
    ("api_facilities.facilities_geojson", "GET"): ("/api/v1/facilities.geojson", Api()),
    ("api_capabilities.list_capabilities", "GET"): ("/api/v1/capabilities", Api()),
    ("api_changes.list_changes", "GET"): ("/api/v1/changes", Api()),
    ("api_plan.plan_coverage_view", "POST"): ("/api/v1/plan/coverage", Api(body=lambda: {"items": ["导体直流电阻"]})),
    ("api_districts.list_districts", "GET"): ("/api/v1/districts", Api()),
    ("api_districts.get_district", "GET"): ("/api/v1/districts/330109", Api()),
    ("api_audit.get_audit", "GET"): ("/api/v1/audit", Api(scope="audit")),
    ("api_bookings.create_booking", "POST"): ("/api/v1/bookings", Api(scope="book", body=api_booking_body)),
    ("api_bookings.get_booking", "GET"): ("/api/v1/bookings/{api_booking}", Api(scope="book", scoped=True)),
    ("api_bookings.cancel_booking", "POST"): ("/api/v1/bookings/{api_booking}/cancel",
                                              Api(scope="book", scoped=True, body=lambda: {"reason": "不需要了"})),
}
# The docs pages are the API's but need no key, and ignore one.
OPEN_API_DOCS = {("api-docs.openapi_json", "GET"), ("api-docs.openapi_swagger_ui", "GET")}
OBJECTS = ("{facility}", "{capability}", "{booking}", "{change}", "{job}", "{token}", "{api_booking}")


def app_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_classified(app):
    """A new route (or method) must be added to ROUTES with who may use it; a removed one taken out."""
    routes = app_routes(app)
    assert not routes - ROUTES.keys(), f"routes missing from the security matrix: {sorted(routes - ROUTES.keys())}"
    assert not ROUTES.keys() - routes, f"matrix entries without a route: {sorted(ROUTES.keys() - routes)}"


def matrix_size(app) -> tuple[int, int, int]:
    """(routes, principals, cells): cells count each object-bearing route twice (own and other)."""
    cells = sum(len(PRINCIPALS) * (2 if any(o in ROUTES[r][0] for o in OBJECTS) else 1) for r in app_routes(app))
    return len(app_routes(app)), len(PRINCIPALS), cells


def expected(route: tuple[str, str], principal: str, variant: str):
    path, policy = ROUTES[route]
    if isinstance(policy, Api):
        if route in OPEN_API_DOCS or (policy.scope == "read" and principal not in KEY_PRINCIPALS):
            return "ok"
        scopes = {"key_read": {"read"}, "key_book": {"read", "book"}, "key_audit": {"audit"}}.get(principal)
        if scopes is None:
            return 401
        if policy.scope not in scopes:
            return 403
        return 404 if policy.scoped and variant == "other" else "ok"
    if (principal, variant) in policy.cells:
        return policy.cells[(principal, variant)]
    if policy.roles is None:
        return "ok"
    if principal not in WEB_PRINCIPALS:
        return "login"
    if ROLE_OF[principal] not in policy.roles:
        return 403
    return 404 if variant == "other" and principal in policy.scoped else "ok"


def outcome(response):
    status = response.status_code
    if status in (301, 302, 303) and response.headers.get("Location", "").startswith("/login"):
        return "login"
    if status in (401, 403, 404):
        return status
    return "ok"


def build_url(path: str, world, principal: str, variant: str) -> str:
    facility = world.facility_for(principal, variant)
    values = {
        "facility": facility, "capability": world.capabilities[facility],
        "booking": world.booking_for(principal, variant), "change": world.changes[facility],
        "job": world.job_for(principal, variant),
        "token": world.feed_token if variant == "own" else "no-such-feed",
        "api_booking": world.bookings["KB1" if variant == "own" else "KB2"],
        "user": world.users["enterprise2"].id, "key": world.keys["key_read"][0].id,
    }
    return path.format(**values)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[1]} {r[0]}")
def test_route_answers_each_principal_as_classified(app, client, route, world):
    if route not in app_routes(app):
        pytest.skip("no such route (test_every_route_is_classified says so)")
    path, policy = ROUTES[route]
    variants = ("other", "own") if any(o in path for o in OBJECTS) else ("own",)
    wrong = []
    for principal in PRINCIPALS:
        for variant in variants:
            client = app.test_client()
            headers = {}
            if principal in WEB_PRINCIPALS:
                sign_in_as(client, world.users[principal])
            elif principal in KEY_PRINCIPALS:
                headers["X-API-Key"] = world.keys[principal][1]
            url = build_url(path, world, principal, variant)
            if route[1] == "POST":
                if isinstance(policy, Api):
                    body = policy.body() if policy.body else {}
                    response = client.post(url, json=body, headers=headers)
                else:
                    data = {**(policy.body or {}), "csrf_token": csrf_token(client, "/login")}
                    response = client.post(url, data=data, headers=headers)
            else:
                response = client.get(url, headers=headers)
            assert response.status_code < 500, (principal, variant, url, response.get_data(as_text=True)[:300])
            want, got = expected(route, principal, variant), outcome(response)
            if want != got:
                wrong.append((principal, variant, url, want, got, response.status_code))
    assert not wrong, "\n".join(map(str, wrong))


def test_matrix_covers_every_route_for_every_principal(app):
    routes, principals, cells = matrix_size(app)
    assert (routes, principals) == (len(ROUTES), 9) and cells >= routes * principals
