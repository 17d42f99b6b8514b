"""What happens to a case on its way to closure: timeline, consents, assignment offers."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

CONSENT_SUBJECTS = {
    "mediation": _l("Mediation"),
    "online": _l("Online mediation"),
    "pi_notice": _l("Personal-information notice"),
    "extension": _l("Extension of the mediation period"),
}
CONSENT_CHANNELS = {
    "window": _l("At the window"),
    "phone": _l("By telephone"),
    "online": _l("Online"),
    "written": _l("In writing"),
    "assisted": _l("Assisted by staff"),
}
OFFER_RESPONSES = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}


class TimelineEvent(Model):
    """One thing that happened to a case: who, when, what. Written with the change itself."""

    __tablename__ = "timeline_event"
    __table_args__ = (
        Index("ix_timeline_case_at", "case_id", "at", "id"),
        # reports count the cases that reached a state in a period (success rate, conclusions)
        Index("ix_timeline_state_at", "to_state", "at"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    kind = Column(String(32), nullable=False)  # transition, consent, assignment, session, document, visit
    action = Column(String(64), nullable=False)
    from_state = Column(String(32))
    to_state = Column(String(32))
    note = Column(Text)
    data = Column(JsonDocument, nullable=False, default=dict)

    actor = relationship("User", lazy="joined")


class Consent(Model):
    """A party's answer to one question (mediation, online mode, the personal-data notice)."""

    __tablename__ = "consent"
    __table_args__ = (
        CheckConstraint("decision IN ('given', 'refused')", name="ck_consent_decision"),
        Index("ix_consent_case_party", "case_id", "party_id", "subject", "at"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False)
    party_id = Column(Integer, ForeignKey("party.id", ondelete="RESTRICT"), nullable=False)
    subject = Column(String(16), nullable=False)
    decision = Column(String(8), nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(16), nullable=False)
    text_version = Column(String(32), nullable=False, default="2026-1")
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    party = relationship("Party", lazy="joined")


class Assignment(Model):
    """A case offered to a mediator; the first to accept gets it, the others' offers lapse."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint(
            "response IN ('pending', 'accepted', 'declined', 'withdrawn')", name="ck_assignment_response"
        ),
        # The database itself allows one accepted offer per case.
        Index(
            "uq_assignment_one_accepted",
            "case_id",
            unique=True,
            sqlite_where=text("response = 'accepted'"),
            postgresql_where=text("response = 'accepted'"),
        ),
        Index("ix_assignment_mediator", "mediator_id", "response"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    mediator_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"), nullable=False)
    offered_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    offered_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    response = Column(String(16), nullable=False, default="pending")
    responded_at = Column(DateTime(timezone=True))
    reason = Column(Text)

    mediator = relationship("Mediator", lazy="joined")
