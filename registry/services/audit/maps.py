"""The audit maps: a choropleth of any district-table figure, and the facility markers on request."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from geo.classify import MAX_K, MIN_K, SCHEMES, classify
from registry.errors import RegistryError
from registry.models import Facility
from registry.services.audit.definitions import figure_year
from registry.services.audit.district_table import DistrictTable, active_facility
from registry.services.audit.figures import BY_KEY, FIGURE_KEYS, Figure

SCHEME_LABELS = {"quantiles": _l("Quantiles"), "natural_breaks": _l("Natural breaks (Fisher-Jenks)")}


@dataclass(frozen=True)
class MapArgs:
    figure: str = "facilities_per_100k"
    scheme: str = "quantiles"
    k: int = 5
    markers: bool = False


def parse_map_args(args, figures: list[str] | None = None) -> MapArgs:
    """The choropleth's query string; an unknown figure or scheme, or a bad k, is a clear 400."""
    figures = figures or FIGURE_KEYS
    figure = args.get("figure") or MapArgs.figure
    if figure not in figures:
        raise RegistryError(_l("Unknown figure %(figure)s.", figure=figure[:40]))
    scheme = args.get("scheme") or MapArgs.scheme
    if scheme not in SCHEMES:
        raise RegistryError(_l("Unknown classification %(scheme)s.", scheme=scheme[:40]))
    k = parse_int(args.get("k"), MapArgs.k, MIN_K, MAX_K, _l("Number of classes"))
    return MapArgs(figure, scheme, k, args.get("markers") in ("1", "on", "true", "yes"))


def parse_int(text, default: int, low: int, high: int, what) -> int:
    if text in (None, ""):
        return default
    try:
        value = int(str(text).strip())
    except ValueError:
        raise RegistryError(_l("%(what)s must be a whole number from %(low)s to %(high)s.",
                               what=what, low=low, high=high)) from None
    if not low <= value <= high:
        raise RegistryError(_l("%(what)s must be a whole number from %(low)s to %(high)s.",
                               what=what, low=low, high=high))
    return value


def format_value(figure: Figure, value) -> str:
    if value is None:
        return "–"
    if figure.format == "int":
        return format_decimal(value, format="#,##0")
    if figure.format == "pct":
        return format_decimal(value, format="#,##0.0") + " %"
    return format_decimal(value, format="#,##0.00" if figure.format == "dec2" else "#,##0.0")


@lru_cache(maxsize=4)
def districts_geojson(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def facility_markers(session, district: str | None) -> list[dict]:
    """Active, located facilities: lon, lat, name, kind."""
    query = (select(Facility.lon, Facility.lat, Facility.name, Facility.name_en, Facility.kind)
             .where(active_facility(district), Facility.lon.is_not(None)).order_by(Facility.facility_id))
    return [dict(row._mapping) for row in session.execute(query)]


def district_choropleth(table: DistrictTable, args: MapArgs, geojson: dict, lang: str,
                        markers: list[dict] | None = None, as_of: str = "–", **map_options):
    """The folium map of `args.figure` over the districts of `table` (others stay grey), saying of which
    year the figure is (a density: the registry as of `as_of` over the 2020 census)."""
    figure = BY_KEY[args.figure]
    codes = [r["code"] for r in table.rows]
    values = {r["code"]: r.get(args.figure) for r in table.rows}
    shown = {"type": "FeatureCollection",
             "features": [f for f in geojson["features"] if f["properties"].get("code") in values]}
    classification = classify([values[c] for c in codes], args.scheme, args.k)
    names = {r["code"]: (r["name"] if lang == "zh" else r["name_en"]) for r in table.rows}
    if markers is not None:
        markers = [{**m, "name": m["name"] if lang == "zh" or not m.get("name_en") else m["name_en"]}
                   for m in markers]
    from geo.choropleth import choropleth_map  # folium: loaded when a map is first drawn

    return choropleth_map(
        shown, values, classification, codes, title=f"{figure.label} · {SCHEME_LABELS[args.scheme]}",
        names=names, fmt=lambda v: format_value(figure, v), no_data_label=str(_l("no data")),
        markers=markers, subtitle=str(figure_year(figure, as_of)), **map_options)


def accessibility_map(result, scheme: str, k: int, geojson: dict, names: dict, subtitle: str | None = None,
                      title: str | None = None, **map_options):
    """The E2SFCA scores (an AccessResult) as classed 1 km cells (or small cells at imported points);
    `title` for another quantity over the same cells (the difference between two settings)."""
    classification = classify(result.score.tolist(), scheme, k)
    from geo.choropleth import grid_map

    return grid_map(geojson, result.lon, result.lat, classification, result.cell_deg,
                    title=title or str(_l("Accessibility (supply reachable per 100,000 of demand)")), subtitle=subtitle,
                    names=names, fmt=lambda v: format_decimal(v, format="#,##0.00"), **map_options)


def district_count_map(counts: dict[str, int], codes: list[str], geojson: dict, names: dict, title: str,
                       **map_options):
    """A count per district over `codes` (unmet demand, services/audit/unmet.py; public standards in force,
    services/audit/public_standards.py), in quantiles; a district with none is 0, not missing.
    `map_options` go to the map (markers, tiles)."""
    values = {code: counts.get(code, 0) for code in codes}
    shown = {"type": "FeatureCollection",
             "features": [f for f in geojson["features"] if f["properties"].get("code") in values]}
    classification = classify([values[c] for c in codes], "quantiles", 5)
    from geo.choropleth import choropleth_map  # folium: loaded when a map is first drawn

    return choropleth_map(shown, values, classification, codes, title=title, names=names,
                          fmt=lambda v: format_decimal(v, format="#,##0"), no_data_label=str(_l("no data")),
                          **map_options)
