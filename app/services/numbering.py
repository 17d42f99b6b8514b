"""Case numbers from a per-year counter row, incremented inside the database.

``UPDATE … SET value = value + 1 RETURNING value`` takes the row lock (PostgreSQL) or the
write lock (SQLite), so concurrent registrations never get the same number; ``max()+1``
would.
"""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.models.case import CaseCounter


def next_serial(session, year: int) -> int:
    """Reserve and return the next serial number of ``year`` (inside the caller's txn)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(CaseCounter).values(year=year, value=0).on_conflict_do_nothing(
            index_elements=["year"]
        )
    )
    return session.execute(
        update(CaseCounter)
        .where(CaseCounter.year == year)
        .values(value=CaseCounter.value + 1)
        .returning(CaseCounter.value)
    ).scalar_one()


def format_case_no(prefix: str, year: int, serial: int) -> str:
    """The number printed on documents, e.g. ``（2026）汕城解第00012号``."""
    return f"（{year}）{prefix}第{serial:05d}号"
