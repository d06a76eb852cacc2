"""capability model of a real scope: object, parameter, methods, range segments, limitation, remarks,
status, service mode; facilities' standardisation kind and 计量授权 (issue 12 item 1)

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None

SERVICES = "'verification', 'calibration', 'testing', 'inspection', 'certification'"


def upgrade():
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('parameter', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('scope_layout', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('source_sheet', sa.String(length=31), nullable=True))
        batch_op.add_column(sa.Column('service', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=10), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('limitation_kind', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('limitation', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('remarks', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('field_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('public_standard', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('price_on_request', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('verbatim', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_capabilities_status_known'), "status IN ('active', 'suspended')")
        batch_op.create_check_constraint(op.f('ck_capabilities_service_known'), f"service IS NULL OR service IN ({SERVICES})")
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('standardisation_kind', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('metrology_authorisation', sa.Text(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_facilities_standardisation_kind_known'),
            "standardisation_kind IS NULL OR standardisation_kind IN ('technical', 'service')")
    op.create_table('capability_methods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capability_pk', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('standard', sa.String(length=80), server_default='', nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('clause', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['capability_pk'], ['capabilities.id'],
                            name=op.f('fk_capability_methods_capability_pk_capabilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capability_methods'))
    )
    op.create_index(op.f('ix_capability_methods_capability_pk'), 'capability_methods', ['capability_pk'])
    op.create_table('capability_ranges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capability_pk', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('min', sa.Numeric(precision=30, scale=10), nullable=True),
    sa.Column('max', sa.Numeric(precision=30, scale=10), nullable=True),
    sa.Column('unit', sa.String(length=30), nullable=True),
    sa.Column('min_unit', sa.String(length=30), nullable=True),
    sa.Column('text', sa.String(length=200), nullable=True),
    sa.Column('u_kind', sa.String(length=10), nullable=True),
    sa.Column('u_value', sa.Numeric(precision=30, scale=10), nullable=True),
    sa.Column('u_unit', sa.String(length=30), nullable=True),
    sa.Column('u_k', sa.Numeric(precision=8, scale=3), nullable=True),
    sa.Column('u_text', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['capability_pk'], ['capabilities.id'],
                            name=op.f('fk_capability_ranges_capability_pk_capabilities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capability_ranges'))
    )
    op.create_index(op.f('ix_capability_ranges_capability_pk'), 'capability_ranges', ['capability_pk'])


def downgrade():
    op.drop_index(op.f('ix_capability_ranges_capability_pk'), table_name='capability_ranges')
    op.drop_table('capability_ranges')
    op.drop_index(op.f('ix_capability_methods_capability_pk'), table_name='capability_methods')
    op.drop_table('capability_methods')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_facilities_standardisation_kind_known'), type_='check')
        batch_op.drop_column('metrology_authorisation')
        batch_op.drop_column('standardisation_kind')
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_capabilities_service_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_capabilities_status_known'), type_='check')
        for column in ('verbatim', 'price_on_request', 'public_standard', 'field_code', 'remarks', 'limitation',
                       'limitation_kind', 'status', 'service', 'source_sheet', 'scope_layout', 'seq',
                       'parameter', 'object'):
            batch_op.drop_column(column)
