"""Edit one facility or capability by hand, with the same rules as an import.

A form's cells go through the interchange row schemas, so a value the importer refuses is refused
here too, with the same message. Each save is one change set (actor = the user) with the same
change rows an import writes, under the registry's write lock; the form carries the version it was
read at, and a save over a newer version is refused (409) instead of silently undoing someone's work.
Operators may edit only the facilities they keep: others' do not exist for them (404).
"""
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select, update

from registry.errors import Conflict, NotFound, RegistryError
from registry.models import Accreditation, Capability, Change, ChangeSet, Facility, User
from registry.models.base import utcnow
from registry.models.capability import SearchDoc
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS, CapabilityRowSchema, FacilityRowSchema
from registry.search_text import doc_fields, range_in_base
from registry.services.records.canonical import (
    CAPABILITY_ATTRS,
    accreditation_rows,
    capability_record,
    difference,
    facility_record,
    jsonable,
)
from registry.services.records.importing import _facility_values, _flatten
from registry.services.records.write_lock import begin_write


class InvalidEdit(RegistryError):
    """The form's values break the interchange rules; `fields` says which and why."""

    status = 422

    def __init__(self, fields: dict):
        super().__init__(_l("Some values are not valid; see the fields marked."))
        self.fields = fields


class StaleEdit(Conflict):
    """Someone saved the record after this form was opened."""


# --- who may edit what ---------------------------------------------------------------------------

def editable_facility(session, facility_id: str, user: User) -> Facility:
    """The live facility if `user` may edit it (admins: all; operators: their own), else NotFound."""
    facility = session.scalar(select(Facility).where(Facility.facility_id == facility_id,
                                                     Facility.deleted_at.is_(None))
                              .execution_options(populate_existing=True))
    if facility is None or not may_edit(user, facility):
        raise NotFound(_l("No facility %(id)s that you can edit.", id=facility_id))
    return facility


def may_edit(user: User, facility: Facility) -> bool:
    return user.role == "admin" or (user.role == "operator" and facility.id in user.facility_pks)


def editable_capability(session, facility: Facility, capability_id: str) -> Capability:
    capability = session.scalar(select(Capability).where(Capability.facility_pk == facility.id,
                                                         Capability.capability_id == capability_id,
                                                         Capability.deleted_at.is_(None))
                                .execution_options(populate_existing=True))
    if capability is None:
        raise NotFound(_l("No capability %(id)s at this facility.", id=capability_id))
    return capability


# --- form values ---------------------------------------------------------------------------------

def stored_facility(session, facility: Facility) -> dict:
    accreditations = {a.scheme: (a.number, a.valid_until) for a in session.scalars(
        select(Accreditation).where(Accreditation.facility_pk == facility.id))}
    return facility_record(facility, accreditations)


def as_cells(record: dict) -> dict[str, str]:
    """A record as the text cells of a row (what a form shows and an import reads)."""
    cells = {}
    for key, value in record.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        elif isinstance(value, (date, Decimal, int)):
            value = str(value)
        cells[key] = str(value)
    return cells


def form_cells(form: dict, columns) -> dict[str, str]:
    """The form's non-empty cells of the interchange columns, trimmed, as an import sees them."""
    return {c: str(form[c]).strip() for c in columns if form.get(c) is not None and str(form[c]).strip()}


def validate(schema, cells: dict) -> dict:
    try:
        return schema.load(cells)
    except ValidationError as error:
        fields: dict[str, list[str]] = {}
        for column, message in _flatten(error.messages):
            fields.setdefault(column or "_row", []).append(str(message))
        raise InvalidEdit(fields) from None


# --- saving --------------------------------------------------------------------------------------

def new_change_set(session, user: User | str, source: str) -> ChangeSet:
    actor = user if isinstance(user, str) else f"user:{user.email}"
    change_set = ChangeSet(actor=actor, source=source[:500], created_at=utcnow())
    session.add(change_set)
    session.flush()
    return change_set


def log(session, change_set: ChangeSet, entity: str, action: str, facility_id: str, capability_id=None,
        before=None, after=None) -> None:
    session.execute(Change.__table__.insert(), [{
        "change_set_id": change_set.id, "at": change_set.created_at, "entity": entity,
        "facility_id": facility_id, "capability_id": capability_id, "action": action,
        "before": before, "after": after}])


def save_facility(session, facility_id: str, form: dict, version: int, *, user: User, locator) -> bool:
    """Validate and save the facility form; True when something changed."""
    begin_write(session)
    facility = editable_facility(session, facility_id, user)
    if facility.version != version:
        raise StaleEdit(_l("Facility %(id)s was changed by someone else after you opened the form; "
                           "reload it and make your change again.", id=facility_id))
    cells = form_cells(form, FACILITY_COLUMNS)
    cells["facility_id"] = facility_id  # the id is the record's name, not editable
    record = validate(FacilityRowSchema(locator), cells)
    change_set = new_change_set(session, user, f"edit facility {facility_id}")
    changed = write_facility(session, change_set, facility, stored_facility(session, facility), record)
    return finish(session, change_set, changed, {"facilities": {"updated": 1}})


