"""Per-district figures for the partner API: live active facilities and their live capabilities.

Counting 300,000 capabilities per district takes seconds on a busy server, so the counts are
kept per process until the data changes (`records.data_version`, as the search's counts are);
the district rows themselves (13) are read every time.
"""
import json

from sqlalchemy import func, select

from registry.models import Capability, District, Facility
from registry.services.records import data_version
from registry.services.search import INACTIVE

_COUNTS: dict[str, tuple[tuple, dict, dict]] = {}  # database URL -> (data version, facilities, capabilities)


def district_counts(session) -> tuple[dict[str, int], dict[str, int]]:
    """(live active facilities, their live capabilities) per district code."""
    url, version = str(session.get_bind().url), data_version(session)
    kept = _COUNTS.get(url)
    if kept is not None and kept[0] == version:
        return kept[1], kept[2]
    live = [Facility.deleted_at.is_(None), Facility.status.not_in(INACTIVE)]
    districts = dict(session.execute(select(Facility.id, Facility.district_code).where(*live)).all())
    facilities: dict[str, int] = {}
    for code in districts.values():
        facilities[code] = facilities.get(code, 0) + 1
    capabilities: dict[str, int] = {}
    # Live capabilities per facility: an index-only count on the partial search index.
    per_facility = session.execute(select(Capability.facility_pk, func.count())
                                   .where(Capability.deleted_at.is_(None)).group_by(Capability.facility_pk))
    for pk, n in per_facility:
        code = districts.get(pk)
        if code is not None:
            capabilities[code] = capabilities.get(code, 0) + n
    _COUNTS[url] = (version, facilities, capabilities)
    return facilities, capabilities


def district_figures(session, code: str | None = None, geometry: bool = False) -> list[dict]:
    facilities, capabilities = district_counts(session)
    stmt = select(District).order_by(District.code)
    if code is not None:
        stmt = stmt.where(District.code == code)
    out = []
    for d in session.scalars(stmt):
        out.append({"code": d.code, "name": d.name, "name_en": d.name_en, "population": d.population,
                    "area_km2": d.area_km2, "facilities": facilities.get(d.code, 0),
                    "capabilities": capabilities.get(d.code, 0),
                    "geometry": json.loads(d.boundary) if geometry and d.boundary else None})
    return out
