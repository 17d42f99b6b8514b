"""claim amount precision: 10¹² CNY (the intake's bound) fits, with two decimals

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 05:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table (batch mode; foreign keys are not enforced there, so the
    # children stay); PostgreSQL widens the column in place.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('claim_amount', existing_type=sa.Numeric(14, 2), type_=sa.Numeric(15, 2))


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('claim_amount', existing_type=sa.Numeric(15, 2), type_=sa.Numeric(14, 2))
