"""Core data model. Importing this package registers every core table on FAB's metadata."""
# FAB's security tables (ab_user, …) share the metadata; Case.created_by points at User.
from flask_appbuilder.security.sqla import models as fab_models  # noqa: F401

from app.models.area import Area, AREA_LEVELS
from app.models.organization import Organization, ORGANIZATION_KINDS
from app.models.case import Case, CaseCounter
from app.models.party import Party, PARTY_KINDS, PARTY_ROLES
from app.models.plugin_state import PluginState
from app.models.setting import Setting
from app.models.holiday import HolidayDay, HOLIDAY_KINDS
from app.models.membership import Membership
from app.models.mediator import (
    MediationTeam,
    Mediator,
    TeamMember,
    TrainingRecord,
)
from app.models.duty import DutyPattern, DutyShift, GuidanceLog
from app.models.lifecycle import Assignment, Consent, TimelineEvent
from app.models.audit import AuditEvent
from app.models.referral import InboundNonce, OutboxMessage, Referral
from app.models.mediation import Appointment, Attachment, MediationSession
from app.models.outcome import AgreedTerm, Agreement, JudicialConfirmation, ReturnVisit, Signature
from app.models.idempotency import IdempotencyKey
from app.models.duplicate import DuplicateFlag
from app.models.draft import FormDraft
from app.models.screening import CampaignTask, Hazard, HazardParty, RiskAssessment, ScreeningCampaign
from app.models.warning import Alert, AlertNote, SensitivePeriod
from app.models.meeting import JointMeeting, MeetingItem, MeetingTask
from app.models.bulletin import Bulletin

__all__ = [
    "Area",
    "AREA_LEVELS",
    "Organization",
    "ORGANIZATION_KINDS",
    "Case",
    "CaseCounter",
    "Party",
    "PARTY_KINDS",
    "PARTY_ROLES",
    "PluginState",
    "Setting",
    "HolidayDay",
    "HOLIDAY_KINDS",
    "Membership",
    "Mediator",
    "TrainingRecord",
    "MediationTeam",
    "TeamMember",
    "DutyPattern",
    "DutyShift",
    "GuidanceLog",
    "Assignment",
    "Consent",
    "TimelineEvent",
    "AuditEvent",
    "InboundNonce",
    "OutboxMessage",
    "Referral",
    "Appointment",
    "Attachment",
    "MediationSession",
    "AgreedTerm",
    "Agreement",
    "JudicialConfirmation",
    "ReturnVisit",
    "Signature",
    "IdempotencyKey",
    "DuplicateFlag",
    "FormDraft",
    "ScreeningCampaign",
    "CampaignTask",
    "Hazard",
    "HazardParty",
    "RiskAssessment",
    "SensitivePeriod",
    "Alert",
    "AlertNote",
    "JointMeeting",
    "MeetingItem",
    "MeetingTask",
    "Bulletin",
]
