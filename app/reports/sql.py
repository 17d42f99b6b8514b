"""SQL expressions the reports share, written once for PostgreSQL and SQLite: China-time
days and months of a UTC timestamp, spans in days, and a median computed in the database."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Float, cast, func, select
from sqlalchemy.sql import ColumnElement, Select

from app.extensions import db
from app.services.clock import court_zone


def _dialect() -> str:
    return db.engine.dialect.name


def _sqlite_offset() -> str:
    # China keeps one offset all year; SQLite has no zone database, so the offset is applied.
    offset = dt.datetime.now(court_zone()).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes)} minutes"


def local_month(column) -> ColumnElement:
    """``YYYY-MM`` of a UTC timestamp, in China time."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone(court_zone().key, column), "YYYY-MM")
    return func.strftime("%Y-%m", column, _sqlite_offset())


def local_date(column) -> ColumnElement:
    """``YYYY-MM-DD`` of a UTC timestamp, in China time (text, so both databases agree)."""
    if _dialect() == "postgresql":
        return func.to_char(func.timezone(court_zone().key, column), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column, _sqlite_offset())


def days_between(later, earlier) -> ColumnElement:
    """Days from ``earlier`` to ``later`` (timestamps), as a fraction."""
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return cast(func.julianday(later) - func.julianday(earlier), Float)


def median(values: Select) -> Optional[float]:
    """The median of the one-column ``values`` query, computed by the database.

    PostgreSQL: ``percentile_cont(0.5)``. SQLite has no such aggregate: count, then read the
    middle one or two values by ``ORDER BY … LIMIT 2 OFFSET`` (two queries, no rows to Python).
    """
    sub = values.subquery()
    col = list(sub.c)[0]
    if _dialect() == "postgresql":
        found = db.session.scalar(select(func.percentile_cont(0.5).within_group(col)).where(col.is_not(None)))
        return None if found is None else float(found)
    n = db.session.scalar(select(func.count(col)).where(col.is_not(None))) or 0
    if n == 0:
        return None
    middle = list(db.session.scalars(
        select(col).where(col.is_not(None)).order_by(col).limit(2 - n % 2).offset((n - 1) // 2)))
    return float(sum(middle)) / len(middle)


def medians_by(base: Select) -> dict:
    """Median of the second column per value of the first, over ``base`` (a select of the
    two): ``percentile_cont`` on PostgreSQL, a window query on SQLite; one statement."""
    sub = base.subquery()
    k, v = sub.c[0], sub.c[1]
    if _dialect() == "postgresql":
        rows = db.session.execute(
            select(k, func.percentile_cont(0.5).within_group(v)).where(v.is_not(None)).group_by(k))
        return {row[0]: float(row[1]) for row in rows}
    ranked = select(
        k.label("k"), v.label("v"),
        func.row_number().over(partition_by=k, order_by=v).label("rn"),
        func.count().over(partition_by=k).label("n"),
    ).where(v.is_not(None)).subquery()
    rows = db.session.execute(
        select(ranked.c.k, func.avg(ranked.c.v)).where(
            ranked.c.rn.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2)  # floor division: SQLAlchemy 2 makes / true
        ).group_by(ranked.c.k)
    )
    return {row[0]: float(row[1]) for row in rows}
