"""The booking story in Chromium: an enterprise books, the operator accepts in one click, both see the
booking in their notifications and calendar feeds, and the enterprise cancels with a reason."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from registry.identifiers import make_uscc
from tests.browser.conftest import PASSWORD, new_guarded_page, run_flask, shoot, sign_in

FACILITY = "DEMO-F0003"  # active, with bookable capabilities in the demo data


@pytest.fixture(scope="module")
def accounts(live_env):
    run_flask(live_env, "user", "create", "--email", "ent@browser.cn", "--password", PASSWORD, "--role",
              "enterprise", "--name", "王经理", "--org-name", "杭州浏览器测试有限公司",
              "--uscc", make_uscc("91330109", "B0000001"))
    run_flask(live_env, "user", "create", "--email", "op@browser.cn", "--password", PASSWORD, "--role",
              "operator", "--name", "赵主任", "--facility", FACILITY)
    return {"enterprise": "ent@browser.cn", "operator": "op@browser.cn"}


@pytest.fixture
def operator_page(browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    yield page
    context.close()


def feed_text(page, selector) -> str:
    url = page.locator(selector).first.input_value()
    assert url.startswith("http://127.0.0.1:")
    return page.request.get(url).text()


def test_book_accept_see_in_calendars_and_notifications_then_cancel(page, operator_page, accounts):
    # The enterprise finds the facility and books from its page.
    sign_in(page, accounts["enterprise"])
    page.goto(f"/facilities/{FACILITY}")
    page.locator("#booking a.book-link").click()
    expect(page).to_have_url(re.compile(rf"/facilities/{FACILITY}/book$"))
    page.locator("#offers-details summary").click()  # the services' table is folded below the form
    earliest = page.locator("#offers tbody tr").first.locator("td").nth(3).inner_text()
    wanted = date.fromisoformat(earliest) + timedelta(days=3)
    page.locator("#service_date").fill(wanted.isoformat())
    page.locator("#quantity").fill("1")
    page.locator("#description").fill("<b>三个样品</b>，需出具报告")
    page.locator("#contact_phone").fill("0571-88886666")
    shoot(page, "booking-form")
    page.get_by_role("button", name="提交预约申请").click()
    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    booking_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("h1")).to_contain_text("待确认")
    expect(page.locator("#booking-facts")).to_contain_text("<b>三个样品</b>")  # shown as text

    # The operator sees it in the workspace and the notifications, and accepts in one click.
    sign_in(operator_page, accounts["operator"])
    expect(operator_page).to_have_url(re.compile(r"/workspace/$"))
    expect(operator_page.locator("#unread")).to_have_text("1")
    row = operator_page.locator(f'#incoming tr[data-booking="{booking_id}"]')
    row.get_by_role("button", name="接受").click()
    expect(operator_page.locator(".messages")).to_contain_text(f"预约 #{booking_id} 现为：已接受")
    operator_page.goto("/notifications")
    expect(operator_page.locator("#notifications")).to_contain_text(f"预约 #{booking_id}")
    operator_page.goto("/calendars")
    facility_feed = feed_text(operator_page, ".feed-facility")
    assert f"booking-{booking_id}@hz-quality-registry" in facility_feed and "STATUS:CONFIRMED" in facility_feed
    shoot(operator_page, "operator-calendars")

    # The enterprise is told, and sees the accepted booking in its own feed and .ics.
    page.goto("/")
    expect(page.locator("#unread")).to_have_text("1")
    page.locator("#nav-notifications").click()
    expect(page.locator("#notifications")).to_contain_text("已接受")
    page.goto("/calendars")
    own_feed = feed_text(page, "#feed-mine")
    assert f"booking-{booking_id}@hz-quality-registry" in own_feed and "STATUS:CONFIRMED" in own_feed
    ics = page.request.get(f"/bookings/{booking_id}.ics").text()
    assert f"DTSTART;VALUE=DATE:{wanted:%Y%m%d}" in ics

    # The enterprise cancels with a reason; the timeline and the operator say so.
    page.goto(f"/bookings/{booking_id}")
    page.locator("#reason-cancel").fill("样品未能按时备齐")
    page.get_by_role("button", name="取消预约").click()
    expect(page.locator("h1")).to_contain_text("已取消")
    expect(page.locator("#timeline")).to_contain_text("样品未能按时备齐")
    expect(page.locator("#timeline li")).to_have_count(3)
    shoot(page, "booking-cancelled")
    operator_page.goto("/notifications")
    expect(operator_page.locator("#notifications")).to_contain_text("已取消")
    page.goto("/calendars")
    assert "STATUS:CANCELLED" in feed_text(page, "#feed-mine")
