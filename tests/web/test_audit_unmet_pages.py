"""Unmet demand over HTTP: real searches on the search page fill the audit's table, map and trend;
exports as CSV and XLSX; the district scope; bad parameters a 400; the search never fails for it."""
import csv
import io
from datetime import date

from openpyxl import load_workbook

from geo.maps import page_links
from registry.clock import today
from registry.services.audit.unmet import add
from tests.factories import login, point_in, user


def test_searches_that_find_nothing_or_only_far_facilities_fill_the_table(client, registry):
    assert client.get("/search?q=超声波探伤&district=330106").status_code == 200
    assert client.get("/search?q=超声波探伤&district=330106&page=2").status_code == 200  # not counted again
    lon, lat = point_in("330127")
    assert client.get(f"/search?q=电缆&near={lon},{lat}").status_code == 200
    assert client.get("/search?q=电缆").status_code == 200  # found: met
    login(client, user(registry, "auditor"))
    html = client.get("/audit/unmet?lang=en").get_data(as_text=True)
    assert 'id="unmet-table"' in html and "超声波探伤" in html
    body = client.get("/audit/unmet/export.csv?lang=en").get_data().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    found = {(r[0], r[3]): r[4:] for r in table[1:]}
    assert found == {("330106", "超声波探伤"): ["1", "0", "0", "0", "1"], ("330127", "电缆"): ["0", "1", "0", "0", "1"]}
    month = today().strftime("%Y-%m")
    assert f"<td>{month}</td>" in html


def test_the_page_is_chinese_first_and_exports_xlsx(client, session):
    add(session, today(), "330109", "thermal", "铂电阻", "fully_booked")
    login(client, user(session, "auditor"))
    html = client.get("/audit/unmet").get_data(as_text=True)
    assert "未满足" in html and "铂电阻" in html and "萧山区" in html
    book = load_workbook(io.BytesIO(client.get("/audit/unmet/export.xlsx").get_data()))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert any(row[:4] == ["330109", "萧山区", "热学", "铂电阻"] for row in values), values


def test_a_district_auditor_sees_only_its_district(client, session):
    add(session, today(), "330109", "", "电缆", "declined")
    add(session, today(), "330106", "", "压力表", "no_result")
    login(client, user(session, "auditor", district_code="330109"))
    html = client.get("/audit/unmet").get_data(as_text=True)
    assert "电缆" in html and "压力表" not in html
    assert "压力表" not in client.get("/audit/unmet/export.csv").get_data(as_text=True)


def test_periods_leave_out_older_months_and_bad_parameters_are_400(client, session):
    add(session, date(2020, 1, 1), "330106", "", "旧需求", "no_result")
    login(client, user(session, "auditor"))
    assert "旧需求" not in client.get("/audit/unmet?months=3").get_data(as_text=True)
    assert "旧需求" in client.get("/audit/unmet?months=0").get_data(as_text=True)
    for url in ("/audit/unmet?months=5", "/audit/unmet?discipline=astrology", "/audit/unmet/map?months=x"):
        assert client.get(url).status_code == 400, url
    assert client.get("/audit/unmet/export.pdf").status_code == 404


def test_the_map_loads_only_local_assets(client, session):
    add(session, today(), "330109", "", "电缆", "declined")
    login(client, user(session, "auditor"))
    html = client.get("/audit/unmet/map").get_data(as_text=True)
    assert all(link.startswith("/static/") for link in page_links(html)), page_links(html)
    assert "330109" in html
    download = client.get("/audit/unmet/map?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_other_roles_cannot_read_it(client, session):
    assert client.get("/audit/unmet").status_code in (302, 401)
    login(client, user(session, "enterprise"))
    assert client.get("/audit/unmet").status_code == 403


def test_the_definitions_page_defines_the_unmet_counts_with_the_far_distance(app, client, session, monkeypatch):
    monkeypatch.setitem(app.config, "UNMET_FAR_KM", 25)
    login(client, user(session, "auditor"))
    html = client.get("/audit/definitions").get_data(as_text=True)
    assert 'data-key="unmet_counts"' in html and "25 公里以外" in html and "不保存个人信息" in html
