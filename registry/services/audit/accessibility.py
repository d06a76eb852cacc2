"""Accessibility of shared capacity (E2SFCA, geo/access.py) for the audit dashboard, and its spread.

Supply: shared, active, located facilities anywhere in the city, weighted by their capabilities of
the chosen kind or discipline (or by their bookable daily capacity). Demand: the 1 km population grid
of the districts (2020 census), or points a bureau imports (CSV: lon, lat, weight). Scores are
capabilities reachable per 100,000 people. The grid is built once per process.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from geo.access import DECAYS, Grid, e2sfca, population_grid, to_metric, weighted_means
from geo.districts import load_districts
from geo.inequality import gini, theil_decomposition
from registry.errors import RegistryError
from registry.models import Capability, District, Facility
from registry.services.audit.district_table import active_facility
from registry.services.audit.figures import URBAN_CORE
from registry.services.audit.maps import parse_int
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES

PER = 100_000
MAX_DEMAND_ROWS = 100_000
MAX_DEMAND_BYTES = 10 * 1024 * 1024
WEIGHTS = ("capabilities", "capacity")
DECAY_LABELS = {"gaussian": _l("Gaussian"), "step": _l("Step (2SFCA)"), "linear": _l("Linear")}


@dataclass(frozen=True)
class AccessArgs:
    kind: str = ""  # capability kind, "" = all
    discipline: str = ""  # "" = all
    catchment_km: int = 30
    decay: str = "gaussian"
    weight: str = "capabilities"
    scheme: str = "quantiles"
    k: int = 5


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
    weight = args.get("weight") or "capabilities"
    if weight not in WEIGHTS:
        raise RegistryError(_l("Unknown supply weight %(weight)s.", weight=weight[:40]))
    scheme = args.get("scheme") or "quantiles"
    if scheme not in ("quantiles", "natural_breaks"):
        raise RegistryError(_l("Unknown classification %(scheme)s.", scheme=scheme[:40]))
    return AccessArgs(kind, discipline, parse_int(args.get("catchment_km"), 30, 1, 200, _l("Catchment (km)")),
                      decay, weight, scheme, parse_int(args.get("k"), 5, 2, 7, _l("Number of classes")))


def populations(session) -> tuple[tuple[str, int], ...]:
    """(code, 2020 census population) of every district, as the grid's cache key."""
    return tuple((row.code, row.population or 0) for row in session.execute(
        select(District.code, District.population).order_by(District.code)))


@lru_cache(maxsize=2)
def city_grid(geojson_path: str, population: tuple[tuple[str, int], ...], cell_m: float = 1000) -> Grid:
    """The population grid of the districts (about 17,000 cells of 1 km), built once per process."""
    return population_grid(load_districts(geojson_path), dict(population), cell_m)


