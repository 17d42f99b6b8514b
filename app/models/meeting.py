"""Joint analysis meetings (联席研判): who met, what they discussed, what they decided and
who follows up by when."""
from flask_appbuilder import Model
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
)
from sqlalchemy.orm import relationship

from app.models.types import utcnow

meeting_organization = Table(
    "meeting_organization",
    Model.metadata,
    Column("meeting_id", Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", Integer, ForeignKey("organization.id", ondelete="RESTRICT"), primary_key=True),
)


class JointMeeting(Model):
    """One joint analysis meeting and its minutes."""

    __tablename__ = "joint_meeting"

    id = Column(Integer, primary_key=True)
    held_on = Column(Date, nullable=False, index=True)
    title = Column(String(200), nullable=False)
    place = Column(String(200))
    chair = Column(String(100), nullable=False)
    # The body that convened it; its area is the meeting's scope (None: the district's).
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    summary = Column(Text, nullable=False, default="")  # the situation as analysed
    decisions = Column(Text, nullable=False, default="")
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    version = Column(Integer, nullable=False, default=1)

    organization = relationship("Organization")
    participants = relationship("Organization", secondary=meeting_organization)
    items = relationship("MeetingItem", back_populates="meeting", cascade="all, delete-orphan",
                         order_by="MeetingItem.id")
    tasks = relationship("MeetingTask", back_populates="meeting", cascade="all, delete-orphan",
                         order_by="MeetingTask.due_on, MeetingTask.id")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self):
        return self.title


class MeetingItem(Model):
    """An alert, hazard or case the meeting discussed (exactly one of the three)."""

    __tablename__ = "meeting_item"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN alert_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN hazard_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN case_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_meeting_item_one_subject",
        ),
    )

    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    alert_id = Column(Integer, ForeignKey("alert.id", ondelete="RESTRICT"), index=True)
    hazard_id = Column(Integer, ForeignKey("hazard.id", ondelete="RESTRICT"), index=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    note = Column(Text, nullable=False, default="")

    meeting = relationship("JointMeeting", back_populates="items")
    alert = relationship("Alert")
    hazard = relationship("Hazard")
    case = relationship("Case")


class MeetingTask(Model):
    """A follow-up the meeting gave someone, on their My work until done."""

    __tablename__ = "meeting_task"
    __table_args__ = (Index("ix_meeting_task_owner_open", "owner_id", "done_on", "due_on"),)

    id = Column(Integer, primary_key=True)
    meeting_id = Column(Integer, ForeignKey("joint_meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    owner_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False)
    due_on = Column(Date, nullable=False)
    done_on = Column(Date)
    done_note = Column(Text)
    done_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    meeting = relationship("JointMeeting", back_populates="tasks")
    owner = relationship("User", foreign_keys=[owner_id])
