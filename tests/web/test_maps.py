"""The map endpoints: GeoJSON of located facilities (filters, escaping, gzip, ETag, GCJ-02), the map page."""
import gzip
import json
import re

import pytest

from geo.coords import wgs84_to_gcj02
from geo.maps import embed_parts
from registry.web import maps as web_maps
from tests.factories import facility, point_in, run, write_dataset

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def registry(session, tmp_path):
    xihu, xiaoshan = point_in("330106"), point_in("330109")
    rows = [
        facility(1, name=XSS, name_en="</script><script>alert(1)</script>"),
        facility(2, kind="metrology", district_code="330109", lon=str(xiaoshan[0]), lat=str(xiaoshan[1]),
                 shared="no", ownership="private"),
        facility(3, lon=None, lat=None),  # no location: listed elsewhere, never on the map
        facility(4, status="suspended"),
        facility(5, kind="certification"),
    ]
    report = run(session, write_dataset(tmp_path / "data", rows))
    assert not report.errors, report.errors
    session.commit()
    return {"xihu": xihu, "xiaoshan": xiaoshan}


def features(response) -> dict:
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["i"]: f for f in data["features"]}


def test_only_located_active_facilities_with_short_properties(client, registry):
    found = features(client.get("/map/facilities.geojson"))
    assert set(found) == {"F0001", "F0002", "F0005"}
    f2 = found["F0002"]
    assert f2["type"] == "Feature" and f2["geometry"]["type"] == "Point"
    assert f2["geometry"]["coordinates"] == pytest.approx(list(registry["xiaoshan"]), abs=1e-6)
    assert f2["properties"] == {"i": "F0002", "n": "测试检测中心2", "k": "metrology", "o": "private", "s": 0,
                                "d": "330109"}
    assert found["F0001"]["properties"]["s"] == 1


def test_inactive_facilities_on_request(client, registry):
    assert "F0004" in features(client.get("/map/facilities.geojson?inactive=1"))


def test_filters_are_the_search_query_string(client, registry):
    assert set(features(client.get("/map/facilities.geojson?kind=metrology"))) == {"F0002"}
    assert set(features(client.get("/map/facilities.geojson?kind=testing&kind=certification"))) == {"F0001", "F0005"}
    assert set(features(client.get("/map/facilities.geojson?district=330109"))) == {"F0002"}
    assert set(features(client.get("/map/facilities.geojson?shared=1"))) == {"F0001", "F0005"}


def test_bad_query_strings_never_fail(client, registry):
    for query in ("kind=nonsense", "near=abc&radius_km=-1", "bbox=1,2", 'q="*NEAR(OR', "value=x&unit=parsec",
                  "q=" + "电" * 10_000, "crs=mars"):
        response = client.get("/map/facilities.geojson?" + query)
        assert response.status_code == 200, query
        json.loads(response.get_data(as_text=True))


def test_names_come_back_as_plain_json_strings(client, registry):
    response = client.get("/map/facilities.geojson")
    props = features(response)["F0001"]["properties"]
    assert props["n"] == XSS and props["e"] == "</script><script>alert(1)</script>"
    assert response.mimetype != "text/html"


def test_gcj02_on_request(client, registry):
    found = features(client.get("/map/facilities.geojson?crs=gcj02&kind=metrology"))
    assert found["F0002"]["geometry"]["coordinates"] == pytest.approx(
        list(wgs84_to_gcj02(*registry["xiaoshan"])), abs=1e-6)


def test_gzip_and_etag(client, registry, monkeypatch):
    monkeypatch.setattr(web_maps, "GZIP_MIN_BYTES", 100)  # a tiny body is sent as it is
    plain = client.get("/map/facilities.geojson")
    zipped = client.get("/map/facilities.geojson", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert plain.headers["ETag"] != zipped.headers["ETag"]
    again = client.get("/map/facilities.geojson", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    again = client.get("/map/facilities.geojson", headers={"If-None-Match": zipped.headers["ETag"],
                                                            "Accept-Encoding": "gzip"})
    assert again.status_code == 304


def test_cached_points_follow_the_data(client, registry, session, tmp_path):
    assert "F0006" not in features(client.get("/map/facilities.geojson"))
    run(session, write_dataset(tmp_path / "more", [facility(6)]))
    session.commit()
    assert "F0006" in features(client.get("/map/facilities.geojson"))


def test_uncached_gives_the_same_body(app, client, registry, monkeypatch):
    cached = client.get("/map/facilities.geojson?kind=testing").data
    monkeypatch.setitem(app.config, "MAP_POINTS_CACHE", 0)
    assert client.get("/map/facilities.geojson?kind=testing").data == cached


def test_points_geojson_skips_missing_and_non_finite_coordinates():
    rows = [{"facility_id": "a", "name": "A", "kind": "testing", "lon": None, "lat": None},
            {"facility_id": "b", "name": "B", "kind": "testing", "lon": float("nan"), "lat": 30.0},
            {"facility_id": "c", "name": "C", "kind": "testing", "lon": 120.0, "lat": 30.0, "demo": True}]
    data = json.loads(web_maps.points_geojson(rows))
    assert [f["properties"]["i"] for f in data["features"]] == ["c"]
    assert data["features"][0]["properties"]["m"] == 1
    assert json.loads(web_maps.points_geojson([])) == {"type": "FeatureCollection", "features": []}


def test_district_boundaries(client, session):
    response = client.get("/map/districts.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert "max-age" in response.headers["Cache-Control"]
    data = json.loads(gzip.decompress(response.data))
    assert len(data["features"]) == 13
    shifted = json.loads(client.get("/map/districts.geojson?crs=gcj02").data)
    a = data["features"][0]["geometry"]["coordinates"][0][0][0]
    b = shifted["features"][0]["geometry"]["coordinates"][0][0][0]
    assert b == pytest.approx(list(wgs84_to_gcj02(*a)), abs=1e-6)


def test_the_map_page_is_offline_and_passes_the_filters_on(client, registry):
    response = client.get("/map?kind=testing&district=330106&page=3")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert not re.search(r"https?://", html)
    assert "/map/facilities.geojson?kind=testing&amp;district=330106" in html  # preload link
    assert "page=3" not in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_the_map_page_follows_the_tiles_setting(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "MAP_TILES", "amap")
    html = client.get("/map").get_data(as_text=True)
    assert "autonavi.com" in html and "crs=gcj02" in html


def test_vendored_static_files_are_served(client, session):
    for path in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/supercluster/supercluster.min.js",
                 "/static/maps/registry-map.js", "/static/vendor/leaflet/images/layers.png"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()


def test_facility_map_for_a_facility_page(app, session):
    with app.test_request_context("/facilities/F0001"):
        assert web_maps.facility_map_for({"lon": None, "lat": None, "name": "x"}) is None
        m = web_maps.facility_map_for({"lon": 120.1, "lat": 30.2, "name": XSS, "kind": "testing",
                                       "district_code": "330106"}, height="300px")
        parts = embed_parts(m)
    assert "RegistryMap.facility(" in parts["script"] and "<img" not in parts["script"]
    # its district outlined among all districts (fetched once, cached by the browser): neighbours show around it
    assert '"highlight": "330106"' in parts["script"] and '"districts": "/map/districts.geojson"' in parts["script"]
    assert not re.search(r"https?://", parts["header"] + parts["html"] + parts["script"])
