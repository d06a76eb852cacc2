"""Data-quality findings: what in the registry is likely wrong, each pointing at the record to fix.

- likely duplicates: the same USCC within 200 m, or near-identical names in the same district (the same
  name once spacing, punctuation, brackets, character width and the legal form are set aside: Chinese
  names differ in a short trade name, so 澄衡（杭州）认证有限公司 and 临衡（杭州）认证有限公司, one character
  apart, are two companies, and no similarity ratio tells them from a typo);
- facilities without a location (listed, never drawn: DATA_FORMAT.md);
- measurement standards without a validity date, capabilities with a quantity but no range;
- certificates (CMA, CNAS, measurement-standard certificates) expired while the facility is active.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from sqlalchemy import and_, or_, select

from geo.distance import distance_m
from registry.models import Accreditation, Capability, Facility

DUPLICATE_DISTANCE_M = 200.0
LIST_LIMIT = 200  # findings shown per kind; the count says how many there are
_NOT_NAME = re.compile(r"[\s\W_]+")
_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|公司|co\.?,?\s*ltd\.?|ltd\.?|limited|inc\.?)$")


@dataclass
class Findings:
    duplicates: list[dict] = field(default_factory=list)
    unlocated: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)
    incomplete_count: int = 0
    expired: list[dict] = field(default_factory=list)
    expired_count: int = 0


def find_problems(session, today: date, facility_scope: set[str] | None = None) -> Findings:
    facilities = list(session.execute(
        select(Facility.facility_id, Facility.name, Facility.uscc, Facility.district_code, Facility.lon,
               Facility.lat, Facility.status).where(Facility.deleted_at.is_(None)).order_by(Facility.facility_id)))
    if facility_scope is not None:
        facilities = [f for f in facilities if f.facility_id in facility_scope]
    findings = Findings(duplicates=likely_duplicates(facilities))
    findings.unlocated = [{"facility_id": f.facility_id, "name": f.name, "district_code": f.district_code}
                          for f in facilities if f.lon is None][:LIST_LIMIT]
    ids = [f.facility_id for f in facilities] if facility_scope is not None else None
    findings.incomplete, findings.incomplete_count = incomplete_capabilities(session, ids)
    findings.expired, findings.expired_count = expired_certificates(session, today, ids)
    return findings


def name_key(name: str) -> str:
    """A name without spacing, punctuation, width or legal-form differences:
    杭州 · 检测（中心）有限公司 = 杭州检测(中心)有限责任公司."""
    text = unicodedata.normalize("NFKC", name or "").casefold().strip()
    return _NOT_NAME.sub("", _LEGAL_FORM.sub("", _NOT_NAME.sub(" ", text).strip()))


def likely_duplicates(facilities) -> list[dict]:
    pairs = []
    by_uscc: dict[str, list] = {}
    for f in facilities:
        by_uscc.setdefault(f.uscc, []).append(f)
    for group in by_uscc.values():
        for a, b in combinations(group, 2):
            if a.lon is not None and b.lon is not None:
                metres = distance_m(a.lon, a.lat, b.lon, b.lat)
                if metres <= DUPLICATE_DISTANCE_M:
                    pairs.append(pair(a, b, "same_uscc_nearby", round(metres)))
    seen = {(p["a"]["facility_id"], p["b"]["facility_id"]) for p in pairs}
    by_name: dict[tuple[str, str], list] = {}
    for f in facilities:
        key = name_key(f.name)
        if key:
            by_name.setdefault((f.district_code, key), []).append(f)
    for group in by_name.values():
        for a, b in combinations(group, 2):
            if (a.facility_id, b.facility_id) not in seen:
                pairs.append(pair(a, b, "similar_name", None))
    return pairs[:LIST_LIMIT]


def pair(a, b, reason: str, metres) -> dict:
    return {"a": {"facility_id": a.facility_id, "name": a.name}, "b": {"facility_id": b.facility_id, "name": b.name},
            "reason": reason, "metres": metres, "uscc": a.uscc if a.uscc == b.uscc else None}


def incomplete_capabilities(session, facility_ids) -> tuple[list[dict], int]:
    problem = or_(and_(Capability.kind == "measurement_standard", Capability.valid_until.is_(None)),
                  and_(Capability.quantity.is_not(None), Capability.range_min.is_(None),
                       Capability.range_max.is_(None)))
    query = (select(Facility.facility_id, Capability.capability_id, Capability.name, Capability.kind,
                    Capability.valid_until, Capability.quantity, Capability.range_min, Capability.range_max)
             .join(Facility, Facility.id == Capability.facility_pk)
             .where(Capability.deleted_at.is_(None), Facility.deleted_at.is_(None), problem))
    if facility_ids is not None:
        query = query.where(Facility.facility_id.in_(facility_ids))
    rows, count = first_and_count(session, query.order_by(Facility.facility_id, Capability.capability_id))
    found = []
    for r in rows:
        missing = []
        if r.kind == "measurement_standard" and r.valid_until is None:
            missing.append("valid_until")
        if r.quantity and r.range_min is None and r.range_max is None:
            missing.append("range")
        found.append({"facility_id": r.facility_id, "capability_id": r.capability_id, "name": r.name,
                      "missing": missing})
    return found, count


def expired_certificates(session, today: date, facility_ids) -> tuple[list[dict], int]:
    """Accreditations and capability certificates past their date at facilities still active."""
    accreditations = (select(Facility.facility_id, Facility.name, Accreditation.scheme, Accreditation.number,
                             Accreditation.valid_until)
                      .join(Facility, Facility.id == Accreditation.facility_pk)
                      .where(Facility.deleted_at.is_(None), Facility.status == "active",
                             Accreditation.valid_until < today))
    certificates = (select(Facility.facility_id, Capability.capability_id, Capability.name,
                           Capability.certificate_no, Capability.valid_until)
                    .join(Facility, Facility.id == Capability.facility_pk)
                    .where(Facility.deleted_at.is_(None), Capability.deleted_at.is_(None),
                           Facility.status == "active", Capability.valid_until < today))
    if facility_ids is not None:
        accreditations = accreditations.where(Facility.facility_id.in_(facility_ids))
        certificates = certificates.where(Facility.facility_id.in_(facility_ids))
    accreditation_rows, accreditation_count = first_and_count(
        session, accreditations.order_by(Accreditation.valid_until))
    certificate_rows, certificate_count = first_and_count(session, certificates.order_by(Capability.valid_until))
    found = [{"facility_id": r.facility_id, "capability_id": None, "name": r.name, "certificate": r.scheme.upper(),
              "number": r.number, "valid_until": r.valid_until} for r in accreditation_rows]
    found += [{"facility_id": r.facility_id, "capability_id": r.capability_id, "name": r.name,
               "certificate": "capability", "number": r.certificate_no, "valid_until": r.valid_until}
              for r in certificate_rows]
    return found[:LIST_LIMIT], accreditation_count + certificate_count


def first_and_count(session, query) -> tuple[list, int]:
    """The first LIST_LIMIT rows and how many there are, in one pass over the table."""
    rows, count = [], 0
    for row in session.execute(query.execution_options(yield_per=2000)):
        count += 1
        if count <= LIST_LIMIT:
            rows.append(row)
    return rows, count
