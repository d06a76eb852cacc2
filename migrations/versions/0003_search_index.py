"""search index: search documents, capability range in base units, facility search text

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Existing rows are filled in by the migration itself (batched, in Python, with
the same functions the import uses), so an upgraded registry is searchable at once.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

BATCH = 5000
LIVE = sa.text('deleted_at IS NULL')


def upgrade():
    op.create_table('search_docs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('standard_keys', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_docs')),
    sa.UniqueConstraint('digest', name=op.f('uq_search_docs_digest'))
    )
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_doc_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('range_min_base', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('range_max_base', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('range_dimension', sa.String(length=80), nullable=True))
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=True))

    _fill_existing_rows(op.get_bind())

    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.create_index('ix_capabilities_search_doc', ['search_doc_id', 'facility_pk', 'discipline'],
                              unique=False, sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_index('ix_capabilities_range', ['range_dimension', 'range_min_base', 'range_max_base',
                                                        'facility_pk', 'discipline'],
                              unique=False, sqlite_where=LIVE, postgresql_where=LIVE)


def _fill_existing_rows(connection):
    from registry.search_text import doc_fields, facility_text, range_in_base

    facilities = sa.table('facilities', sa.column('id'), sa.column('name'), sa.column('name_en'),
                          sa.column('district_code'), sa.column('address'), sa.column('search_text'))
    capabilities = sa.table('capabilities', sa.column('id'), sa.column('name'), sa.column('category'),
                            sa.column('quantity'), sa.column('standards'), sa.column('range_min'),
                            sa.column('range_max'), sa.column('unit'), sa.column('search_doc_id'),
                            sa.column('range_min_base'), sa.column('range_max_base'),
                            sa.column('range_dimension'))
    docs = sa.table('search_docs', sa.column('id'), sa.column('digest'), sa.column('text'),
                    sa.column('standard_keys'))

    rows = connection.execute(sa.select(facilities.c.id, facilities.c.name, facilities.c.name_en,
                                        facilities.c.district_code, facilities.c.address)).all()
    updates = [{'row_id': r.id, 'text': facility_text(r.name, r.name_en, r.district_code, r.address)}
               for r in rows]
    if updates:
        connection.execute(facilities.update().where(facilities.c.id == sa.bindparam('row_id'))
                           .values(search_text=sa.bindparam('text')), updates)

    doc_ids: dict[str, int] = {}
    update = (capabilities.update().where(capabilities.c.id == sa.bindparam('row_id'))
              .values(search_doc_id=sa.bindparam('doc'), range_min_base=sa.bindparam('low'),
                      range_max_base=sa.bindparam('high'), range_dimension=sa.bindparam('dim')))
    last = 0
    while True:
        batch = connection.execute(
            sa.select(capabilities.c.id, capabilities.c.name, capabilities.c.category,
                      capabilities.c.quantity, capabilities.c.standards, capabilities.c.range_min,
                      capabilities.c.range_max, capabilities.c.unit)
            .where(capabilities.c.id > last).order_by(capabilities.c.id).limit(BATCH)).all()
        if not batch:
            break
        last = batch[-1].id
        new_docs = {}
        values = []
        for r in batch:
            digest, text, keys = doc_fields(r.name, r.category, r.quantity, r.standards)
            if digest not in doc_ids and digest not in new_docs:
                new_docs[digest] = {'digest': digest, 'text': text, 'standard_keys': keys}
            low, high, dim = range_in_base(r.range_min, r.range_max, r.unit)
            values.append({'row_id': r.id, 'digest': digest, 'low': low, 'high': high, 'dim': dim})
        if new_docs:
            connection.execute(docs.insert(), list(new_docs.values()))
            doc_ids.update(connection.execute(
                sa.select(docs.c.digest, docs.c.id).where(docs.c.digest.in_(list(new_docs)))).all())
        for v in values:
            v['doc'] = doc_ids[v.pop('digest')]
        connection.execute(update, values)


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35, PostgreSQL): a batch copy of the tables
    # would drop `facilities` while capabilities still refer to it.
    op.drop_index('ix_capabilities_range', table_name='capabilities')
    op.drop_index('ix_capabilities_search_doc', table_name='capabilities')
    for column in ('range_dimension', 'range_max_base', 'range_min_base', 'search_doc_id'):
        op.execute(f'ALTER TABLE capabilities DROP COLUMN {column}')
    op.execute('ALTER TABLE facilities DROP COLUMN search_text')
    op.drop_table('search_docs')
