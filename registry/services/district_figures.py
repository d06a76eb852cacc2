"""Per-district figures for the partner API: live active facilities and their live capabilities."""
import json

from sqlalchemy import func, select

from registry.models import Capability, District, Facility
from registry.services.search import INACTIVE


def district_figures(session, code: str | None = None, geometry: bool = False) -> list[dict]:
    live = [Facility.deleted_at.is_(None), Facility.status.not_in(INACTIVE)]
    facilities = dict(session.execute(select(Facility.district_code, func.count())
                                      .where(*live).group_by(Facility.district_code)).all())
    capabilities = dict(session.execute(
        select(Facility.district_code, func.count()).select_from(Capability)
        .join(Facility, Facility.id == Capability.facility_pk)
        .where(*live, Capability.deleted_at.is_(None)).group_by(Facility.district_code)).all())
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
