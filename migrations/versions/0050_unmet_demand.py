"""unmet demand: monthly counts of searches that found nothing or only far-away facilities, and of
booking requests declined or refused as fully booked, by district, discipline and normalised terms

Revision ID: 0050
Revises: 0040
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0050'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unmet_demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('district_code', sa.String(length=6), server_default='', nullable=False),
    sa.Column('discipline', sa.String(length=40), server_default='', nullable=False),
    sa.Column('term', sa.String(length=120), server_default='', nullable=False),
    sa.Column('no_result', sa.Integer(), server_default='0', nullable=False),
    sa.Column('far_only', sa.Integer(), server_default='0', nullable=False),
    sa.Column('declined', sa.Integer(), server_default='0', nullable=False),
    sa.Column('fully_booked', sa.Integer(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmet_demand')),
    sa.UniqueConstraint('month', 'district_code', 'discipline', 'term', name=op.f('uq_unmet_demand_month'))
    )
    with op.batch_alter_table('unmet_demand', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmet_demand_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('unmet_demand', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmet_demand_month'))
    op.drop_table('unmet_demand')
