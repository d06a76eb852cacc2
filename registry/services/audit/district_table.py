"""The audit dashboard's district table: how quality infrastructure is spread across the 13 districts.

Counted: active facilities (not deleted, status `active`) and their capabilities that are not deleted.
Every figure is defined in registry/services/audit/figures.py. `district` limits everything to one
district (a district-bound auditor); None is the whole city.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select

from registry.models import Accreditation, Capability, ChangeSet, District, Facility
from registry.services.audit import booking_figures as audit_bookings
from registry.services.audit.cache import cached
from registry.services.audit.figures import TABLE_EXPIRY_DAYS
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES, FACILITY_KINDS, LEVELS, OWNERSHIPS

TOTAL = "total"


def active_facility(district: str | None = None):
    """The SQL condition for a facility that counts: live, active, in `district` when given."""
    condition = and_(Facility.deleted_at.is_(None), Facility.status == "active")
    if district is not None:
        condition = and_(condition, Facility.district_code == district)
    return condition


@dataclass
class DistrictTable:
    rows: list[dict]  # one per district: code, name, name_en and every figure
    total: dict  # the same figures for all rows shown
    disciplines: dict = field(default_factory=dict)  # code -> set of discipline keys (measurement standards)
    demo: int = 0  # demonstration facilities among those counted: the page says so


def districts_in_scope(session, district: str | None) -> list[District]:
    query = select(District).order_by(District.code)
    if district is not None:
        query = query.where(District.code == district)
    return list(session.scalars(query))


def facility_counts(session, district: str | None) -> dict[str, dict[str, int]]:
    """code -> {facilities, kind_*, own_*, level_*, shared}."""
    query = (select(Facility.district_code, Facility.kind, Facility.ownership, Facility.level, Facility.shared,
                    func.count().label("n"))
             .where(active_facility(district))
             .group_by(Facility.district_code, Facility.kind, Facility.ownership, Facility.level, Facility.shared))
    out: dict[str, dict[str, int]] = {}
    for row in session.execute(query):
        counts = out.setdefault(row.district_code, {})
        for key in ("facilities", f"kind_{row.kind}", f"own_{row.ownership}",
                    f"level_{row.level or 'none'}", "shared" if row.shared else None):
            if key:
                counts[key] = counts.get(key, 0) + row.n
    return out


def active_facilities(session, district: str | None) -> dict[int, str]:
    """pk -> district code of the facilities that count."""
    return dict(session.execute(select(Facility.id, Facility.district_code).where(active_facility(district))).all())


def _live_capabilities(district: str | None):
    condition = Capability.deleted_at.is_(None)
    if district is not None:  # the whole city is cheaper filtered afterwards than joined
        condition = and_(condition, Capability.facility_pk.in_(select(Facility.id).where(active_facility(district))))
    return condition


def capability_counts_by_facility(session, district: str | None) -> dict[int, dict[str, int]]:
    """facility pk -> {capabilities, cap_<kind>}: grouped by the facility alone, so that the database
    walks its facility_pk index in order (no sort of 300,000 rows, no join)."""
    kinds = list(CAPABILITY_KINDS)
    query = (select(Capability.facility_pk, func.count().label("n"),
                    *[func.sum(case((Capability.kind == k, 1), else_=0)).label(k) for k in kinds])
             .where(_live_capabilities(district)).group_by(Capability.facility_pk))
    return {row.facility_pk: {"capabilities": row.n, **{f"cap_{k}": int(getattr(row, k) or 0) for k in kinds}}
            for row in session.execute(query)}


def standards_by_facility(session, district: str | None, today: date) -> list:
    """Measurement standards per (facility pk, discipline), with their certificates' expiry: `expired`
    before today, `expiring` from today to today + 90 days (a standard's certificate is its valid_until)."""
    horizon = today + timedelta(days=TABLE_EXPIRY_DAYS)
    query = (select(Capability.facility_pk, Capability.discipline, func.count().label("n"),
                    func.sum(case((Capability.valid_until < today, 1), else_=0)).label("expired"),
                    func.sum(case((and_(Capability.valid_until >= today, Capability.valid_until <= horizon), 1),
                                  else_=0)).label("expiring"))
             .where(_live_capabilities(district), Capability.kind == "measurement_standard")
             .group_by(Capability.facility_pk, Capability.discipline))
    return list(session.execute(query))


def accreditation_expiry(session, district: str | None, today: date) -> dict[str, tuple[int, int]]:
    """code -> (expired, expiring within 90 days) accreditations (CMA, CNAS, CNCA) of active facilities."""
    horizon = today + timedelta(days=TABLE_EXPIRY_DAYS)
    query = (select(Facility.district_code,
                    func.sum(case((Accreditation.valid_until < today, 1), else_=0)).label("expired"),
                    func.sum(case((and_(Accreditation.valid_until >= today, Accreditation.valid_until <= horizon),
                                   1), else_=0)).label("expiring"))
             .join(Facility, Accreditation.facility_pk == Facility.id)
             .where(active_facility(district), Accreditation.valid_until.is_not(None))
             .group_by(Facility.district_code))
    return {row.district_code: (int(row.expired or 0), int(row.expiring or 0)) for row in session.execute(query)}


def district_table(session, today: date, district: str | None = None) -> DistrictTable:
    """Every figure of the district table, per district and for all districts shown."""
    districts = districts_in_scope(session, district)
    facilities = facility_counts(session, district)
    counted = active_facilities(session, district)
    accreditations = accreditation_expiry(session, district, today)
    bookings = audit_bookings.booking_figures(session, district)

    capability_counts: dict[str, dict[str, int]] = {}
    for pk, tally in capability_counts_by_facility(session, district).items():
        if pk in counted:
            counts = capability_counts.setdefault(counted[pk], {})
            for key, n in tally.items():
                counts[key] = counts.get(key, 0) + n
    disciplines: dict[str, set[str]] = {}
    for g in standards_by_facility(session, district, today):
        code = counted.get(g.facility_pk)
        if code is None:
            continue
        counts = capability_counts.setdefault(code, {})
        counts["certs_expired"] = counts.get("certs_expired", 0) + int(g.expired or 0)
        counts["certs_expiring_90"] = counts.get("certs_expiring_90", 0) + int(g.expiring or 0)
        if g.discipline in DISCIPLINES:
            disciplines.setdefault(code, set()).add(g.discipline)

    rows = []
    for d in districts:
        values = count_keys()
        values.update(facilities.get(d.code, {}))
        values.update(capability_counts.get(d.code, {}))
        expired, expiring = accreditations.get(d.code, (0, 0))
        values["certs_expired"] += expired
        values["certs_expiring_90"] += expiring
        values["disciplines"] = len(disciplines.get(d.code, ()))
        row = {"code": d.code, "name": d.name, "name_en": d.name_en,
               "population": d.population, "area_km2": d.area_km2, **values}
        row.update(bookings.get(d.code, audit_bookings.EMPTY))
        rows.append(derive(row))

    total = {"code": TOTAL, "name": "合计", "name_en": "Total"}
    for key in count_keys():
        total[key] = sum(r[key] for r in rows)
    total["population"] = sum(r["population"] or 0 for r in rows)
    total["area_km2"] = sum(r["area_km2"] or 0 for r in rows)
    total["disciplines"] = len(set().union(*(disciplines.get(r["code"], set()) for r in rows)))
    total.update(bookings.get(TOTAL, audit_bookings.EMPTY))
    demo = session.scalar(select(func.count()).where(active_facility(district), Facility.demo)) or 0
    return DistrictTable(rows, derive(total), disciplines, demo)


def cached_district_table(session, today: date, district: str | None = None) -> DistrictTable:
    """`district_table`, computed once per data version, day and scope (the dashboard and the API)."""
    return cached(session, "district_table", (district, today), lambda: district_table(session, today, district))


def count_keys() -> dict[str, int]:
    """The additive figures, all zero."""
    keys = ["facilities", *(f"kind_{k}" for k in FACILITY_KINDS), *(f"own_{k}" for k in OWNERSHIPS),
            *(f"level_{k}" for k in LEVELS), "level_none", "shared", "capabilities",
            *(f"cap_{k}" for k in CAPABILITY_KINDS), "certs_expiring_90", "certs_expired"]
    return dict.fromkeys(keys, 0)


def derive(row: dict) -> dict:
    """The ratios: share shared, and densities per 100,000 residents and per 100 km² (None without a base)."""
    row["shared_pct"] = 100.0 * row["shared"] / row["facilities"] if row["facilities"] else None
    population, area = row.get("population"), row.get("area_km2")
    for key in ("facilities", "capabilities"):
        row[f"{key}_per_100k"] = row[key] * 100_000 / population if population else None
        row[f"{key}_per_100km2"] = row[key] * 100 / area if area else None
    return row


def data_as_of(session):
    """When the registry's data last changed (the newest change set), for the report's "as of"."""
    from_changes = session.scalar(select(func.max(ChangeSet.created_at)))
    from_facilities = session.scalar(select(func.max(Facility.updated_at)))
    return max((t for t in (from_changes, from_facilities) if t is not None), default=None)