def write_facility(session, change_set, facility: Facility, stored: dict | None, record: dict) -> bool:
    """Write `record` over the facility (live, or a tombstone brought back); log the difference."""
    deleted = facility.deleted_at is not None
    if deleted or stored is None:
        action, before, after = "create", None, jsonable(record)
    else:
        action = "update"
        before, after = difference(stored, record)
        if not after:
            return False
    now = change_set.created_at
    session.execute(update(Facility).where(Facility.id == facility.id).values(
        **_facility_values(record), updated_at=now, deleted_at=None, version=Facility.version + 1))
    session.execute(Accreditation.__table__.delete().where(Accreditation.facility_pk == facility.id))
    rows = accreditation_rows(record, facility.id)
    if rows:
        session.execute(Accreditation.__table__.insert(), rows)
    log(session, change_set, "facility", action, record["facility_id"], before=before, after=after)
    return True


def save_capability(session, facility_id: str, capability_id: str | None, form: dict, version: int, *,
                    user: User) -> bool:
    """Validate and save a capability form (a new one when `capability_id` is None)."""
    begin_write(session)
    facility = editable_facility(session, facility_id, user)
    cells = form_cells(form, CAPABILITY_COLUMNS)
    cells["facility_id"] = facility_id
    existing = None
    if capability_id is not None:
        existing = editable_capability(session, facility, capability_id)
        if existing.version != version:
            raise StaleEdit(_l("Capability %(id)s was changed by someone else after you opened the form; "
                               "reload it and make your change again.", id=capability_id))
        cells["capability_id"] = capability_id
    else:
        taken = session.scalar(select(Capability).where(Capability.facility_pk == facility.id,
                                                        Capability.capability_id == cells.get("capability_id")))
        if taken is not None and taken.deleted_at is None:
            raise InvalidEdit({"capability_id": [str(_l("This facility already has a capability with this id."))]})
        existing = taken  # a tombstone is brought back
    record = validate(CapabilityRowSchema(), cells)
    change_set = new_change_set(session, user, f"edit capability {facility_id}/{record['capability_id']}")
    stored = capability_record(existing, facility_id) if existing is not None else None
    changed = write_capability(session, change_set, facility, existing, stored, record)
    return finish(session, change_set, changed, {"capabilities": {"updated" if capability_id else "created": 1}})


def write_capability(session, change_set, facility: Facility, existing: Capability | None, stored: dict | None,
                     record: dict) -> bool:
    now = change_set.created_at
    values = {a: record[a] for a in CAPABILITY_ATTRS}
    values.update(search_values(session, record), import_digest=None)  # a re-import validates it again
    if existing is None:
        session.execute(Capability.__table__.insert(), [{
            **values, "facility_pk": facility.id, "created_at": now, "updated_at": now, "version": 1,
            "demo": False}])
        action, before, after = "create", None, jsonable(record)
    else:
        if existing.deleted_at is not None or stored is None:
            action, before, after = "create", None, jsonable(record)
        else:
            action = "update"
            before, after = difference(stored, record)
            if not after:
                return False
        session.execute(update(Capability).where(Capability.id == existing.id).values(
            **values, updated_at=now, deleted_at=None, version=Capability.version + 1))
    log(session, change_set, "capability", action, facility.facility_id, record["capability_id"], before, after)
    return True


def delete_capability(session, change_set, facility: Facility, capability: Capability) -> None:
    now = change_set.created_at
    session.execute(update(Capability).where(Capability.id == capability.id).values(
        deleted_at=now, updated_at=now, version=Capability.version + 1))
    log(session, change_set, "capability", "delete", facility.facility_id, capability.capability_id,
        before=jsonable(capability_record(capability, facility.facility_id)))


def search_values(session, record: dict) -> dict:
    """The capability's search columns, its search document stored if it is new (as import does)."""
    digest, text, keys = doc_fields(record["name"], record["category"], record["quantity"], record["standards"])
    doc_id = session.scalar(select(SearchDoc.id).where(SearchDoc.digest == digest))
    if doc_id is None:
        session.execute(SearchDoc.__table__.insert(), [{"digest": digest, "text": text, "standard_keys": keys}])
        doc_id = session.scalar(select(SearchDoc.id).where(SearchDoc.digest == digest))
    low, high, dimension = range_in_base(record["range_min"], record["range_max"], record["unit"])
    return {"search_doc_id": doc_id, "range_min_base": low, "range_max_base": high, "range_dimension": dimension}


def finish(session, change_set: ChangeSet, changed: bool, summary: dict) -> bool:
    """Commit the change set, or roll back when nothing changed (no empty change sets)."""
    if not changed:
        session.rollback()
        return False
    change_set.summary = summary
    session.commit()
    return True
