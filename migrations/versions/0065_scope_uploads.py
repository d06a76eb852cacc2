"""upload jobs of a facility's published scope: the job's kind, the facility and the layout chosen

Revision ID: 0065
Revises: 0061
Create Date: 2026-12-10

"""
from alembic import op
import sqlalchemy as sa


revision = '0065'
down_revision = '0061'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='dataset', nullable=False))
        batch_op.add_column(sa.Column('facility_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('layout', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('upload_jobs', schema=None) as batch_op:
        batch_op.drop_column('layout')
        batch_op.drop_column('facility_id')
        batch_op.drop_column('kind')
