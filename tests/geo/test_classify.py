"""Choropleth classes (mapclassify) and the audit maps as Folium objects."""
import json

import numpy as np
import pytest

from geo.choropleth import AuditLayer, choropleth_map, grid_map, inline_assets
from geo.classify import NO_DATA_COLOR, classify
from registry.config import PROJECT_ROOT

SIMPLIFIED = PROJECT_ROOT / "seeds" / "districts_simplified.geojson"


def test_quantiles_put_equal_shares_in_each_class():
    c = classify(list(range(1, 11)), "quantiles", 5)
    assert c.counts == (2, 2, 2, 2, 2)
    assert c.upper[-1] == 10 and c.lower[0] == 1
    assert c.classes[0] == 0 and c.classes[-1] == 4


def test_natural_breaks_find_the_gaps():
    c = classify([1, 2, 3, 50, 51, 52, 100, 101], "natural_breaks", 3)
    assert c.upper == (3, 52, 101) and c.counts == (3, 3, 2)


def test_missing_values_have_no_class_and_empty_classes_are_dropped():
    c = classify([0, 0, 0, 0, 0, 0, 0, 0, 1, 5, None], "quantiles", 5)
    assert c.classes[-1] is None and c.color_of(None) == NO_DATA_COLOR
    assert all(n > 0 for n in c.counts) and sum(c.counts) == 10
    assert len(c.colors) == len(c.upper)


def test_large_inputs_classify_quickly_and_cover_every_value():
    values = np.random.default_rng(2).lognormal(size=17_000)
    c = classify(values.tolist(), "natural_breaks", 5)
    assert sum(c.counts) == 17_000 and c.upper[-1] == pytest.approx(values.max())


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError):
        classify([1, 2], "jenks_caspall")


def _layer(m) -> AuditLayer:
    return next(child for child in m._children.values() if isinstance(child, AuditLayer))


def test_choropleth_fills_each_district_by_class_with_a_legend():
    geojson = json.loads(SIMPLIFIED.read_text(encoding="utf-8"))
    codes = [f["properties"]["code"] for f in geojson["features"]]
    values = {code: float(i) for i, code in enumerate(codes)}
    values[codes[0]] = None
    c = classify([values[code] for code in codes], "quantiles", 4)
    m = choropleth_map(geojson, values, c, codes, title="T", names={codes[1]: "<b>x</b>"},
                       markers=[{"lon": 120.1, "lat": 30.2, "name": "n", "kind": "testing"}, {"lon": None}],
                       subtitle="census 2020")
    options = _layer(m).options
    assert options["title"] == "T" and options["subtitle"] == "census 2020"
    assert options["fill"][codes[0]] == NO_DATA_COLOR
    assert options["fill"][codes[-1]] == c.colors[-1]
    assert len(options["legend"]) == len(c.upper) + 1  # + no data
    assert options["names"][codes[1]] == "<b>x</b>"  # shown with textContent by the script
    assert options["markers"] == [{"lon": 120.1, "lat": 30.2, "kind": "testing", "name": "n"}]


def test_grid_map_carries_one_class_per_cell():
    c = classify([1.0, 2.0, 3.0], "quantiles", 3)
    m = grid_map(None, [120.0, 120.01, 120.02], [30.0, 30.0, 30.0], c, (0.0104, 0.009), title="A")
    cells = _layer(m).options["cells"]
    assert cells["cls"] == [0, 1, 2] and cells["dlon"] == pytest.approx(0.0052) and cells["radius"] == 0
    dots = _layer(grid_map(None, [120.0], [30.0], classify([1.0]), None, title="A")).options["cells"]
    assert dots["radius"] > 0 and dots["dlon"] == 0


def test_inline_assets_copies_only_files_under_static(tmp_path):
    (tmp_path / "a.js").write_text("var a = '</script>';")
    (tmp_path / "a.css").write_text("b{}")
    html = ('<script src="/static/a.js"></script><link rel="stylesheet" href="/static/a.css"/>'
            '<script src="/static/../secret.js"></script><script src="https://cdn/x.js"></script>')
    out = inline_assets(html, tmp_path)
    assert "<script>var a = '<\\/script>';</script>" in out and "<style>b{}</style>" in out
    assert '<script src="/static/../secret.js"></script>' in out and "https://cdn/x.js" in out


def test_amap_tiles_put_boundaries_cells_and_markers_in_gcj02():
    """Under GCJ-02 tiles every drawn coordinate is shifted, as on the search maps; not under OSM."""
    from geo.coords import wgs84_to_gcj02

    gx, gy = wgs84_to_gcj02(120.1, 30.2)
    point = {"type": "Point", "coordinates": [120.1, 30.2]}
    districts = {"type": "FeatureCollection",
                 "features": [{"type": "Feature", "properties": {"code": "330106"}, "geometry": point}]}
    marker = [{"lon": 120.1, "lat": 30.2, "name": "n", "kind": "testing"}, {"lon": None}]
    grid = _layer(grid_map(districts, [120.1], [30.2], classify([1.0]), (0.0104, 0.009), title="A",
                           markers=marker, tiles="amap")).options
    assert (grid["cells"]["lon"][0], grid["cells"]["lat"][0]) == pytest.approx((gx, gy), abs=1e-5)
    assert grid["districts"]["features"][0]["geometry"]["coordinates"] == pytest.approx([gx, gy])
    assert (grid["markers"][0]["lon"], grid["markers"][0]["lat"]) == pytest.approx((gx, gy), abs=1e-6)
    c = classify([1.0])
    filled = _layer(choropleth_map(districts, {"330106": 1.0}, c, ["330106"], title="A", names={}, markers=marker,
                                   tiles="amap")).options
    assert filled["districts"]["features"][0]["geometry"]["coordinates"] == pytest.approx([gx, gy])
    assert len(filled["markers"]) == 1 and filled["markers"][0]["lon"] == pytest.approx(gx, abs=1e-6)
    plain = _layer(grid_map(districts, [120.1], [30.2], c, None, title="A", tiles="osm")).options
    assert plain["cells"]["lon"] == [120.1] and plain["districts"] == districts
