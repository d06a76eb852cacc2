"""The 13 districts: their boundaries (from seeds/, read once per process) and figures."""
import csv
import json
from functools import lru_cache

from registry.models import District

# geo.districts (geopandas, shapely, pyproj) takes seconds to import: loaded when boundaries are first read.


@lru_cache(maxsize=4)
def district_locator(geojson_path: str):
    """Point-in-district (geo.districts.DistrictLocator) for the boundaries file; built once, it is read-only."""
    from geo.districts import DistrictLocator, load_districts

    return DistrictLocator(load_districts(geojson_path))


@lru_cache(maxsize=4)
def district_points(geojson_path: str) -> dict[str, tuple[float, float]]:
    """The WGS-84 (lon, lat) to search from when a user picks a district as "near me"."""
    from geo.districts import district_centres, load_districts

    return district_centres(load_districts(geojson_path))


def sync_districts(session, geojson_path: str, figures_csv: str) -> dict[str, int]:
    """Create or update the district rows from the seed files; idempotent."""
    from shapely.geometry import mapping

    from geo.districts import load_districts

    boundaries = load_districts(geojson_path).set_index("code")
    with open(figures_csv, encoding="utf-8") as stream:
        figures = {row["code"]: row for row in csv.DictReader(stream)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code, row in sorted(figures.items()):
        values = {
            "name": row["name"], "name_en": row["name_en"],
            "population": int(row["population_2020"]),
            "population_source": row["population_source"],
            "area_km2": float(row["area_km2"]), "area_source": row["area_source"],
            "boundary": json.dumps(mapping(boundaries.loc[code, "geometry"]), separators=(",", ":")),
        }
        district = session.get(District, code)
        if district is None:
            session.add(District(code=code, **values))
            counts["created"] += 1
        elif any(getattr(district, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(district, key, value)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    session.commit()
    return counts
