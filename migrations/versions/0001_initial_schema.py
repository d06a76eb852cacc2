"""initial schema: districts, facilities, accreditations, capabilities, change log

Revision ID: 0001
Revises: 
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('change_sets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_sets'))
    )
    op.create_table('districts',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('name_en', sa.String(length=40), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('population_source', sa.Text(), nullable=True),
    sa.Column('area_km2', sa.Double(), nullable=True),
    sa.Column('area_source', sa.Text(), nullable=True),
    sa.Column('boundary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_districts'))
    )
    op.create_table('changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_set_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('facility_id', sa.String(length=64), nullable=False),
    sa.Column('capability_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['change_set_id'], ['change_sets.id'], name=op.f('fk_changes_change_set_id_change_sets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_changes'))
    )
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changes_change_set_id'), ['change_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_changes_facility_id'), ['facility_id'], unique=False)

    op.create_table('facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ownership', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('org_name', sa.String(length=200), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('lon', sa.Double(), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('fields', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='active', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('demo', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint("kind IN ('metrology', 'testing', 'certification')", name=op.f('ck_facilities_kind_known')),
    sa.CheckConstraint("ownership IN ('state', 'private')", name=op.f('ck_facilities_ownership_known')),
    sa.CheckConstraint("status IN ('active', 'suspended', 'revoked', 'closed')", name=op.f('ck_facilities_status_known')),
    sa.CheckConstraint('(lon IS NULL) = (lat IS NULL)', name=op.f('ck_facilities_lon_lat_together')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_facilities_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities')),
    sa.UniqueConstraint('facility_id', name=op.f('uq_facilities_facility_id'))
    )
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilities_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_facilities_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_facilities_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_facilities_uscc'), ['uscc'], unique=False)

    op.create_table('accreditations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=4), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.CheckConstraint("scheme IN ('cma', 'cnas', 'cnca')", name=op.f('ck_accreditations_scheme_known')),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_accreditations_facility_pk_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accreditations')),
    sa.UniqueConstraint('facility_pk', 'scheme', name=op.f('uq_accreditations_facility_pk'))
    )
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accreditations_facility_pk'), ['facility_pk'], unique=False)

    op.create_table('capabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.Column('capability_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('discipline', sa.String(length=24), nullable=True),
    sa.Column('category', sa.String(length=200), nullable=True),
    sa.Column('standards', sa.Text(), nullable=True),
    sa.Column('quantity', sa.String(length=100), nullable=True),
    sa.Column('range_min', sa.Double(), nullable=True),
    sa.Column('range_max', sa.Double(), nullable=True),
    sa.Column('unit', sa.String(length=30), nullable=True),
    sa.Column('uncertainty', sa.String(length=200), nullable=True),
    sa.Column('certificate_no', sa.String(length=100), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('price_cny', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('bookable', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('daily_capacity', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('demo', sa.Boolean(), server_default='0', nullable=False),
    sa.CheckConstraint("discipline IS NULL OR discipline IN ('length', 'thermal', 'mechanics', 'electromagnetism', 'radio', 'time_frequency', 'optics', 'acoustics', 'ionizing_radiation', 'physical_chemistry')", name=op.f('ck_capabilities_discipline_known')),
    sa.CheckConstraint("kind IN ('measurement_standard', 'test_item', 'certification_scope')", name=op.f('ck_capabilities_kind_known')),
    sa.CheckConstraint('NOT bookable OR daily_capacity >= 1', name=op.f('ck_capabilities_bookable_has_capacity')),
    sa.CheckConstraint('range_min IS NULL OR range_max IS NULL OR range_min <= range_max', name=op.f('ck_capabilities_range_ordered')),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_capabilities_facility_pk_facilities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capabilities')),
    sa.UniqueConstraint('facility_pk', 'capability_id', name=op.f('uq_capabilities_facility_pk'))
    )
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capabilities_facility_pk'), ['facility_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_capabilities_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_capabilities_updated_at'), ['updated_at'], unique=False)



def downgrade():
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capabilities_updated_at'))
        batch_op.drop_index(batch_op.f('ix_capabilities_kind'))
        batch_op.drop_index(batch_op.f('ix_capabilities_facility_pk'))

    op.drop_table('capabilities')
    with op.batch_alter_table('accreditations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accreditations_facility_pk'))

    op.drop_table('accreditations')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facilities_uscc'))
        batch_op.drop_index(batch_op.f('ix_facilities_updated_at'))
        batch_op.drop_index(batch_op.f('ix_facilities_kind'))
        batch_op.drop_index(batch_op.f('ix_facilities_district_code'))

    op.drop_table('facilities')
    with op.batch_alter_table('changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_changes_facility_id'))
        batch_op.drop_index(batch_op.f('ix_changes_change_set_id'))

    op.drop_table('changes')
    op.drop_table('districts')
    op.drop_table('change_sets')
