"""Judges on duty at the centres (法官值班) and what they record there."""
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
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.models.types import utcnow

# A full day is stored as a morning and an afternoon row, so the database itself refuses a
# judge booked twice for the same half day (unique judge, date, half).
HALVES = {"am": _l("Morning"), "pm": _l("Afternoon")}
SPANS = {"am": _l("Morning"), "pm": _l("Afternoon"), "full": _l("Full day")}
GUIDANCE_KINDS = {"guidance": _l("Guidance of mediators"), "consultation": _l("Legal consultation")}


class DutyPattern(Model):
    """A recurring duty, e.g. every Tuesday at 红草镇 from March to June."""

    __tablename__ = "duty_pattern"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_duty_pattern_weekday"),
        CheckConstraint("ends_on >= starts_on", name="ck_duty_pattern_dates"),
        CheckConstraint("span IN ('am', 'pm', 'full')", name="ck_duty_pattern_span"),
    )

    id = Column(Integer, primary_key=True)
    judge_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False, index=True)
    # Rosters are read per centre: the organisations a user acts for (app/services/org_scope.py).
    centre_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False, index=True)
    weekday = Column(Integer, nullable=False)  # Monday = 0
    span = Column(String(4), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    judge = relationship("User")
    centre = relationship("Organization")


class DutyShift(Model):
    """One judge at one centre for half a day."""

    __tablename__ = "duty_shift"
    __table_args__ = (
        UniqueConstraint("judge_id", "day", "half", name="uq_duty_judge_half_day"),
        CheckConstraint("half IN ('am', 'pm')", name="ck_duty_shift_half"),
    )

    id = Column(Integer, primary_key=True)
    judge_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False, index=True)
    centre_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False, index=True)
    day = Column(Date, nullable=False, index=True)
    half = Column(String(2), nullable=False)
    pattern_id = Column(Integer, ForeignKey("duty_pattern.id", ondelete="SET NULL"), index=True)
    note = Column(String(200))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    judge = relationship("User", lazy="joined")
    centre = relationship("Organization", lazy="joined")
    pattern = relationship("DutyPattern")

    @property
    def half_label(self):
        """Morning or afternoon in the reader's language."""
        return HALVES.get(self.half, self.half)


guidance_mediator = Table(
    "guidance_mediator",
    Model.metadata,
    Column("guidance_id", Integer, ForeignKey("guidance_log.id", ondelete="CASCADE"), primary_key=True),
    Column("mediator_id", Integer, ForeignKey("mediator.id", ondelete="RESTRICT"), primary_key=True),
)


class GuidanceLog(Model):
    """What a judge on duty did: mediators guided, or a legal consultation given."""

    __tablename__ = "guidance_log"
    __table_args__ = (
        CheckConstraint("kind IN ('guidance', 'consultation')", name="ck_guidance_kind"),
        Index("ix_guidance_log_day", "day", "id"),
        Index("ix_guidance_log_centre", "centre_id", "day"),
    )

    id = Column(Integer, primary_key=True)
    judge_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False, index=True)
    centre_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False)
    shift_id = Column(Integer, ForeignKey("duty_shift.id", ondelete="SET NULL"))
    day = Column(Date, nullable=False)
    kind = Column(String(16), nullable=False)
    topic = Column(String(200), nullable=False)
    notes = Column(Text)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    judge = relationship("User", lazy="joined")
    centre = relationship("Organization", lazy="joined")
    case = relationship("Case")
    mediators = relationship("Mediator", secondary=guidance_mediator)

    @property
    def kind_label(self):
        """Guidance or consultation in the reader's language."""
        return GUIDANCE_KINDS.get(self.kind, self.kind)
