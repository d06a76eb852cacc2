"""The booking flow in Chromium at a phone's 390×844 and a laptop's 1366×900: find a service by its standard
number, pick a day in the month calendar of free capacity, see a refused field in view with its error, and
book; and the forgiving search box saying what it read. No horizontal overflow, no CSP violation (the `page`
guard); screenshots tests/browser/artifacts/booking-{calendar,error,sent}-<size>.png, search-forgiving-<size>.png."""
import re

import pytest
from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, run_flask, shoot, sign_in

FACILITY = "DEMO-F0003"  # active, with bookable capabilities in the demo data
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def calendar_accounts(live_env):
    emails = {}
    for n, size in enumerate(SIZES, start=1):
        email = f"calendar-{size}@browser.cn"
        run_flask(live_env, "user", "create", "--email", email, "--password", PASSWORD, "--role", "enterprise",
                  "--name", "陈工", "--org-name", f"杭州日历测试{n}有限公司",
                  "--uscc", make_uscc("91330109", f"K000000{n}"))
        emails[size] = email
    return emails


@pytest.mark.parametrize("size", list(SIZES))
def test_book_from_the_calendar(size, page, calendar_accounts, page_log):
    sign_in(page, calendar_accounts[size])
    page.set_viewport_size(SIZES[size])
    page.goto(f"/facilities/{FACILITY}/book")
    expect(page.locator("#facility-delivery")).to_contain_text("送样须知")

    # Services come in groups, each with its standard numbers and fee; the finder narrows them.
    assert page.locator("#capability optgroup").count() >= 1
    options = page.locator("#capability option")
    first_text = options.first.inner_text()
    assert "¥" in first_text or "·" in first_text
    standard = re.search(r"[A-Z]{2}(?:/T)?\s?[\d.]+", " ".join(options.all_inner_texts()))
    if standard:
        page.locator("#service-filter").fill(standard.group(0).replace("/T", "").replace(" ", ""))
        visible = page.evaluate("[...document.querySelectorAll('#capability option')].filter(o => !o.hidden).length")
        assert 1 <= visible <= options.count()

    # The calendar of the chosen service: open days carry their free capacity; a tap fills the date.
    calendar = page.locator("#booking-calendar")
    expect(calendar).to_be_visible()
    open_day = calendar.locator("button[data-date]:not([disabled])").first
    if open_day.count() == 0:
        calendar.locator(".cal-next").click()
        open_day = calendar.locator("button[data-date]:not([disabled])").first
    expect(open_day).to_contain_text("余")
    chosen = open_day.get_attribute("data-date")
    open_day.click()
    expect(page.locator("#service_date")).to_have_value(chosen)
    expect(open_day).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(OVERFLOW) <= 0, f"{size}: wider than the screen"
    shoot(page, f"booking-calendar-{size}")

    # A refused field is in view with its error (not below the list of services).
    page.locator("#quantity").fill("100000")
    page.locator("#description").fill("两个样品，需出具报告")
    page.locator("#contact_phone").fill("0571-88886666")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page.locator("#error-summary")).to_be_visible()
    error = page.locator(".field.has-errors .field-error").first
    expect(error).to_be_in_viewport()
    assert page.evaluate(OVERFLOW) <= 0, f"{size}: the refused form is wider than the screen"
    shoot(page, f"booking-error-{size}")

    # Corrected, the request goes through, and the booking says where to send the samples.
    page.locator("#quantity").fill("1")
    if not page.locator("#service_date").input_value():
        page.locator("#service_date").fill(chosen)
    page.get_by_role("button", name="提交预约申请").click()
    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(page.locator("#delivery")).to_contain_text("送样须知")
    assert page.evaluate(OVERFLOW) <= 0
    shoot(page, f"booking-sent-{size}")
    assert not page_log.errors, page_log.errors


@pytest.mark.parametrize("size", list(SIZES))
def test_forgiving_search_says_what_it_read(size, page):
    page.set_viewport_size(SIZES[size])
    page.goto("/search?q=压力 50兆帕")
    note = page.locator('.field-error[data-field="q"]')
    expect(note).to_contain_text("量程覆盖 50 MPa")
    expect(page.locator(".chips a", has_text="量程覆盖 50 MPa")).to_have_count(1)
    assert page.evaluate(OVERFLOW) <= 0
    shoot(page, f"search-forgiving-{size}")
