"""Art. 7 over HTTP: /audit/public-standards shows the counts, gaps, map and list of the public measurement
standards (tests/services/art7_fixture.py), in Chinese first; CSV/XLSX with Chinese headers; the map offline
with the CSP nonce; the district scope; bad parameters a 400; the audit navigation and the printed report."""
import csv
import io
import json
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from geo.maps import page_links
from registry.clock import today
from registry.services.audit.cache import cache
from tests.factories import login, user
from tests.services.art7_fixture import load_art7_fixture


@pytest.fixture
def loaded(session, tmp_path):
    load_art7_fixture(session, tmp_path, today())
    cache().clear()
    return session


@pytest.fixture
def auditor(client, loaded):
    login(client, user(loaded, "auditor"))
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_page_shows_counts_gaps_and_the_list_in_chinese(auditor):
    html = auditor.get("/audit/public-standards").get_data(as_text=True)
    assert "第七条：社会公用计量标准" in html
    for name in ("二等铂电阻温度计标准装置", "活塞式压力计标准装置", "量块标准装置", "工作用热电偶标准装置",
                 "一号标准装置"):
        assert name in html
    assert "一般压力表检定装置" not in html and "照度计检定装置" not in html and "卡尺检定装置" not in html
    xihu = re.search(r'<table[^>]*id="art7-districts".*?<tr data-code="330106">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'data-count="(\w+)">(\d+)<', xihu) == [
        ("total", "5"), ("in_force", "3"), ("valid", "2"), ("expiring", "2"), ("expired", "1"), ("undated", "0"),
        ("suspended", "1")]
    matrix = re.search(r'id="art7-matrix".*?</table>', html, re.S).group(0)
    assert re.search(r'<tr data-code="330106">.*?class="num ok" data-discipline="mechanics">2<', matrix, re.S)
    assert re.search(r'<tr data-code="330106">.*?class="num gap" data-discipline="length">0<span class="audit-meta">'
                     r' / 1</span>', matrix, re.S)
    gaps = re.search(r'id="art7-gaps".*?</table>', html, re.S).group(0)
    assert re.search(r'<tr data-code="330127">.*?几何量.*?物理化学', gaps, re.S)
    assert 'data-discipline="thermal"' not in re.search(r'<tr data-code="330109">.*?</tr>', gaps, re.S).group(0)
    assert "即将到期" in html and "已过期" in html and "无有效期" in html and "专业未识别" in html


def test_the_discipline_narrows_the_list_and_the_map_not_the_counts(auditor):
    html = auditor.get("/audit/public-standards?lang=en&discipline=thermal").get_data(as_text=True)
    listed = re.findall(r'<td class="art7-name">([^<]+)</td>', html)
    assert listed == ["二等铂电阻温度计标准装置", "工作用热电偶标准装置"]
    assert re.search(r'<tr data-code="330106">.*?data-count="total">5<', html, re.S)
    assert "/audit/public-standards/map?discipline=thermal" in html


def test_the_list_downloads_with_chinese_headers_as_csv_and_xlsx(auditor):
    rows = csv_rows(auditor.get("/audit/public-standards/export/standards.csv"))
    assert rows[0] == ["区县", "机构编号", "机构", "计量标准", "计量专业", "证书编号", "有效期至", "剩余天数",
                       "证书有效状态", "暂停"]
    assert ["西湖区", "F0001", "测试检测中心1", "量块标准装置", "几何量", "[2024]浙量标杭证字第004号"] == rows[2][:6]
    assert rows[2][7:9] == ["-1", "已过期"] and rows[1][8:] == ["90天内到期", "是"]
    assert len(rows) == 1 + 7
    book = load_workbook(io.BytesIO(auditor.get("/audit/public-standards/export/counts.xlsx").get_data()))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[1][:5] == ["代码", "区县", "计量专业", "总数", "有效在用"]
    assert ["330106", "西湖区", "力学", 2, 2, 1, 1, 0, 0, 0] in values
    gaps = csv_rows(auditor.get("/audit/public-standards/export/gaps.csv"))
    assert gaps[0][:3] == ["代码", "区县", "计量专业"] and ["330106", "西湖区", "几何量", "1"] in gaps
    assert len(gaps) == 1 + 8 + 9 + 10 + 10 * 10  # three districts of the fixture, ten without any standard


