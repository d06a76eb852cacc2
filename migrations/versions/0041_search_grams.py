"""search index: the n-gram terms of every search document, in an inverted index

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-03

search_docs.grams holds each document's index terms (registry/search_text.py doc_grams). PostgreSQL
indexes them with GIN on string_to_array(grams, ' '); SQLite with a contentless FTS5 table
(search_doc_grams, rowid = document id) that triggers keep in step with search_docs. Existing
documents are filled in here, in batches, with the function the writer uses.
"""
import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None

BATCH = 5000

SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE search_doc_grams USING fts5(grams, content='', detail='none', tokenize='unicode61')",
    "CREATE TRIGGER search_docs_grams_insert AFTER INSERT ON search_docs BEGIN "
    "INSERT INTO search_doc_grams(rowid, grams) VALUES (new.id, new.grams); END",
    "CREATE TRIGGER search_docs_grams_delete AFTER DELETE ON search_docs BEGIN "
    "INSERT INTO search_doc_grams(search_doc_grams, rowid, grams) VALUES ('delete', old.id, old.grams); END",
    "CREATE TRIGGER search_docs_grams_update AFTER UPDATE OF grams ON search_docs BEGIN "
    "INSERT INTO search_doc_grams(search_doc_grams, rowid, grams) VALUES ('delete', old.id, old.grams); "
    "INSERT INTO search_doc_grams(rowid, grams) VALUES (new.id, new.grams); END",
]
POSTGRESQL_INDEX = ["CREATE INDEX ix_search_docs_grams ON search_docs USING gin (string_to_array(grams, ' '))"]


def upgrade():
    with op.batch_alter_table('search_docs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grams', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    _fill(connection)
    for statement in SQLITE_INDEX if connection.dialect.name == 'sqlite' else POSTGRESQL_INDEX:
        op.execute(statement)
    if connection.dialect.name == 'sqlite':
        op.execute("INSERT INTO search_doc_grams(rowid, grams) SELECT id, grams FROM search_docs")


def _fill(connection):
    from registry.search_text import doc_grams

    docs = sa.table('search_docs', sa.column('id'), sa.column('text'), sa.column('standard_keys'),
                    sa.column('grams'))
    update = docs.update().where(docs.c.id == sa.bindparam('row_id')).values(grams=sa.bindparam('terms'))
    last = 0
    while True:
        batch = connection.execute(sa.select(docs.c.id, docs.c.text, docs.c.standard_keys)
                                   .where(docs.c.id > last).order_by(docs.c.id).limit(BATCH)).all()
        if not batch:
            break
        last = batch[-1].id
        connection.execute(update, [{'row_id': r.id, 'terms': doc_grams(r.text, r.standard_keys)} for r in batch])


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('search_docs_grams_insert', 'search_docs_grams_delete', 'search_docs_grams_update'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        op.execute('DROP TABLE IF EXISTS search_doc_grams')
    else:
        op.execute('DROP INDEX IF EXISTS ix_search_docs_grams')
    op.execute('ALTER TABLE search_docs DROP COLUMN grams')
