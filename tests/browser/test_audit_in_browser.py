"""An auditor's path through the dashboard, in Chromium: the district table and its map, the Art. 6 list
and lapsing certificates, accessibility parameters that change the map, the XLSX download and the
printable report, signed in as a city-wide auditor."""
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import HOSTILE_ID, HOSTILE_NAME, PASSWORD, run_flask, shoot, sign_in, wait_until


@pytest.fixture(scope="module")
def auditor(live_env):
    run_flask(live_env, "user", "create", "--email", "auditor@browser.cn", "--password", PASSWORD, "--role", "auditor",
              "--name", "审计员")
    return "auditor@browser.cn"


def map_state(page, frame_id: str) -> dict:
    """window.auditMap of the map in iframe `frame_id`, once its script has run."""
    handle = page.locator(f"#{frame_id}").element_handle()
    frame = handle.content_frame()
    wait_until(frame, "window.auditMap !== undefined")
    return frame.evaluate("window.auditMap")


def test_auditor_path_through_the_dashboard(page, auditor, tmp_path):
    page.goto("/audit/")
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the dashboard is for auditors
    sign_in(page, auditor)
    page.goto("/audit/")
    expect(page.locator("#district-table tbody tr")).to_have_count(14)  # 13 districts and the city total
    expect(page.locator('#district-table tr[data-code="total"]')).to_be_visible()
    districts = page.frame_locator("#district-map")
    expect(districts.locator(".audit-legend")).to_be_visible()
    expect(districts.locator("path.leaflet-interactive")).to_have_count(13)
    before = map_state(page, "district-map")
    assert before["markers"] == 0 and before["legend"]
    shoot(page, "audit-dashboard")

    page.locator('#map-form select[name="figure"]').select_option("shared_pct")
    page.locator('#map-form select[name="scheme"]').select_option("natural_breaks")
    page.locator('#map-form input[name="markers"]').check()
    page.locator("#map-form button").click()
    expect(page).to_have_url(re.compile(r"figure=shared_pct"))
    assert "figure=shared_pct" in page.locator("#district-map").get_attribute("src")
    after = map_state(page, "district-map")
    assert after["markers"] > 0 and after["legend"] != before["legend"]

    with page.expect_download() as download:
        page.locator("#download-districts-xlsx").click()
    path = tmp_path / "districts.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    # the total row: no code (it was the key "total", an English word in a Chinese file), named 合计
    assert len(rows) == 1 + 1 + 13 + 1 and rows[-1][:2] == (None, "合计")

    page.locator(".audit-nav a").nth(1).click()
    expect(page).to_have_url(re.compile(r"/audit/gaps"))
    expect(page.locator("#discipline-matrix tbody tr")).to_have_count(13)
    art6 = page.locator("#art6-list tbody tr")
    assert art6.count() > 0
    hostile = page.locator(f'#art6-list a[href$="/{HOSTILE_ID}"]')
    expect(hostile).to_have_text(HOSTILE_NAME)  # HTML in a name is shown as text
    expect(page.locator("#certificate-summary tbody tr")).to_have_count(13)
    page.locator("#window").select_option("180")
    page.locator("#window").evaluate("select => select.form.submit()")
    expect(page).to_have_url(re.compile(r"window=180"))
    expect(page.locator("#certificate-facilities")).to_be_visible()
    shoot(page, "audit-gaps")

    page.locator(".audit-nav a").nth(2).click()
    expect(page).to_have_url(re.compile(r"/audit/access"))
    first = map_state(page, "access-map")
    assert first["cells"] > 15_000
    means = page.locator("#access-means tbody").inner_text()
    page.locator("#catchment").fill("5")
    page.locator('#access-form select[name="decay"]').select_option("step")
    page.locator("#access-form button").click()
    expect(page).to_have_url(re.compile(r"catchment_km=5"))
    second = map_state(page, "access-map")
    assert second["legend"] != first["legend"]
    assert page.locator("#access-means tbody").inner_text() != means
    shoot(page, "audit-access")

    page.locator(".audit-nav a").nth(3).click()
    expect(page).to_have_url(re.compile(r"/audit/report"))
    expect(page.locator("#report h1")).to_be_visible()
    expect(page.locator("#report")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    page.emulate_media(media="print")
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator(".audit-nav")).to_be_hidden()
    map_state(page, "report-access-map")
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (tmp_path / "report.pdf").write_bytes(pdf)
    shoot(page, "audit-report")


def test_downloaded_maps_work_with_no_server(page, page_log, auditor):
    """The standalone HTML of both maps draws with every script inlined: no request at all."""
    sign_in(page, auditor)
    for url, cells in (("/audit/map?figure=facilities&markers=1&download=1", False),
                       ("/audit/access/map?catchment_km=20&download=1", True)):
        body = page.request.get(url).text()
        page.goto("about:blank")  # as a saved file opens: not under the site's CSP (nor its nonce)
        page_log.requests.clear()
        page.set_content(body)
        wait_until(page, "window.auditMap !== undefined")
        state = page.evaluate("window.auditMap")
        assert state["legend"]
        assert (state["cells"] > 15_000) if cells else (state["markers"] > 0)
        expect(page.locator(".audit-legend")).to_be_visible()
        assert [r for r in page_log.requests if not r.startswith(("data:", "about:"))] == []


def test_accessibility_for_an_imported_demand_file(page, auditor, tmp_path):
    from tests.factories import point_in

    rows = ["lon,lat,weight"] + [f"{point_in(code)[0]},{point_in(code)[1]},{w}"
                                 for code, w in (("330106", 120), ("330109", 40), ("330127", 3))]
    demand = tmp_path / "enterprises.csv"
    demand.write_text("\n".join(rows) + "\n", encoding="utf-8")
    sign_in(page, auditor)
    page.goto("/audit/access?catchment_km=40")
    page.locator('input[name="demand"]').set_input_files(str(demand))
    page.locator('form[enctype="multipart/form-data"] button').click()
    expect(page.frame_locator("#upload-map").locator(".leaflet-container")).to_be_visible()
    assert map_state(page, "upload-map")["cells"] == 3
    expect(page.locator('#access-means tr[data-code="330106"] td.num')).not_to_have_text("–")
    shoot(page, "audit-demand")
