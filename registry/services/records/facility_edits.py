"""Operators keep their own facilities current: contact details, and each capability's booking terms.

Every edit is a ChangeSet with one Change of the changed fields before and after, exactly as
an import records it, and raises the record's version (so caches keyed on
`records.data_version()` see it, and two operators editing at once get a 409 instead of
overwriting each other). Fields that feed the search index are not editable here.
"""
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from registry.errors import NotFound
from registry.models import Capability, Change, ChangeSet, Facility, User
from registry.models.base import utcnow
from registry.services.booking.workflow import BookingError, StaleBooking
from registry.services.records.canonical import difference
from registry.services.records.write_lock import begin_write

FACILITY_FIELDS = ("phone", "email", "website")
CAPABILITY_FIELDS = ("price_cny", "lead_time_days", "bookable", "daily_capacity")
TABLES = {"facility": "facilities", "capability": "capabilities"}  # as import summaries name them


class EditError(BookingError):
    """A value an operator typed that cannot be stored; `field` names it."""


def operated(session, operator: User, facility_pk: int) -> Facility:
    facility = session.get(Facility, facility_pk)
    if (facility is None or facility.deleted_at is not None or operator.role != "operator"
            or facility.id not in operator.facility_pks):
        raise NotFound(_l("No such facility."))
    return facility


def _facility_values(raw: dict) -> dict:
    values = {k: (raw.get(k) or "").strip() or None for k in FACILITY_FIELDS}
    if values["phone"] and len(values["phone"]) > 50:
        raise EditError(_l("At most %(n)d characters.", n=50), field="phone")
    if values["email"] and ("@" not in values["email"] or len(values["email"]) > 254):
        raise EditError(_l("Enter a valid e-mail address."), field="email")
    if values["website"] and (not values["website"].startswith(("http://", "https://"))
                              or len(values["website"]) > 300):
        raise EditError(_l("A web address starts with http:// or https://."), field="website")
    return values


def _capability_values(raw: dict) -> dict:
    values = {"bookable": bool(raw.get("bookable"))}
    try:
        price = (str(raw.get("price_cny") or "")).strip()
        values["price_cny"] = Decimal(price).quantize(Decimal("0.01")) if price else None
        if values["price_cny"] is not None and not (0 <= values["price_cny"] < Decimal("1e10")):
            raise InvalidOperation
    except InvalidOperation:
        raise EditError(_l("A fee is a number of yuan, 0 or more."), field="price_cny") from None
    for name, low, high in (("lead_time_days", 0, 365), ("daily_capacity", 1, 100_000)):
        text = str(raw.get(name) or "").strip()
        if not text:
            values[name] = None
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            raise EditError(_l("A whole number from %(low)d to %(high)d.", low=low, high=high), field=name)
        values[name] = int(text)
    if values["bookable"] and not values["daily_capacity"]:
        raise EditError(_l("A bookable service needs a daily capacity."), field="daily_capacity")
    return values


def _record(session, operator: User, model, row, values: dict, expected_version: int, entity: str,
            capability_id: str | None) -> ChangeSet | None:
    before = {k: getattr(row, k) for k in values}
    old, new = difference(before, values)
    if not new:
        return None
    begin_write(session)  # change ids commit in order (registry/services/records/write_lock.py)
    now = utcnow()
    result = session.execute(update(model).where(model.id == row.id, model.version == expected_version)
                             .values(**values, version=model.version + 1, updated_at=now)
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise StaleBooking(_l("Someone else changed this meanwhile; reload the page and try again."))
    facility_id = row.facility_id if entity == "facility" else row.facility.facility_id
    change_set = ChangeSet(actor=f"user:{operator.id} {operator.email}"[:120],
                           source=f"web edit {entity} {facility_id} {capability_id or ''}".strip(),
                           created_at=now, summary={TABLES[entity]: {"updated": 1}})
    session.add(change_set)
    session.flush()
    session.add(Change(change_set_id=change_set.id, at=now, entity=entity, facility_id=facility_id,
                       capability_id=capability_id, action="update", before=old, after=new))
    session.commit()
    session.refresh(row)
    return change_set


def edit_facility(session, operator: User, facility_pk: int, raw: dict, expected_version: int):
    facility = operated(session, operator, facility_pk)
    return _record(session, operator, Facility, facility, _facility_values(raw), expected_version, "facility", None)


def edit_capability(session, operator: User, capability_pk: int, raw: dict, expected_version: int):
    capability = session.get(Capability, capability_pk)
    if capability is None or capability.deleted_at is not None:
        raise NotFound(_l("No such capability."))
    operated(session, operator, capability.facility_pk)
    return _record(session, operator, Capability, capability, _capability_values(raw), expected_version,
                   "capability", capability.capability_id)
