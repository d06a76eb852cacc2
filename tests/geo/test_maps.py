"""The folium maps: offline assets, tiles, GCJ-02 shift for AMap, escaping."""
import json
import re
from pathlib import Path

import pytest

from geo import maps
from geo.coords import wgs84_to_gcj02

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "registry" / "static"
DISTRICTS = json.loads((ROOT / "seeds" / "districts_simplified.geojson").read_text(encoding="utf-8"))
HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"


def local_path(url: str) -> Path:
    assert url.startswith("/static/"), url
    return STATIC / url.removeprefix("/static/")


def options_of(m, cls):
    [element] = [c for c in m._children.values() if isinstance(c, cls)]
    return element.options


def test_results_map_loads_everything_from_the_app_itself():
    html = maps.render_page(maps.results_map("/map/facilities.geojson", "/map/districts.geojson"))
    assert not re.search(r"https?://", html), "no URL to any other host"
    links = maps.page_links(html)
    assert "/static/vendor/leaflet/leaflet.js" in links
    assert "/static/vendor/supercluster/supercluster.min.js" in links
    assert "/static/maps/registry-map.js" in links and "/static/maps/registry-map.css" in links
    for url in links:
        if url.startswith("/static/"):
            assert local_path(url).is_file(), f"{url} not vendored: run `make vendor`"
    for dropped in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert dropped not in html.lower()


def test_vendored_packages_keep_their_licences_and_the_pinned_versions():
    """The committed assets are what package-lock.json pins (`make vendor` refreshes them)."""
    lock = json.loads((STATIC.parent.parent / "package-lock.json").read_text())["packages"]
    for package in ("leaflet", "supercluster", "kdbush"):
        assert (STATIC / "vendor" / package / "LICENSE").is_file(), package
        pinned = lock[f"node_modules/{package}"]["version"]
        assert (STATIC / "vendor" / package / "VERSION").read_text().strip() == pinned, package
    assert lock["node_modules/leaflet"]["version"] == "1.9.3"


def test_the_results_page_is_small_and_embeds_no_markers():
    html = maps.render_page(maps.results_map("/map/facilities.geojson?kind=testing", "/map/districts.geojson"))
    assert len(html.encode()) < 20_000
    assert 'rel="preload" href="/map/facilities.geojson?kind=testing" as="fetch"' in html
    assert "RegistryMap.results(" in html and "L.marker(" not in html


def test_no_tiles_still_gives_the_map_a_max_zoom():
    m = maps.results_map("/p", None)
    assert m.options["max_zoom"] == maps.MAX_ZOOM and m.options["min_zoom"] == maps.MIN_ZOOM
    assert '"maxZoom": 18' in maps.render_page(m)


def test_the_scale_bar_is_metric_only():
    m = maps.results_map("/p", None)
    assert [c for c in m._children.values() if isinstance(c, maps.MetricScale)] and not m.control_scale
    html = maps.render_page(m)
    assert "L.control.scale({imperial: false})" in html and "L.control.scale()" not in html


def test_use_local_assets_takes_the_static_prefix():
    try:
        maps.use_local_assets("/registry/assets/")
        html = maps.render_page(maps.results_map("/p", None))
        assert '<script src="/registry/assets/vendor/leaflet/leaflet.js">' in html
        assert '<script src="/registry/assets/maps/registry-map.js">' in html
        assert "/static/" not in html
    finally:
        maps.use_local_assets("/static")


def test_amap_tiles_shift_markers_and_boundaries_to_gcj02():
    m = maps.results_map("/map/facilities.geojson?kind=testing", DISTRICTS, tiles="amap")
    options = options_of(m, maps.RegistryPoints)
    assert options["pointsUrl"] == "/map/facilities.geojson?kind=testing&crs=gcj02"
    assert options["crs"] == "gcj02"
    original = DISTRICTS["features"][0]["geometry"]["coordinates"][0][0][0]
    shifted = options["districts"]["features"][0]["geometry"]["coordinates"][0][0][0]
    expected = wgs84_to_gcj02(*original)
    assert shifted == pytest.approx(expected, abs=1e-6)
    assert abs(shifted[0] - original[0]) > 0.004  # about 500 m east
    assert DISTRICTS["features"][0]["geometry"]["coordinates"][0][0][0] == original  # input untouched
    assert "autonavi.com" in maps.render_page(m)


