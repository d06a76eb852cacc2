"""Per-district figures for the partner API: the audit dashboard's district table (every figure
defined in registry/services/audit/figures.py), kept until the data changes like the dashboard's."""
import json
from datetime import date

from sqlalchemy import select

from registry.models import District
from registry.services.audit.district_table import cached_district_table
from registry.services.audit.figures import BOOKING_FIGURES, FIGURES

FIGURE_KEYS = [f.key for f in FIGURES + BOOKING_FIGURES if f.key not in ("population", "area_km2")]


def district_figures(session, today: date, code: str | None = None, geometry: bool = False) -> list[dict]:
    rows = {row["code"]: row for row in cached_district_table(session, today, None).rows}
    stmt = select(District).order_by(District.code)
    if code is not None:
        stmt = stmt.where(District.code == code)
    out = []
    for d in session.scalars(stmt):
        row = rows.get(d.code, {})
        out.append({"code": d.code, "name": d.name, "name_en": d.name_en, "population": d.population,
                    "area_km2": d.area_km2, "facilities": row.get("facilities", 0),
                    "capabilities": row.get("capabilities", 0),
                    "figures": {key: row.get(key) for key in FIGURE_KEYS},
                    "geometry": json.loads(d.boundary) if geometry and d.boundary else None})
    return out
