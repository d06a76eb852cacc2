"""The change log for people: browse it, see each change's before and after, restore a facility.

A facility's state at any change is rebuilt from the log itself (a create carries the whole record,
an update the fields it changed, a delete ends it), so restoring needs no snapshots. A restore is a
new change set of the one writer that writes the old state back, through the same rules as an edit.
It never runs on one click: `plan_restore` shows what it would change first, and the restore applies
only the plan that was confirmed.
"""
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.errors import NotFound, RegistryError
from registry.models import AdminAction, Capability, Change, ChangeSet, Facility, User
from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema
from registry.services.records.canonical import capability_record
from registry.services.records.editing import (
    as_cells,
    delete_capability,
    stored_facility,
    write_capability,
    write_facility,
)
from registry.services.records.writer import StaleRecord, finish, validate, writing

PAGE_SIZE = 50
ENTITIES = ("facility", "capability")
ACTIONS = ("create", "update", "delete")


@dataclass
class LogFilter:
    facility_id: str | None = None
    actor: str | None = None  # a substring of the actor, e.g. an e-mail address
    since: date | None = None
    until: date | None = None
    entity: str | None = None
    action: str | None = None


def browse(session, filters: LogFilter, page: int = 1, facility_scope: set[str] | None = None):
    """(changes with their change set, total) newest first; `facility_scope` limits an operator."""
    query = select(Change, ChangeSet).join(ChangeSet, Change.change_set_id == ChangeSet.id)
    if filters.facility_id:
        query = query.where(Change.facility_id == filters.facility_id)
    if filters.actor:
        query = query.where(ChangeSet.actor.contains(filters.actor, autoescape=True))
    if filters.since:
        query = query.where(Change.at >= datetime.combine(filters.since, time.min))
    if filters.until:
        query = query.where(Change.at < datetime.combine(filters.until + timedelta(days=1), time.min))
    if filters.entity in ENTITIES:
        query = query.where(Change.entity == filters.entity)
    if filters.action in ACTIONS:
        query = query.where(Change.action == filters.action)
    if facility_scope is not None:
        query = query.where(Change.facility_id.in_(sorted(facility_scope)))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, page)
    rows = session.execute(query.order_by(Change.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return rows, total


def change_detail(session, change_id: int) -> tuple[Change, ChangeSet]:
    row = session.execute(select(Change, ChangeSet).join(ChangeSet, Change.change_set_id == ChangeSet.id)
                          .where(Change.id == change_id)).first()
    if row is None:
        raise NotFound(_l("No such change."))
    return row


def field_rows(change: Change) -> list[tuple[str, object, object]]:
    """(field, before, after) for every field the change names."""
    before, after = change.before or {}, change.after or {}
    keys = list(dict.fromkeys([*before, *after]))
    return [(k, before.get(k), after.get(k)) for k in keys]


def admin_actions(session, page: int = 1) -> tuple[list[AdminAction], int]:
    total = session.scalar(select(func.count()).select_from(AdminAction))
    rows = session.scalars(select(AdminAction).order_by(AdminAction.id.desc()).limit(PAGE_SIZE)
                           .offset((max(1, page) - 1) * PAGE_SIZE))
    return list(rows), total


# --- rebuilding and restoring --------------------------------------------------------------------

def state_at(session, facility_id: str, change_id: int) -> tuple[dict | None, dict[str, dict | None]]:
    """The facility's record and its capabilities' records right after change `change_id`."""
    facility: dict | None = None
    capabilities: dict[str, dict | None] = {}
    changes = session.scalars(select(Change).where(Change.facility_id == facility_id, Change.id <= change_id)
                              .order_by(Change.id))
    for change in changes:
        if change.entity == "facility":
            facility = apply(facility, change)
        elif change.entity == "capability":
            capabilities[change.capability_id] = apply(capabilities.get(change.capability_id), change)
    return facility, capabilities


def apply(record: dict | None, change: Change) -> dict | None:
    if change.action == "delete":
        return None
    if change.action == "create" or record is None:
        return dict(change.after or {})
    return {**record, **(change.after or {})}


@dataclass
class RestorePlan:
    """What a restore writes (or would write): its change rows, counted by kind, and a digest that a
    confirmation names, so that what is applied is exactly what the admin saw."""

    facility_id: str
    change_id: int
    changes: list[dict]
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(f"{c['entity']}.{c['action']}" for c in self.changes))

    @property
    def digest(self) -> str:
        text = json.dumps(self.changes, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def plan_restore(session, facility_id: str, change_id: int, *, user: User, locator) -> RestorePlan:
    """What restoring would change, written and rolled back (the same code as the restore itself)."""
    try:
        return _restore(session, facility_id, change_id, user=user, locator=locator)[1]
    finally:
        session.rollback()


def restore_facility(session, facility_id: str, change_id: int, *, user: User, locator,
                     confirmed_digest: str) -> RestorePlan:
    """Bring the facility and its capabilities back to their state after change `change_id`, if that
    still writes exactly the plan the admin confirmed (its digest); else StaleRecord, nothing written."""
    change_set, plan = _restore(session, facility_id, change_id, user=user, locator=locator)
    if plan.digest != confirmed_digest:
        session.rollback()
        raise StaleRecord(_l("The registry changed after you reviewed this restore: nothing was written. "
                             "Review what it would change now."))
    plan.applied = finish(session, change_set, bool(plan.changes), {"facilities": {"restored": 1}})
    return plan


def _restore(session, facility_id: str, change_id: int, *, user: User, locator) -> tuple[ChangeSet, RestorePlan]:
    """Write the old state (not committed). Only admins restore. The old values are validated again
    with today's rules (a boundary may have moved)."""
    if user.role != "admin":
        raise NotFound(_l("No such change."))
    with writing(session, user, f"restore {facility_id} to change {change_id}") as change_set:
        return change_set, _write_state(session, change_set, facility_id, change_id, locator)


def _write_state(session, change_set, facility_id: str, change_id: int, locator) -> RestorePlan:
    facility = session.scalar(select(Facility).where(Facility.facility_id == facility_id)
                              .execution_options(populate_existing=True))
    past, past_capabilities = state_at(session, facility_id, change_id)
    if facility is None or past is None:
        raise RegistryError(_l("Facility %(id)s did not exist after change %(change)s: nothing to restore.",
                               id=facility_id, change=change_id))
    record = validate(FacilityRowSchema(locator), as_cells(past))
    stored = None if facility.deleted_at is not None else stored_facility(session, facility)
    write_facility(session, change_set, facility, stored, record)
    current = {c.capability_id: c for c in session.scalars(
        select(Capability).where(Capability.facility_pk == facility.id).execution_options(populate_existing=True))}
    for capability_id in sorted(set(current) | set(past_capabilities)):
        old, now = past_capabilities.get(capability_id), current.get(capability_id)
        if old is None:
            if now is not None and now.deleted_at is None:
                delete_capability(session, change_set, facility, now)
            continue
        record = validate(CapabilityRowSchema(), as_cells({**old, "facility_id": facility_id}))
        stored = capability_record(now, facility_id) if now is not None and now.deleted_at is None else None
        write_capability(session, change_set, facility, now, stored, record)
    rows = session.execute(select(Change.entity, Change.action, Change.capability_id, Change.before, Change.after)
                           .where(Change.change_set_id == change_set.id).order_by(Change.id))
    changes = [{"entity": r.entity, "action": r.action, "capability_id": r.capability_id,
                "before": r.before, "after": r.after} for r in rows]
    return RestorePlan(facility_id, change_id, changes)
