"""How mediations end and how long cases take: the success rate, days to resolution, return
visits and judicial confirmations, each one grouped SQL query over the cases in a scope.

**Mediation success rate** (调解成功率), one definition for every report:

    agreements reached ÷ mediations concluded, both counted in the period.

A mediation *concludes* when its case first enters ``agreement_reached`` (the agreement,
written or oral — :class:`~app.models.outcome.Agreement` — is saved with that step) or
``mediation_failed`` (the state machine, :mod:`app.lifecycle.machine`: from a scheduled or
running mediation). It is counted in the period holding that step's China-time day, read from
the case's timeline (``TimelineEvent.to_state``). A case withdrawn, merged or sent to
litigation before either step had no concluded mediation and is in neither number; what
happens after an agreement (judicial confirmation refused, terms unperformed) does not undo it.
No mediation concluded: the rate is ``None``, shown as "—".

**Days to resolution** (办结用时): from registration (``Case.created_at``) to the moment the
case ended (``Case.closed_at``), in days, for the cases that ended in the period by being
closed, withdrawn or transferred to litigation or arbitration; a case merged into another is
not resolved (its dispute goes on in the other case). The median is computed by the database
(:func:`app.reports.sql.median`).
"""
from __future__ import annotations

from typing import Optional

from sqlalchemy import and_, case as sql_case, distinct, func, select
from sqlalchemy.sql.elements import True_
from sqlalchemy.sql import ColumnElement, Select

from app.extensions import db
from app.models.case import Case
from app.models.lifecycle import TimelineEvent
from app.models.outcome import CONFIRMATION_RESULTS, JudicialConfirmation, ReturnVisit
from app.reports.periods import Period
from app.reports.sql import days_between

REACHED = "agreement_reached"
FAILED = "mediation_failed"
RESOLVED_STATES = ("closed", "withdrawn", "transferred")
SATISFACTION = (1, 2, 3, 4, 5)


def _of_cases(query: Select, case_column, where: ColumnElement) -> Select:
    """``query`` limited to the cases matching ``where``: joined to ``cases`` only when the
    clause says anything (the district's ``true`` needs no join)."""
    if isinstance(where, True_):
        return query
    return query.join(Case, Case.id == case_column).where(where)


def success_rate(reached: int, concluded: int) -> Optional[float]:
    """``reached / concluded`` as a percentage with one decimal, ``None`` when nothing concluded."""
    return round(100.0 * reached / concluded, 1) if concluded else None


def conclusions(where: ColumnElement, period: Period, *group_by) -> Select:
    """``SELECT *group_by, concluded, reached`` over the mediations concluded in ``period`` of
    the cases matching ``where`` (see the module docstring), grouped by ``group_by`` (columns of
    ``Case``; none: one row), the group values first in the rows.

    One pass over the period's timeline steps into ``agreement_reached``/``mediation_failed``
    (measured faster than probing each case's timeline, on SQLite and PostgreSQL); ``cases`` is
    joined only when ``where`` or ``group_by`` needs it."""
    concluded = func.count(distinct(TimelineEvent.case_id))
    reached = func.count(distinct(sql_case((TimelineEvent.to_state == REACHED, TimelineEvent.case_id))))
    query = (select(*group_by, concluded.label("concluded"), reached.label("reached"))
             .select_from(TimelineEvent)
             .where(TimelineEvent.to_state.in_((REACHED, FAILED)), TimelineEvent.at >= period.start_utc,
                    TimelineEvent.at < period.end_utc))
    if group_by:
        query = query.join(Case, Case.id == TimelineEvent.case_id).where(where)
    else:
        query = _of_cases(query, TimelineEvent.case_id, where)
    return query.group_by(*group_by) if group_by else query


def mediation_figures(where: ColumnElement, period: Period) -> dict:
    """``{"concluded", "reached", "failed", "success_rate"}`` for the cases matching ``where``."""
    row = db.session.execute(conclusions(where, period)).one()
    concluded, reached = int(row.concluded or 0), int(row.reached or 0)
    return {"concluded": concluded, "reached": reached, "failed": concluded - reached,
            "success_rate": success_rate(reached, concluded)}


