"""District boundaries, seed CSV and the DATA_FORMAT location rule."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo.districts import DistrictLocator, DistrictMatch, district_areas_km2, load_districts

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# DATA_FORMAT.md, "Districts (post-2021 layout)".
EXPECTED = {
    "330102": ("上城区", "Shangcheng"), "330105": ("拱墅区", "Gongshu"),
    "330106": ("西湖区", "Xihu"), "330108": ("滨江区", "Binjiang"),
    "330109": ("萧山区", "Xiaoshan"), "330110": ("余杭区", "Yuhang"),
    "330111": ("富阳区", "Fuyang"), "330112": ("临安区", "Lin'an"),
    "330113": ("临平区", "Linping"), "330114": ("钱塘区", "Qiantang"),
    "330122": ("桐庐县", "Tonglu"), "330127": ("淳安县", "Chun'an"),
    "330182": ("建德市", "Jiande"),
}
POPULATION_2020 = {
    "330102": 1323467, "330105": 1120985, "330106": 1089229, "330108": 503859,
    "330109": 2011699, "330110": 1226673, "330113": 1175841, "330114": 769150,
    "330111": 832017, "330112": 634555, "330122": 453106, "330127": 328957,
    "330182": 442709,
}


@pytest.fixture(scope="module")
def gdf():
    return load_districts(SEEDS / "districts.geojson")


@pytest.fixture(scope="module")
def simplified():
    return load_districts(SEEDS / "districts_simplified.geojson")


@pytest.fixture(scope="module")
def locator(gdf):
    return DistrictLocator(gdf)


def test_codes_and_names_match_data_format(gdf):
    assert list(gdf.columns) == ["code", "name", "name_en", "geometry"]
    assert {r.code: (r.name, r.name_en) for r in gdf.itertuples()} == EXPECTED


def test_crs_and_coordinates_are_wgs84_lon_lat(gdf):
    assert gdf.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 118.2 < minx < maxx < 120.8 and 29.1 < miny < maxy < 30.6  # lon first, not swapped
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geom_type) == {"MultiPolygon"}


def test_full_resolution_is_a_clean_coverage(gdf):
    assert shapely.coverage_is_valid(gdf.geometry.to_numpy())


def test_total_area(gdf):
    total = district_areas_km2(gdf).sum()
    assert total == pytest.approx(16850, rel=0.01)


@pytest.mark.parametrize("lon, lat, code", [
    (120.1370, 30.2450, "330106"),  # West Lake, west of the Su Causeway -> 西湖区
    (120.0850, 30.3050, "330106"),  # Zhejiang University, Zijingang campus -> 西湖区
    (120.2122, 30.2914, "330102"),  # Hangzhou East railway station -> 上城区
    (120.4344, 30.2361, "330109"),  # Xiaoshan International Airport -> 萧山区
    (119.0400, 29.6080, "330127"),  # Qiandaohu town, county seat -> 淳安县
    (120.1860, 30.1920, "330108"),  # Alibaba Binjiang campus area -> 滨江区
])
def test_landmarks(locator, lon, lat, code):
    # Points chosen >1 km from any district edge, so a few hundred metres of
    # error in either the landmark or the boundary cannot flip the answer.
    assert locator.locate(lon, lat) == code
    assert locator.in_city(lon, lat)
    assert locator.distance_m(lon, lat, code) == 0.0
    assert locator.check(lon, lat) == DistrictMatch(code, code, True, None)


def test_shanghai_is_outside(locator):
    lon, lat = 121.4737, 31.2304  # People's Square, Shanghai
    assert locator.locate(lon, lat) is None
    assert not locator.in_city(lon, lat)
    match = locator.check(lon, lat, "330102")
    assert not match.ok and match.problem == "outside_city" and match.located is None
    assert locator.check(lon, lat).problem == "outside_city"


def test_one_km_rule(locator):
    near = (120.186, 30.1425)  # in 萧山区, ~530 m south of 滨江区
    far = (120.186, 30.097)  # in 萧山区, ~5 km south of 滨江区
    assert locator.locate(*near) == locator.locate(*far) == "330109"
    assert 300 < locator.distance_m(*near, "330108") < 700
    assert 4500 < locator.distance_m(*far, "330108") < 5500

    assert locator.check(*near, "330108") == DistrictMatch("330108", "330109", True, None)
    bad = locator.check(*far, "330108")
    assert (bad.ok, bad.problem, bad.code, bad.located) == (False, "wrong_district", "330108", "330109")
    assert locator.check(*far, "330109").ok
    with pytest.raises(KeyError):
        locator.check(*far, "330101")


def test_shared_boundary_resolves_to_lowest_code(locator, gdf):
    geoms = dict(zip(gdf.code, gdf.geometry))
    shared = shapely.get_coordinates(geoms["330102"].boundary.intersection(geoms["330106"].boundary))
    lon, lat = shared[len(shared) // 2]
    assert geoms["330102"].covers(shapely.Point(lon, lat)) and geoms["330106"].covers(shapely.Point(lon, lat))
    assert locator.locate(lon, lat) == "330102"
    assert list(locator.locate_many([lon], [lat])) == ["330102"]


def test_locate_many_agrees_with_locate(locator):
    rng = np.random.default_rng(7)
    lons = rng.uniform(118.2, 120.9, 500)
    lats = rng.uniform(29.0, 30.7, 500)
    many = locator.locate_many(lons, lats)
    assert list(many) == [locator.locate(x, y) for x, y in zip(lons, lats)]
    assert any(c is None for c in many) and len({c for c in many if c}) >= 8


def test_simplified_has_no_gaps_or_overlaps(gdf, simplified):
    assert list(simplified.code) == list(gdf.code)
    geoms = simplified.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # a gap would be a hole
    eq = simplified.to_crs("+proj=aea +lat_0=30 +lon_0=119.5 +lat_1=29.5 +lat_2=30.5 +ellps=WGS84")
    union_area = shapely.area(shapely.union_all(eq.geometry.to_numpy()))
    assert union_area == pytest.approx(eq.area.sum(), rel=1e-6)
    full = district_areas_km2(gdf)
    assert np.allclose(district_areas_km2(simplified), full, rtol=0.01)


def test_geojson_is_six_decimals():
    text = (SEEDS / "districts.geojson").read_text(encoding="utf-8")
    coords = shapely.get_coordinates(shapely.from_geojson(json.dumps(json.loads(text)["features"][0]["geometry"])))
    assert np.allclose(coords, np.round(coords, 6), rtol=0, atol=1e-12)


def test_districts_csv(gdf):
    with open(SEEDS / "districts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["code", "name", "name_en", "population_2020", "population_source",
                             "area_km2", "area_source"]
    assert {r["code"]: int(r["population_2020"]) for r in rows} == POPULATION_2020
    assert {r["code"]: (r["name"], r["name_en"]) for r in rows} == EXPECTED
    assert sum(POPULATION_2020.values()) == 11912247  # < 11,936,010: the scenic area is separate
    assert all("西湖风景名胜区" in r["population_source"] and "11,936,010" in r["population_source"] for r in rows)
    areas = district_areas_km2(gdf)
    for r in rows:
        assert float(r["area_km2"]) == pytest.approx(areas[r["code"]], abs=0.05)
        assert r["area_source"]
