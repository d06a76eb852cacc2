"""API v1 search over a published scope's fields (issue 12 item 4): `service` and `public_standard` filter the
facility and capability lists like the pages, range search reads every segment, method titles are keywords."""
import pytest


def body(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_capabilities_by_service_type(client, scope_examples):
    found = body(client, "/api/v1/capabilities?service=verification&limit=100")
    assert found["total"] == 6 and {i["service"] for i in found["items"]} == {"verification"}
    assert body(client, "/api/v1/capabilities?service=检定&limit=100")["total"] == 6
    both = body(client, "/api/v1/capabilities?service=verification&service=calibration&limit=100")
    assert both["total"] == 12 and {i["service"] for i in both["items"]} == {"verification", "calibration"}


def test_public_standards_only(client, scope_examples):
    found = body(client, "/api/v1/capabilities?public_standard=true&limit=100")
    assert found["total"] == 3 and {i["facility_id"] for i in found["items"]} == {"F0003"}
    facilities = body(client, "/api/v1/facilities?public_standard=true")
    assert [f["facility_id"] for f in facilities["items"]] == ["F0003"]
    within = body(client, "/api/v1/facilities/F0003/capabilities?limit=100")  # the facility's own list: all five
    assert len(within["items"]) == 5


def test_a_value_found_in_any_segment_and_a_title_as_keyword(client, scope_examples):
    found = body(client, "/api/v1/capabilities?value=5&unit=A")
    assert [i["object"] for i in found["items"]] == ["数字多用表校准装置（演示）"]
    assert body(client, "/api/v1/facilities?value=350&unit=℃")["total"] == 1
    titled = body(client, "/api/v1/capabilities?q=导体直流电阻试验")
    assert [i["parameter"] for i in titled["items"]] == ["导体直流电阻"]


@pytest.mark.parametrize("query", ["service=测绘", "service=", "public_standard=maybe"])
def test_bad_values_are_422_naming_the_parameter(client, scope_examples, query):
    response = client.get(f"/api/v1/capabilities?{query}")
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [query.split("=")[0]]
