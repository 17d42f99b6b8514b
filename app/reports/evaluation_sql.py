"""The evaluation's measures per unit, each one SQL GROUP BY over the cases a unit answers for.

Who answers for a case, per level (:class:`Attribution`):

- ``department`` — the court's own bodies (``Organization.is_court``): the case's handling
  organisation when it is a court body; otherwise the court body of the case's responsible
  staff member (their ``Membership``). One case counts for one department at most.
- ``centre`` — the case's handling organisation when it is not a court body nor a partner:
  governance centres, mediation committees, companies, litigation workstations.
- ``mediator`` — ``Case.mediator_id``.
- ``judge`` — the judges on duty who recorded guidance (``GuidanceLog``) on the case in the
  period: their cases are the cases they guided.
- ``staff`` — ``Case.responsible_staff_id`` (the cases-per-staff view, unranked).

The measures are counted over those cases within the reader's scope, with the definitions
every report shares: the success rate and days to resolution of :mod:`app.reports.outcomes`,
"answered on time" of :mod:`app.reports.referral_times`. **Cases handled** in a period: cases
registered before the period ended and not finished before it began (in hand at some moment
of it, :func:`handled_in`); for a judge, the cases they guided in the period.
**Referral timeliness**: of the referrals sent in the period on the unit's cases, those
answered by their due day ÷ those whose answer is decided (answered, or still waiting past
the due day today); returned or withdrawn referrals and those still within their time are
not judged. Guidance sessions are counted from the guidance
log itself: by judge, by the centre where they were held, by the mediators guided, and for a
department by the judges who are its members. "Overdue" is the dashboard's SQL count of cases
overdue and still open (:mod:`app.reports.overdue`), taken on the period's last day.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import and_, case as sql_case, distinct, func, or_, select, true
from sqlalchemy.orm import aliased, join as orm_join, outerjoin as orm_outerjoin

from app.extensions import db
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.duty import DutyShift, GuidanceLog, guidance_mediator
from app.models.lifecycle import TimelineEvent
from app.models.membership import Membership
from app.models.mediator import Mediator
from app.models.organization import COURT_KINDS, Organization
from app.models.outcome import ReturnVisit
from app.models.referral import Referral
from app.reports.outcomes import FAILED, REACHED, resolved_clause
from app.reports.periods import Period
from app.reports.scope import ReportScope
from app.lifecycle.referrals import AWAITING
from app.reports.days import court_day_of
from app.reports.referral_times import ANSWERED
from app.reports.sql import days_between, medians_by

RANKED_LEVELS = ("department", "centre", "mediator", "judge")
STAFF_LEVEL = "staff"
LEVELS = RANKED_LEVELS + (STAFF_LEVEL,)
COURT = sorted(COURT_KINDS)
PARTNER = "partner_agency"


@dataclass(frozen=True)
class Frame:
    """What one evaluation reads: the period, the reader's scope, and for a centre the bodies
    it answers for (itself, the bodies under it and those located in its areas)."""

    period: Period
    scope: ReportScope
    today: dt.date
    own_bodies: Optional[frozenset]  # None: the whole district


def handled_in(period: Period):
    """Cases in hand at some moment of ``period``: registered before its end, not finished
    before its start."""
    return and_(Case.created_at < period.end_utc,
                or_(Case.closed_at.is_(None), Case.closed_at >= period.start_utc))


def resolved_in(period: Period):
    """Cases resolved in ``period`` (closed, withdrawn or transferred: app.reports.outcomes)."""
    return resolved_clause(true(), period)


def resolution_days():
    """Days from registration to the end, as :mod:`app.reports.outcomes` counts them."""
    return days_between(Case.closed_at, Case.created_at)


def own_bodies(scope: ReportScope) -> Optional[frozenset]:
    """The organisations a centre's reports may name (``None`` for the district): the
    centre, the bodies whose parent it is, and the non-court bodies located in its areas."""
    if scope.is_district:
        return None
    if scope.kind != "centre" or scope.organization_id is None:
        return frozenset()
    clauses = [Organization.id == scope.organization_id, Organization.parent_id == scope.organization_id]
    if scope.area_ids:
        clauses.append(and_(Organization.area_id.in_(sorted(scope.area_ids)),
                            Organization.kind.not_in(COURT + [PARTNER])))
    return frozenset(db.session.scalars(select(Organization.id).where(or_(*clauses))))


class Attribution:
    """The cases one level's units answer for, as the FROM and the key of every measure query."""

    def __init__(self, level: str, frame: Frame):
        self.level, self.frame = level, frame
        self.empty = False
        bodies = frame.own_bodies
        where = [frame.scope.case_clause()]
        if level == "centre":
            handling = aliased(Organization)
            self.key = Case.organization_id
            self.froms = orm_join(Case, handling, handling.id == Case.organization_id)
            where.append(handling.kind.not_in(COURT + [PARTNER]))
            if bodies is not None:
                where.append(Case.organization_id.in_(sorted(bodies)))
        elif level == "mediator":
            self.key = Case.mediator_id
            self.froms = Case
            if bodies is not None:
                where.append(Case.mediator_id.in_(select(Mediator.id).where(Mediator.organization_id.in_(sorted(bodies)))))
        elif level == "department":
            handling = aliased(Organization)
            staff_body = (select(Membership.user_id, Membership.organization_id)
                          .join(Organization, Organization.id == Membership.organization_id)
                          .where(Organization.kind.in_(COURT)).subquery())
            self.key = sql_case((handling.kind.in_(COURT), Case.organization_id), else_=staff_body.c.organization_id)
            self.froms = orm_outerjoin(orm_outerjoin(Case, handling, handling.id == Case.organization_id),
                                       staff_body, staff_body.c.user_id == Case.responsible_staff_id)
            # The court's departments are not a centre's to rank.
            self.empty = bodies is not None
        elif level == "judge":
            period = frame.period
            pairs = select(GuidanceLog.judge_id.label("k"), GuidanceLog.case_id.label("case_id")).where(
                GuidanceLog.day >= period.first, GuidanceLog.day <= period.last, GuidanceLog.case_id.is_not(None))
            if bodies is not None:
                pairs = pairs.where(GuidanceLog.centre_id.in_(sorted(bodies)))
            pairs = pairs.distinct().subquery()
            self.key = pairs.c.k
            self.froms = orm_join(Case, pairs, pairs.c.case_id == Case.id)
        elif level == STAFF_LEVEL:
            self.key = Case.responsible_staff_id
            self.froms = Case
        else:
            raise ValueError(level)
        self.where = and_(*where, self.key.is_not(None))

    def pairs(self, *columns, join=None, where=()):
        """``SELECT key, columns …`` over the level's cases (joined to ``join``, a
        ``(table, onclause)``, when given), one row per case (and joined row)."""
        froms = self.froms if join is None else orm_join(self.froms, *join)
        return select(self.key.label("k"), *columns).select_from(froms).where(self.where, *where)

    def query(self, *columns, join=None, where=()):
        """:meth:`pairs` grouped by the unit: ``SELECT key, aggregates … GROUP BY key``."""
        return self.pairs(*columns, join=join, where=where).group_by(self.key)

    def rows(self, *columns, join=None, where=()) -> dict:
        """``{key: row}`` of :meth:`query` (nothing for a level the reader has no rows of)."""
        if self.empty:
            return {}
        return {row[0]: row for row in db.session.execute(self.query(*columns, join=join, where=where))}


