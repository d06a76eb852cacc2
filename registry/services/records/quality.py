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

from sqlalchemy import String, and_, bindparam, func, literal, or_, select, union_all

from geo.distance import distance_m
from registry.models import Accreditation, Capability, Facility

DUPLICATE_DISTANCE_M = 200.0
_NOT_NAME = re.compile(r"[\s\W_]+")
_LEGAL_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|公司|co\.?,?\s*ltd\.?|ltd\.?|limited|inc\.?)$")


KINDS = ("duplicates", "unlocated", "incomplete", "expired")
PAGE_SIZE = 25  # findings per page: a city's registry has thousands of expired certificates


@dataclass
class Findings:
    """How many findings of each kind there are, and one page of one kind."""
    counts: dict[str, int]
    kind: str
    page: int
    items: list[dict] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.counts[self.kind] // PAGE_SIZE))


def find_problems(session, today: date, facility_scope: set[str] | None = None, kind: str | None = None,
                  page: int = 1) -> Findings:
    """Every kind's count and page `page` of `kind` (default: the first kind with findings).
    Capabilities and certificates are counted and paged by the database; facilities are few
    enough (tens of thousands at most) to be compared in memory."""
    if kind is not None and kind not in KINDS:
        raise ValueError(kind)
    facilities = list(session.execute(
        select(Facility.facility_id, Facility.name, Facility.uscc, Facility.district_code, Facility.lon,
               Facility.lat, Facility.status).where(Facility.deleted_at.is_(None)).order_by(Facility.facility_id)))
    if facility_scope is not None:
        facilities = [f for f in facilities if f.facility_id in facility_scope]
    ids = [f.facility_id for f in facilities] if facility_scope is not None else None
    duplicates = likely_duplicates(facilities)
    unlocated = [{"facility_id": f.facility_id, "name": f.name, "district_code": f.district_code}
                 for f in facilities if f.lon is None]
    incomplete, expired = incomplete_capabilities(ids), expired_certificates(today, ids)
    counts = {"duplicates": len(duplicates), "unlocated": len(unlocated),
              "incomplete": count(session, incomplete), "expired": count(session, expired)}
    kind = kind or next((k for k in KINDS if counts[k]), KINDS[0])
    offset = (page - 1) * PAGE_SIZE
    if kind in ("duplicates", "unlocated"):
        items = (duplicates if kind == "duplicates" else unlocated)[offset:offset + PAGE_SIZE]
    else:
        rows = session.execute(incomplete if kind == "incomplete" else expired, {"offset": offset}).all()
        items = [incomplete_item(r) if kind == "incomplete" else expired_item(r) for r in rows]
    return Findings(counts=counts, kind=kind, page=page, items=items)


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
    return pairs


def pair(a, b, reason: str, metres) -> dict:
    return {"a": {"facility_id": a.facility_id, "name": a.name}, "b": {"facility_id": b.facility_id, "name": b.name},
            "reason": reason, "metres": metres, "uscc": a.uscc if a.uscc == b.uscc else None}


def incomplete_capabilities(facility_ids):
    """Measurement standards without a validity date; quantities without a range."""
    problem = or_(and_(Capability.kind == "measurement_standard", Capability.valid_until.is_(None)),
                  and_(Capability.quantity.is_not(None), Capability.range_min.is_(None),
                       Capability.range_max.is_(None)))
    query = (select(Facility.facility_id, Capability.capability_id, Capability.name, Capability.kind,
                    Capability.valid_until, Capability.quantity, Capability.range_min, Capability.range_max)
             .join(Facility, Facility.id == Capability.facility_pk)
             .where(Capability.deleted_at.is_(None), Facility.deleted_at.is_(None), problem))
    if facility_ids is not None:
        query = query.where(Facility.facility_id.in_(facility_ids))
    return paged(query.order_by(Facility.facility_id, Capability.capability_id))


def incomplete_item(r) -> dict:
    missing = []
    if r.kind == "measurement_standard" and r.valid_until is None:
        missing.append("valid_until")
    if r.quantity and r.range_min is None and r.range_max is None:
        missing.append("range")
    return {"facility_id": r.facility_id, "capability_id": r.capability_id, "name": r.name, "missing": missing}


def expired_certificates(today: date, facility_ids):
    """Accreditations and capability certificates past their date at facilities still active,
    the longest expired first."""
    accreditations = (select(Facility.facility_id, literal(None, String).label("capability_id"),
                             Facility.name, Accreditation.scheme.label("certificate"),
                             Accreditation.number.label("number"), Accreditation.valid_until)
                      .join(Facility, Facility.id == Accreditation.facility_pk)
                      .where(Facility.deleted_at.is_(None), Facility.status == "active",
                             Accreditation.valid_until < today))
    certificates = (select(Facility.facility_id, Capability.capability_id, Capability.name,
                           literal("capability", String).label("certificate"),
                           Capability.certificate_no.label("number"), Capability.valid_until)
                    .join(Facility, Facility.id == Capability.facility_pk)
                    .where(Facility.deleted_at.is_(None), Capability.deleted_at.is_(None),
                           Facility.status == "active", Capability.valid_until < today))
    if facility_ids is not None:
        accreditations = accreditations.where(Facility.facility_id.in_(facility_ids))
        certificates = certificates.where(Facility.facility_id.in_(facility_ids))
    both = union_all(accreditations, certificates).subquery()
    return paged(select(both).order_by(both.c.valid_until, both.c.facility_id, both.c.capability_id))


def expired_item(r) -> dict:
    certificate = r.certificate if r.capability_id else r.certificate.upper()
    return {"facility_id": r.facility_id, "capability_id": r.capability_id, "name": r.name,
            "certificate": certificate, "number": r.number, "valid_until": r.valid_until}


def paged(query):
    """One page of `query`, from the bound :offset."""
    return query.limit(PAGE_SIZE).offset(bindparam("offset"))


def count(session, query) -> int:
    """How many rows `query` has without its paging."""
    unpaged = query.limit(None).offset(None).order_by(None)
    return session.execute(select(func.count()).select_from(unpaged.subquery())).scalar_one()
