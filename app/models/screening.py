"""Screening (排查): campaigns, the tasks they give each centre, the hazards centres find,
and the risk rating (风险研判) of a case."""
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

RISK_LEVELS = {"low": _l("Low risk"), "medium": _l("Medium risk"), "high": _l("High risk")}
HAZARD_STATUS = {
    "open": _l("Being followed"),
    "converted": _l("Registered as a case"),
    "dissolved": _l("Dissolved"),
}
HAZARD_PARTY_KINDS = {"person": _l("Person"), "organization": _l("Organisation")}

campaign_area = Table(
    "campaign_area",
    Model.metadata,
    Column("campaign_id", Integer, ForeignKey("screening_campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("area.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_campaign_area_area_id", "area_id"),
)


class ScreeningCampaign(Model):
    """A screening drive (排查专项) with a focus and a period, run by the district."""

    __tablename__ = "screening_campaign"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_campaign_period"),)

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    # e.g. "year-end wage arrears", "property fees before the Spring Festival"
    focus = Column(Text, nullable=False)
    dispute_type = Column(String(32))  # the type the focus is about, when there is one
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False, index=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    areas = relationship("Area", secondary=campaign_area)
    tasks = relationship("CampaignTask", back_populates="campaign", cascade="all, delete-orphan",
                         order_by="CampaignTask.id")

    def __repr__(self):
        return self.title


class CampaignTask(Model):
    """What one centre is to do in a campaign, and when it reported it done."""

    __tablename__ = "campaign_task"
    __table_args__ = (UniqueConstraint("campaign_id", "organization_id", name="uq_campaign_task_org"),)

    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("screening_campaign.id", ondelete="CASCADE"), nullable=False)
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False,
                             index=True)
    instructions = Column(Text, nullable=False, default="")
    due_on = Column(Date, nullable=False)
    done_on = Column(Date)
    report = Column(Text)

    campaign = relationship("ScreeningCampaign", back_populates="tasks")
    organization = relationship("Organization")


class Hazard(Model):
    """A dispute risk found in screening (矛盾隐患): not yet a case, followed until it is
    dissolved or registered as one (the case keeps the link)."""

    __tablename__ = "hazard"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'converted', 'dissolved')", name="ck_hazard_status"),
        CheckConstraint("risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')", name="ck_hazard_risk"),
        Index("ix_hazard_area_found", "area_id", "found_on"),
        Index("ix_hazard_found", "found_on", "id"),  # the district's list, newest first
    )

    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("screening_campaign.id", ondelete="SET NULL"), index=True)
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), nullable=False,
                             index=True)
    area_id = Column(Integer, ForeignKey("area.id", ondelete="RESTRICT"), nullable=False)
    dispute_type = Column(String(32))
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    found_on = Column(Date, nullable=False)
    risk_level = Column(String(8))
    status = Column(String(10), nullable=False, default="open")
    status_note = Column(Text)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), unique=True)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    campaign = relationship("ScreeningCampaign")
    organization = relationship("Organization")
    area = relationship("Area")
    case = relationship("Case")
    parties = relationship("HazardParty", back_populates="hazard", cascade="all, delete-orphan",
                           order_by="HazardParty.id")

    def __repr__(self):
        return self.title


class HazardParty(Model):
    """A person or organisation involved in a hazard."""

    __tablename__ = "hazard_party"
    __table_args__ = (CheckConstraint("kind IN ('person', 'organization')", name="ck_hazard_party_kind"),)

    id = Column(Integer, primary_key=True)
    hazard_id = Column(Integer, ForeignKey("hazard.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default="person")
    name = Column(String(200), nullable=False)
    id_number = Column(String(18))  # a person's ID card or an organisation's credit code
    mobile = Column(String(20))
    note = Column(String(200))

    hazard = relationship("Hazard", back_populates="parties")


class RiskAssessment(Model):
    """One rating of a case's risk (低/中/高) with its reasons; the newest is the case's
    ``risk_level``."""

    __tablename__ = "risk_assessment"
    __table_args__ = (CheckConstraint("level IN ('low', 'medium', 'high')", name="ck_risk_level"),)

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    level = Column(String(8), nullable=False)
    reasons = Column(Text, nullable=False)
    rated_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    rated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    rated_by = relationship("User")
