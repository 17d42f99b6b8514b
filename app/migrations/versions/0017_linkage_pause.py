"""linkage messages paused with their plugin: no schema change

Intentionally empty. A message of a disabled plugin's mechanism stays ``pending`` and the
worker skips it (``app.linkage.outbox.paused_mechanisms``); "paused" is derived from the
plugin's switch at read time, so no status value or column is stored.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:15:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