def test_the_downloads_are_in_english_on_request(auditor):
    """As every audit download: `headers=en` gives English headers and values whatever the page's language."""
    rows = csv_rows(auditor.get("/audit/public-standards/export/standards.csv?headers=en"))
    assert rows[0] == ["District", "Facility ID", "Facility", "Measurement standard", "Discipline",
                       "Certificate number", "Valid until", "Days left", "Validity of the certificate", "Suspended"]
    assert rows[2][0] == "Xihu" and rows[2][8] == "Expired"
    assert csv_rows(auditor.get("/audit/public-standards/export/gaps.csv?headers=en"))[0][:3] == [
        "Code", "District", "Discipline"]


def test_the_map_counts_in_force_per_district_loads_only_local_assets_and_carries_the_nonce(auditor):
    response = auditor.get("/audit/public-standards/map")
    html = response.get_data(as_text=True)
    assert all(link.startswith("/static/") for link in page_links(html)), page_links(html)
    assert re.findall(r"<script(?![^>]*nonce=)[^>]*>", html) == []
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert f'nonce="{nonce}"' in html
    assert '"330106": "3"' in html and '"330109": "1"' in html and '"330127": "0"' in html
    assert json.dumps("测试检测中心1：社会公用计量标准 5 项，有效在用 3 项") in html
    thermal = auditor.get("/audit/public-standards/map?discipline=thermal").get_data(as_text=True)
    assert '"330106": "1"' in thermal
    download = auditor.get("/audit/public-standards/map?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_a_district_auditor_sees_only_its_district(client, loaded):
    login(client, user(loaded, "auditor", district_code="330109"))
    html = client.get("/audit/public-standards").get_data(as_text=True)
    assert "工作用热电偶标准装置" in html and "二等铂电阻温度计标准装置" not in html
    rows = csv_rows(client.get("/audit/public-standards/export/standards.csv"))
    assert {r[1] for r in rows[1:]} == {"F0002"}


@pytest.mark.parametrize("url", ["/audit/public-standards?discipline=astrology",
                                 "/audit/public-standards/map?discipline=x",
                                 "/audit/public-standards/export/standards.csv?discipline=%E7%83%AD"])
def test_bad_parameters_are_a_clear_400_in_the_readers_language(auditor, url):
    response = auditor.get(url)
    assert response.status_code == 400 and "未知" in response.get_data(as_text=True)


def test_unknown_tables_and_formats_are_404(auditor):
    assert auditor.get("/audit/public-standards/export/nope.csv").status_code == 404
    assert auditor.get("/audit/public-standards/export/standards.pdf").status_code == 404


def test_the_audit_navigation_and_the_printed_report_carry_it(auditor):
    html = auditor.get("/audit/").get_data(as_text=True)
    assert 'href="/audit/public-standards"' in html
    report = auditor.get("/audit/report").get_data(as_text=True)
    section = re.search(r'id="report-art7".*?</section>', report, re.S).group(0)
    assert "第七条：社会公用计量标准" in section and "活塞式压力计标准装置" in section and 'id="art7-gaps"' in section


def test_definitions_page_and_report_define_the_art7_terms(auditor):
    for path in ("/audit/definitions", "/audit/report"):
        html = unescape(auditor.get(path).get_data(as_text=True))
        for key in ("art7_standards", "art7_validity", "art7_in_force", "art7_gap", "art7_discipline"):
            assert f'data-key="{key}"' in html, (path, key)
        row = re.search(r'<tr data-key="art7_validity">.*?</tr>', html, re.S).group(0)
        assert "t ≤ v ≤ t + 90" in row and "计量标准考核证书" in row
        assert "社会公用计量标准" in html and "暂停" in html
    english = unescape(auditor.get("/audit/definitions?lang=en").get_data(as_text=True))
    assert "Public measurement standards" in english and "In force" in english


def test_other_roles_cannot_read_it(client, loaded):
    assert client.get("/audit/public-standards").status_code in (302, 401)
    login(client, user(loaded, "enterprise"))
    assert client.get("/audit/public-standards").status_code == 403
