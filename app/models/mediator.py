"""The people's mediation pool (调解库): mediators, their training and their teams."""
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
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

EMPLOYMENT = {"full_time": _l("Full-time"), "part_time": _l("Part-time")}
ENGAGEMENT = {"resident": _l("Resident"), "invited": _l("Invited")}
MEDIATOR_STATUS = {"active": _l("Active"), "suspended": _l("Suspended"), "removed": _l("Removed")}
# The plan's split of duties (三(三)): full-time resident mediators do intake, follow-up,
# return visits and ledgers; part-time invited mediators do analysis and guidance.
TEAM_ROLES = {
    "lead": _l("Team lead"),
    "intake_followup": _l("Intake, follow-up, return visits and ledgers"),
    "analysis_guidance": _l("Analysis and guidance"),
}

mediator_area = Table(
    "mediator_area",
    Model.metadata,
    Column("mediator_id", Integer, ForeignKey("mediator.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id", ondelete="RESTRICT"), primary_key=True),
    # "who serves this area" is asked from the area's side too
    Index("ix_mediator_area_area_id", "area_id"),
)


class Mediator(Model):
    """A person in the pool; may or may not also be a user of Jiefen."""

    __tablename__ = "mediator"
    __table_args__ = (
        CheckConstraint("employment IN ('full_time', 'part_time')", name="ck_mediator_employment"),
        CheckConstraint("engagement IN ('resident', 'invited')", name="ck_mediator_engagement"),
        CheckConstraint("status IN ('active', 'suspended', 'removed')", name="ck_mediator_status"),
        CheckConstraint(
            "register_expires_on IS NULL OR register_entered_on IS NULL OR register_expires_on >= register_entered_on",
            name="ck_mediator_register_dates",
        ),
        # Suspending or removing a mediator always says why.
        CheckConstraint("status = 'active' OR status_reason IS NOT NULL", name="ck_mediator_status_reason"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), unique=True)
    mobile = Column(String(20))
    employment = Column(String(16), nullable=False, default="part_time")
    engagement = Column(String(16), nullable=False, default="invited")
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    specialties = Column(JsonDocument, nullable=False, default=list)  # dispute-type codes
    certificate_no = Column(String(50))
    register_entered_on = Column(Date)
    register_expires_on = Column(Date)
    status = Column(String(16), nullable=False, default="active")
    status_reason = Column(Text)
    status_changed_at = Column(DateTime(timezone=True), default=utcnow)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    organization = relationship("Organization", lazy="joined")
    user = relationship("User")
    areas = relationship("Area", secondary=mediator_area, lazy="selectin", order_by="Area.name")
    trainings = relationship(
        "TrainingRecord", back_populates="mediator", order_by="TrainingRecord.held_on.desc()"
    )

    @property
    def kind_label(self) -> str:
        """e.g. 专职常驻 / Full-time resident."""
        return f"{EMPLOYMENT.get(self.employment, self.employment)} · {ENGAGEMENT.get(self.engagement, self.engagement)}"

    @property
    def status_label(self):
        """The status in the reader's language."""
        return MEDIATOR_STATUS.get(self.status, self.status)

    def __repr__(self):
        return self.name


class TrainingRecord(Model):
    """A training a mediator attended, e.g. held jointly with the justice bureau."""

    __tablename__ = "training_record"
    __table_args__ = (CheckConstraint("hours > 0", name="ck_training_hours"),)

    id = Column(Integer, primary_key=True)
    mediator_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"), nullable=False, index=True)
    held_on = Column(Date, nullable=False)
    hours = Column(Numeric(5, 1), nullable=False)
    topic = Column(String(200), nullable=False)
    organizer = Column(String(200))

    mediator = relationship("Mediator", back_populates="trainings")

    def __repr__(self):
        return f"{self.held_on} {self.topic}"


class MediationTeam(Model):
    """Full-time and part-time, resident and invited mediators working together."""

    __tablename__ = "mediation_team"

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    lead_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"))
    description = Column(Text)

    organization = relationship("Organization")
    lead = relationship("Mediator", foreign_keys=[lead_id])
    members = relationship("TeamMember", back_populates="team", cascade="all, delete-orphan")

    def __repr__(self):
        return self.name


class TeamMember(Model):
    """A mediator's place and duties in a team."""

    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("team_id", "mediator_id", name="uq_team_member"),)

    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("mediation_team.id", ondelete="CASCADE"), nullable=False, index=True)
    mediator_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"), nullable=False, index=True)
    role = Column(String(32), nullable=False)

    team = relationship("MediationTeam", back_populates="members")
    mediator = relationship("Mediator", lazy="joined")

    @property
    def role_label(self):
        """The duties in the reader's language."""
        return TEAM_ROLES.get(self.role, self.role)

    def __repr__(self):
        return f"{self.mediator} ({self.role})"
