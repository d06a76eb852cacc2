"""One facility: everything known about it, and its capabilities searched by keyword or standard."""
from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, select

from registry.models import Accreditation, Capability, Facility
from registry.ops import metrics
from registry.schemas.fields import ExternalId
from registry.services.search.query import INACTIVE, MAX_PAGE, MAX_PER_PAGE
from registry.services.search.results import capability_dict
from registry.services.search.terms import TermMatch, parse_terms
from registry.vocabulary import CAPABILITY_KINDS


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


# A facility's own columns as the detail gives them (all but its key, search text and tombstone).
DETAIL_COLUMNS = [c for c in Facility.__table__.columns if c.key not in ("id", "search_text", "deleted_at")]
# Its live capabilities' figures, counted in one pass over them (through the facility's index): a
# correlated count per figure read them five times over.
_FIGURES = {
    **{f"n_{kind}": Capability.kind == kind for kind in CAPABILITY_KINDS},
    "n_bookable": Capability.bookable.is_(True),
    "n_public": Capability.public_standard.is_(True),
}
_DETAIL_KEYS = [c.key for c in DETAIL_COLUMNS]
_OF_FACILITY = select(Facility.id).where(Facility.facility_id == bindparam("facility_id")).scalar_subquery()
_COUNTS = (select(Capability.facility_pk, *[func.count().filter(condition).label(name)
                                            for name, condition in _FIGURES.items()])
           .where(Capability.facility_pk == _OF_FACILITY, Capability.deleted_at.is_(None))
           .group_by(Capability.facility_pk).subquery())
_FACILITY = (select(Facility.id, *DETAIL_COLUMNS, Accreditation.scheme.label("a_scheme"),
                    Accreditation.number.label("a_number"), Accreditation.valid_until.label("a_valid_until"),
                    *[func.coalesce(_COUNTS.c[name], 0).label(name) for name in _FIGURES])
             .outerjoin_from(Facility, Accreditation, Accreditation.facility_pk == Facility.id)
             .outerjoin(_COUNTS, _COUNTS.c.facility_pk == Facility.id)
             .where(Facility.facility_id == bindparam("facility_id"), Facility.deleted_at.is_(None))
             .order_by(Accreditation.scheme))
# Where each part of a _FACILITY row starts (rows are read by position: a Row looks a Column or an
# attribute up slowly): the facility's columns after its id, the accreditation's, the figures.
_NAMES = [c.name for c in _FACILITY.selected_columns]
_ACCREDITATION, _COUNTED = _NAMES.index("a_scheme"), _NAMES.index(next(iter(_FIGURES)))
assert _NAMES[1:_ACCREDITATION] == _DETAIL_KEYS


def facility_detail(session, facility_id: str, today: date) -> dict | None:
    """Everything known about a live facility, with its accreditations and their validity, its live
    capabilities counted by kind, whether one is bookable and how many are public measurement
    standards: one statement (a facility detail is most of what partners mirror, one at a time)."""
    if not isinstance(facility_id, str) or not ExternalId.PATTERN.fullmatch(facility_id):  # never stored
        return None
    rows = session.connection().execute(_FACILITY, {"facility_id": facility_id}).all()
    if not rows:
        return None
    first = rows[0]
    detail = dict(zip(_DETAIL_KEYS, first[1:_ACCREDITATION]))
    detail["fields"] = [f for f in (detail["fields"] or "").split(";") if f]
    detail["active"] = detail["status"] not in INACTIVE
    detail["accreditations"] = [
        {"scheme": scheme, "number": number, "valid_until": valid_until,
         "valid": valid_until is None or valid_until >= today}
        for scheme, number, valid_until in (r[_ACCREDITATION:_COUNTED] for r in rows) if scheme is not None]
    n = dict(zip(_FIGURES, first[_COUNTED:]))
    counts = {kind: n[f"n_{kind}"] for kind in CAPABILITY_KINDS}
    detail["capability_counts"] = {kind: count for kind, count in counts.items() if count}
    detail["capability_total"] = sum(counts.values())
    detail["bookable"] = bool(n["n_bookable"])
    detail["public_standards"] = n["n_public"]
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
