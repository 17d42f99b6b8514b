"""Bulletins (通报): a period's evaluation, edited as a draft and archived read-only once
issued."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from app.models.types import JsonDocument, utcnow

BULLETIN_STATUS = {"draft": _l("Draft"), "issued": _l("Issued")}


class Bulletin(Model):
    """A bulletin of one period and level: its figures frozen at generation, its text
    editable until it is issued; the issued DOCX is kept as issued."""

    __tablename__ = "bulletin"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'issued')", name="ck_bulletin_status"),
        CheckConstraint("status = 'draft' OR (issued_at IS NOT NULL AND document IS NOT NULL)",
                        name="ck_bulletin_issued_archived"),
    )

    id = Column(Integer, primary_key=True)
    period = Column(String(10), nullable=False, index=True)  # "2026-11", "2026-Q4", "2026"
    level = Column(String(16), nullable=False)  # what is ranked: centre, mediator, …
    title = Column(String(200), nullable=False)
    # The editable text around the tables: opening, findings, requirements.
    body = Column(Text, nullable=False, default="")
    # The evaluation as generated (measures, ranks, top and bottom), frozen with the draft.
    figures = Column(JsonDocument, nullable=False, default=dict)
    status = Column(String(8), nullable=False, default="draft")
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    issued_at = Column(DateTime(timezone=True))
    issued_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    document = Column(LargeBinary)  # the DOCX as issued
    version = Column(Integer, nullable=False, default=1)

    created_by = relationship("User", foreign_keys=[created_by_id])
    issued_by = relationship("User", foreign_keys=[issued_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self):
        """The status in the reader's language."""
        return BULLETIN_STATUS.get(self.status, self.status)

    def __repr__(self):
        return self.title
