"""sign-ups waiting for their e-mail address to be confirmed

Revision ID: 0061
Revises: 0052
Create Date: 2026-12-10

"""
from alembic import op
import sqlalchemy as sa


revision = '0061'
down_revision = '0052'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('org_name', sa.String(length=200), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('phone', sa.String(length=50), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('terms_version', sa.String(length=20), nullable=True),
        sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_registrations')),
        sa.UniqueConstraint('nonce', name=op.f('uq_pending_registrations_nonce')),
    )
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_registrations_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_registrations_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_registrations_created_at'))
        batch_op.drop_index(batch_op.f('ix_pending_registrations_email'))
    op.drop_table('pending_registrations')
