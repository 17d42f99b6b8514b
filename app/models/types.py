"""Column types shared by the core tables."""
import datetime as dt

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact); plain JSON text elsewhere.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """Current time in UTC; every stored timestamp is UTC."""
    # Read through the one clock (looked up at call time), so that tests that freeze it and
    # the demo, which replays its year of cases at the moments they happened, move it too.
    from app.services import clock

    return clock.utc_now()
