"""leadership: screening campaigns and hazards, risk ratings, early-warning alerts and
sensitive periods, joint analysis meetings and their follow-up tasks, bulletins; the agreed
amount of an agreement; indexes the ledgers and warning rules read by

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 11:44:36.395690

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulletin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('document', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status = 'draft' OR (issued_at IS NOT NULL AND document IS NOT NULL)", name='ck_bulletin_issued_archived'),
    sa.CheckConstraint("status IN ('draft', 'issued')", name='ck_bulletin_status'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bulletin_period'), ['period'], unique=False)

    op.create_table('screening_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('focus', sa.Text(), nullable=False),
    sa.Column('dispute_type', sa.String(length=32), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name='ck_campaign_period'),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('screening_campaign', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_campaign_ends_on'), ['ends_on'], unique=False)

    op.create_table('sensitive_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name='ck_sensitive_period_dates'),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensitive_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensitive_period_ends_on'), ['ends_on'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('plugin', sa.String(length=64), nullable=False),
    sa.Column('evidence_key', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('case_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('case_count', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('notice', 'warning', 'serious')", name='ck_alert_level'),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name='ck_alert_status'),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_area_status', ['area_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_alert_live_evidence', ['rule', 'evidence_key'], unique=True, postgresql_where=sa.text("status <> 'resolved'"), sqlite_where=sa.text("status <> 'resolved'"))

    op.create_table('campaign_area',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['campaign_id'], ['screening_campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'area_id')
    )
    with op.batch_alter_table('campaign_area', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_area_area_id', ['area_id'], unique=False)

    op.create_table('campaign_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['screening_campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'organization_id', name='uq_campaign_task_org')
    )
    with op.batch_alter_table('campaign_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_task_organization_id'), ['organization_id'], unique=False)

    op.create_table('joint_meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('chair', sa.String(length=100), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('joint_meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_meeting_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_joint_meeting_organization_id'), ['organization_id'], unique=False)

    op.create_table('alert_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_note_alert_id'), ['alert_id'], unique=False)

    op.create_table('meeting_organization',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['joint_meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('meeting_id', 'organization_id')
    )
    op.create_table('meeting_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['done_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['joint_meeting.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['ab_user.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_task_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_meeting_task_owner_open', ['owner_id', 'done_on', 'due_on'], unique=False)

    op.create_table('hazard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('dispute_type', sa.String(length=32), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_note', sa.Text(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')", name='ck_hazard_risk'),
    sa.CheckConstraint("status IN ('open', 'converted', 'dissolved')", name='ck_hazard_status'),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['campaign_id'], ['screening_campaign.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.create_index('ix_hazard_area_found', ['area_id', 'found_on'], unique=False)
        batch_op.create_index('ix_hazard_found', ['found_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazard_organization_id'), ['organization_id'], unique=False)

    op.create_table('risk_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('low', 'medium', 'high')", name='ck_risk_level'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rated_by_id'], ['ab_user.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_assessment_case_id'), ['case_id'], unique=False)

    op.create_table('hazard_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hazard_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=True),
    sa.Column('mobile', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint("kind IN ('person', 'organization')", name='ck_hazard_party_kind'),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hazard_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hazard_party_hazard_id'), ['hazard_id'], unique=False)

    op.create_table('meeting_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('hazard_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('(CASE WHEN alert_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN hazard_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) = 1', name='ck_meeting_item_one_subject'),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hazard_id'], ['hazard.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['meeting_id'], ['joint_meeting.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_item_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_item_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_item_hazard_id'), ['hazard_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_item_meeting_id'), ['meeting_id'], unique=False)

    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount', sa.Numeric(precision=15, scale=2), nullable=True))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_level', sa.String(length=8), nullable=True))
        batch_op.create_index('ix_cases_area_created', ['area_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_closed', ['closed_at'], unique=False)
        batch_op.create_index('ix_cases_high_risk', ['created_at', 'id'], unique=False,
                              postgresql_where=sa.text("risk_level = 'high'"),
                              sqlite_where=sa.text("risk_level = 'high'"))
        batch_op.create_check_constraint(
            'ck_cases_risk', "risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')")

    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_state_at', ['to_state', 'at'], unique=False)

    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.create_index('ix_party_id_number', ['id_number'], unique=False)
        batch_op.create_index('ix_party_name_mobile', ['name', 'mobile'], unique=False)



def downgrade():
    with op.batch_alter_table('timeline_event', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_state_at')

    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_index('ix_party_name_mobile')
        batch_op.drop_index('ix_party_id_number')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('ck_cases_risk', type_='check')
        batch_op.drop_index('ix_cases_high_risk')
        batch_op.drop_index('ix_cases_closed')
        batch_op.drop_index('ix_cases_area_created')
        batch_op.drop_column('risk_level')

    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('amount')

    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_item_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_item_hazard_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_item_case_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_item_alert_id'))

    op.drop_table('meeting_item')
    with op.batch_alter_table('hazard_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_party_hazard_id'))

    op.drop_table('hazard_party')
    with op.batch_alter_table('risk_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_assessment_case_id'))

    op.drop_table('risk_assessment')
    with op.batch_alter_table('hazard', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hazard_organization_id'))
        batch_op.drop_index(batch_op.f('ix_hazard_campaign_id'))
        batch_op.drop_index('ix_hazard_found')
        batch_op.drop_index('ix_hazard_area_found')

    op.drop_table('hazard')
    with op.batch_alter_table('meeting_task', schema=None) as batch_op:
        batch_op.drop_index('ix_meeting_task_owner_open')
        batch_op.drop_index(batch_op.f('ix_meeting_task_meeting_id'))

    op.drop_table('meeting_task')
    op.drop_table('meeting_organization')
    with op.batch_alter_table('alert_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_note_alert_id'))

    op.drop_table('alert_note')
    with op.batch_alter_table('joint_meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_joint_meeting_organization_id'))
        batch_op.drop_index(batch_op.f('ix_joint_meeting_held_on'))

    op.drop_table('joint_meeting')
    with op.batch_alter_table('campaign_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_task_organization_id'))

    op.drop_table('campaign_task')
    with op.batch_alter_table('campaign_area', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_area_area_id')

    op.drop_table('campaign_area')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('uq_alert_live_evidence', postgresql_where=sa.text("status <> 'resolved'"), sqlite_where=sa.text("status <> 'resolved'"))
        batch_op.drop_index(batch_op.f('ix_alert_organization_id'))
        batch_op.drop_index('ix_alert_area_status')

    op.drop_table('alert')
    with op.batch_alter_table('sensitive_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sensitive_period_ends_on'))

    op.drop_table('sensitive_period')
    with op.batch_alter_table('screening_campaign', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_campaign_ends_on'))

    op.drop_table('screening_campaign')
    with op.batch_alter_table('bulletin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bulletin_period'))

    op.drop_table('bulletin')
