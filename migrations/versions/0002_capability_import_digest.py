"""capability import digest

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_digest', sa.String(length=32), nullable=True))



def downgrade():
    with op.batch_alter_table('capabilities', schema=None) as batch_op:
        batch_op.drop_column('import_digest')

