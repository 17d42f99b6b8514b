"""Dated settings: every legal number (deadline lengths, thresholds, rates) with its source."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.models.types import utcnow


class Setting(Model):
    """One value of a setting, in force from ``valid_from`` until a later row replaces it."""

    __tablename__ = "setting"
    __table_args__ = (UniqueConstraint("key", "valid_from", name="uq_setting_key_valid_from"),)

    id = Column(Integer, primary_key=True)
    key = Column(String(100), nullable=False, index=True)
    # Text, so decimals stay exact ("3.45") and an administrator types it as written.
    value = Column(String(200), nullable=False)
    valid_from = Column(Date, nullable=False)
    source = Column(Text, nullable=False, default="")
    # True while the figure comes from a secondary source an administrator must confirm.
    needs_check = Column(Boolean, nullable=False, default=False)
    note = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    created_by_fk = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_fk])

    def __repr__(self):
        return f"{self.key}@{self.valid_from}"
