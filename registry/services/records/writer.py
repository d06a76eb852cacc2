"""The one way registry records are written: a change set with before and after, under the write lock.

Imports and uploads (`importing`), edit forms and the workspace (`editing`) and restores
(`change_log`) all open their change set here, log their changes in the same shape, decide
"create / update / unchanged" the same way and refuse the same things with the same errors: values
the interchange schemas refuse (422, field by field) and saves over a newer version (409).
The actor says who wrote: `user:<e-mail>` for a web write, `cli:<user>` (or a name given) for the CLI.
"""
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from registry.errors import Conflict, RegistryError
from registry.models import Change, ChangeSet, User
from registry.models.base import utcnow
from registry.search_text import facility_text
from registry.services.records.canonical import FACILITY_ATTRS, difference, jsonable
from registry.services.records.write_lock import begin_write


class InvalidRecord(RegistryError):
    """Values the interchange rules refuse; `fields` says which and why."""

    status = 422

    def __init__(self, fields: dict):
        super().__init__(_l("Some values are not valid; see the fields marked."))
        self.fields = fields


class StaleRecord(Conflict):
    """Someone saved the record after the writer read it: a save over it would undo their work."""


def web_actor(user: User) -> str:
    return f"user:{user.email}"


def open_change_set(session, actor: User | str, source: str) -> ChangeSet:
    """Take the registry's write lock and start the change set every write belongs to."""
    begin_write(session)  # change ids commit in order (write_lock.py)
    change_set = ChangeSet(actor=(actor if isinstance(actor, str) else web_actor(actor))[:120],
                           source=source[:500], created_at=utcnow())
    session.add(change_set)
    session.flush()
    return change_set


@contextmanager
def writing(session, actor: User | str, source: str):
    """`with writing(...) as change_set:` one write of the registry; any error inside rolls all of it
    back (nothing half-written), the caller then `finish`es it."""
    try:
        yield open_change_set(session, actor, source)
    except BaseException:
        session.rollback()
        raise


def change_row(change_set: ChangeSet, entity: str, action: str, facility_id: str, capability_id=None,
               before=None, after=None) -> dict:
    """One row of the change log, as every writer records it."""
    return {"change_set_id": change_set.id, "at": change_set.created_at, "entity": entity,
            "facility_id": facility_id, "capability_id": capability_id, "action": action,
            "before": before, "after": after}


def log(session, rows: list[dict]) -> None:
    if rows:
        session.execute(Change.__table__.insert(), rows)


def compare(stored: dict | None, record: dict, deleted: bool = False) -> tuple[str | None, dict | None, dict]:
    """(action, before, after) of writing `record` over `stored`: a create (new, or a tombstone
    brought back) carries the whole record; an update the fields that differ; None: unchanged."""
    if stored is None or deleted:
        return "create", None, jsonable(record)
    before, after = difference(stored, record)
    return ("update" if after else None), before, after


def validate(schema, cells: dict) -> dict:
    """The record the interchange schema makes of `cells`, or InvalidRecord naming every problem."""
    try:
        return schema.load(cells)
    except ValidationError as error:
        fields: dict[str, list[str]] = {}
        for column, message in flatten(error.messages):
            fields.setdefault(column or "_row", []).append(str(message))
        raise InvalidRecord(fields) from None


def flatten(messages, column=None):
    """marshmallow's nested error dict as (column, message) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten(value, None if key == "_schema" else key)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from flatten(value, column)
    else:
        yield column, messages


def expect_version(version_now: int, version_seen: int | None, message) -> None:
    """A save names the version it was read at; another one is a 409 with `message`, not an overwrite."""
    if version_seen != version_now:
        raise StaleRecord(message)


def facility_values(record: dict) -> dict:
    """The columns a facility record is stored in, its search text included."""
    values = {a: record[a] for a in FACILITY_ATTRS}
    values["search_text"] = facility_text(record["name"], record["name_en"], record["district_code"],
                                          record["address"])
    return values


def finish(session, change_set: ChangeSet, changed: bool, summary: dict) -> bool:
    """Commit the change set, or roll back when nothing changed (no empty change sets)."""
    if not changed:
        session.rollback()
        return False
    change_set.summary = summary
    session.commit()
    return True
