"""The audit log: every insert, update and delete of case data, written in the same
transaction as the change itself (so there is no change without its audit row)."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String

from app.models.types import JsonDocument, utcnow


class AuditEvent(Model):
    """Who changed which row of which table, when, how (web, API, CLI), old → new values."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_table_row", "table_name", "row_id", "id"),)

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id = Column(Integer)  # no foreign key: the log outlives the accounts it names
    via = Column(String(8), nullable=False)  # web | api | cli
    table_name = Column(String(64), nullable=False)
    row_id = Column(Integer)
    action = Column(String(8), nullable=False)  # insert | update | delete
    changes = Column(JsonDocument, nullable=False, default=dict)  # personal data masked
