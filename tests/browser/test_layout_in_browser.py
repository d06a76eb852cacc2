"""Every journey at a phone's 390×844 and a laptop's 1366×900: nothing wider than the screen, a header that
never wraps one character per line, the results map one tap away on a phone; screenshots of every page kept
as tests/browser/artifacts/<journey>-<page>-<phone|desktop>.png (look at them)."""
import pytest
from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, new_guarded_page, run_flask, shoot, sign_in

FACILITY = "DEMO-F0003"  # active, with bookable capabilities in the demo data
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
ACCOUNTS = {
    "enterprise": ("layout-ent@browser.cn", ["--role", "enterprise", "--name", "王小明", "--org-name",
                                             "杭州版式测试有限公司", "--uscc", make_uscc("91330109", "L0000001")]),
    "operator": ("layout-op@browser.cn", ["--role", "operator", "--name", "赵主任", "--facility", FACILITY]),
    "auditor": ("layout-audit@browser.cn", ["--role", "auditor", "--name", "钱科长"]),
    "admin": ("layout-admin@browser.cn", ["--role", "admin", "--name", "孙管理员"]),
}
JOURNEYS = {
    "enterprise": ("enterprise", [("home", "/"), ("search", "/search?q=压力"), ("facility", f"/facilities/{FACILITY}"),
                                  ("book", f"/facilities/{FACILITY}/book"), ("bookings", "/bookings")]),
    "visitor": (None, [("login", "/login"), ("register", "/register"), ("check-mail", "/check-mail/register"),
                       ("forgot-password", "/password/forgot"), ("map", "/map"),
                       ("english-search", "/search?q=pressure&lang=en")]),
    "operator": ("operator", [("workspace", "/workspace/"), ("edit", f"/workspace/facilities/{FACILITY}/edit"),
                              ("bookings", "/bookings"), ("calendars", "/calendars")]),
    "auditor": ("auditor", [("dashboard", "/audit/"), ("gaps", "/audit/gaps"), ("access", "/audit/access"),
                            ("report", "/audit/report")]),
    "admin": ("admin", [("uploads", "/admin/uploads"), ("users", "/admin/users"), ("changes", "/admin/changes"),
                        ("keys", "/admin/keys"), ("quality", "/admin/quality"), ("actions", "/admin/actions")]),
    "partner": (None, [("api-docs", "/api/v1/docs")]),
}
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


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    yield request.param, page
    context.close()
    assert not page_log.foreign, f"requests left 127.0.0.1: {page_log.foreign}"


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_every_page_of_a_journey_fits_the_screen(journey, sized_page, layout_accounts):
    size, page = sized_page
    role, pages = JOURNEYS[journey]
    if role:
        sign_in(page, layout_accounts[role])  # at the context's desktop size, where the name shows
    page.set_viewport_size(SIZES[size])
    problems = []
    for name, path in pages:
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