def case_measures(att: Attribution) -> dict:
    """``{key: {measure: value}}`` for the case-based measures of ``att``'s units."""
    period, today = att.frame.period, att.frame.today
    out: dict = {}

    def put(key, **values):
        out.setdefault(key, {}).update(values)

    handled_where = () if att.level == "judge" else (handled_in(period),)
    resolved = sql_case((resolved_in(period), Case.id))
    for key, handled, closed in att.rows(func.count(distinct(Case.id)), func.count(distinct(resolved)),
                                         where=handled_where).values():
        put(key, cases_handled=int(handled), resolved=int(closed))
    # app.reports.outcomes: a mediation concludes with the first move to an agreement or a
    # failure, counted in the period holding that moment.
    ended = and_(TimelineEvent.case_id == Case.id, TimelineEvent.to_state.in_((REACHED, FAILED)),
                 TimelineEvent.at >= period.start_utc, TimelineEvent.at < period.end_utc)
    reached = sql_case((TimelineEvent.to_state == REACHED, TimelineEvent.case_id))
    for key, n, agreed in att.rows(func.count(distinct(TimelineEvent.case_id)), func.count(distinct(reached)),
                                   join=(TimelineEvent, ended)).values():
        put(key, concluded=int(n), reached=int(agreed))
    if not att.empty:
        for key, days in medians_by(att.pairs(resolution_days(), where=(resolved_in(period),))).items():
            put(key, median_days=days)
    overdue = overdue_clause(att.frame)
    if overdue is not None:
        for key, n in att.rows(func.count(distinct(Case.id)), where=(overdue,)).values():
            put(key, overdue=int(n))
    visit = and_(ReturnVisit.case_id == Case.id, ReturnVisit.done_on >= period.first, ReturnVisit.done_on <= period.last)
    for key, done, rated, average in att.rows(func.count(ReturnVisit.id), func.count(ReturnVisit.satisfaction),
                                              func.avg(ReturnVisit.satisfaction), join=(ReturnVisit, visit)).values():
        put(key, visits_done=int(done), visits_rated=int(rated),
            satisfaction=float(average) if average is not None else None)
    answered = and_(Referral.status.in_(ANSWERED), Referral.responded_at.is_not(None))
    on_time = and_(answered, court_day_of(Referral.responded_at) <= Referral.due_on)
    late_waiting = and_(Referral.status.in_(AWAITING), Referral.due_on < today)
    sent = and_(Referral.case_id == Case.id, Referral.sent_at >= period.start_utc, Referral.sent_at < period.end_utc)
    for key, judged, timely in att.rows(func.count(Referral.id), func.sum(sql_case((on_time, 1), else_=0)),
                                        join=(Referral, sent), where=(answered | late_waiting,)).values():
        put(key, referrals_judged=int(judged), referrals_on_time=int(timely or 0))
    return out


