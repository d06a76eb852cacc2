"""Maps people can read, a report fit for a bureau, and trust cues (issue 14, items 5, 7 and 9), in Chromium
at a phone's 390×844 and a laptop's 1366×900: nothing wider than the screen, no CSP violation (the guarded
pages fail on one), screenshots kept as tests/browser/artifacts/maps-*.png, print-*.png and trust-*.png."""
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from registry.vocabulary import DISTRICTS, district_name
from tests.browser.conftest import ARTIFACTS, PASSWORD, new_guarded_page, run_flask, shoot, sign_in, wait_until

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
FACILITY = "DEMO-F0003"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
NAMES_ZH = [district_name(code, "zh") for code in DISTRICTS]
# every district label inside the map's box: the first view shows all 13 districts, none cut off
LABELS_IN_VIEW = """(selector) => {
  const box = document.querySelector('.leaflet-container').getBoundingClientRect();
  return [...document.querySelectorAll(selector)].filter(e => {
    const r = e.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
    return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
  }).map(e => e.textContent.trim());
}"""
# markers (clusters or single facilities) whose centres are closer than 12 px: drawn on top of each other
OVERLAPS = """() => {
  const c = [...document.querySelectorAll('.leaflet-marker-icon')].map(e => {
    const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; });
  let n = 0;
  for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++)
    if (Math.hypot(c[i][0] - c[j][0], c[i][1] - c[j][1]) < 12) n++;
  return n;
}"""


@pytest.fixture(scope="module")
def auditor(live_env):
    run_flask(live_env, "user", "create", "--email", "mapsprint-audit@browser.cn", "--password", PASSWORD,
              "--role", "auditor", "--name", "孙审计")
    return "mapsprint-audit@browser.cn"


@pytest.fixture(params=list(SIZES))
def sized(request, browser, live_server, page_log):
    context, page = new_guarded_page(browser, live_server, page_log)
    page.set_viewport_size(SIZES[request.param])
    yield request.param, page
    context.close()
    assert not page_log.foreign, f"requests left 127.0.0.1: {page_log.foreign}"
    assert not page_log.csp, f"Content-Security-Policy violations: {page_log.csp}"


def frame_of(page, frame_id: str):
    return page.locator(f"#{frame_id}").element_handle().content_frame()


def test_results_map_one_cluster_layer_of_every_kind_and_all_districts_named(sized):
    size, page = sized
    page.goto("/")
    link = page.locator("#home-map-link")  # the map's entry on the home page
    expect(link).to_be_visible()
    expect(page.locator("#count-note")).to_contain_text("审计页只统计在营机构")
    shoot(page, f"maps-home-{size}")
    assert page.evaluate(OVERFLOW) <= 0
    link.click()
    expect(page).to_have_url(re.compile(r"/search.*#results-map"))
    frame = frame_of(page, "results-map")
    wait_until(frame, "window.registryMarkersReady !== undefined")
    in_view = frame.evaluate(LABELS_IN_VIEW, ".registry-district-label")
    assert sorted(in_view) == sorted(NAMES_ZH)
    pies = frame.locator(".registry-cluster-pie")
    assert pies.count() > 0
    # a cluster counts its kinds: "计量 n · 检验检测 n · 认证 n" (those it holds), and mixes them in one pie
    titles = [pies.nth(i).get_attribute("title") for i in range(pies.count())]
    assert any(len(t.split(" · ")) > 1 for t in titles), titles
    for title in titles:
        assert re.fullmatch(r"(?:(?:计量|检验检测|认证) \d+)(?: · (?:计量|检验检测|认证) \d+)*", title), title
    assert frame.evaluate(OVERLAPS) == 0
    assert page.evaluate(OVERFLOW) <= 0
    page.locator("#results-map").scroll_into_view_if_needed()
    shoot(page, f"maps-search-{size}")


