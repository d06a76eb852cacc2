"""The /api/v1 resources on a real database: filters, pages, detail, GeoJSON, districts."""
import pytest


def get(client, url, **kw):
    response = client.get(url, **kw)
    return response, response.get_json()


def test_facility_list_returns_items_total_and_facets(client, registry):
    response, body = get(client, "/api/v1/facilities")
    assert response.status_code == 200
    assert set(body) >= {"items", "next_cursor", "total", "facets"}
    ids = sorted(i["facility_id"] for i in body["items"])
    assert ids == ["F0001", "F0002", "F0003"]  # the suspended one only on request
    assert body["total"] == 3 and body["next_cursor"] is None
    assert body["facets"]["district"]["330109"] == 1


@pytest.mark.parametrize("query, expected", [
    ("q=导体直流电阻", ["F0001"]),
    ("q=GB/T3048.4", ["F0001"]),
    ("standard=JJG 59", ["F0002"]),
    ("kind=metrology", ["F0002"]),
    ("district=330108", ["F0003"]),
    ("ownership=private", ["F0002"]),
    ("shared=true", ["F0001", "F0003"]),
    ("accreditation=cma", ["F0001"]),
    ("discipline=thermal", ["F0002"]),
    ("quantity=压力&value=5&unit=MPa", ["F0002"]),
    ("quantity=压力&value=500&unit=MPa", []),
    ("status=suspended", ["F0004"]),
    ("kind=testing&kind=metrology&district=330106", ["F0002"]),
])
def test_facility_filters(client, registry, query, expected):
    _response, body = get(client, f"/api/v1/facilities?{query}")
    assert sorted(i["facility_id"] for i in body["items"]) == expected
    assert body["total"] == len(expected)


def test_near_radius_and_bbox(client, registry):
    from tests.factories import point_in
    lon, lat = point_in("330109")
    _r, body = get(client, f"/api/v1/facilities?near={lon},{lat}&radius_km=2&sort=distance")
    assert [i["facility_id"] for i in body["items"]] == ["F0001"]
    assert body["items"][0]["distance_km"] < 0.01
    _r, body = get(client, f"/api/v1/facilities?bbox={lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}")
    assert [i["facility_id"] for i in body["items"]] == ["F0001"]


def test_updated_since_keeps_only_later_writes(client, registry):
    _r, body = get(client, "/api/v1/facilities?updated_since=2000-01-01T00:00:00Z")
    assert body["total"] == 3
    _r, body = get(client, "/api/v1/facilities?updated_since=2999-01-01T00:00:00%2B08:00")
    assert body["total"] == 0


def test_keyset_pages_cover_every_facility_once_with_link_header(client, registry):
    seen, url = [], "/api/v1/facilities?limit=1"
    while url:
        response, body = get(client, url)
        assert body["total"] == 3
        seen += [i["facility_id"] for i in body["items"]]
        if body["next_cursor"]:
            link = response.headers["Link"]
            assert link.endswith('>; rel="next"') and "cursor=" in link
            url = link[1:link.index(">")].replace("http://localhost", "")
        else:
            assert "Link" not in response.headers
            url = None
    assert sorted(seen) == ["F0001", "F0002", "F0003"] and len(seen) == 3


def test_tampered_or_foreign_cursor_is_a_400_in_the_envelope(client, registry):
    _r, body = get(client, "/api/v1/facilities?limit=1")
    cursor = body["next_cursor"]
    # One character of the signature changed (its last characters may carry padding bits only).
    tampered = cursor[:-5] + ("A" if cursor[-5] != "A" else "B") + cursor[-4:]
    response, body = get(client, f"/api/v1/facilities?limit=1&cursor={tampered}")
    assert response.status_code == 400 and body["error"]["code"] == "invalid_cursor"
    lon, lat = 120.2, 30.2
    response, body = get(client, f"/api/v1/facilities?limit=1&cursor={cursor}&near={lon},{lat}&sort=distance")
    assert response.status_code == 400
    response, _ = get(client, f"/api/v1/capabilities?cursor={cursor}")
    assert response.status_code == 400


