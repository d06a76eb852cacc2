"""Every journey at a phone's 390×844 and a laptop's 1366×900: nothing wider than the screen, a header that
never wraps one character per line, the results map one tap away on a phone; screenshots of every page kept
as tests/browser/artifacts/<journey>-<page>-<phone|desktop>.png (look at them). Every page of the app is in a
journey (test_every_page_is_in_a_journey holds the list to the URL map)."""

import pytest
from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, PageLog, book_a_service, new_guarded_page, run_flask, shoot, sign_in
from tests.factories import capability, facility, write_dataset
from tests.web.test_one_language import NOT_PAGES

FACILITY = "DEMO-F0003"  # active, with bookable capabilities in the demo data
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ACCOUNTS = {
    "enterprise": ("layout-ent@browser.cn", ["--role", "enterprise", "--name", "王小明", "--org-name",
                                             "杭州版式测试有限公司", "--uscc", make_uscc("91330109", "L0000001")]),
    "operator": ("layout-op@browser.cn", ["--role", "operator", "--name", "赵主任", "--facility", FACILITY]),
    "auditor": ("layout-audit@browser.cn", ["--role", "auditor", "--name", "钱科长"]),
    "admin": ("layout-admin@browser.cn", ["--role", "admin", "--name", "孙管理员"]),
}
def first_load_page(page) -> str:
    """The day-by-day load of the operator's first bookable service, as the workspace links it."""
    page.goto("/workspace/")
    return page.locator("#load a").first.get_attribute("href")


def uploaded_job(page, tmp_path_factory) -> str:
    """An upload with a problem and a change to preview, sent through the form: its job page."""
    folder = tmp_path_factory.mktemp("layout-upload")
    paths = write_dataset(folder, [facility(901, facility_id="LAYOUT-0001", name="版式测试检测中心（上传）"),
                                   facility(902, facility_id="LAYOUT-0002", name="有错误的中心", kind="lab")],
                          [capability(901, 1, facility_id="LAYOUT-0001", name="振动试验", price_cny="面议")])
    page.goto("/admin/uploads")
    page.set_input_files("#files", [str(p) for p in paths])
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#issues")).to_be_visible()
    return page.url.removeprefix(page.url.split("/admin")[0])


# name -> (role, [(page, path or a function of the signed-in page and its fixtures giving the path)])
JOURNEYS = {
    "enterprise": ("enterprise", [
        ("home", "/"), ("search", "/search?q=压力"), ("facility", f"/facilities/{FACILITY}"),
        ("facility-map", f"/facilities/{FACILITY}/map"), ("book", f"/facilities/{FACILITY}/book"),
        ("bookings", "/bookings"), ("booking", lambda page, ctx: f"/bookings/{ctx['booking']}"),
        ("notifications", "/notifications"), ("plan", "/plan"),
        ("plan-map", f"/plan/map?f={FACILITY}&f=DEMO-F0001"), ("password", "/account/password")]),
    "visitor": (None, [("login", "/login"), ("register", "/register"), ("check-mail", "/check-mail/register"),
                       ("forgot-password", "/password/forgot"), ("terms", "/terms"), ("map", "/map"),
                       ("english-search", "/search?q=pressure&lang=en")]),
    "operator": ("operator", [("workspace", "/workspace/"), ("edit", f"/workspace/facilities/{FACILITY}/edit"),
                              ("load", lambda page, ctx: first_load_page(page)), ("bookings", "/bookings"),
                              ("notifications", "/notifications"), ("calendars", "/calendars")]),
    "auditor": ("auditor", [("dashboard", "/audit/"), ("map", "/audit/map"), ("gaps", "/audit/gaps"),
                            ("access", "/audit/access"), ("access-map", "/audit/access/map"),
                            ("sensitivity", "/audit/access/sensitivity"), ("layers", "/audit/access/layers"),
                            ("unmet", "/audit/unmet"), ("unmet-map", "/audit/unmet/map"),
                            ("public-standards", "/audit/public-standards"),
                            ("public-standards-map", "/audit/public-standards/map"),
                            ("definitions", "/audit/definitions"), ("report", "/audit/report")]),
    "admin": ("admin", [
        ("uploads", "/admin/uploads"), ("scope-upload", "/admin/uploads/scope"),
        ("upload-job", lambda page, ctx: uploaded_job(page, ctx["tmp"])),
        ("users", "/admin/users"), ("changes", "/admin/changes"), ("change", "/admin/changes/1"),
        ("restore", "/admin/changes/1/restore"), ("facility-edit", f"/admin/facilities/{FACILITY}/edit"),
        ("capability-edit", f"/admin/facilities/{FACILITY}/capabilities/C0001/edit"),
        ("capability-new", f"/admin/facilities/{FACILITY}/capabilities/new"), ("keys", "/admin/keys"),
        ("quality", "/admin/quality"), ("actions", "/admin/actions")]),
    "partner": (None, [("api-docs", "/api/v1/docs")]),
}
# Answers that are files, JSON or redirects (test_one_language.NOT_PAGES), and a calendar's JSON
NOT_SCREENS = NOT_PAGES | {"bookings.availability", "search.facility_scope_workbook", "admin.upload_template",
                           "audit.unmet_export", "audit.public_standards_export", "plan.points"}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# a header link or button taller than two lines of text has wrapped one character per line
