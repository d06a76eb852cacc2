"""Art. 7: the public measurement standards (社会公用计量标准) by discipline and district, with validity.

A public measurement standard is a capability flagged `public_standard` (read from a measurement-standards
list, services/records/scopes), at an active facility (as everywhere in the audit), with its certificate
number and validity. Validity is counted in Hangzhou days: `expired` before today, `expiring` from today to
today + EXPIRING_DAYS, `valid` after that, `undated` when the certificate's date is not given. A standard
is *in force* when it is valid or expiring and not suspended (暂停); a district has a gap in a discipline
when none of its public standards of that discipline is in force.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.models import Capability, Facility
from registry.services.audit.district_table import active_facility
from registry.vocabulary import DISCIPLINES

EXPIRING_DAYS = 90
VALIDITY = ("valid", "expiring", "expired", "undated")
VALIDITY_LABELS = {"valid": _l("Valid"), "expiring": _l("Expiring within %(days)s days", days=EXPIRING_DAYS),
                   "expired": _l("Expired"), "undated": _l("No validity date")}
UNKNOWN_DISCIPLINE = ""  # a standard whose discipline was not recognised: counted, never a gap filler


@dataclass(frozen=True)
class PublicStandard:
    district_code: str
    facility_id: str
    facility_kind: str
    facility_name: str
    facility_name_en: str | None
    lon: float | None
    lat: float | None
    capability_id: str
    name: str  # the standard's name as published (计量标准名称)
    discipline: str  # a vocabulary.DISCIPLINES key, or UNKNOWN_DISCIPLINE
    certificate_no: str | None
    valid_until: date | None
    days_left: int | None
    validity: str  # one of VALIDITY
    suspended: bool  # 暂停

    @property
    def in_force(self) -> bool:
        return self.validity in ("valid", "expiring") and not self.suspended


@dataclass(frozen=True)
class Gap:
    district_code: str
    discipline: str
    not_in_force: int  # the district's public standards of the discipline that are expired, undated or suspended


def validity(valid_until: date | None, today: date) -> str:
    if valid_until is None:
        return "undated"
    days = (valid_until - today).days
    return "expired" if days < 0 else "expiring" if days <= EXPIRING_DAYS else "valid"


def public_standards(session, today: date, district: str | None = None) -> list[PublicStandard]:
    """Every live public measurement standard of the active facilities in scope, by district, discipline,
    facility and date (the first to lapse first)."""
    query = (select(Facility.district_code, Facility.facility_id, Facility.kind, Facility.name, Facility.name_en,
                    Facility.lon, Facility.lat, Capability.capability_id,
                    func.coalesce(Capability.object, Capability.name).label("standard"), Capability.discipline,
                    Capability.certificate_no, Capability.valid_until, Capability.status)
             .join(Facility, Capability.facility_pk == Facility.id)
             .where(active_facility(district), Capability.deleted_at.is_(None), Capability.public_standard))
    out = []
    for row in session.execute(query):
        out.append(PublicStandard(
            row.district_code, row.facility_id, row.kind, row.name, row.name_en, row.lon, row.lat, row.capability_id,
            row.standard, row.discipline or UNKNOWN_DISCIPLINE, row.certificate_no, row.valid_until,
            None if row.valid_until is None else (row.valid_until - today).days,
            validity(row.valid_until, today), row.status == "suspended"))
    # Sorted here, not in SQL: the databases put NULLs (no discipline, no date) at opposite ends.
    return sorted(out, key=lambda s: (s.district_code, s.discipline, s.facility_id, s.valid_until or date.max,
                                      s.capability_id))


def in_discipline(standards: list[PublicStandard], discipline: str) -> list[PublicStandard]:
    """Those of one discipline; all for ''."""
    return [s for s in standards if s.discipline == discipline] if discipline else list(standards)


def tally(standards) -> Counter:
    """How many: in total, per validity, in force, suspended."""
    counts = Counter(total=0, in_force=0, suspended=0, **dict.fromkeys(VALIDITY, 0))
    for s in standards:
        counts.update(("total", s.validity, *(("in_force",) if s.in_force else ()),
                       *(("suspended",) if s.suspended else ())))
    return counts


def counts(standards: list[PublicStandard], codes: list[str]) -> dict[str, dict[str, Counter]]:
    """district code -> discipline -> tally, for every district of `codes` and every discipline (the
    unrecognised one only where it occurs)."""
    grouped: dict[tuple[str, str], list] = {}
    for s in standards:
        grouped.setdefault((s.district_code, s.discipline), []).append(s)
    keys = list(DISCIPLINES) + ([UNKNOWN_DISCIPLINE] if any(d == UNKNOWN_DISCIPLINE for _, d in grouped) else [])
    return {code: {key: tally(grouped.get((code, key), ())) for key in keys} for code in codes}


def by_district(standards: list[PublicStandard], codes: list[str]) -> dict[str, Counter]:
    return {code: tally(s for s in standards if s.district_code == code) for code in codes}


def by_discipline(standards: list[PublicStandard]) -> dict[str, Counter]:
    keys = list(DISCIPLINES) + ([UNKNOWN_DISCIPLINE] if any(not s.discipline for s in standards) else [])
    return {key: tally(s for s in standards if s.discipline == key) for key in keys}


def gaps(standards: list[PublicStandard], codes: list[str]) -> list[Gap]:
    """Every (district, discipline) of `codes` × DISCIPLINES with no public standard in force."""
    cells = counts(standards, codes)
    return [Gap(code, key, cells[code][key]["total"] - cells[code][key]["in_force"])
            for code in codes for key in DISCIPLINES if not cells[code][key]["in_force"]]


def in_force_by_district(standards: list[PublicStandard], codes: list[str]) -> dict[str, int]:
    """The map's figure: public standards in force per district (0 where none)."""
    return {code: n["in_force"] for code, n in by_district(standards, codes).items()}


def facility_markers(standards: list[PublicStandard]) -> list[dict]:
    """One marker per located facility holding public standards: lon, lat, facility name(s), how many in
    force of how many."""
    markers: dict[str, dict] = {}
    for s in standards:
        if s.lon is None:
            continue
        marker = markers.setdefault(s.facility_id, {
            "lon": s.lon, "lat": s.lat, "kind": s.facility_kind, "facility_name": s.facility_name,
            "facility_name_en": s.facility_name_en, "standards": 0, "in_force": 0})
        marker["standards"] += 1
        marker["in_force"] += s.in_force
    return list(markers.values())