@pytest.mark.parametrize("query, field", [
    ("limit=201", "limit"), ("limit=0", "limit"), ("limit=abc", "limit"), ("kind=lab", "kind"),
    ("district=999999", "district"), ("near=abc", "near"), ("near=200,30", "near"),
    ("bbox=1,2,3", "bbox"), ("value=5", "unit"), ("value=5&unit=zzqq", "unit"),
    ("radius_km=5", "near"), ("radius_km=-1&near=120,30", "radius_km"), ("sort=distance", "sort"),
    ("updated_since=yesterday", "updated_since"), ("value=nan&unit=MPa", "value"),
])
def test_bad_parameters_are_422_naming_the_field(client, registry, query, field):
    response, body = get(client, f"/api/v1/facilities?{query}")
    assert response.status_code == 422
    assert body["error"]["code"] == "unprocessable_entity"
    assert field in body["error"]["fields"]


def test_facility_detail_and_404(client, registry):
    response, body = get(client, "/api/v1/facilities/F0001")
    assert response.status_code == 200
    assert body["name"] == "杭州电缆检测中心"
    assert body["accreditations"] == [{"scheme": "cma", "number": "211112290728", "valid_until": "2030-01-01",
                                       "valid": True}]
    assert body["capability_total"] == 2
    assert body["updated_at"].endswith("Z") or body["updated_at"].endswith("+00:00")
    response, body = get(client, "/api/v1/facilities/NOPE")
    assert response.status_code == 404
    assert body == {"error": {"code": "not_found", "message": "No facility with this id.", "fields": {},
                              "request_id": response.headers["X-Request-ID"]}}


def test_capability_search_counts_and_facets_every_match(client, registry):
    _r, body = get(client, "/api/v1/capabilities?q=电阻&limit=1")
    assert body["total"] == 3  # two cable items of F0001, the thermometer of F0002; not suspended F0004
    assert len(body["items"]) == 1 and body["next_cursor"]
    assert body["facets"]["facility_kind"] == {"testing": 2, "metrology": 1}
    assert body["facets"]["discipline"] == {"thermal": 1}
    names = [body["items"][0]["name"]]
    while body["next_cursor"]:
        _r, body = get(client, f"/api/v1/capabilities?q=电阻&limit=1&cursor={body['next_cursor']}")
        names += [i["name"] for i in body["items"]]
    assert sorted(names) == sorted(["电线电缆 导体直流电阻", "电线电缆 绝缘电阻", "铂电阻温度计标准装置"])


@pytest.mark.parametrize("query, expected", [
    ("kind=measurement_standard", 2), ("bookable=true", 1), ("facility_id=F0003", 1),
    ("quantity=温度&value=100&unit=℃", 1), ("district=330109", 2), ("facility_kind=metrology", 2),
    ("valid=true&q=电线电缆", 1), ("q=GB 5009.12", 1), ("status=suspended", 1),
])
def test_capability_filters(client, registry, query, expected):
    _r, body = get(client, f"/api/v1/capabilities?{query}")
    assert body["total"] == expected == len(body["items"])


def test_capability_fields(client, registry):
    _r, body = get(client, "/api/v1/capabilities?bookable=true")
    item = body["items"][0]
    assert item["facility_id"] == "F0002" and item["standards"] == ["JJG 59-2007"]
    assert item["price_cny"] == 300.0 and item["daily_capacity"] == 5 and item["expired"] is False


def test_capabilities_of_one_facility(client, registry):
    _r, body = get(client, "/api/v1/facilities/F0001/capabilities")
    assert body["total"] == 2 and {i["capability_id"] for i in body["items"]} == {"C0001", "C0002"}
    _r, body = get(client, "/api/v1/facilities/F0001/capabilities?q=绝缘")
    assert [i["capability_id"] for i in body["items"]] == ["C0002"]
    _r, body = get(client, "/api/v1/facilities/F0001/capabilities?q=杭州")  # the facility's own name
    assert body["total"] == 0
    response, _ = get(client, "/api/v1/facilities/NOPE/capabilities")
    assert response.status_code == 404


