"""A possible duplicate the registering user could not be told about (another centre's case)."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.models.types import utcnow


class DuplicateFlag(Model):
    """``case`` names a person of the open case ``other_case``, which its registrar may not see.

    Read only by users who see every case (the court's coordinators), on the case page.
    """

    __tablename__ = "duplicate_flag"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True)
    other_case_id = Column(Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False)
    found_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    other_case = relationship("Case", foreign_keys=[other_case_id])
