"""The /plan page: pasted and uploaded plans, the answer in Chinese, its map, bad input as a 422 page."""
import io
import re

import pytest

from registry.services.search.plan import ITEM_MATCHES
from tests.factories import csrf_token, xlsx_bytes
from tests.services.plan_fixture import A, B, C, D, load_plan_registry


@pytest.fixture
def plan_registry(session, tmp_path):
    ITEM_MATCHES.clear()
    return load_plan_registry(session, tmp_path / "data")


def post(client, text="", file=None, district=""):
    data = {"items": text, "district": district, "csrf_token": csrf_token(client, "/plan")}
    if file is not None:
        data["file"] = file
    return client.post("/plan", data=data, content_type="multipart/form-data")



def listed(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-facility-id="([^"]+)"', part)


def test_form_is_chinese(client, session):
    html = client.get("/plan").get_data(as_text=True)
    assert "谁能做我的全部检测项目" in html and 'name="items"' in html and 'type="file"' in html
    assert "萧山区" in html


def test_pasted_plan_lists_complete_pairs_and_partial(client, plan_registry):
    response = post(client, f"{A}\n{B}\n{C}\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert listed(html, "plan-complete") == ["F0001"]
    assert listed(html, "plan-pairs") == ["F0002", "F0003"]
    assert listed(html, "plan-partial") == ["F0002", "F0003", "F0006"]
    assert "1 家机构能做全部项目" in html
    assert "缺少" in html and "已过期" in html
    map_url = re.search(r'<iframe src="([^"]+)"', html)[1].replace("&amp;", "&")
    assert map_url.startswith("/plan/map?f=F0001")
    assert client.get(map_url).status_code == 200
    points = client.get(map_url.replace("/plan/map", "/plan/points.geojson")).get_json()
    assert {f["properties"]["i"] for f in points["features"]} == {"F0001", "F0002", "F0003", "F0006"}


def test_uploaded_workbook_and_district(client, plan_registry):
    data = xlsx_bytes([["序号", "检验项目"], [1, A], [2, B], [3, C], [4, D]])
    html = post(client, file=(io.BytesIO(data), "计划.xlsx"), district="330127").get_data(as_text=True)
    assert listed(html, "plan-pairs") == ["F0001", "F0005"]
    assert "公里" in html


def test_item_nobody_covers_is_named(client, plan_registry):
    html = post(client, f"{A}\n不存在的检验项目").get_data(as_text=True)
    assert 'id="plan-uncovered"' in html and "不存在的检验项目" in html


@pytest.mark.parametrize("text, file, message", [
    ("", None, "计划是空的"),
    ("\n".join(f"项目{n}" for n in range(1000)), None, "最多"),
    ("外观\n" + "长" * 300, None, "第 2 项"),
    ("", (io.BytesIO(b"not a workbook"), "plan.xlsx"), "XLSX"),
    ("", (io.BytesIO(b"\x00\x01binary"), "plan.csv"), "NUL"),
])
def test_bad_plans_are_a_422_page_in_chinese(client, plan_registry, text, file, message):
    response = post(client, text, file)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:1000]
    assert message in html.split('id="plan-messages"', 1)[1].split("</div>", 1)[0]


def test_pasted_nul_is_refused_not_a_500(client, plan_registry):
    """The plan service refuses it (422); where the app's edge check refuses control characters in any
    form first, that is a 400 saying so: either way a 4xx naming NUL."""
    response = post(client, "外观\x00")
    assert response.status_code in (400, 422) and "NUL" in response.get_data(as_text=True)


def test_map_ignores_ids_that_cannot_be_facilities(client, plan_registry):
    body = client.get("/plan/points.geojson?f=F0001&f=bad/id&f=" + "x" * 500).get_json()
    assert [f["properties"]["i"] for f in body["features"]] == ["F0001"]
    assert client.get("/plan/points.geojson?f=%00bad").status_code == 400  # control characters: refused at the edge
    assert client.get("/plan/points.geojson").get_json()["features"] == []