def test_facility_map_shows_its_district_its_neighbours_and_navigation_links(sized):
    size, page = sized
    page.goto(f"/facilities/{FACILITY}")
    frame = frame_of(page, "facility-map")
    wait_until(frame, "window.registryMarkersReady !== undefined && document.querySelectorAll("
                      "'.registry-district-label').length === 13")
    own = page.locator("dl.facts dt", has_text="所在区").locator("xpath=following-sibling::dd[1]").inner_text() \
        if page.locator("dl.facts dt", has_text="所在区").count() else None
    in_view = frame.evaluate(LABELS_IN_VIEW, ".registry-district-label")
    assert len(in_view) >= 2, in_view  # its district and at least one neighbour, by name
    if own:
        assert own.strip() in in_view
    amap = page.locator("#navigate a").nth(0).get_attribute("href")
    baidu = page.locator("#navigate a").nth(1).get_attribute("href")
    assert amap.startswith("https://uri.amap.com/marker?position=")
    assert baidu.startswith("https://api.map.baidu.com/marker?location=")
    lon, lat = map(float, parse_qs(urlsplit(amap).query)["position"][0].split(","))
    blat, blon = map(float, parse_qs(urlsplit(baidu).query)["location"][0].split(","))
    assert 118 < lon < 121 and 29 < lat < 31 and 0.004 < blon - lon < 0.01  # BD-09 lies east of GCJ-02
    verify = page.locator("#certificates a.verify-link")
    assert verify.count() > 0
    for n in range(verify.count()):
        assert re.match(r"https://(www\.cnas\.org\.cn|cx\.cnca\.cn)/", verify.nth(n).get_attribute("href"))
    assert page.evaluate(OVERFLOW) <= 0
    shoot(page, f"trust-facility-{size}")


def test_choropleth_names_every_district_and_draws_no_focus_rectangle(sized, auditor):
    size, page = sized
    page.set_viewport_size(SIZES["desktop"])
    sign_in(page, auditor)  # at the desktop size, where the signed-in name shows
    page.set_viewport_size(SIZES[size])
    page.goto("/audit/")
    expect(page.locator("#audit-count-note")).to_contain_text("只统计在营机构")
    frame = frame_of(page, "district-map")
    wait_until(frame, "window.auditMap !== undefined")
    assert sorted(frame.evaluate(LABELS_IN_VIEW, ".audit-district-label")) == sorted(NAMES_ZH)
    path = frame.locator("path.leaflet-interactive").first
    path.click()
    outline = frame.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                             "document.activeElement.tagName")
    assert not outline.startswith(("auto", "solid", "dotted", "dashed")), outline
    assert page.evaluate(OVERFLOW) <= 0
    shoot(page, f"maps-choropleth-{size}")


def test_the_printed_report_is_a_document(page, auditor, tmp_path):
    from pypdf import PdfReader

    page.set_viewport_size(SIZES["desktop"])
    sign_in(page, auditor)
    page.goto("/audit/report")
    expect(page.locator("#report-issuer")).to_have_text("杭州市市场监督管理局")
    expect(page.locator("#report-map-review")).to_contain_text("待审核")
    page.emulate_media(media="print")
    for frame_id in ("report-district-map", "report-access-map"):
        frame = frame_of(page, frame_id)
        wait_until(frame, "window.auditMap !== undefined")
        assert frame.locator(".leaflet-control-zoom").is_hidden()  # no map controls on paper
        assert frame.locator(".leaflet-control-attribution").is_hidden()
    page.wait_for_timeout(300)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / "report.pdf").write_bytes(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "print-report.pdf").write_bytes(pdf)  # look at it
    reader = PdfReader(io.BytesIO(pdf))
    pages = [p.extract_text() or "" for p in reader.pages]
    assert 4 <= len(pages) <= 16, len(pages)
    for n, text in enumerate(pages, start=1):  # page numbers in the margin, "第 n 页，共 N 页"
        assert f"第 {n} 页，共 {len(pages)} 页" in re.sub(r"\s+", " ", text), (n, text[-200:])
    assert "杭州市市场监督管理局" in pages[0]
    table_page = next(n for n, text in enumerate(pages) if "各区县质量基础设施" in text)
    box = reader.pages[table_page].mediabox
    assert box.width > box.height  # the wide district table is on a landscape page
    map_pages = [n for n, text in enumerate(pages) if "行政区界线为示意" in text]
    assert len(map_pages) == 2, map_pages
    for n in map_pages:  # every district named on the page its map is printed on
        missing = [name for name in NAMES_ZH if name not in pages[n]]
        assert not missing, (n, missing)
    for n, p in enumerate(reader.pages):
        if n in map_pages:
            assert p.mediabox.height > p.mediabox.width  # maps on portrait pages
    page.emulate_media(media="screen")
    shoot(page, "print-report-desktop")
