"""Edit one facility or capability by hand, with the same rules as an import.

A form's cells go through the interchange row schemas, so a value the importer refuses is refused
here too, with the same message. Each save is one change set of the one writer (writer.py: actor =
the user, the same change rows an import writes, under the registry's write lock); the form carries
the version it was read at, and a save over a newer version is refused (409) instead of silently
undoing someone's work. Operators may edit only the facilities they keep: others' do not exist for
them (404). The operators' workspace saves only some fields of the same record (`only`): its contact
details, or a capability's booking terms; the other fields keep their stored values.
"""
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from registry import vocabulary
from registry.errors import NotFound
from registry.models import Accreditation, Capability, Facility, User
from registry.models.capability import SearchDoc
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS, CapabilityRowSchema, FacilityRowSchema
from registry.search_text import doc_grams, range_in_base
from registry.services.records.canonical import (
    CAPABILITY_ATTRS,
    accreditation_rows,
    capability_record,
    facility_record,
    jsonable,
)
from registry.services.records.writer import (
    InvalidRecord,
    change_row,
    compare,
    document,
    expect_version,
    facility_values,
    finish,
    log,
    stored_scopes,
    validate,
    writing,
)

CONTACT_COLUMNS = ("phone", "email", "website")  # what the workspace edits of a facility
BOOKING_TERMS = ("price_cny", "lead_time_days", "bookable", "daily_capacity")  # ... and of a capability
STALE = {  # what a form saved over a newer version is told (a 409)
    "facility": lambda key: _l("Facility %(id)s was changed by someone else after you opened the form; "
                              "reload it and make your change again.", id=key),
    "capability": lambda key: _l("Capability %(id)s was changed by someone else after you opened the form; "
                                "reload it and make your change again.", id=key),
}


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


def facility_scope(user: User) -> frozenset[str] | None:
    """None for admins (every facility); an operator's own facility ids."""
    return None if user.role == "admin" else frozenset(f.facility_id for f in user.facilities)


def keeps(user: User, facility_id: str) -> bool:
    """An admin, or an operator of this facility (by its public id): who keeps its entry and scope."""
    return user.is_authenticated and (user.role == "admin" or (
        user.role == "operator" and any(f.facility_id == facility_id for f in user.facilities)))


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


def as_cells(record: dict, lang: str = "zh") -> dict[str, str]:
    """A record as the text cells of a row (what a form shows and an import reads); a price on request is
    written in the price cell as the form's language says it (面议)."""
    cells = {}
    for key, value in record.items():
        if value is None or value == "" or key == "price_on_request":
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        elif isinstance(value, (date, Decimal, int)):
            value = str(value)
        cells[key] = str(value)
    if record.get("price_on_request"):
        cells["price_cny"] = vocabulary.PRICE_ON_REQUEST_WRITTEN[lang]
    return cells


def form_cells(form: dict, columns) -> dict[str, str]:
    """The form's non-empty cells of the interchange columns, trimmed, as an import sees them."""
    return {c: str(form[c]).strip() for c in columns if form.get(c) is not None and str(form[c]).strip()}


# --- saving --------------------------------------------------------------------------------------

def merged_cells(stored: dict | None, form: dict, columns, only) -> dict[str, str]:
    """The cells to validate: the whole form, or (`only`) the stored record with those fields from the form."""
    if only is None:
        return form_cells(form, columns)
    cells = as_cells(stored or {})
    for column in only:
        cells.pop(column, None)
    cells.update(form_cells(form, only))
    return cells


def save_facility(session, facility_id: str, form: dict, version: int | None, *, user: User, locator,
                  only=None) -> bool:
    """Validate and save the facility form (`only`: just those fields); True when something changed."""
    with writing(session, user, f"edit facility {facility_id}") as change_set:
        facility = editable_facility(session, facility_id, user)
        expect_version(facility.version, version, STALE["facility"](facility_id))
        stored = stored_facility(session, facility)
        cells = merged_cells(stored, form, FACILITY_COLUMNS, only)
        cells["facility_id"] = facility_id  # the id is the record's name, not editable
        record = validate(FacilityRowSchema(locator), cells)
        changed = write_facility(session, change_set, facility, stored, record)
    return finish(session, change_set, changed, {"facilities": {"updated": 1}})


def write_facility(session, change_set, facility: Facility, stored: dict | None, record: dict) -> bool:
    """Write `record` over the facility (live, or a tombstone brought back); log the difference."""
    action, before, after = compare(stored, record, facility.deleted_at is not None)
    if action is None:
        return False
    now = change_set.created_at
    session.execute(update(Facility).where(Facility.id == facility.id).values(
        **facility_values(record), updated_at=now, deleted_at=None, version=Facility.version + 1))
    session.execute(Accreditation.__table__.delete().where(Accreditation.facility_pk == facility.id))
    rows = accreditation_rows(record, facility.id)
    if rows:
        session.execute(Accreditation.__table__.insert(), rows)
    log(session, [change_row(change_set, "facility", action, record["facility_id"], None, before, after)])
    return True


