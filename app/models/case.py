"""The dispute case: one record shared by every centre that handles it."""
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

# The main road and side roads of docs/domain-model.md; later issues add the guards.
CASE_STATES = {
    "registered": _l("Registered"),
    "screening": _l("Screening"),
    "mediation_accepted": _l("Mediation accepted"),
    "litigation_screening": _l("Litigation screening"),
    "assigned": _l("Assigned"),
    "scheduled": _l("Scheduled"),
    "in_mediation": _l("In mediation"),
    "agreement_reached": _l("Agreement reached"),
    "mediation_failed": _l("Mediation failed"),
    "judicial_confirmation": _l("Judicial confirmation"),
    "performing": _l("Performing"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
    "merged": _l("Merged"),
    "transferred": _l("Transferred"),
    "referred": _l("Referred to a partner"),
}

CASE_TRACKS = {
    "pre_filing": _l("Pre-filing people's mediation"),
    "court_entrusted": _l("Court-entrusted mediation"),
    "litigation": _l("Litigation"),
}

LITIGATION_TRACKS = {
    "small_claims": _l("Small-claims procedure"),
    "fast_track": _l("Fast-track trial"),
    "ordinary": _l("Ordinary procedure"),
    "arbitration": _l("Arbitration"),
}

CASE_CHANNELS = {
    "window": _l("Reception window"),
    "assisted": _l("Assisted entry"),
    "online": _l("Online"),
    "grid": _l("Grid worker report"),
    "court": _l("Court referral"),
    "partner": _l("Partner agency"),
    "api": _l("API"),
}


class Case(Model):
    """A dispute registered in Jiefen."""

    __tablename__ = "cases"  # "case" is an SQL reserved word
    __table_args__ = (
        CheckConstraint("claim_amount IS NULL OR claim_amount >= 0", name="ck_cases_amount"),
        Index("ix_cases_type_created", "dispute_type", "created_at", "id"),
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_area_created", "area_id", "created_at", "id"),
        Index("ix_cases_closed", "closed_at"),
        # the "High risk" quick filter reads a few cases out of many, newest first
        Index("ix_cases_high_risk", "created_at", "id", postgresql_where=text("risk_level = 'high'"),
              sqlite_where=text("risk_level = 'high'")),
        CheckConstraint("risk_level IS NULL OR risk_level IN ('low', 'medium', 'high')", name="ck_cases_risk"),
    )

    id = Column(Integer, primary_key=True)
    case_no = Column(String(40), nullable=False, unique=True)
    dispute_type = Column(String(32), nullable=False)
    status = Column(String(32), nullable=False, default="registered", index=True)
    track = Column(String(32), nullable=False, default="pre_filing")
    channel = Column(String(32), nullable=False, default="window")
    area_id = Column(Integer, ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    organization_id = Column(
        Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    # The named court staff member answerable for the case (seed plan 四(二)).
    responsible_staff_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), index=True)
    # Screening (甄别) when a party refuses mediation, or the track a failed mediation goes to.
    litigation_track = Column(String(16))
    screening_note = Column(Text)
    # Court-entrusted mediation: ordinary (15 days) or simplified (7 days) procedure.
    procedure = Column(String(16))
    closed_at = Column(DateTime(timezone=True))
    # The latest risk rating (风险研判, app.models.screening.RiskAssessment); high is flagged.
    risk_level = Column(String(8))
    # The mediator handling the case; RESTRICT: a mediator is removed by status, never deleted.
    mediator_id = Column(Integer, ForeignKey("mediator.id", ondelete="RESTRICT"), index=True)
    title = Column(String(200), nullable=False)
    description = Column(Text, nullable=False, default="")
    claim_amount = Column(Numeric(15, 2))  # up to 10¹² CNY (app.intake.fields.MAX_AMOUNT)
    intake_data = Column(JsonDocument, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    created_by_fk = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    version = Column(Integer, nullable=False, default=1)

    area = relationship("Area", lazy="joined")
    organization = relationship("Organization", lazy="joined")
    created_by = relationship("User", foreign_keys=[created_by_fk])
    mediator = relationship("Mediator")
    responsible_staff = relationship("User", foreign_keys=[responsible_staff_id])
    timeline = relationship("TimelineEvent", order_by="TimelineEvent.at, TimelineEvent.id", viewonly=True)
    parties = relationship(
        "Party",
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="Party.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self):
        """The state in the reader's language."""
        return CASE_STATES.get(self.status, self.status)

    @property
    def track_label(self):
        """The track in the reader's language."""
        return CASE_TRACKS.get(self.track, self.track)

    @property
    def channel_label(self):
        """The intake channel in the reader's language."""
        return CASE_CHANNELS.get(self.channel, self.channel)

    @property
    def claim_amount_display(self) -> str:
        """The claim formatted as money, or an empty string."""
        if self.claim_amount is None:
            return ""
        return f"¥{Decimal(self.claim_amount):,.2f}"

    @property
    def parties_masked(self) -> list[dict]:
        """The parties as the API shows them by default: ID and mobile masked."""
        return [
            {
                "id": p.id,
                "kind": p.kind,
                "role": p.role,
                "name": p.name,
                "id_number": p.id_number_masked,
                "mobile": p.mobile_masked,
                "address": p.address or "",
            }
            for p in self.parties
        ]

    @property
    def timeline_entries(self) -> list[dict]:
        """The timeline as the API shows it (codes, not labels: clients translate)."""
        return [
            {
                "at": _utc(e.at).isoformat() if e.at else None,
                "actor": e.actor.username if e.actor else None,
                "kind": e.kind,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note or "",
            }
            for e in self.timeline
        ]

    def __repr__(self):
        return self.case_no or "<new case>"


def _utc(value):
    """SQLite hands back naive timestamps (stored as UTC): say so, as PostgreSQL does."""
    import datetime as dt

    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class CaseCounter(Model):
    """Per-year counter behind case numbers: incremented in the database, never max()+1."""

    __tablename__ = "case_counter"

    year = Column(Integer, primary_key=True)
    value = Column(Integer, nullable=False, default=0)
