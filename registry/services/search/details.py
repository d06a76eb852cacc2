"""One facility: everything known about it, and its capabilities searched by keyword or standard."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from registry.models import Accreditation, Capability, Facility
from registry.ops import metrics
from registry.schemas.fields import ExternalId
from registry.services.search.query import INACTIVE, MAX_PAGE, MAX_PER_PAGE
from registry.services.search.results import capability_dict
from registry.services.search.terms import TermMatch, parse_terms


def accreditation_marks(session, facility_ids: list[str], today: date) -> dict[str, list[dict]]:
    """The CMA/CNAS/CNCA certificates of the facilities on a results page (one query), by facility_id:
    scheme, number, valid_until and whether it is valid today, in scheme order."""
    if not facility_ids:
        return {}
    rows = session.execute(
        select(Facility.facility_id, Accreditation.scheme, Accreditation.number, Accreditation.valid_until)
        .join(Accreditation, Accreditation.facility_pk == Facility.id)
        .where(Facility.facility_id.in_(facility_ids)).order_by(Facility.facility_id, Accreditation.scheme))
    marks: dict[str, list[dict]] = {}
    for facility_id, scheme, number, valid_until in rows:
        marks.setdefault(facility_id, []).append({"scheme": scheme, "number": number, "valid_until": valid_until,
                                                  "valid": valid_until is None or valid_until >= today})
    return marks


def facility_detail(session, facility_id: str, today: date) -> dict | None:
    """Everything known about a live facility, with its accreditations and their validity."""
    if not isinstance(facility_id, str) or not ExternalId.PATTERN.fullmatch(facility_id):  # never stored
        return None
    facility = session.execute(select(Facility).where(
        Facility.facility_id == facility_id, Facility.deleted_at.is_(None))).scalar_one_or_none()
    if facility is None:
        return None
    columns = [c.key for c in Facility.__table__.columns if c.key not in ("id", "search_text", "deleted_at")]
    detail = {name: getattr(facility, name) for name in columns}
    detail["fields"] = [f for f in (facility.fields or "").split(";") if f]
    detail["active"] = facility.status not in INACTIVE
    detail["accreditations"] = [
        {"scheme": a.scheme, "number": a.number, "valid_until": a.valid_until,
         "valid": a.valid_until is None or a.valid_until >= today}
        for a in facility.accreditations]
    counts = dict(session.execute(
        select(Capability.kind, func.count()).where(Capability.facility_pk == facility.id,
                                                    Capability.deleted_at.is_(None))
        .group_by(Capability.kind)).all())
    detail["capability_counts"] = counts
    detail["capability_total"] = sum(counts.values())
    detail["bookable"] = session.execute(select(Capability.id).where(
        Capability.facility_pk == facility.id, Capability.deleted_at.is_(None),
        Capability.bookable.is_(True)).limit(1)).first() is not None
    return detail


@metrics.timed_search("facility_capabilities")
def facility_capabilities(session, facility_id, q: str, page, per_page, today) -> tuple[list[dict], int]:
    """A facility's live capabilities matching `q` (keywords and standard numbers), paginated."""
    if not isinstance(facility_id, str) or not ExternalId.PATTERN.fullmatch(facility_id):  # never stored
        return [], 0
    pk = session.execute(select(Facility.id).where(Facility.facility_id == facility_id,
                                                   Facility.deleted_at.is_(None))).scalar()
    if pk is None:
        return [], 0
    try:
        page = min(max(int(page), 1), MAX_PAGE)
        per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    except (TypeError, ValueError):
        page, per_page = 1, 20
    match = TermMatch(session, parse_terms(q or ""), facility_text=False)
    where = [Capability.facility_pk == pk, Capability.deleted_at.is_(None), match.condition()]
    total = session.execute(select(func.count()).select_from(Capability).where(*where)).scalar()
    rows = session.execute(select(Capability).where(*where)
                           .order_by(Capability.kind, Capability.name, Capability.capability_id)
                           .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return [capability_dict(r, facility_id, today) for r in rows], total
