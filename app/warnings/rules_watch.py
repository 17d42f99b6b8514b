"""The core's rules about time: sensitive periods, cases overdue, referrals left unanswered.

Alerts here belong to a town or street (villages and grids rolled up), so that each centre
sees its own: one alert per sensitive period and town, per town with overdue cases, per
partner and town with unanswered referrals.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, true

from app.extensions import db
from app.lifecycle.deadlines import deadlines_for_cases
from app.lifecycle.machine import OPEN_STATES
from app.lifecycle.referrals import AWAITING
from app.models.case import Case
from app.models.organization import Organization
from app.models.party import Party
from app.models.referral import Referral
from app.models.warning import SensitivePeriod
from app.services.areas import descendant_ids
from app.services.settings import setting_int
from app.warnings import settings as keys
from app.warnings.findings import Finding
from app.warnings.rules import SIDES
from app.warnings.sql import MAX_FINDINGS, evidence, town_map

# Periods in force on one day that a scan looks at (administrators define a handful a year).
MAX_PERIODS = 50
# Open cases whose deadlines one scan counts (the oldest first), and how many at a time: the
# deadline engine runs in Python, so the overdue rule is bounded like a page of My work is.
OVERDUE_SCAN_LIMIT = 5000
OVERDUE_BATCH = 250
NO_TOWN = "-"  # the group of cases placed above any town (the district itself)


def _town_key(column):
    """A town id as text for grouping, with one group for cases above any town."""
    return func.coalesce(cast(column, String), literal(NO_TOWN))


def _town(key: str):
    return None if key == NO_TOWN else int(key)


# --- sensitive periods -------------------------------------------------------------------------


def _group_case_ids(minimum: int):
    """``SELECT case_id`` of the cases with at least ``minimum`` parties on one side."""
    return (select(Party.case_id).where(Party.role.in_(SIDES))
            .group_by(Party.case_id, Party.role).having(func.count(Party.id) >= minimum))


def sensitive_periods(day: dt.date) -> list[Finding]:
    """During a sensitive period an administrator defined, the open high-risk cases and open
    group disputes in its area (the whole district when it names none), one alert per town."""
    periods = db.session.scalars(
        select(SensitivePeriod).where(SensitivePeriod.starts_on <= day, SensitivePeriod.ends_on >= day)
        .order_by(SensitivePeriod.starts_on, SensitivePeriod.id).limit(MAX_PERIODS)).all()
    if not periods:
        return []
    minimum = setting_int(keys.GROUP_PARTIES, day)
    towns = town_map()
    high = Case.risk_level == "high"
    grouped = Case.id.in_(_group_case_ids(minimum))
    out = []
    for period in periods:
        place = Case.area_id.in_(sorted(descendant_ids([period.area_id]))) if period.area_id else true()
        rows = (select(_town_key(towns.c.town_id).label("subject"), Case.id.label("case_id"),
                       Case.created_at.label("created_at"), towns.c.town_id.label("town_id"),
                       case((high, 1), else_=0).label("high"), case((grouped, 1), else_=0).label("grouped"))
                .select_from(Case).outerjoin(towns, towns.c.area_id == Case.area_id)
                .where(Case.status.in_(OPEN_STATES), place, or_(high, grouped))
                .subquery("period_rows"))
        counts = db.session.execute(
            select(rows.c.subject, func.count(rows.c.case_id), func.sum(rows.c.high), func.sum(rows.c.grouped))
            .group_by(rows.c.subject).order_by(rows.c.subject).limit(MAX_FINDINGS)
        ).all()
        found = evidence(rows, [c[0] for c in counts])
        for key, count, high_n, group_n in counts:
            out.append(Finding(
                rule="core.sensitive_period", evidence_key=f"period:{period.id}:town:{key}", level="serious",
                details={"period": period.name, "period_id": period.id, "starts_on": period.starts_on.isoformat(),
                         "ends_on": period.ends_on.isoformat(), "count": int(count), "high_risk": int(high_n or 0),
                         "group_disputes": int(group_n or 0), "group_threshold": minimum},
                case_ids=found[key].case_ids, case_count=int(count),
                area_id=_town(key) if _town(key) is not None else period.area_id))
    return out


# --- cases overdue -------------------------------------------------------------------------------


def overdue_ids(limit: int = OVERDUE_SCAN_LIMIT) -> tuple[list[int], int]:
    """Ids of the open cases with a deadline overdue now, as the deadline engine counts them
    (the case page's and My work's notion: every rule of every enabled plugin, extensions,
    suspensions and holidays), among the ``limit`` oldest open cases; and how many were looked at."""
    overdue: list[int] = []
    examined = 0
    after = None  # keyset paging: (created_at, id) of the last case looked at
    while examined < limit:
        query = select(Case).where(Case.status.in_(OPEN_STATES))
        if after is not None:
            query = query.where(or_(Case.created_at > after[0], and_(Case.created_at == after[0], Case.id > after[1])))
        batch = db.session.scalars(query.order_by(Case.created_at, Case.id)
                                   .limit(min(OVERDUE_BATCH, limit - examined))).unique().all()
        if not batch:
            break
        counted = deadlines_for_cases(batch)
        overdue += [c.id for c in batch if any(d.status == "overdue" for d in counted.get(c.id, ()))]
        examined += len(batch)
        after = (batch[-1].created_at, batch[-1].id)
    return overdue, examined


def overdue_cases(day: dt.date) -> list[Finding]:
    """At least ``min_cases`` open cases overdue in one town or street."""
    minimum = setting_int(keys.OVERDUE_MIN, day)
    ids, examined = overdue_ids()
    if not ids:
        return []
    towns = town_map()
    rows = (select(_town_key(towns.c.town_id).label("subject"), Case.id.label("case_id"),
                   Case.created_at.label("created_at"), towns.c.town_id.label("town_id"))
            .select_from(Case).outerjoin(towns, towns.c.area_id == Case.area_id)
            .where(Case.id.in_(ids)).subquery("overdue_rows"))
    n = func.count(rows.c.case_id)
    # grouped over a subquery: the town key carries a bound literal, which PostgreSQL does not
    # match between SELECT and GROUP BY
    counts = db.session.execute(select(rows.c.subject, n).group_by(rows.c.subject).having(n >= minimum)
                                .order_by(n.desc(), rows.c.subject).limit(MAX_FINDINGS)).all()
    found = evidence(rows, [c[0] for c in counts])
    return [Finding(
        rule="core.overdue", evidence_key=f"town:{key}", level="warning",
        # how many were examined only when the bound cut the scan short (else every scan would
        # rewrite the alert as cases open and close)
        details={"count": int(count), "threshold": minimum,
                 **({"examined": examined} if examined >= OVERDUE_SCAN_LIMIT else {})},
        case_ids=found[key].case_ids, case_count=int(count), area_id=_town(key))
        for key, count in counts]


# --- referrals unanswered ---------------------------------------------------------------------------


def unanswered_referrals(day: dt.date) -> list[Finding]:
    """Referrals a partner has not answered (sent or accepted) more than ``grace_days`` after
    their due date: one alert per partner and town, the partner being the body it is about."""
    grace = setting_int(keys.REFERRAL_GRACE, day)
    cutoff = day - dt.timedelta(days=grace)
    towns = town_map()
    subject = cast(Referral.partner_id, String) + literal(":") + _town_key(towns.c.town_id)
    rows = (select(subject.label("subject"), Case.id.label("case_id"), Case.created_at.label("created_at"),
                   towns.c.town_id.label("town_id"), Referral.partner_id.label("partner_id"),
                   Referral.id.label("referral_id"), Referral.due_on.label("due_on"))
            .select_from(Referral).join(Case, Case.id == Referral.case_id)
            .outerjoin(towns, towns.c.area_id == Case.area_id)
            .where(Referral.status.in_(AWAITING), Referral.due_on < cutoff)
            .subquery("referral_rows"))
    n = func.count(rows.c.referral_id)
    groups = db.session.execute(
        select(rows.c.subject, rows.c.partner_id, func.max(rows.c.town_id), n, func.count(func.distinct(rows.c.case_id)),
               func.min(rows.c.due_on))
        .group_by(rows.c.subject, rows.c.partner_id).order_by(n.desc(), rows.c.subject).limit(MAX_FINDINGS)
    ).all()
    if not groups:
        return []
    names = dict(db.session.execute(select(Organization.id, Organization.name)
                                    .where(Organization.id.in_({g[1] for g in groups}))).all())
    found = evidence(rows, [g[0] for g in groups])
    return [Finding(
        rule="core.referral_unanswered", evidence_key=f"partner:{subject}", level="notice",
        details={"partner": names.get(partner_id, ""), "count": int(count), "grace_days": grace,
                 "oldest_due": due.isoformat() if isinstance(due, dt.date) else str(due)},
        case_ids=found[subject].case_ids, case_count=int(cases), area_id=town, organization_id=partner_id)
        for subject, partner_id, town, count, cases, due in groups]
