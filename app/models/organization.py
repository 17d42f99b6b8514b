"""Organisations: centres, court departments, mediation bodies and partner agencies."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument

ORGANIZATION_KINDS = {
    "governance_centre": _l("Social-governance centre"),
    "court_mediation_centre": _l("Court mediation centre"),
    "court_department": _l("Court department"),
    "case_filing_division": _l("Case-filing division"),
    "civil_division": _l("Civil division"),
    "peoples_tribunal": _l("People's tribunal"),
    "trial_management_office": _l("Trial-management office"),
    "reception_window": _l("Reception window"),
    "litigation_workstation": _l("Litigation workstation"),
    "mediation_committee": _l("People's mediation committee"),
    "mediation_company": _l("Third-party mediation company"),
    "partner_agency": _l("Partner agency"),
}


class Organization(Model):
    """A body that handles, mediates or receives referrals of disputes."""

    __tablename__ = "organization"

    id = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    # Stable key for seeded rows (e.g. a plugin's default partner), so seeding is idempotent.
    code = Column(String(64), unique=True)
    area_id = Column(Integer, ForeignKey("area.id", ondelete="SET NULL"), index=True)
    # The court's departments and the district centre's windows belong to a parent body.
    parent_id = Column(Integer, ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    # Dispute-type codes a partner agency serves.
    dispute_types = Column(JsonDocument, nullable=False, default=list)
    description = Column(Text)
    active = Column(Boolean, nullable=False, default=True)
    # How referrals reach a partner: "in_platform" (they log in), "webhook", "email", or a
    # mechanism a plugin registers; its settings (URL, address…; secrets by reference only).
    linkage_mechanism = Column(String(32), nullable=False, default="in_platform", server_default="in_platform")
    linkage_settings = Column(JsonDocument, nullable=False, default=dict, server_default="{}")

    area = relationship("Area", lazy="joined")
    parent = relationship("Organization", remote_side=[id])

    @property
    def kind_label(self):
        """The kind in the reader's language."""
        return ORGANIZATION_KINDS.get(self.kind, self.kind)

    @property
    def is_court(self) -> bool:
        """True for the court's own bodies, whose staff see every case."""
        return self.kind in COURT_KINDS

    def __repr__(self):
        return self.name


COURT_KINDS = frozenset(
    {
        "court_mediation_centre",
        "court_department",
        "case_filing_division",
        "civil_division",
        "peoples_tribunal",
        "trial_management_office",
        "reception_window",
    }
)
