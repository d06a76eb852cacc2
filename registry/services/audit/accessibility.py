"""Accessibility of shared capacity (E2SFCA, geo/access.py) for the audit dashboard, and its spread.

Supply: shared, active, located facilities anywhere in the city, weighted as chosen (supply.py:
distinct items by default), and the outside supply beyond the border (outside_supply.py) unless left
out. Demand: a demand layer (demand.py) or, as the fallback, the 2020 census population spread over
each district's 1 km cells with the West Lake Scenic Area's residents on its own land. The catchment
may differ between the urban core and the outer districts. Scores are supply reachable per 100,000
units of demand (residents or enterprises). The grid is built once per process.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from geo.access import DECAYS, Grid, add_to_area, catchments, e2sfca, population_grid, to_metric, weighted_means
from geo.inequality import (
    Range,
    gini,
    leave_one_out,
    theil_decomposition,
    weighted_gini,
    weighted_theil,
    weighted_theil_decomposition,
)
from registry.errors import RegistryError
from registry.models import District
from registry.services.audit.demand import (  # noqa: F401  (parse_demand_csv: its callers' old home)
    MAX_DEMAND_BYTES,
    MAX_DEMAND_ROWS,
    DemandLabel,
    layer_label,
    layer_weights,
    parse_demand_csv,
)
from registry.services.audit.figures import URBAN_CORE
from registry.services.audit.maps import parse_int
from registry.services.audit.supply import DEFAULT_WEIGHT, WEIGHTS, all_supply, city_supply
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES

if TYPE_CHECKING:  # numpy itself loads when a function here first needs it
    import numpy as np

PER = 100_000
DECAY_LABELS = {"gaussian": _l("Gaussian"), "step": _l("Step (2SFCA)"), "linear": _l("Linear")}


@dataclass(frozen=True)
class AccessArgs:
    kind: str = ""  # capability kind, "" = all
    discipline: str = ""  # "" = all
    catchment_km: int = 30
    decay: str = "gaussian"
    weight: str = DEFAULT_WEIGHT
    scheme: str = "quantiles"
    k: int = 5
    demand: int = 0  # demand layer id, 0 = the census fallback
    outside: bool = True  # count the outside supply
    core_km: int = 0  # the urban core's catchment, 0 = catchment_km
    outer_km: int = 0  # the outer districts' catchment, 0 = catchment_km

    def catchment_by_district(self) -> dict[str, float]:
        """code -> catchment in metres where the district class has its own."""
        out = {}
        if self.core_km and self.core_km != self.catchment_km:
            out.update({code: self.core_km * 1000.0 for code in URBAN_CORE})
        if self.outer_km and self.outer_km != self.catchment_km:
            out.update({code: self.outer_km * 1000.0 for code in OUTER})
        return out


OUTER = ("330109", "330110", "330111", "330112", "330113", "330114", "330122", "330127", "330182")


def parse_access_args(args) -> AccessArgs:
    """The accessibility form; an unknown value is a clear 400."""
    kind, discipline = args.get("kind") or "", args.get("discipline") or ""
    if kind and kind not in CAPABILITY_KINDS:
        raise RegistryError(_l("Unknown capability kind %(kind)s.", kind=kind[:40]))
    if discipline and discipline not in DISCIPLINES:
        raise RegistryError(_l("Unknown discipline %(discipline)s.", discipline=discipline[:40]))
    decay = args.get("decay") or "gaussian"
    if decay not in DECAYS:
        raise RegistryError(_l("Unknown distance decay %(decay)s.", decay=decay[:40]))
    weight = args.get("weight") or DEFAULT_WEIGHT
    if weight not in WEIGHTS:
        raise RegistryError(_l("Unknown supply weight %(weight)s.", weight=weight[:40]))
    scheme = args.get("scheme") or "quantiles"
    if scheme not in ("quantiles", "natural_breaks"):
        raise RegistryError(_l("Unknown classification %(scheme)s.", scheme=scheme[:40]))
    catchment = _l("Catchment (km)")
    return AccessArgs(kind, discipline, parse_int(args.get("catchment_km"), 30, 1, 200, catchment),
                      decay, weight, scheme, parse_int(args.get("k"), 5, 2, 7, _l("Number of classes")),
                      parse_int(args.get("demand"), 0, 0, 10 ** 9, _l("Demand layer")),
                      (args.get("outside") or "1") not in ("0", "off", "no", "false"),
                      parse_int(args.get("core_km"), 0, 0, 200, _l("Catchment of the urban core (km)")),
                      parse_int(args.get("outer_km"), 0, 0, 200, _l("Catchment of the outer districts (km)")))


def populations(session) -> tuple[tuple[str, int], ...]:
    """(code, 2020 census population) of every district, as the grid's cache key."""
    return tuple((row.code, row.population or 0) for row in session.execute(
        select(District.code, District.population).order_by(District.code)))


