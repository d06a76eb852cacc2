"""lead_time_max: capabilities done within N days, and the facilities that have one, in every search."""
from datetime import date

from registry.services.search import api_capability_page, parse_search_args, search_facilities

TODAY = date(2026, 11, 25)


def found(session, **args):
    query, problems = parse_search_args(args)
    assert not problems
    return [h.facility["facility_id"] for h in search_facilities(session, query, TODAY).hits]


def test_facilities_with_a_capability_done_in_time(registry):
    assert found(registry, lead_time_max="3") == ["F0002"]  # the only lead time recorded: 3 days
    assert found(registry, lead_time_max="2") == []
    assert found(registry, lead_time_max="3", q="温度计") == []  # the thermometer has no lead time
    assert found(registry, lead_time_max="30", q="压力") == ["F0002"]


def test_capabilities_done_in_time(registry):
    query, _ = parse_search_args({"lead_time_max": "3"})
    page = api_capability_page(registry, query, TODAY)
    assert [r["capability_id"] for r in page.rows] == ["C0001"] and page.total == 1
    assert page.rows[0]["lead_time_days"] == 3


def test_the_api_filters_and_refuses_alike(client, registry):
    body = client.get("/api/v1/facilities?lead_time_max=3").get_json()
    assert [i["facility_id"] for i in body["items"]] == ["F0002"]
    assert client.get("/api/v1/capabilities?lead_time_max=3").get_json()["total"] == 1
    assert [f["id"] for f in client.get("/api/v1/facilities.geojson?lead_time_max=2").get_json()["features"]] == []
    response = client.get("/api/v1/facilities?lead_time_max=-1")
    assert response.status_code == 422 and "lead_time_max" in response.get_json()["error"]["fields"]
    assert [p.field for p in parse_search_args({"lead_time_max": "-1"})[1]] == ["lead_time_max"]


def test_the_page_shows_it_as_a_filter(client, registry):
    page = client.get("/search?lead_time_max=3").get_data(as_text=True)
    assert "西湖计量所" in page and "杭州电缆检测中心" not in page
    assert "3 天内完成 ×" in page
    assert '<input type="hidden" name="lead_time_max" value="3">' in page  # kept when the form is sent
