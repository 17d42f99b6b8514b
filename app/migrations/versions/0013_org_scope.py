"""organisation scope of rosters, teams, guidance and pool

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:00:00

Every row of the duty roster, guidance log, teams and mediator pool already names its body
(a shift's, pattern's or entry's centre, a team's or mediator's organisation; members and
training records through their team and mediator), so no column is added. Two things remain:

- rosters are now read per centre, patterns included: index ``duty_pattern.centre_id``;
- a team without an organisation is now the court's only (app/services/org_scope.py): give
  such a team its lead's organisation, so the centre that keeps it still sees it. Teams whose
  lead has none, or that have no lead, stay the court's until an administrator files them.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('duty_pattern', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_pattern_centre_id'), ['centre_id'], unique=False)
    op.execute(sa.text(
        "UPDATE mediation_team SET organization_id = "
        "(SELECT mediator.organization_id FROM mediator WHERE mediator.id = mediation_team.lead_id) "
        "WHERE organization_id IS NULL AND lead_id IS NOT NULL"
    ))


def downgrade():
    # The teams filed under their lead's organisation keep it: an organisation named by
    # mistake is corrected on the team's page, while forgetting it would hide nothing more.
    with op.batch_alter_table('duty_pattern', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_pattern_centre_id'))
