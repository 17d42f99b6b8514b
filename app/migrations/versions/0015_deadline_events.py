"""deadline suspensions and start events; one pre-filing mediation setting

Issue 12, deadline items 2–6. Suspensions, resumptions and the start events staff record
(the end of treatment, the court's acceptance of a protection-order application…) are
timeline entries (kind ``deadline``) read for many cases in one query, so no table is added.

The debt, consumer and property plugins no longer declare their own copy of the 30-day
pre-filing mediation period (domain rule 8): the core's ``core.prefiling_mediation_days`` is
the one setting. Their rows are removed here so that the settings page lists no setting
nobody reads. Downgrade restores nothing: the older code seeds its declared defaults again
at start-up (``seed_settings``); values an administrator had entered for those three keys
are not brought back.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:15:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

REMOVED_SETTINGS = (
    'debt.pre_filing_mediation_days',
    'consumer.pre_filing_mediation_days',
    'property.prefiling_mediation_days',
)


def upgrade():
    setting = sa.table('setting', sa.column('key', sa.String))
    op.execute(setting.delete().where(setting.c.key.in_(REMOVED_SETTINGS)))


def downgrade():
    pass