@lru_cache(maxsize=2)
def city_grid(geojson_path: str, population: tuple[tuple[str, int], ...], cell_m: float = 1000) -> Grid:
    """The population grid of the districts (about 17,000 cells of 1 km), built once per process."""
    from geo.districts import load_districts  # geopandas: loaded when a grid is first built

    return population_grid(load_districts(geojson_path), dict(population), cell_m)


# The West Lake Scenic Area (西湖风景名胜区): 23,763 residents in the 2020 census (杭州市第七次全国人口普查
# 公报: the city's 11,936,010 are the 13 districts' 11,912,247 plus these; seeds/districts.csv), reported
# apart from any district although its land lies inside 西湖区 (330106). Its extent here is a box around
# the lake's hills (about 60 km²; the planned scenic area is 59.04 km²): its residents go to 西湖区's
# cells inside the box, rather than being dropped.
SCENIC_AREA_POPULATION = 23_763
SCENIC_AREA_DISTRICT = "330106"
SCENIC_AREA_BOX = (120.09, 30.20, 120.17, 30.27)  # lon/lat min, max (WGS-84)


def add_scenic_area(grid: Grid) -> Grid:
    return add_to_area(grid, SCENIC_AREA_BOX, SCENIC_AREA_DISTRICT, SCENIC_AREA_POPULATION)


@lru_cache(maxsize=2)
def resident_grid(geojson_path: str, population: tuple[tuple[str, int], ...], cell_m: float = 1000) -> Grid:
    """`city_grid` with the West Lake Scenic Area's residents on its land: the census fallback's demand."""
    return add_scenic_area(city_grid(geojson_path, population, cell_m))


def demand_grid(session, grid: Grid, layer_id: int) -> Grid:
    """The grid whose weights are demand layer `layer_id`'s (0: `grid` itself, the census fallback)."""
    return replace(grid, weight=layer_weights(session, layer_id, grid)) if layer_id else grid


@dataclass
class AccessResult:
    lon: np.ndarray
    lat: np.ndarray
    score: np.ndarray  # per 100,000 units of demand
    district: np.ndarray
    weight: np.ndarray
    district_means: dict  # code -> demand-weighted mean score (None without demand)
    supply_points: int
    cell_deg: tuple[float, float] | None  # set for the grid (drawn as cells), None for imported points
    demand: DemandLabel | None = None
    outside_points: int = 0  # of supply_points, those beyond the border


def supply(session, args: AccessArgs, today: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, weight) of the city's own shared facilities with something of the chosen kind to offer."""
    return city_supply(session, args.kind, args.discipline, args.weight, today)


def _supply_xy(session, args: AccessArgs, today: date):
    lon, lat, weight, outside = all_supply(session, args.kind, args.discipline, args.weight, today, args.outside)
    return to_metric(lon, lat), weight, lon.size, outside


