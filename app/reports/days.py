"""China-time days as SQL expressions that compare with ``Date`` columns, on PostgreSQL and
SQLite alike (:mod:`app.reports.sql` gives text days, for grouping; these give days to compare
and subtract, for deadlines and "answered on time")."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, Integer, cast, func, literal
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.reports.sql import _sqlite_offset
from app.services.clock import court_zone


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def court_day_of(column) -> ColumnElement:
    """The court's calendar day of a UTC timestamp column: a ``date`` on PostgreSQL, ISO text
    on SQLite (where ``Date`` columns are ISO text too, so comparisons agree)."""
    if _postgres():
        return cast(func.timezone(court_zone().key, column), Date)
    return func.date(column, _sqlite_offset())


def day_literal(day: dt.date) -> ColumnElement:
    """A Python date as an SQL date."""
    return literal(day, Date)


def days_from(later, earlier) -> ColumnElement:
    """Whole days from the day ``earlier`` to the day ``later`` (date expressions)."""
    if _postgres():
        # date - date is an integer number of days in PostgreSQL
        return cast(later, Date) - cast(earlier, Date)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def hours_between(later, earlier) -> ColumnElement:
    """Hours from timestamp ``earlier`` to timestamp ``later``, as a fraction."""
    if _postgres():
        return func.extract("epoch", later - earlier) / 3600.0
    return cast((func.julianday(later) - func.julianday(earlier)) * 24.0, Float)
