"""The core's rules about numbers of cases: spikes, repeat parties and group disputes.

Each rule is one grouped query (GROUP BY / HAVING) over a bounded window of cases, using the
indexes it was built for (``cases(area_id, created_at)``, ``cases(dispute_type, created_at)``,
``party(id_number)``, ``party(name, mobile)``), then one windowed query for the cases behind
the groups it kept (:func:`app.warnings.sql.evidence`). Thresholds are the dated settings in
force on the day of the scan (:mod:`app.warnings.settings`).

Where a finding is about a person or a respondent rather than a place, its alert belongs to
the town of the newest case behind it: the centre that handled the last case is the one to act.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, union_all

from app.services.classification import mask_person_name
from app.extensions import db
from app.lifecycle.deadlines import add_months
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.party import Party
from app.services.settings import setting_decimal, setting_int
from app.warnings import settings as keys
from app.warnings.findings import Finding
from app.warnings.sql import (
    MAX_FINDINGS,
    day_start_utc,
    evidence,
    key_part,
    nonempty,
    person_digest,
    town_map,
)

# The two sides of a case; third parties and agents are not a side.
SIDES = ("applicant", "respondent")


def _round(value: Decimal, places: str = "0.1") -> float:
    return float(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


# --- a spike of one type in one town ------------------------------------------------------------


def spike(day: dt.date) -> list[Finding]:
    """Cases of one type in one town or street (villages and grids rolled up) over the last
    ``days`` days above ``factor`` × the trailing daily average × ``days``, and at least
    ``min_cases`` of them. The trailing average is taken over the ``trailing_days`` before."""
    days = setting_int(keys.SPIKE_DAYS, day)
    trailing = setting_int(keys.SPIKE_TRAILING_DAYS, day)
    factor = setting_decimal(keys.SPIKE_FACTOR, day)
    minimum = setting_int(keys.SPIKE_MIN_CASES, day)
    first = day - dt.timedelta(days=days - 1)
    window_start, window_end = day_start_utc(first), day_start_utc(day + dt.timedelta(days=1))
    trailing_start = day_start_utc(first - dt.timedelta(days=trailing))
    towns = town_map()
    recent = func.sum(case((Case.created_at >= window_start, 1), else_=0))
    before = func.sum(case((Case.created_at < window_start, 1), else_=0))
    # recent > factor × (before / trailing) × days, in whole numbers (factor in hundredths)
    hundredths = int((factor * 100).to_integral_value(rounding=ROUND_HALF_UP))
    groups = db.session.execute(
        select(towns.c.town_id, Case.dispute_type, recent.label("recent"), before.label("before"))
        .select_from(Case).join(towns, towns.c.area_id == Case.area_id)
        .where(Case.created_at >= trailing_start, Case.created_at < window_end, towns.c.town_id.is_not(None))
        .group_by(towns.c.town_id, Case.dispute_type)
        .having(and_(recent >= minimum, recent * (trailing * 100) > before * (hundredths * days)))
        .order_by(recent.desc(), towns.c.town_id, Case.dispute_type)
        .limit(MAX_FINDINGS)
    ).all()
    if not groups:
        return []
    subject = cast(towns.c.town_id, String) + literal(":") + Case.dispute_type
    rows = (select(subject.label("subject"), Case.id.label("case_id"), Case.created_at.label("created_at"),
                   towns.c.town_id.label("town_id"))
            .select_from(Case).join(towns, towns.c.area_id == Case.area_id)
            .where(Case.created_at >= window_start, Case.created_at < window_end).subquery("spike_rows"))
    found = evidence(rows, [f"{town}:{dtype}" for town, dtype, _r, _b in groups])
    out = []
    for town, dtype, count, trailing_count in groups:
        average = Decimal(trailing_count) / trailing
        expected = average * days
        out.append(Finding(
            rule="core.spike", evidence_key=f"town:{town}:type:{dtype}", level="warning",
            details={"dispute_type": dtype, "count": int(count), "days": days, "trailing_days": trailing,
                     "trailing_count": int(trailing_count), "average": _round(average, "0.01"),
                     "expected": _round(expected), "factor": format(factor.normalize(), "f"),
                     "threshold": _round(factor * expected), "min_cases": minimum},
            case_ids=found[f"{town}:{dtype}"].case_ids, case_count=int(count), area_id=town))
    return out


# --- the same person in many cases --------------------------------------------------------------


def _person_rows(since: dt.datetime):
    """``(subject, case_id, created_at, town_id, name, open, recent)`` of every person party of
    an open case or of a case registered since ``since``: by ID number when known, else by name
    and mobile (a name alone identifies nobody)."""
    towns = town_map()
    is_open = Case.status.in_(OPEN_STATES)
    is_recent = Case.created_at >= since
    relevant = [Party.kind == "person", or_(is_open, is_recent)]

    def rows(subject, *where):
        return (select(subject.label("subject"), Case.id.label("case_id"), Case.created_at.label("created_at"),
                       towns.c.town_id.label("town_id"), Party.name.label("name"),
                       case((is_open, Case.id), else_=None).label("open_id"),
                       case((is_recent, Case.id), else_=None).label("recent_id"))
                .select_from(Party).join(Case, Case.id == Party.case_id)
                .outerjoin(towns, towns.c.area_id == Case.area_id)
                .where(*relevant, *where))

    by_id = rows(literal("id:") + Party.id_number, nonempty(Party.id_number).is_not(None))
    by_mobile = rows(literal("nm:") + Party.name + literal("|") + Party.mobile,
                     nonempty(Party.id_number).is_(None), nonempty(Party.mobile).is_not(None))
    return union_all(by_id, by_mobile).subquery("person_rows")


def repeat_parties(day: dt.date) -> list[Finding]:
    """The same person (by ID number when known, else name and mobile) in at least
    ``open_cases`` open cases, or in at least ``cases_12m`` cases registered in the last twelve
    months."""
    open_min = setting_int(keys.REPEAT_OPEN, day)
    year_min = setting_int(keys.REPEAT_12M, day)
    since = day_start_utc(add_months(day, -12) + dt.timedelta(days=1))
    rows = _person_rows(since)
    open_n = func.count(func.distinct(rows.c.open_id))
    recent_n = func.count(func.distinct(rows.c.recent_id))
    every = func.count(func.distinct(rows.c.case_id))
    groups = db.session.execute(
        select(rows.c.subject, open_n.label("open_n"), recent_n.label("recent_n"), func.max(rows.c.name), every)
        .group_by(rows.c.subject)
        .having(or_(open_n >= open_min, recent_n >= year_min))
        .order_by(open_n.desc(), recent_n.desc(), rows.c.subject)
        .limit(MAX_FINDINGS)
    ).all()
    found = evidence(rows, [g[0] for g in groups])
    out = []
    for subject, open_count, recent_count, name, count in groups:
        behind = found[subject]
        out.append(Finding(
            rule="core.repeat_party", evidence_key="person:" + person_digest(subject), level="warning",
            # masked: the alert travels (My work, minutes) to readers who may not reveal
            details={"name": mask_person_name(name), "open_cases": int(open_count), "cases_12m": int(recent_count),
                     "open_threshold": open_min, "threshold_12m": year_min,
                     "identified_by": "id_number" if subject.startswith("id:") else "name_mobile"},
            case_ids=behind.case_ids, case_count=int(count), area_id=behind.town_id))
    return out


# --- group disputes -------------------------------------------------------------------------------


def group_parties(day: dt.date) -> list[Finding]:
    """An open case with at least ``parties`` parties on one side (applicants or respondents)."""
    minimum = setting_int(keys.GROUP_PARTIES, day)
    towns = town_map()
    applicants = func.sum(case((Party.role == "applicant", 1), else_=0))
    respondents = func.sum(case((Party.role == "respondent", 1), else_=0))
    rows = db.session.execute(
        select(Case.id, Case.case_no, towns.c.town_id, applicants, respondents)
        .select_from(Party).join(Case, Case.id == Party.case_id)
        .outerjoin(towns, towns.c.area_id == Case.area_id)
        .where(Case.status.in_(OPEN_STATES), Party.role.in_(SIDES))
        .group_by(Case.id, Case.case_no, towns.c.town_id)
        .having(or_(applicants >= minimum, respondents >= minimum))
        .order_by(Case.id.desc())
        .limit(MAX_FINDINGS)
    ).all()
    out = []
    for case_id, case_no, town, n_applicants, n_respondents in rows:
        side = "applicant" if n_applicants >= n_respondents else "respondent"
        out.append(Finding(
            rule="core.group_parties", evidence_key=f"case:{case_id}", level="serious",
            details={"case_no": case_no, "side": side, "count": int(max(n_applicants, n_respondents)),
                     "applicants": int(n_applicants), "respondents": int(n_respondents), "threshold": minimum},
            case_ids=[case_id], case_count=1, area_id=town))
    return out


def _respondent_rows(since: dt.datetime):
    """``(subject, case_id, created_at, town_id, name)`` of every organisation named as a
    respondent in a case registered since ``since``: by credit code when known, else by name."""
    towns = town_map()
    code = nonempty(func.trim(Party.id_number))
    name = func.trim(Party.name)
    subject = case((code.is_not(None), literal("code:") + func.upper(code)), else_=literal("name:") + name)
    return (select(subject.label("subject"), Case.id.label("case_id"), Case.created_at.label("created_at"),
                   towns.c.town_id.label("town_id"), name.label("name"), func.upper(code).label("code"))
            .select_from(Party).join(Case, Case.id == Party.case_id)
            .outerjoin(towns, towns.c.area_id == Case.area_id)
            .where(Party.role == "respondent", Party.kind == "organization", Case.created_at >= since)
            .subquery("respondent_rows"))


def many_against_one(day: dt.date) -> list[Finding]:
    """At least ``cases`` cases registered in the last ``days`` days against one organisation
    among the respondents (the same credit code, else the same name): one property company,
    one employer."""
    minimum = setting_int(keys.RESPONDENT_CASES, day)
    days = setting_int(keys.RESPONDENT_DAYS, day)
    rows = _respondent_rows(day_start_utc(day - dt.timedelta(days=days - 1)))
    n = func.count(func.distinct(rows.c.case_id))
    groups = db.session.execute(
        select(rows.c.subject, n.label("n"), func.max(rows.c.name), func.max(rows.c.code))
        .group_by(rows.c.subject).having(n >= minimum)
        .order_by(n.desc(), rows.c.subject).limit(MAX_FINDINGS)
    ).all()
    found = evidence(rows, [g[0] for g in groups])
    return [Finding(
        rule="core.respondent", evidence_key="respondent:" + key_part(subject), level="warning",
        details={"respondent": name, "credit_code": code or "", "count": int(count), "days": days,
                 "threshold": minimum},
        case_ids=found[subject].case_ids, case_count=int(count), area_id=found[subject].town_id)
        for subject, count, name, code in groups]
