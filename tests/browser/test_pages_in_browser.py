"""What a newcomer does, in Chromium: search, read the map, open a facility; filters, language, XSS.

Every page's requests go to 127.0.0.1 only and no dialog fires (checked by the `page` fixture).
"""
import re

from playwright.sync_api import expect

from tests.browser.conftest import HOSTILE_ID, HOSTILE_NAME, shoot

MARKERS = ".leaflet-marker-icon, .leaflet-marker-pane > *, path.leaflet-interactive"


def results_map(page):
    return page.frame_locator("#results-map")


def wait_for_markers(page):
    expect(results_map(page).locator(".leaflet-marker-icon").first).to_be_visible(timeout=15_000)


def test_search_results_map_and_facility_page(page):
    page.goto("/")
    shoot(page, "home")
    page.get_by_role("searchbox").first.fill("导体直流电阻")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator("#result-count")).to_contain_text("家机构")
    assert page.locator(".hit h3 a").count() > 0
    wait_for_markers(page)
    shoot(page, "search")
    first = page.locator(".hit h3 a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name.split("（")[0][:6])
    expect(page.locator("#facility-map")).to_be_visible()
    expect(page.frame_locator("#facility-map").locator(".leaflet-container")).to_be_visible()
    expect(page.locator("#booking a.book-link, #booking button[disabled]").first).to_be_visible()
    expect(page.locator("#certificates")).to_be_visible()
    shoot(page, "facility")
    page.locator('#capabilities input[name="q"]').fill("导体直流电阻")
    page.locator("#capabilities button").click()
    expect(page.locator("#capabilities tbody")).to_contain_text("导体直流电阻")


def test_a_facet_narrows_the_results_and_the_map(page):
    page.goto("/search?q=压力")
    total = int(re.sub(r"\D", "", page.locator("#result-count strong").inner_text()))
    page.locator('[data-facet="kind"] a', has_text="计量").first.click()
    expect(page).to_have_url(re.compile(r"kind=metrology"))
    narrowed = int(re.sub(r"\D", "", page.locator("#result-count strong").inner_text()))
    assert 0 < narrowed < total
    assert re.search(r"kind=metrology", page.locator("#results-map").get_attribute("src"))
    wait_for_markers(page)
    page.locator(".chips a").filter(has_text="计量").click()  # remove the filter again
    assert int(re.sub(r"\D", "", page.locator("#result-count strong").inner_text())) == total


def test_the_language_choice_sticks(page):
    page.goto("/search?q=压力")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.get_by_role("button", name="Search", exact=True)).to_be_visible()
    page.goto("/")
    expect(page.locator("header")).to_contain_text("Hangzhou Quality Infrastructure Registry")
    page.locator(".hit, table a").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shoot(page, "search-en")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_html_in_a_name_is_text_in_the_list_the_popup_and_the_page(page, page_log):
    page.goto("/search?q=探针检测")
    link = page.locator(f'.hit[data-facility-id="{HOSTILE_ID}"] h3 a')
    expect(link).to_have_text(HOSTILE_NAME)
    wait_for_markers(page)
    frame = results_map(page)
    frame.locator(".leaflet-marker-icon").first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(HOSTILE_NAME)
    assert popup.locator("img").count() == 0
    page.wait_for_timeout(500)  # the popup fades in
    shoot(page, "xss-popup")
    page.goto(f"/facilities/{HOSTILE_ID}")
    expect(page.locator("h1")).to_contain_text(HOSTILE_NAME)
    expect(page.locator("#capabilities")).to_contain_text("<script>alert(2)</script>")
    assert page.locator("main img").count() == 0
    assert not page_log.dialogs


def test_pressure_standard_covering_50_mpa_near_xiaoshan(page):
    page.goto("/")
    page.locator('input[name="quantity"]').fill("压力")
    page.locator('input[name="value"]').fill("50")
    page.locator('input[name="unit"]').fill("MPa")
    page.locator("#near-select").select_option(label="萧山区")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"sort=distance"))
    hits = page.locator(".hit")
    expect(hits.first).to_contain_text("公里")
    expect(hits.first).to_contain_text("MPa")
    listed = page.locator(".hits").inner_text()
    distances = [float(d.replace(",", "")) for d in re.findall(r"距离 ([\d,.]+) 公里", listed)]
    assert len(distances) > 3 and distances == sorted(distances)
    shoot(page, "need-pressure")
    hits.first.locator("h3 a").click()
    expect(page.locator("#capabilities")).to_contain_text("压力")


def test_conductor_resistance_by_standard_number(page):
    page.goto("/")
    page.get_by_role("searchbox").first.fill("GB/T3048.4")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".hit").first).to_contain_text("导体直流电阻")
    shoot(page, "need-resistance")


def test_iso_9001_certification_body(page):
    page.goto("/")
    page.get_by_role("searchbox").first.fill("ISO 9001")
    page.get_by_label("认证").first.check()
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".hit").first).to_contain_text("ISO 9001")
    expect(page.locator(".hit .meta").first).to_contain_text("认证")
    shoot(page, "need-iso9001")


def test_near_me_from_a_district_and_from_the_browser_location(page):
    page.goto("/search")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": 120.2645, "latitude": 30.1850})
    page.locator("#locate-me").click()
    expect(page).to_have_url(re.compile(r"near=120\.26450%2C30\.18500"))
    expect(page.locator(".hit").first).to_contain_text("公里")