def supply(session, args: AccessArgs, today: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, weight) of the shared, active, located facilities with capacity of the chosen kind;
    expired capabilities (which cannot be booked) do not count. Capabilities are grouped by facility
    alone and matched to the facilities afterwards: one pass over the table whatever the planner knows."""
    located = {row.id: (row.lon, row.lat) for row in session.execute(
        select(Facility.id, Facility.lon, Facility.lat)
        .where(active_facility(), Facility.shared, Facility.lon.is_not(None)))}
    measure = func.count() if args.weight == "capabilities" else func.sum(Capability.daily_capacity)
    query = (select(Capability.facility_pk, measure.label("w"))
             .where(Capability.deleted_at.is_(None),
                    or_(Capability.valid_until.is_(None), Capability.valid_until >= today))
             .group_by(Capability.facility_pk))
    if args.kind:
        query = query.where(Capability.kind == args.kind)
    if args.discipline:
        query = query.where(Capability.discipline == args.discipline)
    if args.weight == "capacity":
        query = query.where(Capability.bookable)
    rows = [(located[r.facility_pk], float(r.w)) for r in session.execute(query)
            if r.facility_pk in located and r.w]
    rows.sort()
    return (np.array([p[0] for p, _w in rows], float), np.array([p[1] for p, _w in rows], float),
            np.array([w for _p, w in rows], float))


@dataclass
class AccessResult:
    lon: np.ndarray
    lat: np.ndarray
    score: np.ndarray  # per 100,000 people
    district: np.ndarray
    weight: np.ndarray
    district_means: dict  # code -> demand-weighted mean score (None without demand)
    supply_points: int
    cell_deg: tuple[float, float] | None  # set for the grid (drawn as cells), None for imported points


def accessibility(session, args: AccessArgs, grid: Grid, today: date) -> AccessResult:
    """E2SFCA over the population grid."""
    s_lon, s_lat, s_weight = supply(session, args, today)
    score, _ratio = e2sfca((grid.x, grid.y), grid.weight, to_metric(s_lon, s_lat), s_weight,
                           args.catchment_km * 1000.0, args.decay)
    score = score * PER
    return AccessResult(grid.lon, grid.lat, score, grid.district, grid.weight,
                        weighted_means(score, grid.weight, grid.district), s_lon.size, grid.cell_degrees())


def accessibility_for_points(session, args: AccessArgs, lon, lat, weight, district, today: date) -> AccessResult:
    """E2SFCA for imported demand points (district: each point's code, None outside the city)."""
    s_lon, s_lat, s_weight = supply(session, args, today)
    score, _ratio = e2sfca(to_metric(lon, lat), weight, to_metric(s_lon, s_lat), s_weight,
                           args.catchment_km * 1000.0, args.decay)
    score = score * PER
    codes = np.array([d or "" for d in district], dtype=object)
    means = {k: v for k, v in weighted_means(score, np.asarray(weight, float), codes).items() if k}
    return AccessResult(np.asarray(lon, float), np.asarray(lat, float), score, codes, np.asarray(weight, float),
                        means, s_lon.size, None)


def parse_demand_csv(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lon, lat, weight (WGS-84) from a CSV with those headers; any bad row rejects the file with its row."""
    if len(data) > MAX_DEMAND_BYTES:
        raise RegistryError(_l("The demand file is larger than %(mb)s MB.", mb=MAX_DEMAND_BYTES // 2 ** 20))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegistryError(_l("The demand file is neither UTF-8 nor GB18030 text."))
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if not {"lon", "lat", "weight"} <= set(header):
        raise RegistryError(_l("The demand file needs the columns lon, lat, weight."))
    at = {name: header.index(name) for name in ("lon", "lat", "weight")}
    lon, lat, weight = [], [], []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(lon) >= MAX_DEMAND_ROWS:
            raise RegistryError(_l("The demand file has more than %(n)s rows.", n=MAX_DEMAND_ROWS))
        try:
            x, y, w = (float(row[at[name]]) for name in ("lon", "lat", "weight"))
        except (ValueError, IndexError):
            raise RegistryError(_l("Row %(row)s of the demand file: lon, lat and weight must be numbers.",
                                   row=number)) from None
        if not (118 <= x <= 121 and 29 <= y <= 31 and math.isfinite(w) and w >= 0):
            raise RegistryError(_l("Row %(row)s of the demand file: the point is not in Hangzhou (WGS-84) "
                                   "or the weight is negative.", row=number))
        lon.append(x), lat.append(y), weight.append(w)
    if not lon:
        raise RegistryError(_l("The demand file has no rows."))
    return np.array(lon), np.array(lat), np.array(weight)


@dataclass(frozen=True)
class Spread:
    figure: str
    gini: float
    theil: float
    between: float
    within: float


def spread(rows: list[dict], figure: str = "capabilities_per_100k") -> Spread | None:
    """Gini and Theil of `figure` across the districts, Theil split between and within the urban core
    (URBAN_CORE) and the outer districts; None with fewer than two districts (a district-bound view)."""
    values = [(r["code"], r[figure]) for r in rows if r.get(figure) is not None]
    if len(values) < 2:
        return None
    y = np.array([v for _c, v in values], float)
    groups = np.array(["core" if c in URBAN_CORE else "outer" for c, _v in values])
    decomposition = theil_decomposition(y, groups)
    return Spread(figure, gini(y), decomposition.total, decomposition.between, decomposition.within)
