"""Unmet demand in Chromium: real searches that find nothing (typed in the search form, and with a
district chosen) and a booking request the operator declines fill the audit's unmet-demand table, map
and trend; the page reads on a 390 px screen."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, new_guarded_page, run_flask, shoot, sign_in, wait_until

FACILITY = "DEMO-F0003"  # active, with bookable capabilities in the demo data
NOTHING = "量子陀螺仪校准"  # no demo capability matches


@pytest.fixture(scope="module")
def accounts(live_env):
    run_flask(live_env, "user", "create", "--email", "unmet-ent@browser.cn", "--password", PASSWORD, "--role",
              "enterprise", "--name", "钱经理", "--org-name", "杭州缺口测试有限公司",
              "--uscc", make_uscc("91330106", "U0000001"))
    run_flask(live_env, "user", "create", "--email", "unmet-op@browser.cn", "--password", PASSWORD, "--role",
              "operator", "--name", "孙主任", "--facility", FACILITY)
    run_flask(live_env, "user", "create", "--email", "unmet-auditor@browser.cn", "--password", PASSWORD, "--role",
              "auditor", "--name", "缺口审计员")
    return {"enterprise": "unmet-ent@browser.cn", "operator": "unmet-op@browser.cn",
            "auditor": "unmet-auditor@browser.cn"}


@pytest.fixture
def second_page(browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    yield page
    context.close()


def trend_total(auditor_page) -> int:
    """This month's total in the trend table (0 when nothing is recorded yet): other browser tests share
    the served registry and may have left empty searches of their own."""
    auditor_page.goto("/audit/unmet")
    cells = auditor_page.locator("#unmet-trend tbody tr td")
    return int(cells.nth(5).inner_text()) if cells.count() else 0


def test_searches_that_find_nothing_and_a_declined_booking_fill_the_table(page, second_page, accounts):
    sign_in(second_page, accounts["auditor"])
    before = trend_total(second_page)

    # Two searches that find nothing: one typed in the form, one for a chosen district.
    page.goto("/search")
    page.get_by_role("searchbox").first.fill(NOTHING)
    page.get_by_role("searchbox").first.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    page.goto(f"/search?q={NOTHING}&district=330127")
    expect(page.locator("main")).to_be_visible()

    # An enterprise books; the operator declines with a reason.
    sign_in(page, accounts["enterprise"])
    page.goto(f"/facilities/{FACILITY}/book")
    page.locator("#offers-details summary").click()  # the services' table is folded below the form
    # The service the form has chosen, and its row of the services' table (for its earliest day).
    chosen = page.locator("#capability option:checked").inner_text().split(" · ")[0].strip()
    row = page.locator("#offers tbody tr", has_text=chosen).first
    service = row.locator("td").first.inner_text().strip()
    earliest = row.locator("td").nth(3).inner_text()
    page.locator("#service_date").fill((date.fromisoformat(earliest) + timedelta(days=5)).isoformat())
    page.locator("#quantity").fill("1")
    page.locator("#description").fill("两个样品")
    page.locator("#contact_phone").fill("0571-88886666")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    booking_url = page.url
    sign_in(second_page, accounts["operator"])
    second_page.goto(booking_url)
    second_page.locator("#reason-decline").fill("设备检修中")
    second_page.get_by_role("button", name="拒绝").click()
    expect(second_page.locator("h1")).to_contain_text("已拒绝")

    # The auditor finds all three in the unmet-demand table, the map and the month's trend.
    sign_in(second_page, accounts["auditor"])
    second_page.goto("/audit/")
    second_page.get_by_role("link", name="未满足需求").click()
    expect(second_page).to_have_url(re.compile(r"/audit/unmet"))
    table = second_page.locator("#unmet-table")
    nothing = table.locator("tbody tr", has_text=NOTHING)
    expect(nothing).to_have_count(2)  # no place given, and 淳安县
    expect(table.locator("tbody tr", has_text="淳安")).to_contain_text(NOTHING)
    declined = table.locator("tbody tr", has_text=service.split()[0].casefold())
    expect(declined.first.locator("td").nth(5)).to_have_text("1")
    expect(second_page.locator("#unmet-trend tbody tr")).to_have_count(1)
    expect(second_page.locator("#unmet-trend tbody tr td").nth(5)).to_have_text(str(before + 3))
    frame = second_page.locator("#unmet-map-frame").element_handle().content_frame()
    wait_until(frame, "window.auditMap !== undefined")  # not wait_for_function: it evals, which the CSP refuses
    assert frame.evaluate("window.auditMap.legend.length") >= 2  # districts with gaps and without
    shoot(second_page, "audit-unmet")

    # A phone-sized screen: nothing wider than the screen but the table's own scroll box.
    second_page.set_viewport_size({"width": 390, "height": 844})
    second_page.reload()
    assert second_page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(second_page.locator("#unmet-form button")).to_be_visible()
    shoot(second_page, "audit-unmet-390")
