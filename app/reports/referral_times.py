"""How fast each partner organisation answers the referrals sent to it in a period.

A referral is *sent* at ``sent_at`` (counted in the period holding its China-time day) and
*answered* when the partner answered it (status ``answered`` or ``completed``, with
``responded_at``); the response time is ``responded_at − sent_at`` in hours. *On time*: the
answer's China-time day is not after ``due_on``. *Overdue*: still waiting for the partner
(``sent`` or ``accepted``) after ``due_on``, today. Two statements for every partner at once:
one GROUP BY for the counts and the average, one for the medians
(:func:`app.reports.sql.medians_by`).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import and_, case as sql_case, func, select
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.lifecycle.referrals import AWAITING
from app.models.case import Case
from app.models.organization import Organization
from app.models.referral import Referral
from app.reports.days import court_day_of, hours_between
from app.reports.periods import Period
from app.reports.scope import ReportScope
from app.reports.sql import medians_by

ANSWERED = ("answered", "completed")


def referral_clause(scope: ReportScope) -> ColumnElement:
    """Which referrals the scope covers: a partner's own, else those of the cases in scope."""
    if scope.kind == "partner":
        return Referral.partner_id == scope.organization_id
    if scope.cases is None:
        return Referral.id.is_not(None)
    return Referral.case_id.in_(select(Case.id).where(scope.case_clause()))


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(float(value), 1)


def referral_figures(scope: ReportScope, period: Period, today: dt.date) -> list[dict]:
    """One row per partner that received a referral in the period, most referrals first:
    ``partner_id``, ``partner`` (its name), ``sent``, ``answered``, ``on_time``, ``overdue``,
    ``median_hours`` and ``average_hours`` (one decimal; ``None`` with no answer yet)."""
    in_period = and_(referral_clause(scope), Referral.sent_at >= period.start_utc, Referral.sent_at < period.end_utc)
    answered = and_(Referral.status.in_(ANSWERED), Referral.responded_at.is_not(None))
    hours = hours_between(Referral.responded_at, Referral.sent_at)
    rows = db.session.execute(
        select(
            Referral.partner_id, Organization.name, func.count(Referral.id),
            func.sum(sql_case((answered, 1), else_=0)),
            func.sum(sql_case((and_(answered, court_day_of(Referral.responded_at) <= Referral.due_on), 1), else_=0)),
            func.sum(sql_case((and_(Referral.status.in_(AWAITING), Referral.due_on < today), 1), else_=0)),
            func.avg(sql_case((answered, hours))),
        )
        .join(Organization, Organization.id == Referral.partner_id)
        .where(in_period)
        .group_by(Referral.partner_id, Organization.name)
    ).all()
    medians = medians_by(select(Referral.partner_id, hours).where(in_period, answered)) if rows else {}
    out = [
        {"partner_id": pid, "partner": name, "sent": int(sent), "answered": int(done or 0),
         "on_time": int(on_time or 0), "overdue": int(late or 0),
         "median_hours": _round(medians.get(pid)), "average_hours": _round(mean)}
        for pid, name, sent, done, on_time, late, mean in rows
    ]
    return sorted(out, key=lambda r: (-r["sent"], r["partner"], r["partner_id"]))
