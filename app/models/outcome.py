"""What a mediation ends with: the agreement and its signatures, judicial confirmation,
and the return visits that check the terms are kept."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.models.types import utcnow

CONFIRMATION_RESULTS = {
    "pending": _l("Pending"),
    "confirmed": _l("Confirmed"),
    "rejected": _l("Rejected"),
}
VISIT_METHODS = {"phone": _l("Telephone"), "visit": _l("Home visit"), "online": _l("Online"), "window": _l("At the window")}


AGREEMENT_FORMS = {"written": _l("Written agreement"), "oral": _l("Oral agreement")}


class Agreement(Model):
    """The mediation agreement of a case. A written one takes effect when everyone has signed;
    an oral one (People's Mediation Law art. 28) on the day the parties agreed (art. 30)."""

    __tablename__ = "agreement"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, unique=True)
    form = Column(String(16), nullable=False, default="written", server_default="written")  # AGREEMENT_FORMS
    template_code = Column(String(64), nullable=False)  # the plugin template; "" for an oral agreement
    committee = Column(String(200), nullable=False)
    mediator_name = Column(String(100), nullable=False)
    drafted_on = Column(Date, nullable=False)
    effective_on = Column(Date)  # the day the last signature was given
    # The money the parties agreed on (协议金额), for the ledgers; None when nothing is paid.
    amount = Column(Numeric(15, 2))
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    terms = relationship("AgreedTerm", back_populates="agreement", order_by="AgreedTerm.position",
                         cascade="all, delete-orphan")
    signatures = relationship("Signature", back_populates="agreement", cascade="all, delete-orphan")


class AgreedTerm(Model):
    """One term: what, how, by when — and whether it was performed."""

    __tablename__ = "agreed_term"

    id = Column(Integer, primary_key=True)
    agreement_id = Column(Integer, ForeignKey("agreement.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)
    manner = Column(String(200))
    due_on = Column(Date)
    performed_on = Column(Date)
    # What the term settles (app.agreements.kinds): decides whether a court may confirm it.
    kind = Column(String(32), nullable=False, default="other", server_default="other")

    agreement = relationship("Agreement", back_populates="terms")


class Signature(Model):
    """A party's or the mediator's signature (or seal, or thumbprint) on the agreement."""

    __tablename__ = "signature"
    __table_args__ = (
        UniqueConstraint("agreement_id", "party_id", name="uq_signature_party"),
        CheckConstraint("(party_id IS NULL) = (signer_role = 'mediator')", name="ck_signature_signer"),
    )

    id = Column(Integer, primary_key=True)
    agreement_id = Column(Integer, ForeignKey("agreement.id", ondelete="CASCADE"), nullable=False, index=True)
    party_id = Column(Integer, ForeignKey("party.id", ondelete="RESTRICT"))
    signer_role = Column(String(16), nullable=False)  # party | mediator
    signed_on = Column(Date)
    method = Column(String(16))  # signature | seal | thumbprint; oral agreements: oral | recorded

    agreement = relationship("Agreement", back_populates="signatures")


class JudicialConfirmation(Model):
    """An application to the court to confirm the agreement (司法确认)."""

    __tablename__ = "judicial_confirmation"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, unique=True)
    applied_on = Column(Date, nullable=False)
    accepted_on = Column(Date)
    result = Column(String(16), nullable=False, default="pending")
    decided_on = Column(Date)
    enforcement_note = Column(Text)


class ReturnVisit(Model):
    """A follow-up with the parties after the agreement (回访)."""

    __tablename__ = "return_visit"
    __table_args__ = (
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="ck_visit_satisfaction"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="RESTRICT"), nullable=False, index=True)
    scheduled_for = Column(Date, nullable=False, index=True)
    done_on = Column(Date)
    method = Column(String(16))
    terms_performed = Column(Boolean)
    satisfaction = Column(Integer)
    notes = Column(Text)
    follow_up = Column(Boolean, nullable=False, default=False)  # unperformed terms raise one
    done_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
