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
from sqlalchemy import bindparam, select, update

from registry.errors import Conflict, RegistryError
from registry.models import Capability, CapabilityMethod, Change, ChangeSet, User
from registry.models.base import utcnow
from registry.models.capability import SearchDoc
from registry.search_text import doc_fields, doc_grams, facility_text, range_in_base, scope_text
from registry.services.records.bulk_insert import insert_rows
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
    insert_rows(session, Change.__table__, rows)


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


def document(record: dict, stored: tuple | None = None) -> tuple[str, str, str]:
    """(digest, text, standard keys) of a capability record's search document (search_text.doc_fields).
    A scope record brings its object, parameter and methods; a v1 record that updates a stored scope
    item gets them from `stored` (stored_scopes), so that an edit keeps the item's method titles findable."""
    object_, parameter, methods = stored or (record.get("object"), record.get("parameter"), record.get("methods"))
    scope = scope_text(record["name"], object_, parameter, methods) if (object_ or parameter or methods) else None
    return doc_fields(record["name"], record["category"], record["quantity"], record["standards"], scope)


def stored_scopes(session, pks) -> dict[int, tuple]:
    """pk -> (object, parameter, methods) of the stored scope items among the capabilities `pks`."""
    pks = list(pks)
    if not pks:
        return {}
    scopes = {pk: (o, p, []) for pk, o, p in session.execute(
        select(Capability.id, Capability.object, Capability.parameter).where(
            Capability.id.in_(pks), (Capability.object.is_not(None)) | (Capability.parameter.is_not(None))))}
    for pk, title, text in session.execute(
            select(CapabilityMethod.capability_pk, CapabilityMethod.title, CapabilityMethod.text)
            .where(CapabilityMethod.capability_pk.in_(pks)).order_by(CapabilityMethod.capability_pk,
                                                                     CapabilityMethod.position)):
        scopes.setdefault(pk, (None, None, []))[2].append({"title": title, "text": text})
    return scopes


class BulkWrite:
    """Many rows of one change set at once (an import or upload): one executemany per table and kind
    of write, change rows passed on to `on_changes` (a preview) as they are written."""

    def __init__(self, session, change_set: ChangeSet, on_changes=None):
        self.session, self.now, self.on_changes = session, change_set.created_at, on_changes
        self.search_docs: dict[str, int] | None = None  # digest -> id, loaded on first use
        self.documents: dict[str, tuple[str, str]] = {}  # digest -> (text, keys) of the rows to store

    def search_values(self, record: dict, stored: tuple | None = None) -> dict:
        """The search columns of a capability (registry/search_text.py; `stored`: see `document`); the
        document's id is filled in by store_search_docs, which replaces the `search_doc_id` digest."""
        digest, text, keys = document(record, stored)
        self.documents[digest] = (text, keys)
        low, high, dimension = range_in_base(record["range_min"], record["range_max"], record["unit"])
        return {"search_doc_id": digest, "range_min_base": low, "range_max_base": high,
                "range_dimension": dimension}

    def stored_scopes(self, pks) -> dict[int, tuple]:
        return stored_scopes(self.session, pks)

    def store_search_docs(self, rows: list[dict]) -> None:
        """Insert the documents not stored yet; point the rows at their document ids."""
        if not rows:
            return
        if self.search_docs is None:
            self.search_docs = dict(self.session.execute(select(SearchDoc.digest, SearchDoc.id)).all())
        known = self.search_docs
        new = {}
        for row in rows:
            digest = row["search_doc_id"]
            if digest not in known and digest not in new:
                text, keys = self.documents[digest]
                new[digest] = {"digest": digest, "text": text, "standard_keys": keys, "grams": doc_grams(text, keys)}
        if new:
            self.insert(SearchDoc, list(new.values()))
            known.update(self.session.execute(select(SearchDoc.digest, SearchDoc.id)
                                              .where(SearchDoc.digest.in_(list(new)))).all())
        for row in rows:
            row["search_doc_id"] = known[row["search_doc_id"]]
        self.documents.clear()

    def insert(self, model, rows: list[dict]) -> None:
        """One COPY or executemany on the table (bulk_insert): the ORM's bulk path costs a statement per row."""
        if rows:
            insert_rows(self.session, model.__table__, rows)
            if model is Change and self.on_changes is not None:
                self.on_changes(rows)

    def update_by_id(self, model, rows: list[dict]) -> None:
        """Rows carry `row_id` and new values; a tombstone is lifted, the version goes up."""
        if not rows:
            return
        table = model.__table__
        columns = [key for key in rows[0] if key != "row_id"]
        statement = (table.update().where(table.c.id == bindparam("row_id"))
                     .values({c: bindparam(c) for c in columns})
                     .values(updated_at=self.now, deleted_at=None, version=table.c.version + 1))
        self.session.execute(statement, rows)

    def set_import_digests(self, rows: list[dict]) -> None:
        """Rows carry `row_id` and `import_digest` only: capabilities whose cells were validated again and
        gave the record already stored (new rules, or other cells for the same values). Their data is
        untouched, so no version, time or change: the digest only lets the next import of those cells
        skip validation, which it otherwise never would again."""
        if rows:
            table = Capability.__table__
            self.session.execute(table.update().where(table.c.id == bindparam("row_id"))
                                 .values(import_digest=bindparam("import_digest")), rows)

    def tombstone(self, model, pks) -> None:
        self.session.execute(update(model).where(model.id.in_(pks)).values(
            deleted_at=self.now, updated_at=self.now, version=model.version + 1))
