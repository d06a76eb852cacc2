"""Gaps and compliance: measurement standards by district and discipline, the Art. 6 list, lapsing certificates.

Only active facilities (live, status active) count, as in the district table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, literal, or_, select, union_all

from geo.distance import distance_m
from registry.models import Accreditation, Capability, Facility
from registry.services.audit.district_table import active_facility, districts_in_scope
from registry.services.audit.figures import EXPIRY_WINDOWS
from registry.vocabulary import DISCIPLINES

DEFAULT_REACH_KM = 30.0
MAX_QUANTITY_CHARS = 40


@dataclass
class MatrixCell:
    standards: int  # valid measurement standards of shared facilities in the district
    nearest_km: float | None  # to the nearest shared facility with one, from the district's centre (0 if inside)
    gap: bool  # none in the district and none within reach


def discipline_matrix(session, today: date, centres: dict[str, tuple[float, float]], district: str | None = None,
                      reach_km: float = DEFAULT_REACH_KM, quantity: str = "") -> dict[str, dict[str, MatrixCell]]:
    """code -> discipline -> cell, for public (shared) measurement standards that have not expired;
    with `quantity` (e.g. 压力), only standards whose quantity or name contains it.

    Reach is straight-line distance from the district's centre (geo.districts.district_centres) to
    shared facilities anywhere in the city: a district may rely on its neighbour's standard.
    """
    import numpy as np

    valid = or_(Capability.valid_until.is_(None), Capability.valid_until >= today)
    if quantity:
        valid = and_(valid, or_(Capability.quantity.contains(quantity, autoescape=True),
                                Capability.name.contains(quantity, autoescape=True)))
    query = (select(Facility.district_code, Facility.lon, Facility.lat, Capability.discipline,
                    func.count().label("n"))
             .join(Facility, Capability.facility_pk == Facility.id)
             .where(active_facility(), Facility.shared, Capability.deleted_at.is_(None),
                    Capability.kind == "measurement_standard", valid)
             .group_by(Facility.id, Facility.district_code, Facility.lon, Facility.lat, Capability.discipline))
    counts: dict[tuple[str, str], int] = {}
    located: dict[str, list[tuple[float, float]]] = {}
    for row in session.execute(query):
        counts[(row.district_code, row.discipline)] = counts.get((row.district_code, row.discipline), 0) + row.n
        if row.lon is not None:
            located.setdefault(row.discipline, []).append((row.lon, row.lat))
    matrix = {}
    for d in districts_in_scope(session, district):
        lon, lat = centres[d.code]
        matrix[d.code] = {}
        for discipline in DISCIPLINES:
            n = counts.get((d.code, discipline), 0)
            nearest = None
            if n:
                nearest = 0.0
            elif located.get(discipline):
                points = np.array(located[discipline])
                nearest = float(np.min(distance_m(lon, lat, points[:, 0], points[:, 1]))) / 1000
            matrix[d.code][discipline] = MatrixCell(n, nearest, nearest is None or nearest > reach_km)
    return matrix


def art6_list(session, today: date, district: str | None = None) -> list[dict]:
    """Art. 6: state-owned facilities that do not share, and shared facilities with nothing bookable
    (an expired capability cannot be booked, DATA_FORMAT: it does not count)."""
    bookable = set(session.scalars(
        select(Capability.facility_pk).distinct()
        .where(Capability.deleted_at.is_(None), Capability.bookable,
               or_(Capability.valid_until.is_(None), Capability.valid_until >= today))))
    query = (select(Facility.id, Facility.facility_id, Facility.name, Facility.name_en, Facility.district_code,
                    Facility.kind, Facility.ownership, Facility.level, Facility.shared)
             .where(active_facility(district), or_(Facility.ownership == "state", Facility.shared))
             .order_by(Facility.district_code, Facility.facility_id))
    rows = []
    for row in session.execute(query):
        if not row.shared:
            reason = "state_not_shared"
        elif row.id not in bookable:
            reason = "shared_not_bookable"
        else:
            continue
        rows.append({**row._mapping, "reason": reason})
    return rows


def certificate_rows(session, today: date, window_days: int, district: str | None = None,
                     include_expired: bool = False) -> list[dict]:
    """Every certificate that lapses from today to today + `window_days` (and those already expired, if
    asked): accreditations (CMA, CNAS, CNCA with a date) and measurement-standard certificates."""
    horizon = today + timedelta(days=window_days)

    def in_window(column):
        return column <= horizon if include_expired else and_(column >= today, column <= horizon)

    accreditations = (
        select(Facility.district_code, Facility.facility_id, Facility.name, Facility.name_en,
               Accreditation.scheme.label("certificate"), Accreditation.number.label("number"),
               literal(None).label("capability_id"), Accreditation.valid_until.label("valid_until"))
        .join(Facility, Accreditation.facility_pk == Facility.id)
        .where(active_facility(district), Accreditation.valid_until.is_not(None),
               in_window(Accreditation.valid_until)))
    standards = (
        select(Facility.district_code, Facility.facility_id, Facility.name, Facility.name_en,
               literal("measurement_standard").label("certificate"), Capability.certificate_no.label("number"),
               Capability.capability_id.label("capability_id"), Capability.valid_until.label("valid_until"))
        .join(Facility, Capability.facility_pk == Facility.id)
        .where(active_facility(district), Capability.deleted_at.is_(None),
               Capability.kind == "measurement_standard", Capability.valid_until.is_not(None),
               in_window(Capability.valid_until)))
    both = union_all(accreditations, standards).subquery()
    query = select(both).order_by(both.c.district_code, both.c.facility_id, both.c.valid_until, both.c.certificate,
                                  both.c.capability_id)
    rows = []
    for row in session.execute(query):
        record = dict(row._mapping)
        record["days_left"] = (record["valid_until"] - today).days
        rows.append(record)
    return rows


def certificate_summary(rows: list[dict]) -> dict[str, dict[str, int]]:
    """code -> {'expired', 30, 90, 180}: certificates per window (cumulative: 90 includes 30), from rows
    fetched with the longest window and include_expired."""
    summary: dict[str, dict] = {}
    for row in rows:
        counts = summary.setdefault(row["district_code"], {"expired": 0, **dict.fromkeys(EXPIRY_WINDOWS, 0)})
        if row["days_left"] < 0:
            counts["expired"] += 1
            continue
        for window in EXPIRY_WINDOWS:
            if row["days_left"] <= window:
                counts[window] += 1
    return summary


def certificates_by_facility(rows: list[dict]) -> list[dict]:
    """One line per facility: how many certificates lapse in the rows' window, the first date, the kinds."""
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(row["facility_id"], {
            "district_code": row["district_code"], "facility_id": row["facility_id"], "name": row["name"],
            "name_en": row["name_en"], "certificates": 0, "first": row["valid_until"], "kinds": set()})
        entry["certificates"] += 1
        entry["first"] = min(entry["first"], row["valid_until"])
        entry["kinds"].add(row["certificate"])
    return sorted(out.values(), key=lambda e: (e["first"], e["district_code"], e["facility_id"]))