def test_amap_district_url_asks_for_gcj02_and_other_tiles_keep_wgs84():
    amap = options_of(maps.results_map("/p?crs=wgs84", "/d", tiles="amap"), maps.RegistryPoints)
    assert amap["districts"] == "/d?crs=gcj02" and amap["pointsUrl"] == "/p?crs=gcj02"
    for tiles in ("none", "osm"):
        options = options_of(maps.results_map("/p", "/d", tiles=tiles), maps.RegistryPoints)
        assert options["districts"] == "/d" and options["pointsUrl"] == "/p" and options["crs"] == "wgs84"


def test_facility_map_shifts_its_point_for_amap():
    lon, lat = 120.1551, 30.2741
    plain = options_of(maps.facility_map(lon, lat, None), maps.RegistryFacility)
    assert plain["point"] == [lat, lon]
    shifted = options_of(maps.facility_map(lon, lat, None, tiles="amap"), maps.RegistryFacility)
    assert shifted["point"][1] == pytest.approx(lon + 0.0046945, abs=1e-6)
    assert shifted["point"][0] == pytest.approx(lat - 0.0023288, abs=1e-6)


def test_tile_settings():
    osm = maps.render_page(maps.results_map("/p", None, tiles="osm"))
    hosts = set(re.findall(r"https?://([^/\"'{}]+)", osm))
    assert hosts == {"tile.openstreetmap.org", "www.openstreetmap.org"}
    tianditu = maps.render_page(maps.results_map("/p", None, tiles="tianditu", tiles_key="KEY123"))
    assert "tianditu.gov.cn/vec_w/wmts" in tianditu and "tianditu.gov.cn/cva_w/wmts" in tianditu
    assert "tk=KEY123" in tianditu
    with pytest.raises(ValueError, match="key"):
        maps.results_map("/p", None, tiles="tianditu")
    with pytest.raises(ValueError, match="unknown tiles"):
        maps.results_map("/p", None, tiles="google")


def test_labels_and_names_never_reach_the_page_as_html():
    labels = {"legend": HOSTILE, "kinds": {"testing": HOSTILE}, "details": HOSTILE}
    m = maps.results_map("/p?q=" + HOSTILE, None, labels=labels, district_names={"330106": HOSTILE})
    html = maps.render_page(m)
    assert "<img" not in html and "<script>alert" not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # JSON with <, > escaped
    facility = maps.render_page(maps.facility_map(120.1, 30.2, None, name=HOSTILE))
    assert "<img" not in facility


def test_the_browser_code_builds_popups_and_labels_from_text():
    script = (STATIC / "maps" / "registry-map.js").read_text(encoding="utf-8")
    assert "textContent" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    # Leaflet treats string popup/tooltip content as HTML: only DOM nodes are passed.
    assert re.search(r"bindTooltip\(el\(", script) and ".setContent(popupContent(" in script
    assert "encodeURIComponent(id)" in script


def test_labels_default_to_english_and_merge_per_key():
    merged = maps.merged_labels({"kinds": {"testing": "检验检测"}, "legend": "机构类型"})
    assert merged["kinds"] == {"metrology": "Metrology", "testing": "检验检测", "certification": "Certification"}
    assert merged["legend"] == "机构类型" and merged["details"] == "Details"


def test_district_names_come_from_the_geojson_in_the_page_language():
    zh = options_of(maps.results_map("/p", DISTRICTS), maps.RegistryPoints)["districtNames"]
    en = options_of(maps.results_map("/p", DISTRICTS, lang="en"), maps.RegistryPoints)["districtNames"]
    assert zh["330109"] == "萧山区" and en["330109"] == "Xiaoshan" and len(zh) == 13


def test_embed_parts_for_a_jinja_page():
    parts = maps.embed_parts(maps.results_map("/p", None, height="480px"))
    assert "leaflet.js" in parts["header"] and 'class="folium-map"' in parts["html"]
    assert "RegistryMap.results(" in parts["script"]
    assert "height: 480.0px" in parts["header"]


def test_with_crs_keeps_the_other_parameters():
    assert maps.with_crs("/p?kind=a&kind=b&crs=x", "gcj02") == "/p?kind=a&kind=b&crs=gcj02"
    assert maps.with_crs("/p?kind=a&crs=gcj02", "wgs84") == "/p?kind=a"
