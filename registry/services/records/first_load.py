"""A first load of a large data set: the secondary indexes of the tables it fills built once, at the end.

A province's first import writes 2,000,000 capabilities, as many change-log rows and their search
documents into empty tables. PostgreSQL kept a dozen indexes up to date row by row (eight on
capabilities, the n-gram GIN of search_docs): most of the database's share of the import, and the
Python side waited for it at the end of every chunk's COPY. Built once after the rows are in
(sorted, with more memory), they cost a fraction of that.

Only for tables empty when the import starts, on PostgreSQL, for an import of at least
FIRST_LOAD_ROWS rows; the definitions are read from the catalog (the migrations stay their one
home) and the indexes dropped and built inside the import's transaction, so that a rollback, a
failed import or `kill -9` leaves them as they were. Indexes the import itself reads while it loads
stay (primary keys, search_docs' digest). Dropping an index locks its table until the import
commits: readers of these tables wait for a first load instead of seeing empty tables.
"""
from sqlalchemy import text

FIRST_LOAD_ROWS = 50_000
# table -> indexes the import reads while loading, which are kept
DEFERRED = {"capabilities": (), "search_docs": ("uq_search_docs_digest",), "changes": ()}

_INDEXES = text("""
    SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, pg_get_constraintdef(c.oid)
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
    WHERE x.indrelid = to_regclass(:table) AND NOT x.indisprimary
    ORDER BY i.relname""")


class DeferredIndexes:
    """`drop` the secondary indexes of the empty tables an import fills; `build` them again."""

    def __init__(self, session):
        self.session = session
        self.statements: list[str] = []  # to build them again, in order

    def drop(self, rows: int) -> list[str]:
        """Drop what a load of `rows` rows should build at the end; the tables concerned."""
        connection = self.session.connection()
        if connection.dialect.name != "postgresql" or rows < FIRST_LOAD_ROWS:
            return []
        tables = [table for table in DEFERRED
                  if connection.execute(text(f"SELECT NOT EXISTS (SELECT FROM {table})")).scalar()]
        for table in tables:
            for index, definition, constraint, constraint_definition in connection.execute(
                    _INDEXES, {"table": table}).all():
                if index in DEFERRED[table]:
                    continue
                if constraint:  # a UNIQUE constraint owns its index
                    connection.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"'))
                    self.statements.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" '
                                           f"{constraint_definition}")
                else:
                    connection.execute(text(f'DROP INDEX "{index}"'))
                    self.statements.append(definition)
        return tables

    def build(self) -> None:
        """Build what `drop` dropped (before the import's last reads, and its commit)."""
        if not self.statements:
            return
        connection = self.session.connection()
        connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for statement in self.statements:
            connection.execute(text(statement))
        connection.execute(text("SET LOCAL maintenance_work_mem TO DEFAULT"))
        self.statements = []