def guidance_counts(level: str, frame: Frame) -> dict:
    """``{key: sessions}``: guidance log rows of the period, by judge, by the centre where
    they were held, by mediator guided, or by the judges' department."""
    period, bodies = frame.period, frame.own_bodies
    where = [GuidanceLog.day >= period.first, GuidanceLog.day <= period.last]
    if bodies is not None:
        if level == "department":
            return {}
        where.append(GuidanceLog.centre_id.in_(sorted(bodies)))
    if level == "judge":
        query = select(GuidanceLog.judge_id, func.count(GuidanceLog.id)).group_by(GuidanceLog.judge_id)
    elif level == "centre":
        query = select(GuidanceLog.centre_id, func.count(GuidanceLog.id)).group_by(GuidanceLog.centre_id)
    elif level == "mediator":
        query = (select(guidance_mediator.c.mediator_id, func.count(distinct(GuidanceLog.id)))
                 .join(guidance_mediator, guidance_mediator.c.guidance_id == GuidanceLog.id)
                 .group_by(guidance_mediator.c.mediator_id))
    elif level == "department":
        query = (select(Membership.organization_id, func.count(GuidanceLog.id))
                 .join(Membership, Membership.user_id == GuidanceLog.judge_id)
                 .join(Organization, Organization.id == Membership.organization_id)
                 .where(Organization.kind.in_(COURT)).group_by(Membership.organization_id))
    else:
        return {}
    return {key: int(n) for key, n in db.session.execute(query.where(*where))}


def shift_counts(frame: Frame) -> dict:
    """``{judge id: half days on duty}`` in the period (at the centre's bodies for a centre)."""
    period = frame.period
    query = select(DutyShift.judge_id, func.count(DutyShift.id)).where(
        DutyShift.day >= period.first, DutyShift.day <= period.last).group_by(DutyShift.judge_id)
    if frame.own_bodies is not None:
        query = query.where(DutyShift.centre_id.in_(sorted(frame.own_bodies)))
    return {key: int(n) for key, n in db.session.execute(query)}


def overdue_clause(frame: Frame):
    """The cases in scope overdue and still open (超期未结): a period overdue on the period's last
    day — today for the current period — counted in SQL by :mod:`app.reports.overdue` (the
    dashboard's count), among the cases still running. ``None`` for a period not begun yet."""
    from app.reports.overdue import overdue_case_ids

    period = frame.period
    if period.first > frame.today:
        return None
    return Case.id.in_(overdue_case_ids(frame.scope.case_clause(), min(period.last, frame.today)))


def staff_counts(frame: Frame) -> tuple[dict, int]:
    """``({staff id: (open now, closed in the period)}, open cases with nobody responsible)``
    in scope: every case is someone's."""
    period = frame.period
    att = Attribution(STAFF_LEVEL, frame)
    closed = sql_case((and_(Case.closed_at >= period.start_utc, Case.closed_at < period.end_utc), Case.id))
    open_now = sql_case((Case.status.in_(sorted(OPEN_STATES)), Case.id))
    rows = {key: (int(o), int(c)) for key, o, c in
            att.rows(func.count(distinct(open_now)), func.count(distinct(closed))).values() if o or c}
    nobody = db.session.scalar(select(func.count(Case.id)).where(
        frame.scope.case_clause(), Case.status.in_(sorted(OPEN_STATES)), Case.responsible_staff_id.is_(None))) or 0
    return rows, int(nobody)
