"""Early warning (预警): the periods an administrator marks as sensitive, and the alerts the
rules raise with the cases behind them."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
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
    text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

ALERT_STATUS = {"open": _l("Open"), "acknowledged": _l("Acknowledged"), "resolved": _l("Resolved")}
# Their own context: "Notice" is also a holiday calendar's notice (依据通知).
ALERT_LEVELS = {"notice": lazy_pgettext("alert level", "Notice"), "warning": lazy_pgettext("alert level", "Warning"),
                "serious": lazy_pgettext("alert level", "Serious")}


class SensitivePeriod(Model):
    """A period an administrator marks as sensitive (holidays, meetings, anniversaries):
    open cases and new ones in it are watched more closely."""

    __tablename__ = "sensitive_period"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ck_sensitive_period_dates"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False, index=True)
    area_id = Column(Integer, ForeignKey("area.id", ondelete="RESTRICT"))  # None: the whole district
    note = Column(Text)

    area = relationship("Area")

    def __repr__(self):
        return self.name


class Alert(Model):
    """One warning: which rule raised it, on what evidence, in whose scope, and what was done.

    ``evidence_key`` names the situation (the rule's subject: an area and type, a person, a
    respondent…), so a later scan updates the open alert instead of raising a second one.
    """

    __tablename__ = "alert"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="ck_alert_status"),
        CheckConstraint("level IN ('notice', 'warning', 'serious')", name="ck_alert_level"),
        # At most one unresolved alert per situation, even with two scans at once.
        Index("uq_alert_live_evidence", "rule", "evidence_key", unique=True,
              postgresql_where=text("status <> 'resolved'"), sqlite_where=text("status <> 'resolved'")),
        Index("ix_alert_area_status", "area_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    rule = Column(String(64), nullable=False)  # "core.spike", "labour.employer_wages", …
    plugin = Column(String(64), nullable=False, default="core")
    evidence_key = Column(String(200), nullable=False)
    level = Column(String(8), nullable=False, default="warning")
    # Figures the rule found (count, average, threshold…), shown with the rule's wording.
    details = Column(JsonDocument, nullable=False, default=dict)
    # Ids of the cases behind the alert (bounded by the rule), and how many there were.
    case_ids = Column(JsonDocument, nullable=False, default=list)
    case_count = Column(Integer, nullable=False, default=0)
    area_id = Column(Integer, ForeignKey("area.id", ondelete="RESTRICT"))
    organization_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    status = Column(String(16), nullable=False, default="open")
    first_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    acknowledged_at = Column(DateTime(timezone=True))
    acknowledged_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    resolved_at = Column(DateTime(timezone=True))
    resolved_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    version = Column(Integer, nullable=False, default=1)

    area = relationship("Area")
    organization = relationship("Organization")
    notes = relationship("AlertNote", back_populates="alert", cascade="all, delete-orphan",
                         order_by="AlertNote.at, AlertNote.id")

    __mapper_args__ = {"version_id_col": version}


class AlertNote(Model):
    """A note on an alert: what was found or done, with the step it went with."""

    __tablename__ = "alert_note"

    id = Column(Integer, primary_key=True)
    alert_id = Column(Integer, ForeignKey("alert.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    author_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    action = Column(String(16), nullable=False, default="note")  # note | acknowledge | resolve | reopen
    text = Column(Text, nullable=False, default="")

    alert = relationship("Alert", back_populates="notes")
    author = relationship("User")
