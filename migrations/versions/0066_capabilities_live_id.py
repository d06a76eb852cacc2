"""capabilities: a covering index of live rows by id (facility and discipline), for searches that select by id

Revision ID: 0066
Revises: 0060
Create Date: 2026-12-04

Range search selects capabilities by id (`id IN (own range UNION range segments)`,
search/matching.py range_condition) and counts them per facility and discipline. Without this index
PostgreSQL hashed the whole table for it: at 300,000 capabilities EXPLAIN ANALYZE showed a sequential
scan of 305 ms out of 438 ms for `value=215&unit=mm` (1,776 matches); with it, 1,776 index-only
probes, 19 ms. Creating it takes a SHARE lock: readers go on, writers wait the seconds it takes.
"""
import sqlalchemy as sa
from alembic import op

revision = '0066'
down_revision = '0060'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_capabilities_live_id', 'capabilities', ['id', 'facility_pk', 'discipline'], unique=False,
                    sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))


def downgrade():
    op.drop_index('ix_capabilities_live_id', table_name='capabilities',
                  sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
