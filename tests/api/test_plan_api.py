"""POST /api/v1/plan/coverage: the plan service's answer as JSON, bad plans as a 422 naming the field."""
import pytest

from registry.extensions import limiter
from registry.services.search.plan import ITEM_MATCHES
from tests.services.plan_fixture import UNKNOWN, A, B, C, D, load_plan_registry

URL = "/api/v1/plan/coverage"


@pytest.fixture
def plan_registry(session, tmp_path):
    ITEM_MATCHES.clear()
    return load_plan_registry(session, tmp_path / "data")


def test_complete_partial_and_pairs(client, plan_registry):
    response = client.post(URL, json={"items": [A, B, C, D], "district": "330109"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["complete"] == [] and body["complete_total"] == 0
    assert [f["facility_id"] for f in body["partial"]][:2] == ["F0001", "F0002"]
    first = body["partial"][0]
    assert (first["covered"], first["missed"], first["expired"], first["accredited"]) == ([0, 1, 2], [3], [], True)
    assert 0 <= first["distance_km"] < body["partial"][1]["distance_km"]  # from the centre of Xiaoshan
    assert [(p["first"]["facility_id"], p["second"]["facility_id"]) for p in body["pairs"]] == [("F0001", "F0005")]
    assert body["items"][3] == {"text": D, "facilities": 1}
    assert body["uncovered"] == []


def test_whole_plan_by_one_facility(client, plan_registry):
    body = client.post(URL, json={"items": ["1. " + A, B, C]}).get_json()
    assert [f["facility_id"] for f in body["complete"]] == ["F0001"]
    assert body["items"][0]["text"] == A
    assert body["complete"][0]["distance_km"] is None


def test_items_nobody_covers(client, plan_registry):
    body = client.post(URL, json={"items": [A, UNKNOWN]}).get_json()
    assert body["uncovered"] == [1] and body["pairs"] == [] and body["complete"] == []


@pytest.mark.parametrize("payload, field", [
    ({"items": []}, "items"),
    ({}, "items"),
    ({"items": [A] * 1000}, "items"),
    ({"items": [A, "绝缘\x00电阻"]}, "items"),
    ({"items": [A, "x" * 201]}, "items"),
    ({"items": [A, "  "]}, "items"),
    ({"items": [A, None]}, "items"),
    ({"items": A}, "items"),
    ({"items": [A], "near": "120.2"}, "near"),
    ({"items": [A], "district": "atlantis"}, "district"),
    ({"items": [A], "limit": 0}, "limit"),
])
def test_bad_plans_are_a_422_naming_the_field(client, plan_registry, payload, field):
    response = client.post(URL, json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("body, content_type", [
    (b"not json", "application/json"),
    (b"\x00\x00", "application/json"),
    (b'["a list"]', "application/json"),
    (b'{"items": ["\\u0000"]}', "application/json"),
    ("items=外观".encode(), "application/x-www-form-urlencoded"),
])
def test_bodies_that_are_not_a_plan_are_refused_not_a_500(client, plan_registry, body, content_type):
    response = client.post(URL, data=body, content_type=content_type)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert "error" in response.get_json()


def test_rate_limited_like_search(app, client, plan_registry):
    app.config["API_RATE_LIMIT_ANONYMOUS"] = "2 per minute"
    try:
        limiter.reset()
        statuses = [client.post(URL, json={"items": [A]}).status_code for _ in range(3)]
    finally:
        app.config["API_RATE_LIMIT_ANONYMOUS"] = "60 per minute"
        limiter.reset()
    assert statuses == [200, 200, 429]
