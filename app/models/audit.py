"""The audit log: every insert, update and delete of case data, written in the same
transaction as the change itself (so there is no change without its audit row).

The table is append-only (database triggers refuse UPDATE, DELETE and, on PostgreSQL,
TRUNCATE; migration 0010) and hash-chained (:mod:`app.audit_chain`): each row carries the
hash of the one before it, so ``flask --app app audit verify`` finds a changed, removed or
inserted row.
"""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Index, Integer, String

from app.models.types import JsonDocument, utcnow


class AuditEvent(Model):
    """Who changed which row of which table, when, how (web, API, CLI), old → new values."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_table_row", "table_name", "row_id", "id"),
        # the audit page's filters (newest first within each)
        Index("ix_audit_case", "case_id", "id"),
        Index("ix_audit_actor", "actor_id", "id"),
        Index("ix_audit_action", "action", "id"),
        Index("ix_audit_at", "at"),
        Index("uq_audit_seq", "seq", unique=True),
    )

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id = Column(Integer)  # no foreign key: the log outlives the accounts it names
    via = Column(String(8), nullable=False)  # web | api | cli
    table_name = Column(String(64), nullable=False)
    row_id = Column(Integer)
    action = Column(String(8), nullable=False)  # insert | update | delete | download | export
    changes = Column(JsonDocument, nullable=False, default=dict)  # personal data masked
    # The case the row belongs to (the case itself, or the case of a party, agreement, …),
    # resolved when the row is written: an update of a child row does not carry its case_id.
    case_id = Column(Integer)
    # Position in the chain: 1, 2, 3, … without holes (ids may skip: a rolled-back insert
    # still uses up a PostgreSQL sequence value), so a removed row shows as a gap.
    seq = Column(Integer, nullable=False)
    prev_hash = Column(String(64), nullable=False)
    row_hash = Column(String(64), nullable=False)
