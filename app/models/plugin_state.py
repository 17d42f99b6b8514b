"""Whether an administrator has enabled each installed plugin."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from app.models.types import JsonDocument, utcnow


class PluginState(Model):
    """One row per plugin the administrator has switched; no row means enabled."""

    __tablename__ = "plugin_state"

    name = Column(String(64), primary_key=True)
    enabled = Column(Boolean, nullable=False, default=True)
    settings = Column(JsonDocument, nullable=False, default=dict)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    changed_by_fk = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    def __repr__(self):
        return self.name
