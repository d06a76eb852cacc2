"""What a shared facility offers, for accessibility: the supply weight of E2SFCA (Hangzhou's facilities
and the outside supply beyond the border).

Weights (per facility, over its live, unexpired capabilities of the chosen kind and discipline):
- `facility`: 1 for each facility that offers any (a lab is a lab);
- `capabilities`: its rows (how the registry has counted until now: a lab that splits GB 5009.x into
  30 rows weighs 30 times one that lists it once);
- `items` (the default): its distinct (object, parameter) items, as the real scope tables list them
  (a v1 capability without them counts once by its name);
- `standards`: its distinct standards cited (a capability citing none counts once by its name);
- `capacity`: its bookable daily capacity (what it can actually take on).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from registry.models import Capability, Facility
from registry.services.audit.district_table import active_facility
from registry.services.audit.outside_supply import outside_supply

WEIGHTS = ("items", "facility", "capabilities", "standards", "capacity")
DEFAULT_WEIGHT = "items"
WEIGHT_LABELS = {"items": _l("distinct items"), "facility": _l("one per facility"),
                 "capabilities": _l("capability rows"), "standards": _l("distinct standards"),
                 "capacity": _l("bookable daily capacity")}


def item_key():
    """The SQL expression naming one distinct item: (object, parameter), or the capability's name where
    the scope tables did not give them; the kind in front so that kinds never merge."""
    return Capability.kind.concat("|").concat(func.coalesce(Capability.object, "")).concat(
        "|").concat(func.coalesce(Capability.parameter, Capability.name))


def _live(kind: str, discipline: str, today: date) -> list:
    conditions = [Capability.deleted_at.is_(None),
                  or_(Capability.valid_until.is_(None), Capability.valid_until >= today)]
    if kind:
        conditions.append(Capability.kind == kind)
    if discipline:
        conditions.append(Capability.discipline == discipline)
    return conditions


def facility_weights(session, kind: str, discipline: str, weight: str, today: date) -> dict[int, float]:
    """facility pk -> its supply weight (facilities with nothing to offer left out). Grouped by the
    facility alone: one pass over the capabilities whatever the planner knows."""
    conditions = _live(kind, discipline, today)
    if weight == "standards":
        seen: dict[int, set] = {}
        for pk, standards, name in session.execute(
                select(Capability.facility_pk, Capability.standards, Capability.name).where(*conditions)):
            codes = [c for c in (standards or "").split(";") if c.strip()] or [f"name:{name}"]
            seen.setdefault(pk, set()).update(codes)
        return {pk: float(len(codes)) for pk, codes in seen.items()}
    if weight == "capacity":
        conditions.append(Capability.bookable)
        measure = func.sum(Capability.daily_capacity)
    elif weight == "items":
        measure = func.count(func.distinct(item_key()))
    else:  # facility, capabilities
        measure = func.count()
    query = select(Capability.facility_pk, measure.label("w")).where(*conditions).group_by(Capability.facility_pk)
    return {r.facility_pk: (1.0 if weight == "facility" else float(r.w)) for r in session.execute(query) if r.w}


def city_supply(session, kind: str, discipline: str, weight: str, today: date):
    """(lon, lat, weight) of the shared, active, located facilities of the city with something to offer."""
    import numpy as np

    located = {row.id: (row.lon, row.lat) for row in session.execute(
        select(Facility.id, Facility.lon, Facility.lat)
        .where(active_facility(), Facility.shared, Facility.lon.is_not(None)))}
    rows = sorted((located[pk], w) for pk, w in facility_weights(session, kind, discipline, weight, today).items()
                  if pk in located)
    return (np.array([p[0] for p, _w in rows], float), np.array([p[1] for p, _w in rows], float),
            np.array([w for _p, w in rows], float))


def all_supply(session, kind: str, discipline: str, weight: str, today: date, outside: bool):
    """The city's supply and, when `outside`, the outside supply after it: (lon, lat, weight, n_outside)."""
    import numpy as np

    lon, lat, w = city_supply(session, kind, discipline, weight, today)
    if not outside:
        return lon, lat, w, 0
    o_lon, o_lat, o_w = outside_supply(session, kind, discipline)
    return np.concatenate([lon, o_lon]), np.concatenate([lat, o_lat]), np.concatenate([w, o_w]), int(o_lon.size)
