"""How much the accessibility figures hang on the method: E2SFCA for several catchments and decays side
by side, and the difference between two settings (for the map).

The supply and the demand are read once; only the catchment and the decay change between settings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import lazy_gettext as _l

from geo.access import DECAYS, Grid, catchments, e2sfca, weighted_means
from geo.inequality import weighted_gini
from registry.errors import RegistryError
from registry.services.audit.accessibility import (
    PER,
    AccessArgs,
    AccessResult,
    _supply_xy,
    demand_grid,
    layer_label,
)
from registry.services.audit.maps import parse_int

CATCHMENTS_KM = (10, 20, 30, 45)


@dataclass(frozen=True)
class Setting:
    catchment_km: int
    decay: str
    means: dict  # district code -> demand-weighted mean score
    city_mean: float | None
    weighted_gini: float  # over the cells, weighted by their demand


def sensitivity(session, args: AccessArgs, grid: Grid, today: date,
                catchments_km=CATCHMENTS_KM, decays=DECAYS) -> list[Setting]:
    """One Setting per (decay, catchment); the per-class catchments of `args` are set aside (each
    setting is one catchment for the whole city, so that the settings compare like with like)."""
    grid = demand_grid(session, grid, args.demand)
    xy, s_weight, _n, _outside = _supply_xy(session, args, today)
    total = grid.weight.sum()
    out = []
    for decay_name in decays:
        for km in catchments_km:
            score, _r = e2sfca((grid.x, grid.y), grid.weight, xy, s_weight, km * 1000.0, decay_name)
            score = score * PER
            city = float((score * grid.weight).sum() / total) if total > 0 else None
            out.append(Setting(km, decay_name, weighted_means(score, grid.weight, grid.district), city,
                               weighted_gini(score, grid.weight)))
    return out


@dataclass(frozen=True)
class Comparison:
    catchment_km: int
    decay: str


def parse_comparison(args, base: AccessArgs) -> Comparison | None:
    """The second setting of a difference map (vs_catchment_km, vs_decay); None when not asked for."""
    km_text, decay_name = args.get("vs_catchment_km") or "", args.get("vs_decay") or ""
    if not km_text and not decay_name:
        return None
    if decay_name and decay_name not in DECAYS:
        raise RegistryError(_l("Unknown distance decay %(decay)s.", decay=decay_name[:40]))
    km = parse_int(km_text, base.catchment_km, 1, 200, _l("Catchment (km)"))
    return Comparison(km, decay_name or base.decay)


def difference(session, args: AccessArgs, other: Comparison, grid: Grid, today: date) -> AccessResult:
    """Accessibility with `args` minus accessibility with the other catchment and decay, per cell."""
    grid = demand_grid(session, grid, args.demand)
    xy, s_weight, n, outside = _supply_xy(session, args, today)
    first = e2sfca((grid.x, grid.y), grid.weight, xy, s_weight,
                   catchments(grid, args.catchment_km * 1000.0, args.catchment_by_district()), args.decay)[0]
    second_args = replace(args, catchment_km=other.catchment_km, decay=other.decay, core_km=0, outer_km=0)
    second = e2sfca((grid.x, grid.y), grid.weight, xy, s_weight, second_args.catchment_km * 1000.0,
                    second_args.decay)[0]
    score = (first - second) * PER
    return AccessResult(grid.lon, grid.lat, score, grid.district, grid.weight,
                        weighted_means(score, grid.weight, grid.district), n, grid.cell_degrees(),
                        layer_label(session, args.demand), outside)


def as_table(settings: list[Setting], codes: list[str]) -> list[dict]:
    """Rows for the page and the exports: one per setting, a column per district."""
    return [{"catchment_km": s.catchment_km, "decay": s.decay, "city": s.city_mean, "gini": s.weighted_gini,
             **{code: s.means.get(code) for code in codes}} for s in settings]
