"""The dashboard's figures for a date range and a reader's scope (``/dashboard/`` and
``GET /api/v1/reports/summary``): one function, :func:`summary`, the same numbers for both.

- **cases**: registered in the range (``Case.created_at``, China-time days), by dispute type,
  by town/street (villages and grids rolled up to their town in SQL: :func:`town_of`, from the
  mapping :func:`area_towns` gives) and
  by China-time month; each type and town also with its count in the previous range of the
  same length, and the total against it (the trend);
- **mediation**: the success rate, defined once in :mod:`app.reports.outcomes` (agreements
  reached ÷ mediations concluded in the range) — use :func:`~app.reports.outcomes.conclusions`
  and :func:`~app.reports.outcomes.success_rate` for the same figure elsewhere;
- **resolution**: cases resolved in the range and the median days from registration;
- **overdue**: open cases with a period overdue today (:mod:`app.reports.overdue`);
- **referrals**: each partner's response times (:mod:`app.reports.referral_times`);
- **visits** and **confirmations**: return-visit satisfaction and judicial confirmations.

Every figure is a GROUP BY (or a count) in the database; Python only adds up the few group
rows. A partner agency's scope has its own referral figures only: the case sections are
``None``.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import gettext
from sqlalchemy import and_, case as sql_case, func, null, select, text
from sqlalchemy.sql import ColumnElement

from app.extensions import db, jiefen
from app.models.area import Area
from app.models.case import Case
from app.reports.outcomes import (
    confirmation_figures,
    conclusions,  # noqa: F401  (the one success-rate definition, for other reports)
    mediation_figures,
    resolution_figures,
    success_rate,  # noqa: F401
    visit_figures,
)
from app.reports.overdue import OVERDUE_NOTE, overdue_count
from app.reports.periods import Period
from app.reports.referral_times import referral_figures
from app.reports.scope import ReportScope
from app.reports.sql import local_month


def area_towns():
    """A recursive CTE ``(area_id, town_id)``: every town/street maps to itself and each
    village, community or grid below it to its town. Areas above a town (the district) are
    not in it. Built once per query from the area table (a few hundred rows at most)."""
    towns = select(Area.id.label("area_id"), Area.id.label("town_id")).where(Area.level == "town")
    tree = towns.cte("area_town", recursive=True)
    return tree.union_all(select(Area.id, tree.c.town_id).where(Area.parent_id == tree.c.area_id))


def change_pct(current: int, previous: int) -> Optional[float]:
    """The change from ``previous`` to ``current`` in percent (one decimal); ``None`` from zero."""
    return round(100.0 * (current - previous) / previous, 1) if previous else None


def _both(period: Period, before: Period):
    """Counts of cases registered in ``period`` and in ``before`` (just before it), as two sums."""
    current = func.sum(sql_case((Case.created_at >= period.start_utc, 1), else_=0))
    previous = func.sum(sql_case((Case.created_at < period.start_utc, 1), else_=0))
    span = and_(Case.created_at >= before.start_utc, Case.created_at < period.end_utc)
    return current, previous, span


def cases_by_type(where: ColumnElement, period: Period, before: Period) -> list[dict]:
    """``[{"code", "label", "count", "previous"}]``, most cases first: one GROUP BY over both ranges."""
    current, previous, span = _both(period, before)
    rows = db.session.execute(
        select(Case.dispute_type, current, previous).where(where, span).group_by(Case.dispute_type)).all()
    dispatcher = jiefen().dispatcher
    out = [{"code": code, "label": str(dispatcher.type_label(code)), "count": int(n or 0), "previous": int(p or 0)}
           for code, n, p in rows]
    return sorted(out, key=lambda r: (-r["count"], -r["previous"], r["code"]))


def town_mapping() -> tuple[dict[int, list[int]], dict[int, str]]:
    """``({town id: [its area and every area below it]}, {town id: name})``, read once with
    :func:`area_towns` (one small query over the area table)."""
    towns = area_towns()
    town = Area.__table__.alias("town")
    areas: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for area_id, town_id, name in db.session.execute(
            select(towns.c.area_id, towns.c.town_id, town.c.name).join(town, town.c.id == towns.c.town_id)):
        areas.setdefault(town_id, []).append(area_id)
        names[town_id] = name
    return areas, names


def town_of(area_column, areas: dict[int, list[int]]) -> ColumnElement:
    """The town of ``area_column`` as an SQL expression built from the mapping (``NULL`` above
    a town or with no area): the cases are rolled up in the database, not here."""
    if not areas:
        return null()
    return sql_case(*[(area_column.in_(sorted(ids)), town_id) for town_id, ids in sorted(areas.items())],
                    else_=null())


def cases_by_area(where: ColumnElement, period: Period, before: Period) -> list[dict]:
    """``[{"area_id", "name", "count", "previous"}]`` per town/street, most cases first; cases
    registered at the district itself or with no area come last as ``area_id`` ``None``.
    One GROUP BY over both ranges, the area rolled up to its town by :func:`town_of`."""
    current, previous, span = _both(period, before)
    areas, names = town_mapping()
    town = town_of(Case.area_id, areas).label("town_id")
    rows = db.session.execute(select(town, current, previous).where(where, span).group_by(town)).all()
    out = [{"area_id": town_id, "name": names[town_id] if town_id is not None else gettext("District level / no town"),
            "count": int(n or 0), "previous": int(p or 0)} for town_id, n, p in rows]
    return sorted(out, key=lambda r: (r["area_id"] is None, -r["count"], -r["previous"], r["name"]))


def cases_by_month(where: ColumnElement, period: Period) -> list[dict]:
    """``[{"month": "YYYY-MM", "count"}]`` for every China-time month the range touches (the
    first and last may be partial), zeros included: one GROUP BY."""
    month = local_month(Case.created_at)
    counts = dict(db.session.execute(
        select(month, func.count(Case.id))
        .where(where, Case.created_at >= period.start_utc, Case.created_at < period.end_utc)
        .group_by(month)
    ).all())
    return [{"month": key, "count": int(counts.get(key, 0))} for key in period.months()]


def without_jit() -> None:
    """On PostgreSQL, no JIT compilation for the rest of this transaction (``SET LOCAL``).

    The planner's cost of the overdue count (correlated lookups per open case) passes the JIT
    thresholds, and compiling it took 2.0 s of a 2.8 s statement at 100,000 cases; the
    dashboard's statements run in milliseconds to a few hundred without it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def summary(scope: ReportScope, period: Period, today: dt.date) -> dict:
    """Every figure of the dashboard for ``scope`` and ``period`` (see the module docstring)."""
    without_jit()
    before = period.previous()
    out = {
        "range": {"from": period.first.isoformat(), "to": period.last.isoformat(), "days": period.days},
        "previous_range": {"from": before.first.isoformat(), "to": before.last.isoformat()},
        "scope": {"kind": scope.kind, "label": scope.label},
        "as_of": today.isoformat(),
        "referrals": referral_figures(scope, period, today),
    }
    if scope.kind == "partner":
        out.update(cases=None, by_type=None, by_area=None, by_month=None, mediation=None, resolution=None,
                   overdue=None, visits=None, confirmations=None)
        return out
    where = scope.case_clause()
    by_type = cases_by_type(where, period, before)
    total = sum(r["count"] for r in by_type)
    previous = sum(r["previous"] for r in by_type)
    out.update(
        cases={"total": total, "previous": previous, "change_pct": change_pct(total, previous)},
        by_type=by_type,
        by_area=cases_by_area(where, period, before),
        by_month=cases_by_month(where, period),
        mediation=mediation_figures(where, period),
        resolution=resolution_figures(where, period),
        overdue={"count": overdue_count(where, today), "note": str(OVERDUE_NOTE)},
        visits=visit_figures(where, period),
        confirmations=confirmation_figures(where, period),
    )
    return out

