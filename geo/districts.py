"""Hangzhou's 13 districts: loading, point-in-district and the 1 km rule.

Boundaries are WGS-84 (seeds/districts.geojson, built by
seeds/build_districts.py). District codes and names come with the data (the GeoJSON's
properties); their one table is the registry's (registry/vocabulary.py). Containment is tested in degrees with prepared
geometries; distances to a district use a metric copy in EPSG:4549 (CGCS2000
Gauss-Krueger, CM 120E), whose scale error over Hangzhou is < 0.04 %. Areas
use an Albers equal-area projection centred on Hangzhou.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import Point, shape

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "seeds" / "districts.geojson"
METRIC_CRS = "EPSG:4549"
EQUAL_AREA_CRS = (
    "+proj=aea +lat_0=30 +lon_0=119.5 +lat_1=29.5 +lat_2=30.5 "
    "+ellps=WGS84 +towgs84=0,0,0 +units=m +no_defs +type=crs"
)

def load_districts(path: str | Path = DEFAULT_PATH) -> gpd.GeoDataFrame:
    """Read the district GeoJSON into a GeoDataFrame (EPSG:4326, sorted by code)."""
    with open(path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    rows = [
        {
            "code": str(feat["properties"]["code"]),
            "name": feat["properties"]["name"],
            "name_en": feat["properties"]["name_en"],
            "geometry": shape(feat["geometry"]),
        }
        for feat in features
    ]
    gdf = gpd.GeoDataFrame(rows, columns=["code", "name", "name_en", "geometry"], crs="EPSG:4326")
    return gdf.sort_values("code", ignore_index=True)


def district_areas_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area of each district in km2 (equal-area projection), indexed by code."""
    areas = gdf.to_crs(EQUAL_AREA_CRS).geometry.area / 1e6
    return pd.Series(areas.to_numpy(), index=gdf["code"].to_numpy(), name="area_km2")


def district_centres(gdf: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Each district's centroid (computed in the metric CRS) as WGS-84 (lon, lat), by code.

    The point a user means by "near Xiaoshan"; a centroid outside its (concave)
    district is replaced by the district's representative point, which is inside.
    """
    metric = gdf.to_crs(METRIC_CRS)
    centroids = gpd.GeoSeries(metric.geometry.centroid, crs=METRIC_CRS).to_crs("EPSG:4326")
    inside = gdf.geometry.representative_point()
    centres = {}
    for code, geom, centroid, fallback in zip(gdf["code"], gdf.geometry, centroids, inside):
        point = centroid if geom.covers(centroid) else fallback
        centres[code] = (round(point.x, 6), round(point.y, 6))
    return centres


@dataclass(frozen=True)
class DistrictMatch:
    """Outcome of checking a point against an (optional) declared district.

    ``code`` is the district to store; ``located`` is where the point
    actually lies (None outside Hangzhou); ``problem`` is None when ``ok``,
    else 'outside_city' or 'wrong_district'.
    """

    code: str | None
    located: str | None
    ok: bool
    problem: str | None = None


class DistrictLocator:
    """Point-in-district lookups over a fixed set of district polygons.

    A point on a shared boundary belongs to the district with the lowest
    code, in both ``locate`` and ``locate_many``, so results never depend on
    row order.
    """

    def __init__(self, gdf: gpd.GeoDataFrame):
        if gdf.crs is None or gdf.crs.to_epsg() != 4326:
            raise ValueError("district boundaries must be in EPSG:4326")
        gdf = gdf.sort_values("code", ignore_index=True)
        self.gdf = gdf[["code", "name", "name_en", "geometry"]]
        self.codes: list[str] = list(gdf["code"])
        self._geoms = list(gdf.geometry)
        for geom in self._geoms:
            shapely.prepare(geom)
        self._metric = dict(zip(self.codes, gdf.to_crs(METRIC_CRS).geometry))
        self._to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_PATH) -> "DistrictLocator":
        return cls(load_districts(path))

    def locate(self, lon: float, lat: float) -> str | None:
        """Code of the district covering the WGS-84 point, or None outside Hangzhou."""
        point = Point(lon, lat)
        for code, geom in zip(self.codes, self._geoms):
            if geom.covers(point):
                return code
        return None

    def in_city(self, lon: float, lat: float) -> bool:
        return self.locate(lon, lat) is not None

    def distance_m(self, lon: float, lat: float, code: str) -> float:
        """Metres from the point to district ``code`` (0 inside or on its edge)."""
        if code not in self._metric:
            raise KeyError(f"unknown district code {code!r}")
        x, y = self._to_metric.transform(lon, lat)
        return float(self._metric[code].distance(Point(x, y)))

    def check(self, lon: float, lat: float, declared_code: str | None = None,
              tolerance_m: float = 1000.0) -> DistrictMatch:
        """Apply DATA_FORMAT's location rule to a WGS-84 point.

        The point must lie in Hangzhou. Without a declared district the
        located one is used; with one, the point must be inside it or within
        ``tolerance_m`` of it (boundaries and geocoders are both approximate
        near district edges), and the declared district is kept.
        """
        if declared_code is not None and declared_code not in self._metric:
            raise KeyError(f"unknown district code {declared_code!r}")
        located = self.locate(lon, lat)
        if located is None:
            return DistrictMatch(declared_code, None, False, "outside_city")
        if declared_code is None:
            return DistrictMatch(located, located, True)
        if located == declared_code or self.distance_m(lon, lat, declared_code) <= tolerance_m:
            return DistrictMatch(declared_code, located, True)
        return DistrictMatch(declared_code, located, False, "wrong_district")

    def locate_many(self, lons, lats) -> np.ndarray:
        """Vectorised ``locate``: object array of codes (None outside), input order."""
        points = gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(np.asarray(lons, float), np.asarray(lats, float)),
            crs="EPSG:4326",
        )
        points.index.name = "point"
        # Polygons on the left so GEOS prepares them: ~10x faster than
        # joining points to polygons with 'within'/'intersects'.
        hits = gpd.sjoin(self.gdf[["code", "geometry"]], points, how="inner", predicate="covers")
        first = hits.sort_values(["point", "code"]).drop_duplicates("point")
        result = np.full(len(points), None, dtype=object)
        result[first["point"].to_numpy()] = first["code"].to_numpy()
        return result
