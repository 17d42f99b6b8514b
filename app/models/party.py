"""Parties to a case: the people and organisations in dispute."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import relationship

from app.validation.identity import mask_id_number, mask_mobile

PARTY_KINDS = {"person": _l("Person"), "organization": _l("Organisation")}

PARTY_ROLES = {
    "applicant": _l("Applicant"),
    "respondent": _l("Respondent"),
    "third_party": _l("Third party"),
    "agent": _l("Agent"),
}


class Party(Model):
    """A person or organisation taking part in a case."""

    __tablename__ = "party"
    # Repeat-party warnings and the duplicate check look parties up by identity.
    __table_args__ = (
        Index("ix_party_id_number", "id_number"),
        Index("ix_party_name_mobile", "name", "mobile"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default="person")
    role = Column(String(16), nullable=False)
    name = Column(String(100), nullable=False)
    # Resident ID (GB 11643) for persons, unified social credit code may come later.
    id_number = Column(String(18))
    birth_date = Column(Date)
    mobile = Column(String(20))
    address = Column(String(300))

    case = relationship("Case", back_populates="parties")

    @property
    def role_label(self):
        """The role in the reader's language."""
        return PARTY_ROLES.get(self.role, self.role)

    @property
    def kind_label(self):
        """The kind in the reader's language."""
        return PARTY_KINDS.get(self.kind, self.kind)

    @property
    def age(self):
        """Whole years of age today, when the birth date is known (from the ID number)."""
        if self.birth_date is None:
            return None
        from app.services.settings import today
        from app.validation.identity import age_on

        return age_on(self.birth_date, today())

    @property
    def id_number_masked(self) -> str:
        """The ID number with the middle digits hidden, as shown by default."""
        return mask_id_number(self.id_number)

    @property
    def mobile_masked(self) -> str:
        """The mobile number with the middle digits hidden."""
        return mask_mobile(self.mobile)

    def __repr__(self):
        # No personal data beyond the name in reprs (select lists, logs).
        return self.name
