"""Registry administration in Chromium: upload with errors → annotated rejects → corrected upload → preview →
confirm; an operator edits its own facility and is refused another's; an admin restores an earlier version.

This module serves its own copy of the app (demo data plus an admin and an operator), so that the other
browser tests' database stays as they expect it.
"""
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, _flask, module_env, serve, shoot, sign_in
from tests.factories import facility, write_dataset

ADMIN, OPERATOR = "admin@example.cn", "operator@example.cn"
OWN, OTHERS = "DEMO-F0001", "DEMO-F0002"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    env = module_env(tmp_path_factory.mktemp("admin-browser"))
    _flask(env, "user", "create", "--email", ADMIN, "--password", PASSWORD, "--role", "admin", "--name", "管理员")
    _flask(env, "user", "create", "--email", OPERATOR, "--password", PASSWORD, "--role", "operator",
           "--name", "操作员", "--facility", OWN)
    with serve(env) as base:
        yield base


def test_admin_uploads_fixes_rejects_and_confirms(page, tmp_path):
    sign_in(page, ADMIN)
    page.locator("#nav-admin").click()
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/uploads")
    paths = write_dataset(tmp_path / "bad", [facility(801, facility_id="WEB-0001", name="网页上传检测中心"),
                                             facility(802, facility_id="WEB-0002", name="有错误的中心", kind="lab")])
    page.set_input_files("#files", [str(p) for p in paths])
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#issues")).to_contain_text("类型")
    expect(page.locator('[data-count="facilities-rejected"]')).to_have_text("1")
    shoot(page, "admin-upload-errors")
    with page.expect_download() as download:
        page.locator("#rejects-link").click()
    rejects = tmp_path / "rejects.xlsx"
    download.value.save_as(rejects)
    workbook = load_workbook(rejects)
    sheet = workbook["facilities"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "错误说明" and sheet.max_row == 2  # first, next to the row's id (issue 14)
    sheet.cell(row=2, column=header.index("kind") + 1, value="testing")
    workbook.save(rejects)
    page.goto("/admin/uploads")
    page.set_input_files("#files", str(rejects))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator('[data-count="facilities-created"]')).to_have_text("1")
    expect(page.locator('[data-count="facilities-rejected"]')).to_have_text("0")
    expect(page.locator("table.changes")).to_contain_text("有错误的中心")
    shoot(page, "admin-upload-preview")
    page.locator("#confirm").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "applied")
    page.goto("/admin/changes?facility_id=WEB-0002")
    expect(page.locator("#changes tbody tr")).to_have_count(1)


def test_operator_edits_own_facility_and_is_refused_anothers(page):
    sign_in(page, OPERATOR)
    page.goto(f"/admin/facilities/{OWN}/edit")
    expect(page.locator("#pick-map .leaflet-container, #pick-map.leaflet-container")).to_have_count(1)
    page.fill("#f-name", "操作员改过的名称（演示）")
    page.locator("#save").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("#f-name")).to_have_value("操作员改过的名称（演示）")
    shoot(page, "operator-edit")
    response = page.goto(f"/admin/facilities/{OTHERS}/edit")
    assert response.status == 404
    response = page.goto("/admin/users")
    assert response.status == 403


def test_admin_restores_an_earlier_version(page):
    sign_in(page, ADMIN)
    page.goto(f"/admin/facilities/{OWN}/edit")  # a change of its own to undo (whichever tests ran before)
    page.fill("#f-name", "管理员改过的名称（演示）")
    page.locator("#save").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    page.goto(f"/admin/changes?facility_id={OWN}&entity=facility")
    rows = page.locator("#changes tbody tr")
    expect(rows.first).to_be_visible()
    rows.last.get_by_role("link").click()  # the oldest: the seed's create
    expect(page.locator("#fields")).to_be_visible()
    page.locator("#restore-preview").click()  # a restore shows what it changes and is confirmed first
    expect(page.locator("#restore-diff")).to_be_visible()
    page.locator("#restore-confirm").check()
    page.locator("#restore").click()
    expect(page.locator(".messages")).to_contain_text(OWN)
    page.goto(f"/admin/facilities/{OWN}/edit")
    expect(page.locator("#f-name")).to_have_value("浙江省示范建筑材料质量检验研究院（演示）")
    shoot(page, "admin-restore")
