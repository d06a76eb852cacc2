"""users and operator facilities: accounts with roles, operators bound to facilities

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('org_name', sa.String(length=200), nullable=True),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('district_code', sa.String(length=6), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('enterprise', 'operator', 'auditor', 'admin')", name=op.f('ck_users_role_known')),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_users_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_uscc'), ['uscc'], unique=False)

    op.create_table('operator_facilities',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('facility_pk', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['facility_pk'], ['facilities.id'], name=op.f('fk_operator_facilities_facility_pk_facilities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operator_facilities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'facility_pk', name=op.f('pk_operator_facilities'))
    )
    with op.batch_alter_table('operator_facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_facilities_facility_pk'), ['facility_pk'], unique=False)



def downgrade():
    with op.batch_alter_table('operator_facilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_facilities_facility_pk'))

    op.drop_table('operator_facilities')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_uscc'))
        batch_op.drop_index(batch_op.f('ix_users_role'))

    op.drop_table('users')