def save_capability(session, facility_id: str, capability_id: str | None, form: dict, version: int | None, *,
                    user: User, only=None) -> bool:
    """Validate and save a capability form (a new one when `capability_id` is None; `only`: just those
    fields of an existing one)."""
    with writing(session, user, f"edit capability {facility_id}/{capability_id or ''}") as change_set:
        facility = editable_facility(session, facility_id, user)
        existing = stored = None
        if capability_id is not None:
            existing = editable_capability(session, facility, capability_id)
            expect_version(existing.version, version, STALE["capability"](capability_id))
            stored = capability_record(existing, facility_id)
            cells = merged_cells(stored, form, CAPABILITY_COLUMNS, only)
            cells["capability_id"] = capability_id
        else:
            cells = form_cells(form, CAPABILITY_COLUMNS)
            existing = session.scalar(select(Capability).where(
                Capability.facility_pk == facility.id, Capability.capability_id == cells.get("capability_id")))
            if existing is not None and existing.deleted_at is None:
                raise InvalidRecord({"capability_id": [
                    str(_l("This facility already has a capability with this id."))]})
            # a tombstone (existing, stored None) is brought back
        cells["facility_id"] = facility_id
        record = validate(CapabilityRowSchema(), cells)
        change_set.source = f"edit capability {facility_id}/{record['capability_id']}"
        changed = write_capability(session, change_set, facility, existing, stored, record)
    return finish(session, change_set, changed, {"capabilities": {"updated" if capability_id else "created": 1}})


def write_capability(session, change_set, facility: Facility, existing: Capability | None, stored: dict | None,
                     record: dict) -> bool:
    deleted = existing is not None and existing.deleted_at is not None
    action, before, after = compare(stored, record, deleted)
    if action is None:
        return False
    now = change_set.created_at
    values = {a: record[a] for a in CAPABILITY_ATTRS}
    values.update(search_values(session, record, existing), import_digest=None)  # a re-import validates it again
    if existing is None:
        session.execute(Capability.__table__.insert(), [{
            **values, "facility_pk": facility.id, "created_at": now, "updated_at": now, "version": 1,
            "demo": False}])
    else:
        session.execute(update(Capability).where(Capability.id == existing.id).values(
            **values, updated_at=now, deleted_at=None, version=Capability.version + 1))
    log(session, [change_row(change_set, "capability", action, facility.facility_id, record["capability_id"],
                             before, after)])
    return True


def delete_capability(session, change_set, facility: Facility, capability: Capability) -> None:
    now = change_set.created_at
    session.execute(update(Capability).where(Capability.id == capability.id).values(
        deleted_at=now, updated_at=now, version=Capability.version + 1))
    log(session, [change_row(change_set, "capability", "delete", facility.facility_id, capability.capability_id,
                             before=jsonable(capability_record(capability, facility.facility_id)))])


def search_values(session, record: dict, existing: Capability | None = None) -> dict:
    """The capability's search columns, its search document stored if it is new (as import does); an
    existing scope item keeps its object, parameter and method titles in it (writer.document)."""
    stored = stored_scopes(session, [existing.id]).get(existing.id) if existing is not None else None
    digest, text, keys = document(record, stored)
    doc_id = session.scalar(select(SearchDoc.id).where(SearchDoc.digest == digest))
    if doc_id is None:
        session.execute(SearchDoc.__table__.insert(), [{"digest": digest, "text": text, "standard_keys": keys,
                                                     "grams": doc_grams(text, keys)}])
        doc_id = session.scalar(select(SearchDoc.id).where(SearchDoc.digest == digest))
    low, high, dimension = range_in_base(record["range_min"], record["range_max"], record["unit"])
    return {"search_doc_id": doc_id, "range_min_base": low, "range_max_base": high, "range_dimension": dimension}


# --- what the edit views show -------------------------------------------------------------------

def live_capabilities(session, facility: Facility, limit: int = 500) -> list[Capability]:
    return list(session.scalars(select(Capability).where(Capability.facility_pk == facility.id,
                                                         Capability.deleted_at.is_(None))
                                .order_by(Capability.capability_id).limit(limit)))


def capability_id_of(session, facility: Facility, capability_pk: int) -> str:
    """The id of the facility's live capability with primary key `capability_pk` (older workspace links)."""
    capability = session.get(Capability, capability_pk)
    if capability is None or capability.facility_pk != facility.id or capability.deleted_at is not None:
        raise NotFound(_l("No such capability."))
    return capability.capability_id
