"""Many new rows of one table in one statement: PostgreSQL's COPY, an executemany elsewhere.

An import of 2,000,000 capabilities writes as many capability rows, change-log rows and index
keys. Through an executemany, psycopg sends one INSERT per row and SQLAlchemy builds each row's
parameters; COPY FROM STDIN streams them as one statement, in the import's own transaction (a
rollback takes them back like any INSERT). What is stored is the same: every value goes through the
column type's own bind processing (SQLAlchemy's, as an INSERT would), and the Python-side defaults of
the columns a row leaves out are filled in as an INSERT fills them; server defaults and the id
sequence apply as for an INSERT. SQLite keeps its executemany, which is fast there already.
"""
from sqlalchemy import Table

COPY_FROM_ROWS = 50  # fewer rows: the ordinary INSERT costs no more


def insert_rows(session, table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        connection.execute(table.insert(), rows)
        return
    copy_rows(connection, table, rows)


def copy_rows(connection, table: Table, rows: list[dict]) -> None:
    """COPY `rows` into `table` through the connection's psycopg 3 driver connection, in binary: the
    column types are told to psycopg once (no dumper looked up per value) and PostgreSQL reads the
    values without parsing text."""
    given = list(rows[0])
    defaults = {column.name: column.default for column in table.columns
                if column.name not in given and column.default is not None
                and (column.default.is_scalar or column.default.is_callable)}
    scalars = [default.arg for default in defaults.values() if default.is_scalar]
    callables = [default.arg for default in defaults.values() if not default.is_scalar]
    order = [name for name, default in defaults.items() if default.is_scalar] + [
        name for name, default in defaults.items() if not default.is_scalar]
    names = given + order
    processors = [table.c[name].type._cached_bind_processor(connection.dialect) for name in names]
    plan = [(index, process) for index, process in enumerate(processors) if process is not None]
    types = column_types(connection, table.name)
    driver = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote_identifier
    statement = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN (FORMAT BINARY)"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types([types[name] for name in names])
        for row in rows:
            values = [row[name] for name in given]
            values += scalars
            for default in callables:  # per row, as an INSERT evaluates it
                values.append(default(None))
            for index, process in plan:
                values[index] = process(values[index])
            copy.write_row(values)


def column_types(connection, table_name: str) -> dict[str, int]:
    """Column name -> type oid of a table (a temporary one too); one catalog query per COPY, a chunk's
    COPYs take thousands of times longer."""
    return dict(connection.exec_driver_sql(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = to_regclass(%(name)s)"
        " AND attnum > 0 AND NOT attisdropped", {"name": table_name}).all())
