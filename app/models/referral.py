"""Referrals to partner agencies (委派 / 委托 / 联动) and the outbox that delivers them."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

REFERRAL_KINDS = {"assign": _l("Assigned (委派)"), "entrust": _l("Entrusted (委托)"), "link": _l("Joint handling (联动)")}
REFERRAL_STATUS = {
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "rejected": _l("Returned"),  # 退回: the partner sends it back; 驳回 is a court's word
    "answered": _l("Answered"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
}
REJECT_REASONS = {
    "not_competent": _l("Not within our competence"),
    "insufficient": _l("Information insufficient"),
    "duplicate": _l("Already handled by us"),
    "other": _l("Other reason"),
}


class Referral(Model):
    """A case, or a question about it, sent to a partner with exactly the fields it needs."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(
            "status IN ('sent', 'accepted', 'rejected', 'answered', 'completed', 'withdrawn')",
            name="ck_referral_status",
        ),
        Index("ix_referral_partner_status", "partner_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    partner_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False)
    kind = Column(String(8), nullable=False, default="link")
    purpose = Column(Text, nullable=False)
    legal_basis = Column(Text, nullable=False)
    # The minimum the purpose needs; the partner sees exactly these (e.g. "title", "intake.accident_date").
    shared_fields = Column(JsonDocument, nullable=False, default=list)
    due_on = Column(Date, nullable=False)
    mechanism = Column(String(32), nullable=False, default="in_platform")
    status = Column(String(10), nullable=False, default="sent")
    reject_reason = Column(String(16))
    response_text = Column(Text)
    sent_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    sent_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    responded_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    version = Column(Integer, nullable=False, default=1)

    partner = relationship("Organization", lazy="joined")
    case = relationship("Case")

    __mapper_args__ = {"version_id_col": version}


class OutboxMessage(Model):
    """A delivery to a partner's system, committed with the change that caused it."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="ck_outbox_status"),
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
    )

    id = Column(Integer, primary_key=True)
    referral_id = Column(Integer, ForeignKey("referral.id", ondelete="RESTRICT"), index=True)
    mechanism = Column(String(32), nullable=False)
    event = Column(String(32), nullable=False)
    payload = Column(JsonDocument, nullable=False, default=dict)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    status = Column(String(10), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_error = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    delivered_at = Column(DateTime(timezone=True))


class InboundNonce(Model):
    """A signed partner callback already accepted: the same one again is a replay."""

    __tablename__ = "inbound_nonce"

    nonce = Column(String(128), primary_key=True)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
