"""Kept answers: served until the data changes, never past a key's scope or the rate limit."""
import pytest

from registry.api import response_cache
from tests.factories import capability, facility, run, write_dataset


def test_answer_is_kept_until_an_import_changes_the_data(client, registry, tmp_path, monkeypatch):
    first = client.get("/api/v1/facilities?q=计量").get_json()
    assert [i["facility_id"] for i in first["items"]] == ["F0002"]
    assert any(key[2].startswith("/api/v1/facilities?") for key in response_cache.entries)
    with monkeypatch.context() as patch:  # the kept answer is served: the search is not run again
        patch.setattr("registry.api.facilities.api_facility_list", lambda *a, **k: pytest.fail("searched again"))
        assert client.get("/api/v1/facilities?q=计量").get_json() == first
    report = run(registry, write_dataset(tmp_path / "more", [facility(9, name="滨江计量站")],
                                         [capability(9, 1)]))
    assert report.committed
    after = client.get("/api/v1/facilities?q=计量").get_json()
    assert sorted(i["facility_id"] for i in after["items"]) == ["F0002", "F0009"]


def test_kept_answer_still_checks_scope_and_keys(client, registry, make_key):
    assert client.get("/api/v1/capabilities?q=电阻").status_code == 200
    assert client.get("/api/v1/capabilities?q=电阻", headers={"X-API-Key": make_key("book")}).status_code == 403
    assert client.get("/api/v1/capabilities?q=电阻", headers={"X-API-Key": "hqr_bad"}).status_code == 401


def test_cache_can_be_turned_off(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "API_RESPONSE_CACHE", 0)
    response_cache.entries.clear()
    assert client.get("/api/v1/facilities.geojson").status_code == 200
    assert not response_cache.entries


def test_cache_keeps_at_most_api_response_cache_answers(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "API_RESPONSE_CACHE", 2)
    for query in ("计量", "电阻", "检测"):
        assert client.get(f"/api/v1/facilities?q={query}").status_code == 200
    assert len(response_cache.entries) == 2
    assert not any("%E8%AE%A1%E9%87%8F" in key[2] or "计量" in key[2] for key in response_cache.entries)
