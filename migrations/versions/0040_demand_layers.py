"""demand layers (weights on the audit grid) and supply outside the city, for the audit's accessibility

Revision ID: 0040
Revises: 0030
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0040'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demand_layers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('shape', sa.String(length=20), nullable=False),
    sa.Column('file_rows', sa.Integer(), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('off_city', sa.Float(), nullable=False),
    sa.Column('cell_m', sa.Float(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('residents', 'enterprises', 'other')", name=op.f('ck_demand_layers_kind_known')),
    sa.CheckConstraint("shape IN ('points', 'grid', 'townships')", name=op.f('ck_demand_layers_shape_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_layers'))
    )
    op.create_table('demand_cells',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layer_id', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['layer_id'], ['demand_layers.id'], name=op.f('fk_demand_cells_layer_id_demand_layers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_cells'))
    )
    with op.batch_alter_table('demand_cells', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demand_cells_layer_id'), ['layer_id'], unique=False)
    op.create_table('outside_supply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('discipline', sa.String(length=24), nullable=True),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_outside_supply_weight_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_supply'))
    )


def downgrade():
    op.drop_table('outside_supply')
    with op.batch_alter_table('demand_cells', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demand_cells_layer_id'))
    op.drop_table('demand_cells')
    op.drop_table('demand_layers')
