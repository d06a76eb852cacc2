"""The change feed: every create, update and delete, in the order it happened.

Change ids only grow, so `since=<last id seen>` resumes a feed exactly. Each
entry carries the record's current state (None once it is deleted), not the
fields that changed at the time: a partner that applies entries in order --
upsert when there is a record, remove when there is none -- ends with an exact
copy, whatever other writers put in the log's before/after values.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from registry.models import Capability, Change, Facility

MAX_CHANGES_PAGE = 200


@dataclass
class ChangeEntry:
    id: int
    at: datetime
    change_set_id: int
    entity: str
    action: str
    facility_id: str
    capability_id: str | None
    record: object | None  # a live Facility, or a capability dict; None when deleted


def changes_since(session, since: int, limit: int) -> tuple[list[ChangeEntry], int, bool]:
    """(entries after change `since`, how many there are in all after it, whether more follow)."""
    limit = max(1, min(int(limit), MAX_CHANGES_PAGE))
    rows = session.execute(select(Change).where(Change.id > since).order_by(Change.id)
                           .limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    total = session.scalar(select(func.count()).select_from(Change).where(Change.id > since))
    facility_ids = {r.facility_id for r in rows if r.entity == "facility"}
    capability_keys = {(r.facility_id, r.capability_id) for r in rows if r.entity == "capability"}
    facilities = live_facilities(session, facility_ids)
    capabilities = live_capabilities(session, capability_keys)
    entries = []
    for r in rows:
        record = (facilities.get(r.facility_id) if r.entity == "facility"
                  else capabilities.get((r.facility_id, r.capability_id)))
        entries.append(ChangeEntry(r.id, r.at, r.change_set_id, r.entity, r.action, r.facility_id,
                                   r.capability_id, record))
    return entries, total, more


def live_facilities(session, facility_ids) -> dict[str, Facility]:
    if not facility_ids:
        return {}
    found = session.scalars(select(Facility).options(selectinload(Facility.accreditations)).where(
        Facility.facility_id.in_(sorted(facility_ids)), Facility.deleted_at.is_(None)))
    return {f.facility_id: f for f in found}


def live_capabilities(session, keys) -> dict[tuple[str, str], dict]:
    """(facility_id, capability_id) -> the capability's columns with its facility_id."""
    if not keys:
        return {}
    columns = [c for c in Capability.__table__.columns
               if c.key not in ("facility_pk", "import_digest", "search_doc_id", "range_min_base",
                                "range_max_base", "range_dimension")]
    out = {}
    keys = sorted(keys)
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        stmt = (select(Facility.facility_id, *columns).join(Facility, Facility.id == Capability.facility_pk)
                .where(tuple_(Facility.facility_id, Capability.capability_id).in_(chunk),
                       Capability.deleted_at.is_(None)))
        for row in session.execute(stmt).mappings():
            out[(row["facility_id"], row["capability_id"])] = dict(row)
    return out
