"""Search over published scopes in Chromium (issue 12 item 4), at a phone's 390×844 and a laptop's 1366×900:
the service-type and public-standard filters ticked in the form become Chinese chips, the map is filtered the
same way, and 暂停, 限制范围（仅/不含/其他） and 说明 are visible on the results and the facility page, nothing wider
than the screen; screenshots kept as tests/browser/artifacts/scope-search-*.png."""
import csv

import pytest
from playwright.sync_api import expect

from seeds.examples.build_examples import HERE
from tests.browser.conftest import new_guarded_page, shoot

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# the demo facilities `flask seed` gives the CNAS testing example and the measurement standards
SEEDED = {layout: facility_id for layout, facility_id in csv.reader((HERE / "demo_facilities.csv").open())}
TESTING, METROLOGY = SEEDED["cnas_testing.xlsx"], SEEDED["standards.xlsx"]
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(params=list(SIZES))
def sized(request, browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    page.set_viewport_size(SIZES[request.param])
    yield request.param, page
    context.close()
    assert not page_log.foreign, f"requests left 127.0.0.1: {page_log.foreign}"


def test_ticked_filters_become_chinese_chips_and_filter_the_map(sized):
    size, page = sized
    page.goto("/search?q=演示")
    form = page.locator("#search-form")
    if size == "phone":  # the filters beyond the main box fold away on a phone: one tap opens them
        form.locator("#search-more").click()
    expect(form.locator("fieldset.services")).to_be_visible()
    form.get_by_label("检定").check()
    form.get_by_label("仅社会公用计量标准").check()
    form.get_by_role("button", name="搜索").click()
    page.wait_for_load_state("load")
    chips = page.locator(".chips a")
    expect(chips).to_have_text(["演示 ×", "服务方式：检定 ×", "仅社会公用计量标准 ×"])
    expect(page.locator(f'li.hit[data-facility-id="{METROLOGY}"]')).to_be_visible()
    expect(page.locator("li.hit")).to_have_count(1)
    assert "service=verification" in page.locator("#results-map").get_attribute("src")
    assert "public_standard=1" in page.locator("#results-map").get_attribute("src")
    shoot(page, f"scope-search-chips-{size}")
    assert page.evaluate(OVERFLOW) <= 0
    chips.filter(has_text="服务方式：检定").click()  # removing one chip keeps the other
    page.wait_for_load_state("load")
    expect(page.locator(".chips a")).to_have_text(["演示 ×", "仅社会公用计量标准 ×"])
    expect(page.locator("#search-form").get_by_label("检定")).not_to_be_checked()


def test_suspended_items_limitations_and_remarks_are_visible(sized):
    size, page = sized
    page.goto("/search?q=电线电缆（演示）")
    hit = page.locator(f'li.hit[data-facility-id="{TESTING}"]')
    expect(hit.locator(".badge.suspended")).to_have_text("暂停")
    expect(hit.locator(".badge.suspended")).to_be_visible()
    expect(hit.locator("li.suspended-item")).to_contain_text("工频交流电压试验")
    expect(hit.locator(".limitation").first).to_be_visible()
    expect(hit.locator(".limitation")).to_contain_text(["限制范围（仅）：只测：≤35 kV",
                                                        "限制范围（不含）：不测：海底电缆"])
    expect(hit.locator(".remarks")).to_contain_text(["说明：暂停", "说明：扩项"])
    shoot(page, f"scope-search-results-{size}")
    assert page.evaluate(OVERFLOW) <= 0
    page.goto(f"/facilities/{TESTING}?q=演示")
    table = page.locator("#capability-table")
    expect(table.locator(".badge.suspended")).to_be_visible()
    expect(table.locator(".limitation")).to_contain_text(["限制范围（其他）：≤ 500 kN"])
    shoot(page, f"scope-search-facility-{size}")
    assert page.evaluate(OVERFLOW) <= 0
