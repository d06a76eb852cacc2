"""The stored capabilities that a chunk of an import's rows names, looked up once per chunk."""
from typing import NamedTuple

from sqlalchemy import Column, Integer, MetaData, Text, bindparam, func, select
from sqlalchemy import Table as SqlTable
from sqlalchemy.dialects.postgresql import ARRAY

from registry.models import Capability
from registry.services.records.bulk_insert import insert_rows
from registry.services.records.canonical import CAPABILITY_ATTRS, capability_record_of

# The keys of one chunk, joined against the unique index of capabilities: a row-value
# IN (...) list makes SQLite scan the table once per chunk.
CHUNK_KEYS = SqlTable("import_chunk_keys", MetaData(), Column("facility_pk", Integer),
                      Column("capability_id", Text), prefixes=["TEMPORARY"])  # raw, unvalidated
PG_CHUNK_KEYS = func.unnest(bindparam("pks", type_=ARRAY(Integer)), bindparam("ids", type_=ARRAY(Text))
                            ).table_valued("facility_pk", "capability_id").render_derived()


class Stored(NamedTuple):
    """A stored capability that a row of the import names."""
    id: int
    deleted_at: object
    import_digest: str | None
    record: dict


class StoredCapabilities:
    """`named_by(chunk, facilities)`: (facility_id, capability_id) -> Stored, live or tombstoned."""

    def __init__(self, session):
        self.session = session
        self.chunk_keys_ready = False
        # Nothing stored at the start (a first load, under the write lock): a row can then only meet a row
        # of this import, which the import reports as a duplicate; no lookup per chunk (a tenth of a first load).
        self.none_stored = session.scalar(select(Capability.id).limit(1)) is None

    def named_by(self, chunk, facilities) -> dict[tuple[str, str], Stored]:
        """The stored rows (live or tombstoned) that the chunk's rows name."""
        if self.none_stored:
            return {}
        pk_to_id = {}
        keys = []
        for _number, raw in chunk:
            pk = facilities.get(raw.get("facility_id"))
            if pk is not None and raw.get("capability_id"):
                pk_to_id[pk] = raw["facility_id"]
                keys.append({"facility_pk": pk, "capability_id": raw["capability_id"]})
        if not keys:
            return {}
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":
            # The keys as two arrays, unnested: one statement, and PostgreSQL probes the unique index
            # for each key (a temporary table of them needed a COPY and an ANALYZE per chunk).
            chunk_keys, parameters = PG_CHUNK_KEYS, {"pks": [k["facility_pk"] for k in keys],
                                                     "ids": [k["capability_id"] for k in keys]}
        else:
            if not self.chunk_keys_ready:
                CHUNK_KEYS.create(connection, checkfirst=True)  # per connection; gone when it closes
                self.chunk_keys_ready = True
            connection.execute(CHUNK_KEYS.delete())
            insert_rows(self.session, CHUNK_KEYS, keys)
            chunk_keys, parameters = CHUNK_KEYS, {}
        query = (select(Capability.id, Capability.facility_pk, Capability.deleted_at,
                        Capability.import_digest, *[getattr(Capability, a) for a in CAPABILITY_ATTRS])
                 .join(chunk_keys, (chunk_keys.c.facility_pk == Capability.facility_pk)
                       & (chunk_keys.c.capability_id == Capability.capability_id)))
        stored = {}
        for row in connection.execute(query, parameters):  # id, facility_pk, deleted_at, import_digest, *ATTRS
            record = capability_record_of(pk_to_id[row[1]], row[4:])
            stored[(record["facility_id"], record["capability_id"])] = Stored(row[0], row[2], row[3], record)
        return stored
