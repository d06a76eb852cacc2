"""scope search: every range segment in SI base units (indexed), and the search documents of scope items
with their object, parameter and method titles (issue 12 item 4)

Revision ID: 0060
Revises: 0065
Create Date: 2026-12-04

capability_ranges gains min_base, max_base and dimension (search_text.segment_in_base) with an index, so
that range search reads every segment, not only the first. The search documents of the capabilities
that are items of a published scope (object, parameter or method rows) are computed again with the
writer's own function (writer.document): their method titles and non-standard method texts become
searchable. Documents of v1 records are unchanged by construction (no scope text), so only scope items
are read. Documents no capability points to any more are removed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0060'
down_revision = '0065'
branch_labels = None
depends_on = None

BATCH = 5000

capabilities = sa.table('capabilities', sa.column('id'), sa.column('name'), sa.column('category'),
                        sa.column('quantity'), sa.column('standards'), sa.column('object'),
                        sa.column('parameter'), sa.column('search_doc_id'))
methods = sa.table('capability_methods', sa.column('capability_pk'), sa.column('position'), sa.column('title'),
                   sa.column('text'))
ranges = sa.table('capability_ranges', sa.column('id'), sa.column('min'), sa.column('max'), sa.column('unit'),
                  sa.column('min_unit'), sa.column('min_base'), sa.column('max_base'), sa.column('dimension'))
docs = sa.table('search_docs', sa.column('id'), sa.column('digest'), sa.column('text'), sa.column('standard_keys'),
                sa.column('grams'))


def upgrade():
    with op.batch_alter_table('capability_ranges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_base', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('max_base', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('dimension', sa.String(length=80), nullable=True))
    connection = op.get_bind()
    _fill_segments(connection)
    op.create_index('ix_capability_ranges_search', 'capability_ranges',
                    ['dimension', 'min_base', 'max_base', 'capability_pk'], unique=False)
    _recompute_documents(connection, with_scope=True)


def downgrade():
    _recompute_documents(op.get_bind(), with_scope=False)
    op.drop_index('ix_capability_ranges_search', table_name='capability_ranges')
    for column in ('dimension', 'max_base', 'min_base'):
        op.execute(f'ALTER TABLE capability_ranges DROP COLUMN {column}')


def _fill_segments(connection):
    from registry.search_text import segment_in_base

    update = ranges.update().where(ranges.c.id == sa.bindparam('row_id')).values(
        min_base=sa.bindparam('low'), max_base=sa.bindparam('high'), dimension=sa.bindparam('dim'))
    last = 0
    while True:
        batch = connection.execute(sa.select(ranges.c.id, ranges.c.min, ranges.c.max, ranges.c.unit, ranges.c.min_unit)
                                   .where(ranges.c.id > last).order_by(ranges.c.id).limit(BATCH)).all()
        if not batch:
            break
        last = batch[-1].id
        values = []
        for r in batch:
            low, high, dim = segment_in_base(r.min, r.max, r.unit, r.min_unit)
            values.append({'row_id': r.id, 'low': low, 'high': high, 'dim': dim})
        connection.execute(update, values)


def _recompute_documents(connection, with_scope: bool):
    """Point every scope item at the document of its text now (with or without its scope text)."""
    from registry.search_text import doc_fields, doc_grams, scope_text

    scoped = sa.or_(capabilities.c.object.is_not(None), capabilities.c.parameter.is_not(None),
                    sa.exists().where(methods.c.capability_pk == capabilities.c.id))
    known = dict(connection.execute(sa.select(docs.c.digest, docs.c.id)).all())
    update = capabilities.update().where(capabilities.c.id == sa.bindparam('row_id')).values(
        search_doc_id=sa.bindparam('doc'))
    replaced: set[int] = set()
    last = 0
    while True:
        batch = connection.execute(
            sa.select(capabilities.c.id, capabilities.c.name, capabilities.c.category, capabilities.c.quantity,
                      capabilities.c.standards, capabilities.c.object, capabilities.c.parameter,
                      capabilities.c.search_doc_id)
            .where(capabilities.c.id > last, scoped).order_by(capabilities.c.id).limit(BATCH)).all()
        if not batch:
            break
        last = batch[-1].id
        texts: dict[int, list] = {}
        for pk, title, text in connection.execute(
                sa.select(methods.c.capability_pk, methods.c.title, methods.c.text)
                .where(methods.c.capability_pk.in_([r.id for r in batch]))
                .order_by(methods.c.capability_pk, methods.c.position)):
            texts.setdefault(pk, []).append({'title': title, 'text': text})
        new, values = {}, []
        for r in batch:
            scope = scope_text(r.name, r.object, r.parameter, texts.get(r.id)) if with_scope else None
            digest, text, keys = doc_fields(r.name, r.category, r.quantity, r.standards, scope)
            if digest not in known and digest not in new:
                new[digest] = {'digest': digest, 'text': text, 'standard_keys': keys, 'grams': doc_grams(text, keys)}
            values.append((r, digest))
        if new:
            connection.execute(docs.insert(), list(new.values()))
            known.update(connection.execute(sa.select(docs.c.digest, docs.c.id)
                                            .where(docs.c.digest.in_(list(new)))).all())
        changed = [{'row_id': r.id, 'doc': known[digest]} for r, digest in values if known[digest] != r.search_doc_id]
        replaced |= {r.search_doc_id for r, digest in values
                     if known[digest] != r.search_doc_id and r.search_doc_id is not None}
        if changed:
            connection.execute(update, changed)
    replaced = sorted(replaced)
    for start in range(0, len(replaced), BATCH):
        ids = replaced[start:start + BATCH]
        used = set(connection.execute(sa.select(capabilities.c.search_doc_id)
                                      .where(capabilities.c.search_doc_id.in_(ids))).scalars())
        orphans = [i for i in ids if i not in used]
        if orphans:
            connection.execute(docs.delete().where(docs.c.id.in_(orphans)))