def accessibility(session, args: AccessArgs, grid: Grid, today: date) -> AccessResult:
    """E2SFCA over the grid, with demand layer `args.demand` (or the grid's own weights)."""
    label = layer_label(session, args.demand)
    grid = demand_grid(session, grid, args.demand)
    xy, s_weight, n, outside = _supply_xy(session, args, today)
    reach = catchments(grid, args.catchment_km * 1000.0, args.catchment_by_district())
    score, _ratio = e2sfca((grid.x, grid.y), grid.weight, xy, s_weight, reach, args.decay)
    score = score * PER
    return AccessResult(grid.lon, grid.lat, score, grid.district, grid.weight,
                        weighted_means(score, grid.weight, grid.district), n, grid.cell_degrees(), label, outside)


def accessibility_for_points(session, args: AccessArgs, lon, lat, weight, district, today: date) -> AccessResult:
    """E2SFCA for imported demand points (district: each point's code, None outside the city)."""
    import numpy as np

    xy, s_weight, n, outside = _supply_xy(session, args, today)
    score, _ratio = e2sfca(to_metric(lon, lat), weight, xy, s_weight, args.catchment_km * 1000.0, args.decay)
    score = score * PER
    codes = np.array([d or "" for d in district], dtype=object)
    means = {k: v for k, v in weighted_means(score, np.asarray(weight, float), codes).items() if k}
    return AccessResult(np.asarray(lon, float), np.asarray(lat, float), score, codes, np.asarray(weight, float),
                        means, n, None, None, outside)


@dataclass(frozen=True)
class Spread:
    figure: str
    gini: float
    theil: float
    between: float
    within: float
    # weighted by each district's residents (or demand): a person counts, not a district
    weighted_gini: float | None = None
    weighted_theil: float | None = None
    weighted_between: float | None = None
    weighted_within: float | None = None
    gini_range: Range | None = None  # the weighted Gini with one district left out, lowest and highest
    theil_range: Range | None = None


def spread(rows: list[dict], figure: str = "capabilities_per_100k", weight_key: str = "population") -> Spread | None:
    """Gini and Theil of `figure` across the districts, unweighted and weighted by `weight_key`, Theil
    split between and within the urban core (URBAN_CORE) and the outer districts, and the weighted
    figures' range with one district left out; None with fewer than two districts."""
    import numpy as np

    values = [(r["code"], r[figure], r.get(weight_key) or 0) for r in rows if r.get(figure) is not None]
    if len(values) < 2:
        return None
    codes = [c for c, _v, _w in values]
    y = np.array([v for _c, v, _w in values], float)
    w = np.array([p for _c, _v, p in values], float)
    groups = np.array(["core" if c in URBAN_CORE else "outer" for c in codes])
    decomposition = theil_decomposition(y, groups)
    weighted = weighted_theil_decomposition(y, w, groups)
    return Spread(figure, gini(y), decomposition.total, decomposition.between, decomposition.within,
                  weighted_gini(y, w), weighted.total, weighted.between, weighted.within,
                  leave_one_out(y, w, codes, weighted_gini), leave_one_out(y, w, codes, weighted_theil))


def cell_spread(result: AccessResult) -> Spread | None:
    """The spread of accessibility over the grid's cells, weighted by their demand: how unequal the
    access of the people (or firms) is, not of the districts; ranges leave one district's cells out."""
    import numpy as np

    y, w, d = result.score, result.weight, result.district
    if y.size < 2 or w.sum() <= 0:
        return None
    groups = np.where(np.isin(d, URBAN_CORE), "core", "outer")
    weighted = weighted_theil_decomposition(y, w, groups)
    unweighted = theil_decomposition(y, groups)
    codes = [c for c in np.unique(d) if c]

    def without_district(measure):
        results = [(measure(y[d != c], w[d != c]), c) for c in codes]
        if len(results) < 3:
            return None
        low, high = min(results), max(results)
        return Range(float(low[0]), float(high[0]), str(low[1]), str(high[1]))

    return Spread("accessibility", gini(y), unweighted.total, unweighted.between, unweighted.within,
                  weighted_gini(y, w), weighted.total, weighted.between, weighted.within,
                  without_district(weighted_gini), without_district(weighted_theil))