TALL_HEADER_ITEMS = """() => [...document.querySelectorAll('header a, header button')]
  .filter(e => e.offsetParent !== null
               && e.getBoundingClientRect().height > 2.6 * parseFloat(getComputedStyle(e).fontSize))
  .map(e => e.textContent.trim())"""


@pytest.fixture(scope="module")
def layout_accounts(live_env):
    for email, options in ACCOUNTS.values():
        run_flask(live_env, "user", "create", "--email", email, "--password", PASSWORD, *options)
    return {role: email for role, (email, _) in ACCOUNTS.items()}


@pytest.fixture(scope="module")
def layout_booking(browser, live_server, layout_accounts) -> int:
    """A booking of the layout enterprise at the layout operator's facility, made through the form."""
    context, page = new_guarded_page(browser, live_server, PageLog())
    sign_in(page, layout_accounts["enterprise"])
    url, _service = book_a_service(page, FACILITY, "两个样品，需出具报告")
    booking = int(url.rsplit("/", 1)[1])
    context.close()
    return booking


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    yield request.param, page
    context.close()
    assert not page_log.foreign, f"requests left 127.0.0.1: {page_log.foreign}"


def test_every_page_is_in_a_journey(app):
    """Each GET route that answers a page (as the language test finds them) is visited by a journey."""
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods
              and rule.endpoint not in NOT_SCREENS and not rule.endpoint.startswith("api")}
    visited = set()
    for _role, pages in JOURNEYS.values():
        for _name, path in pages:
            if callable(path):
                continue
            visited.add(app.url_map.bind("127.0.0.1").match(path.split("?")[0], method="GET")[0])
    dynamic = {"bookings.detail", "workspace.load", "admin.upload_job"}  # the journeys' functions give these
    # pages a mailed link opens (its token): test_accounts_in_browser.py visits them, at 390 px too
    dynamic |= {"auth.confirm_registration", "auth.reset_password"}
    assert routes - visited - dynamic == set()


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_every_page_of_a_journey_fits_the_screen(journey, sized_page, layout_accounts, layout_booking,
                                                 tmp_path_factory):
    size, page = sized_page
    role, pages = JOURNEYS[journey]
    if role:
        sign_in(page, layout_accounts[role])  # at the context's desktop size, where the name shows
    page.set_viewport_size(SIZES[size])
    context = {"booking": layout_booking, "tmp": tmp_path_factory}
    problems = []
    for name, path in pages:
        if callable(path):
            path = path(page, context)
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("load")
        shoot(page, f"{journey}-{name}-{size}")
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            problems.append(f"{path}: {overflow} px wider than the screen")
        tall = page.evaluate(TALL_HEADER_ITEMS)
        if tall:
            problems.append(f"{path}: header items wrap: {tall}")
    assert not problems, problems


def test_phone_header_collapses_into_a_menu(page, layout_accounts):
    sign_in(page, layout_accounts["enterprise"])
    page.set_viewport_size(SIZES["phone"])
    page.goto("/")
    toggle = page.locator("#menu-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#signed-in")).to_be_hidden()
    toggle.click()  # a tap, not a hover: WeChat's browser has no hover
    expect(page.locator("#signed-in")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    shoot(page, "enterprise-menu-phone")
    page.set_viewport_size(SIZES["desktop"])
    expect(toggle).to_be_hidden()
    expect(page.locator("#signed-in")).to_be_visible()


def test_phone_reaches_the_results_map_from_the_top(page):
    page.set_viewport_size(SIZES["phone"])
    page.goto("/search?q=压力")
    show_map = page.locator("#view-map")
    expect(show_map).to_be_visible()
    assert show_map.bounding_box()["y"] < SIZES["phone"]["height"], "the map switch is below the first screen"
    show_map.click()
    frame = page.locator("#results-map")
    expect(frame).to_be_visible()
    box = frame.bounding_box()
    assert box["y"] < SIZES["phone"]["height"] and box["height"] > 300
    expect(page.locator(".hits")).to_be_hidden()
    shoot(page, "enterprise-search-map-phone")
    page.locator("#view-list").click()
    expect(page.locator(".hits")).to_be_visible()
