"""Idempotency keys of API POSTs: the first answer, kept so a retried POST gets it again."""
from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from app.models.types import JsonDocument, utcnow


class IdempotencyKey(Model):
    """One ``Idempotency-Key`` a user sent: what was asked (a fingerprint) and what was answered.

    Stored in the transaction of the rows the POST creates, so a crash keeps neither.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),
        Index("ix_idempotency_created", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    key = Column(String(255), nullable=False)
    fingerprint = Column(String(64), nullable=False)  # sha256 of method, path and body
    status = Column(Integer, nullable=False)
    body = Column(Text, nullable=False)
    headers = Column(JsonDocument, nullable=False, default=dict)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