def resolved_clause(where: ColumnElement, period: Period) -> ColumnElement:
    """The cases matching ``where`` that were resolved in ``period`` (module docstring)."""
    return and_(where, Case.status.in_(RESOLVED_STATES), Case.closed_at >= period.start_utc,
                Case.closed_at < period.end_utc)


def resolution_figures(where: ColumnElement, period: Period) -> dict:
    """``{"resolved", "median_days"}``: how many cases ended in the period, and the median days
    from registration to the end (one decimal; ``None`` when none ended). One statement."""
    resolved, middle = count_and_median(
        select(days_between(Case.closed_at, Case.created_at)).where(resolved_clause(where, period)))
    return {"resolved": resolved, "median_days": None if middle is None else round(middle, 1)}


def count_and_median(values: Select) -> tuple[int, Optional[float]]:
    """How many non-null values the one-column ``values`` query has, and their median, in one
    statement: ``percentile_cont`` on PostgreSQL; on SQLite the middle one or two values by
    their rank among all (a window over the values, sorted once)."""
    sub = values.subquery()
    value = list(sub.c)[0]
    if db.engine.dialect.name == "postgresql":
        n, middle = db.session.execute(
            select(func.count(value), func.percentile_cont(0.5).within_group(value)).where(value.is_not(None))).one()
        return int(n or 0), None if middle is None else float(middle)
    ranked = select(value.label("v"), func.row_number().over(order_by=value).label("rn"),
                    func.count().over().label("n")).where(value.is_not(None)).subquery()
    n, middle = db.session.execute(
        select(func.max(ranked.c.n), func.avg(ranked.c.v))
        .where(ranked.c.rn.between((ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2))).one()
    return int(n or 0), None if middle is None else float(middle)


def visit_figures(where: ColumnElement, period: Period) -> dict:
    """Return visits done in the period (``done_on``) on the cases matching ``where``: how many,
    how many gave a satisfaction score, the average score (one decimal), the count of each score
    1–5, and the share of visits that checked the terms finding them performed. One grouped
    query (by score): the few group rows are added up here."""
    performed = func.sum(sql_case((ReturnVisit.terms_performed.is_(True), 1), else_=0))
    checked = func.sum(sql_case((ReturnVisit.terms_performed.is_not(None), 1), else_=0))
    rows = db.session.execute(_of_cases(
        select(ReturnVisit.satisfaction, func.count(ReturnVisit.id), performed, checked)
        .where(ReturnVisit.done_on.is_not(None), ReturnVisit.done_on >= period.first,
               ReturnVisit.done_on <= period.last)
        .group_by(ReturnVisit.satisfaction), ReturnVisit.case_id, where)
    ).all()
    distribution = {score: 0 for score in SATISFACTION}
    done = terms_performed = terms_checked = 0
    for score, n, yes, known in rows:
        done += n
        terms_performed += int(yes or 0)
        terms_checked += int(known or 0)
        if score in distribution:
            distribution[score] = n
    rated = sum(distribution.values())
    total = sum(score * n for score, n in distribution.items())
    return {
        "done": done,
        "rated": rated,
        "average_satisfaction": round(total / rated, 1) if rated else None,
        "distribution": [{"score": score, "count": n} for score, n in distribution.items()],
        "terms_checked": terms_checked,
        "terms_performed": terms_performed,
        "terms_performed_rate": success_rate(terms_performed, terms_checked),
    }


def confirmation_figures(where: ColumnElement, period: Period) -> dict:
    """Judicial confirmations applied for in the period (``applied_on``) on the cases matching
    ``where``, by result: ``{"applied", "confirmed", "rejected", "pending"}``. One grouped query."""
    out = {code: 0 for code in CONFIRMATION_RESULTS}
    for result, n in db.session.execute(_of_cases(
        select(JudicialConfirmation.result, func.count(JudicialConfirmation.id))
        .where(JudicialConfirmation.applied_on >= period.first, JudicialConfirmation.applied_on <= period.last)
        .group_by(JudicialConfirmation.result), JudicialConfirmation.case_id, where)
    ):
        out[result] = out.get(result, 0) + n
    return {"applied": sum(out.values()), **out}
