"""Art. 7 in Chromium, on the registry `flask seed` made (the example scopes in demo facilities): an auditor
follows the navigation to the public measurement standards, sees the seeded ones with their validity, the
map with its marker, narrows to a discipline, downloads the list, and reads it all at 1440 and 390 px."""
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, run_flask, shoot, sign_in, wait_until

SEEDED = ("二等铂电阻温度计标准装置（演示）", "0.05级活塞式压力计标准装置（演示）", "数字多用表校准装置（演示）")


@pytest.fixture(scope="module")
def auditor(live_env):
    run_flask(live_env, "user", "create", "--email", "art7@browser.cn", "--password", PASSWORD, "--role", "auditor",
              "--name", "计量审计员")
    return "art7@browser.cn"


def map_state(page) -> dict:
    frame = page.locator("#art7-map-frame").element_handle().content_frame()
    wait_until(frame, "window.auditMap !== undefined")
    return frame.evaluate("window.auditMap")


@pytest.mark.parametrize("width", [1440, 390])
def test_an_auditor_reads_the_public_measurement_standards(page, auditor, tmp_path, width):
    sign_in(page, auditor)  # at the desktop size, where the header shows who is signed in
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.goto("/audit/")
    page.get_by_role("link", name="第七条：社会公用计量标准").click()
    expect(page).to_have_url(re.compile(r"/audit/public-standards$"))
    expect(page.locator("h1")).to_have_text("第七条：社会公用计量标准")
    rows = page.locator("#art7-list tbody tr")
    expect(rows).to_have_count(len(SEEDED))
    for name in SEEDED:
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(page.locator("#art7-districts tbody tr")).to_have_count(13 + 1)  # every district and the total
    expect(page.locator("#art7-matrix tbody tr")).to_have_count(13 + 1)
    expect(page.locator("#art7-gaps tbody tr")).to_have_count(13)  # no district has all ten disciplines
    state = map_state(page)
    assert state["markers"] == 1 and len(state["legend"]) >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # only the tables' own boxes scroll
    shoot(page, f"audit-art7-{width}")

    page.locator('#art7-form select[name="discipline"]').select_option("thermal")
    page.locator("#art7-form button").click()
    expect(page).to_have_url(re.compile(r"discipline=thermal"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("二等铂电阻温度计标准装置（演示）")
    assert "discipline=thermal" in page.locator("#art7-map-frame").get_attribute("src")

    with page.expect_download() as download:
        page.locator("#download-art7-xlsx").click()
    path = tmp_path / "art7.xlsx"
    download.value.save_as(path)
    values = list(load_workbook(path).active.iter_rows(values_only=True))
    assert values[1][:5] == ("区县", "机构编号", "机构", "计量标准", "计量专业")
    assert [row[3] for row in values[2:]] == ["二等铂电阻温度计标准装置（演示）"]
