"""Column types shared by the core tables."""
import datetime as dt

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact); plain JSON text elsewhere.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Current time in UTC; every stored timestamp is UTC."""
    return dt.datetime.now(dt.timezone.utc)
