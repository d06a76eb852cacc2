"""The search pages and the map with a published scope's fields (issue 12 item 4): the service-type and
public-standard filters in the form and as Chinese chips, the map filtered the same way; 限制范围 with its
kind, 说明 and 暂停 on the results and on the facility page."""
import json
import re


def chips(page: str) -> list[str]:
    found = re.search(r'<div class="chips">(.*?)</div>', page, re.S)
    return re.findall(r">([^<]*) ×</a>", found.group(1)) if found else []


def hit_ids(page: str) -> list[str]:
    return re.findall(r'<li class="hit" data-facility-id="([^"]+)"', page)


def test_service_and_public_standard_filters_are_chinese_chips(client, scope_examples):
    page = client.get("/search?service=verification&public_standard=1").get_data(as_text=True)
    assert chips(page) == ["服务方式：检定", "仅社会公用计量标准"]
    assert hit_ids(page) == ["F0003"]
    assert client.get("/search?service=检定").get_data(as_text=True).count("服务方式：检定") == 1
    english = client.get("/search?service=calibration&lang=en").get_data(as_text=True)
    assert chips(english) == ["Service mode: Calibration"]


def test_removing_a_chip_drops_that_filter_only(client, scope_examples):
    page = client.get("/search?service=verification&service=calibration&public_standard=1").get_data(as_text=True)
    links = dict((label, href.replace("&amp;", "&")) for href, label in re.findall(
        r'<a href="([^"]+)" title="[^"]+">([^<]*) ×</a>', page))
    assert set(links) == {"服务方式：检定", "服务方式：校准", "仅社会公用计量标准"}
    assert links["服务方式：检定"] == "/search?service=calibration&public_standard=1"
    assert links["仅社会公用计量标准"] == "/search?service=verification&service=calibration"


def test_the_form_offers_the_service_types_and_the_public_standard_flag(client, scope_examples):
    page = client.get("/search?service=calibration&public_standard=1").get_data(as_text=True)
    boxes = dict(re.findall(r'<input type="checkbox" name="service" value="(\w+)"( checked)?>', page))
    assert boxes == {"verification": "", "calibration": " checked", "testing": "", "inspection": "",
                     "certification": ""}
    labels = re.findall(r'name="service" value="\w+"(?: checked)?> ([^<]+)</label>', page)
    assert labels == ["检定", "校准", "检测", "检验", "认证"]
    assert '<input type="checkbox" name="public_standard" value="1" checked> 仅社会公用计量标准' in page
    assert "服务方式" in page


def test_an_unknown_service_type_is_explained_and_left_out(client, scope_examples):
    page = client.get("/search?service=测绘&q=数字压力计").get_data(as_text=True)
    assert re.search(r'data-field="service">服务方式: 无法识别此值', page)
    assert hit_ids(page) == ["F0002"]


def test_the_map_is_filtered_the_same_way(client, scope_examples):
    def located(url):
        response = client.get(url)
        assert response.status_code == 200
        return {f["properties"]["i"] for f in json.loads(response.get_data(as_text=True))["features"]}
    assert located("/map/facilities.geojson?public_standard=1") == {"F0003"}
    assert located("/map/facilities.geojson?service=testing") == {"F0001"}
    assert located("/map/facilities.geojson?service=检定") == {"F0002", "F0003"}
    assert located("/map/facilities.geojson?value=350&unit=℃") == {"F0002"}  # a second segment
    page = client.get("/search?service=testing").get_data(as_text=True)
    assert 'src="/map?service=testing"' in page


def test_results_show_limitation_with_its_kind_remarks_and_suspended_items(client, scope_examples):
    page = client.get("/search?q=电线电缆").get_data(as_text=True)
    hit = page[page.index('data-facility-id="F0001"'):]
    hit = hit[:hit.index("</li>\n      \n")] if "</li>\n      \n" in hit else hit[:6000]
    suspended = '<li class="suspended-item"><span class="badge suspended">暂停</span> 电线电缆（演示） 工频交流电压试验'
    assert suspended in hit
    assert "限制范围（仅）：只测：≤35 kV" in hit
    assert "限制范围（不含）：不测：海底电缆" in hit
    assert "说明：扩项" in hit
    english = client.get("/search?q=电线电缆&lang=en").get_data(as_text=True)
    assert "Limitation (only): 只测：≤35 kV" in english and ">Suspended</span>" in english


def test_facility_page_shows_the_kind_of_each_limitation(client, scope_examples):
    page = client.get("/facilities/F0001").get_data(as_text=True)
    assert "限制范围（仅）：只测：≤35 kV" in page
    assert "限制范围（不含）：不测：海底电缆" in page
    assert "限制范围（其他）：≤ 500 kN" in page
    assert "说明：变更 2024-03-01" in page
    row = page[page.index("工频交流电压试验") - 120:][:200]
    assert '<span class="badge suspended">暂停</span>' in row
