"""Upload templates: filled in as they come, they import without a problem; the 说明 sheet explains every
column from the import's own schema; headers Chinese by default, English on request."""
import io

import pytest
from openpyxl import load_workbook

from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.records.sheet_templates import template_workbook
from tests.factories import login, run, user


@pytest.fixture
def chinese_template(app, tmp_path):
    with app.test_request_context():
        path = tmp_path / "模板.xlsx"
        path.write_bytes(template_workbook("workbook", "zh"))
    return path


def test_the_example_rows_import_without_a_problem(session, chinese_template):
    report = run(session, [chinese_template])
    assert report.committed and not report.errors, report.errors


def test_headers_are_chinese_frozen_and_numbers_are_numbers(chinese_template):
    workbook = load_workbook(chinese_template)
    assert workbook.sheetnames == ["机构", "能力", "说明"]
    facilities = workbook["机构"]
    assert [c.value for c in facilities[1]] == list(FACILITY_COLUMNS.values())
    assert facilities.freeze_panes == "A2"
    row = dict(zip(FACILITY_COLUMNS, [c.value for c in facilities[2]]))
    assert (row["kind"], row["ownership"], row["shared"]) == ("检验检测机构", "国有", "是")
    assert isinstance(row["lon"], float)
    capabilities = dict(zip(CAPABILITY_COLUMNS, [c.value for c in workbook["能力"][2]]))
    assert isinstance(capabilities["price_cny"], int)


def test_the_notes_explain_every_column(chinese_template):
    notes = [[c.value for c in row] for row in load_workbook(chinese_template)["说明"].iter_rows()]
    assert notes[0] == ["工作表", "列", "英文列名", "必填", "填写说明"]
    by_column = {(r[0], r[2]): r for r in notes[1:] if r[0] in ("机构", "能力")}
    assert len(by_column) == len(FACILITY_COLUMNS) + len(CAPABILITY_COLUMNS)
    assert by_column[("机构", "facility_id")][3] == "是" and by_column[("机构", "phone")][3] == "否"
    assert by_column[("机构", "kind")][4] == "可填：计量技术机构, 检验检测机构, 认证机构"
    assert by_column[("能力", "valid_until")][4] == "日期，如 2030-12-31"


def test_admins_download_templates_in_the_pages_language(client, session):
    login(client, user(session, "admin"))
    assert "admin/uploads/template/workbook.xlsx" in client.get("/admin/uploads").get_data(as_text=True)
    english = load_workbook(io.BytesIO(client.get("/admin/uploads/template/facilities.xlsx?lang=en").get_data()))
    assert english.sheetnames == ["facilities", "notes"]
    assert english["facilities"]["A1"].value == "facility_id"
    assert client.get("/admin/uploads/template/other.xlsx").status_code == 404


def test_the_english_template_writes_the_keys_and_imports_too(app, session, tmp_path):
    with app.test_request_context():
        path = tmp_path / "template.xlsx"
        path.write_bytes(template_workbook("workbook", "en"))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["facilities", "capabilities", "notes"]
    row = dict(zip(FACILITY_COLUMNS, [c.value for c in workbook["facilities"][2]]))
    assert (row["kind"], row["ownership"], row["shared"], row["district_code"]) == ("testing", "state", "yes", "330106")
    report = run(session, [path])
    assert report.committed and not report.errors, report.errors


def test_the_notes_say_a_price_may_be_mianyi(chinese_template):
    notes = {(r[0], r[2]): r[4] for r in load_workbook(chinese_template)["说明"].iter_rows(values_only=True)}
    assert "面议" in notes[("能力", "price_cny")]