def test_geojson_has_located_facilities_only(client, registry):
    response, body = get(client, "/api/v1/facilities.geojson")
    assert response.mimetype == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert sorted(f["id"] for f in body["features"]) == ["F0001", "F0002"]  # F0003 has no location
    feature = next(f for f in body["features"] if f["id"] == "F0001")
    assert feature["geometry"]["type"] == "Point" and len(feature["geometry"]["coordinates"]) == 2
    _r, body = get(client, "/api/v1/facilities.geojson?kind=metrology")
    assert [f["id"] for f in body["features"]] == ["F0002"]


def test_districts_with_figures_and_boundaries_on_request(client, registry):
    _r, body = get(client, "/api/v1/districts")
    assert body["total"] == 13 and all(d["geometry"] is None for d in body["items"])
    xiaoshan = next(d for d in body["items"] if d["code"] == "330109")
    assert xiaoshan["facilities"] == 1 and xiaoshan["capabilities"] == 2
    _r, body = get(client, "/api/v1/districts/330109?geometry=true")
    assert body["name"] == "萧山区" and body["geometry"]["type"] in ("Polygon", "MultiPolygon")
    response, body = get(client, "/api/v1/districts/999999")
    assert response.status_code == 404 and body["error"]["code"] == "not_found"


def test_etag_and_if_none_match_give_304(client, registry):
    for url in ("/api/v1/facilities", "/api/v1/facilities/F0001", "/api/v1/capabilities?q=电阻",
                "/api/v1/facilities.geojson", "/api/v1/districts", "/api/v1/changes", "/api/v1/openapi.json"):
        response = client.get(url)
        etag = response.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_cors_for_reading(client, registry):
    response = client.get("/api/v1/facilities", headers={"Origin": "https://portal.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {name.strip() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "X-Request-ID"} <= exposed  # the id a partner quotes when reporting a failed call
    assert response.headers["X-Request-ID"]
    preflight = client.options("/api/v1/facilities", headers={
        "Origin": "https://portal.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "X-API-Key"})
    assert preflight.status_code == 200
    assert "X-API-Key" in preflight.headers["Access-Control-Allow-Headers"]


def test_unknown_route_and_wrong_method_use_the_envelope(client, registry):
    response, body = get(client, "/api/v1/nothing-here")
    assert response.status_code == 404 and set(body["error"]) == {"code", "message", "fields", "request_id"}
    response = client.post("/api/v1/facilities")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"


def test_hostile_text_is_a_clean_answer(client, registry):
    for q in ["'; DROP TABLE facilities; --", "%_\\", "a" * 200, "GB/T" * 40, "\u0000x"]:
        response = client.get("/api/v1/capabilities", query_string={"q": q})
        assert response.status_code in (200, 422), q
        response = client.get("/api/v1/facilities", query_string={"q": q})
        assert response.status_code in (200, 422), q


@pytest.mark.parametrize("url", ["/api/v1/facilities/F%000001", "/api/v1/facilities/%E4%B8%AD",
                                 "/api/v1/facilities/F%00/capabilities", "/api/v1/districts/33010%00",
                                 "/api/v1/districts/%EF%BC%93%EF%BC%93%EF%BC%90%EF%BC%91%EF%BC%90%EF%BC%99"])
def test_ids_that_cannot_exist_are_404_without_reaching_sql(client, registry, url, monkeypatch):
    for lookup in ("registry.api.facilities.facility_detail", "registry.api.districts.district_figures"):
        monkeypatch.setattr(lookup, lambda *a, **k: pytest.fail("the id reached the lookup"))
    response = client.get(url)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_capability_facility_id_filter_refuses_impossible_ids(client, registry):
    response = client.get("/api/v1/capabilities?facility_id=F%0001")
    assert response.status_code == 422 and "facility_id" in response.get_json()["error"]["fields"]
