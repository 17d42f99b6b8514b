"""Appointments, mediation sessions and the files kept with a case."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

MODES = {
    "offline": _l("In person"),
    "online": _l("Online"),
    "audio": _l("Audio"),
    "video": _l("Video"),
}
APPOINTMENT_STATUS = {"planned": _l("Planned"), "held": _l("Held"), "cancelled": _l("Cancelled")}
ATTACHMENT_KINDS = {"recording": _l("Recording"), "evidence": _l("Evidence"), "document": _l("Document")}


class Appointment(Model):
    """An appointment for mediation (预约调解): when, where or which online room, who."""

    __tablename__ = "appointment"
    __table_args__ = (
        CheckConstraint("mode IN ('offline', 'online', 'audio', 'video')", name="ck_appointment_mode"),
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="ck_appointment_status"),
        Index("ix_appointment_starts", "starts_at", "id"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    starts_at = Column(DateTime(timezone=True), nullable=False)
    mode = Column(String(8), nullable=False, default="offline")
    place = Column(String(200))
    online_room = Column(String(200))
    participants = Column(JsonDocument, nullable=False, default=list)  # names, as agreed
    status = Column(String(10), nullable=False, default="planned")
    note = Column(Text)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class MediationSession(Model):
    """A session held: mode, minutes (笔录) and the mediator's caucus notes (背对背)."""

    __tablename__ = "mediation_session"
    __table_args__ = (
        CheckConstraint("mode IN ('offline', 'online', 'audio', 'video')", name="ck_session_mode"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    appointment_id = Column(Integer, ForeignKey("appointment.id", ondelete="SET NULL"))
    held_at = Column(DateTime(timezone=True), nullable=False)
    mode = Column(String(8), nullable=False)
    mediator_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"))
    minutes = Column(Text, nullable=False, default="")
    # Visible only to the mediator who holds the case (field-level access).
    caucus_notes = Column(Text)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    attachments = relationship("Attachment", back_populates="session")


class Attachment(Model):
    """A file kept with a case, stored outside static paths under a random name."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("kind IN ('recording', 'evidence', 'document')", name="ck_attachment_kind"),
        CheckConstraint("size > 0", name="ck_attachment_size"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    session_id = Column(Integer, ForeignKey("mediation_session.id", ondelete="SET NULL"), index=True)
    # A partner's documents answer a referral.
    referral_id = Column(Integer, ForeignKey("referral.id", ondelete="SET NULL", name="fk_attachment_referral_id"), index=True)
    kind = Column(String(16), nullable=False)
    original_name = Column(String(255), nullable=False)  # kept as typed, Chinese included
    stored_name = Column(String(64), nullable=False, unique=True)
    content_type = Column(String(100), nullable=False)
    size = Column(BigInteger, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    uploaded_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    session = relationship("MediationSession", back_populates="attachments")
