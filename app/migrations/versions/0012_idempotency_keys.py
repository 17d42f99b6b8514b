"""idempotency keys and open-case guard

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    # The first answer to each (user, Idempotency-Key), written with the rows the POST made.
    op.create_table(
        'idempotency_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_user_key'),
    )
    op.create_index('ix_idempotency_created', 'idempotency_key', ['created_at'], unique=False)
    # Possible duplicates in cases the registrar may not see: for the court's coordinators.
    op.create_table(
        'duplicate_flag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('other_case_id', sa.Integer(), nullable=False),
        sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['other_case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_duplicate_flag_case_id'), 'duplicate_flag', ['case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_duplicate_flag_case_id'), table_name='duplicate_flag')
    op.drop_table('duplicate_flag')
    op.drop_index('ix_idempotency_created', table_name='idempotency_key')
    op.drop_table('idempotency_key')
