"""Judges' duty at the centres (法官值班): booking rules, the month calendar, the plan's annex.

Views and tests share these functions, so the rules (no double booking, centres only,
patterns all-or-nothing) hold on every path. Each takes ``within``: the ids of the centres the
caller acts for (``app/services/org_scope.py``), ``None`` for every centre; a shift or pattern
outside them reads as missing.
"""
from __future__ import annotations

import calendar as calendar_module
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Optional

from babel.dates import get_day_names
from flask_appbuilder.security.sqla.models import User
from flask_babel import get_locale, gettext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from app.services.settings import today as local_today  # one definition of "today"
from app.extensions import db
from app.models.area import Area
from app.models.duty import HALVES, SPANS, DutyPattern, DutyShift
from app.models.organization import Organization
# A user's name as the court writes it (许晓东): the one rule, also given to the duty templates,
# where it must accept a user as well as (first, last) since the layout calls it too.
from app.names import person_name  # noqa: F401

# Where a judge is stationed: the centres and the court's outposts in the towns. Partner
# agencies, committees and the court's own divisions are not places of duty.
DUTY_CENTRE_KINDS = (
    "governance_centre",
    "court_mediation_centre",
    "peoples_tribunal",
    "litigation_workstation",
    "reception_window",
)


class DutyRefused(ValueError):
    """A booking refused for a reason other than a clash; ``str()`` is a sentence for the user."""


@dataclass(frozen=True)
class Conflict:
    """A half day the judge is already booked for, and where."""

    judge: str
    day: dt.date
    half: str
    centre: str

    def message(self) -> str:
        """The clash as a sentence in the reader's language."""
        return gettext(
            "%(judge)s is already on duty on %(date)s (%(half)s) at %(centre)s.",
            judge=self.judge,
            date=self.day.isoformat(),
            half=HALVES.get(self.half, self.half),
            centre=self.centre,
        )


class DutyConflict(Exception):
    """The judge is already booked for some of the half days asked for; nothing was stored."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("; ".join(c.message() for c in conflicts))
        self.conflicts = conflicts


def weekday_name(weekday: int, width: str = "wide") -> str:
    """Monday…Sunday (0…6) in the reader's language."""
    return get_day_names(width, locale=get_locale() or "zh_CN")[weekday]


def _within(stmt, column, within: Optional[frozenset]):
    return stmt if within is None else stmt.where(column.in_(sorted(within)))


def duty_centres(within: Optional[frozenset] = None) -> list[tuple[int, str]]:
    """(id, name) of the active centres, tribunals and workstations, by name."""
    stmt = select(Organization.id, Organization.name).where(
        Organization.kind.in_(DUTY_CENTRE_KINDS), Organization.active.is_(True)
    )
    rows = db.session.execute(_within(stmt, Organization.id, within).order_by(Organization.name))
    return [(centre_id, name) for centre_id, name in rows]


def _halves(span: str) -> tuple[str, ...]:
    if span not in SPANS:
        raise DutyRefused(gettext("Choose morning, afternoon or full day."))
    return ("am", "pm") if span == "full" else (span,)


def _judge(judge_id) -> User:
    judge = db.session.get(User, judge_id) if isinstance(judge_id, int) else None
    if judge is None or not judge.active:
        raise DutyRefused(gettext("Choose an active user as the judge on duty."))
    return judge


def _centre(centre_id, within: Optional[frozenset] = None) -> Organization:
    centre = db.session.get(Organization, centre_id) if isinstance(centre_id, int) else None
    if centre is None or not centre.active or centre.kind not in DUTY_CENTRE_KINDS:
        raise DutyRefused(gettext("Judges are stationed only at active centres, tribunals and workstations."))
    if within is not None and centre.id not in within:
        raise DutyRefused(gettext("You may book duty only at the centres your organisation works for."))
    return centre


def _check_day(day) -> None:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DutyRefused(gettext("Enter a real date as YYYY-MM-DD."))


def find_conflicts(judge_id: int, wanted: list[tuple[dt.date, str]]) -> list[Conflict]:
    """The half days of ``wanted`` (day, half) for which the judge is already booked anywhere."""
    if not wanted:
        return []
    wanted_set = set(wanted)
    rows = db.session.execute(
        select(DutyShift.day, DutyShift.half, Organization.name, User.first_name, User.last_name)
        .join(Organization, DutyShift.centre_id == Organization.id)
        .join(User, DutyShift.judge_id == User.id)
        .where(DutyShift.judge_id == judge_id, DutyShift.day.in_(sorted({d for d, _ in wanted})))
        .order_by(DutyShift.day, DutyShift.half)
    ).all()
    return [
        Conflict(person_name(first, last), day, half, centre)
        for day, half, centre, first, last in rows
        if (day, half) in wanted_set
    ]


def _book(judge, centre, wanted, note, pattern=None) -> list[DutyShift]:
    conflicts = find_conflicts(judge.id, wanted)
    if conflicts:
        raise DutyConflict(conflicts)
    session = db.session
    judge_id, centre_id = judge.id, centre.id
    if pattern is not None:
        session.add(pattern)
    shifts = [
        DutyShift(judge_id=judge_id, centre_id=centre_id, day=day, half=half, note=note, pattern=pattern)
        for day, half in wanted
    ]
    session.add_all(shifts)
    try:
        session.commit()
    except IntegrityError:
        # Another clerk booked the same judge between our check and our insert: the unique
        # constraint caught it; report it exactly as the check would have.
        session.rollback()
        conflicts = find_conflicts(judge_id, wanted)
        if not conflicts:
            raise
        raise DutyConflict(conflicts) from None
    except Exception:
        session.rollback()
        raise
    return shifts


def add_shift(
    judge_id: int, centre_id: int, day: dt.date, span: str, note=None, pattern=None, within=None
) -> list[DutyShift]:
    """Book a judge at a centre for a morning, an afternoon or both (two rows)."""
    _check_day(day)
    halves = _halves(span)
    judge, centre = _judge(judge_id), _centre(centre_id, within)
    return _book(judge, centre, [(day, h) for h in halves], (note or "").strip() or None, pattern)


def one_year_after(day: dt.date) -> dt.date:
    """The same date a year later (29 February → 1 March)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return dt.date(day.year + 1, 3, 1)


def add_pattern(
    judge_id: int, centre_id: int, weekday: int, span: str, starts_on: dt.date, ends_on: dt.date, note=None,
    within=None,
) -> tuple[DutyPattern, list[DutyShift]]:
    """A weekly duty and its shifts on every matching date; all of them or none."""
    _check_day(starts_on)
    _check_day(ends_on)
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise DutyRefused(gettext("Choose a day of the week."))
    halves = _halves(span)
    if ends_on < starts_on:
        raise DutyRefused(
            gettext("The last day (%(end)s) is before the first day (%(start)s).", end=ends_on.isoformat(), start=starts_on.isoformat())
        )
    if ends_on >= one_year_after(starts_on):
        raise DutyRefused(gettext("A weekly duty runs for at most one year: split a longer period."))
    first = starts_on + dt.timedelta(days=(weekday - starts_on.weekday()) % 7)
    dates = [first + dt.timedelta(weeks=n) for n in range((ends_on - first).days // 7 + 1)] if first <= ends_on else []
    if not dates:
        raise DutyRefused(
            gettext(
                "No %(weekday)s falls between %(start)s and %(end)s.",
                weekday=weekday_name(weekday),
                start=starts_on.isoformat(),
                end=ends_on.isoformat(),
            )
        )
    judge, centre = _judge(judge_id), _centre(centre_id, within)
    pattern = DutyPattern(
        judge_id=judge.id, centre_id=centre.id, weekday=weekday, span=span, starts_on=starts_on, ends_on=ends_on
    )
    wanted = [(day, half) for day in dates for half in halves]
    shifts = _book(judge, centre, wanted, (note or "").strip() or None, pattern)
    return pattern, shifts


def remove_shift(shift_id: int, within: Optional[frozenset] = None) -> DutyShift:
    """Delete one half day of duty; a guidance record keeps its day but loses the link."""
    shift = db.session.get(DutyShift, shift_id)
    if shift is None or (within is not None and shift.centre_id not in within):
        raise LookupError(shift_id)
    db.session.delete(shift)
    db.session.commit()
    return shift


def remove_pattern_from(pattern_id: int, from_day: dt.date, within: Optional[frozenset] = None) -> int:
    """End a weekly duty: its shifts from ``from_day`` (never before today) go; past ones stay."""
    session = db.session
    pattern = session.get(DutyPattern, pattern_id)
    if pattern is None or (within is not None and pattern.centre_id not in within):
        raise LookupError(pattern_id)
    from_day = max(from_day, local_today())
    try:
        removed = session.execute(
            delete(DutyShift).where(DutyShift.pattern_id == pattern.id, DutyShift.day >= from_day)
        ).rowcount
        if from_day <= pattern.starts_on:
            session.delete(pattern)
        elif from_day <= pattern.ends_on:
            pattern.ends_on = from_day - dt.timedelta(days=1)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return removed


@dataclass
class CalendarDay:
    """One cell of the month grid."""

    day: dt.date
    in_month: bool
    shifts: list = field(default_factory=list)


@dataclass
class MonthCalendar:
    """A month as weeks (Monday first) of days, each with its shifts."""

    month: dt.date
    weeks: list[list[CalendarDay]]
    previous: dt.date
    next: dt.date
    shift_count: int


def calendar(
    month: dt.date, centre_id: int | None = None, judge_id: int | None = None, within: Optional[frozenset] = None
) -> MonthCalendar:
    """The shifts of ``month``, optionally of one centre or one judge, in one query."""
    first = month.replace(day=1)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    stmt = _within(select(DutyShift).where(DutyShift.day.between(first, last)), DutyShift.centre_id, within)
    if centre_id is not None:
        stmt = stmt.where(DutyShift.centre_id == centre_id)
    if judge_id is not None:
        stmt = stmt.where(DutyShift.judge_id == judge_id)
    # judge and centre (with its area) are joined-loaded by the model: one statement in all.
    shifts = db.session.scalars(stmt.order_by(DutyShift.day, DutyShift.half, DutyShift.centre_id, DutyShift.id)).all()
    by_day = defaultdict(list)
    for shift in shifts:
        by_day[shift.day].append(shift)
    weeks = [
        [CalendarDay(day, day.month == first.month, by_day.get(day, []) if day.month == first.month else []) for day in week]
        for week in calendar_module.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    return MonthCalendar(
        month=first,
        weeks=weeks,
        previous=(first - dt.timedelta(days=1)).replace(day=1),
        next=last + dt.timedelta(days=1),
        shift_count=len(shifts),
    )


@dataclass
class AnnexJudge:
    """A judge stationed in a town: usual (weekday, span) slots and half days served.

    ``weekly`` is False for a judge who only stood in (no slot served twice).
    """

    judge_id: int
    name: str
    slots: list[tuple[int, str]]
    half_days: int
    weekly: bool = True


@dataclass
class AnnexRow:
    """One town or street of the annex: its centres and the judges stationed there."""

    town_id: int | None
    town: str | None
    centres: list[str]
    judges: list[AnnexJudge]

    @property
    def half_days(self) -> int:
        """Half days of duty in the town over the period."""
        return sum(j.half_days for j in self.judges)


def _usual_slots(counts: Counter) -> list[tuple[int, str]]:
    # A one-off replacement is not a judge's usual day: keep slots served at least half as
    # often as the judge's most frequent one, and write a morning plus afternoon as a full day.
    top = max(counts.values())
    kept = {slot for slot, n in counts.items() if n * 2 >= top}
    slots = []
    for weekday in range(7):
        halves = {h for (w, h) in kept if w == weekday}
        if halves == {"am", "pm"}:
            slots.append((weekday, "full"))
        elif halves:
            slots.append((weekday, halves.pop()))
    return slots


def annex_rows(starts_on: dt.date, ends_on: dt.date, within: Optional[frozenset] = None) -> list[AnnexRow]:
    """The judges stationed in each town/street over a period, as the plan's annex lists them."""
    # A centre may sit in a village or grid: walk up to two parents to find its town.
    a0, a1, a2 = aliased(Area), aliased(Area), aliased(Area)
    stmt = (
        select(
            DutyShift.judge_id,
            DutyShift.day,
            DutyShift.half,
            Organization.name,
            User.first_name,
            User.last_name,
            a0.id, a0.level, a0.name,
            a1.id, a1.level, a1.name,
            a2.id, a2.level, a2.name,
        )
        .join(Organization, DutyShift.centre_id == Organization.id)
        .join(User, DutyShift.judge_id == User.id)
        .outerjoin(a0, Organization.area_id == a0.id)
        .outerjoin(a1, a0.parent_id == a1.id)
        .outerjoin(a2, a1.parent_id == a2.id)
        .where(DutyShift.day.between(starts_on, ends_on))
    )
    rows = db.session.execute(_within(stmt, DutyShift.centre_id, within)).all()
    towns: dict = {}
    centres = defaultdict(set)
    slots = defaultdict(Counter)
    names = {}
    for judge_id, day, half, centre, first, last, *areas in rows:
        chain = [tuple(areas[i : i + 3]) for i in (0, 3, 6)]
        town = next(((aid, name) for aid, level, name in chain if level == "town"), None)
        if town is None:  # a district-level centre, or one without an area
            town = (chain[0][0], chain[0][2]) if chain[0][0] is not None else (None, None)
        towns[town[0]] = town[1]
        centres[town[0]].add(centre)
        slots[(town[0], judge_id)][(day.weekday(), half)] += 1
        names[judge_id] = person_name(first, last)
    result = []
    for town_id, town in towns.items():
        judges = [
            AnnexJudge(judge_id, names[judge_id], _usual_slots(counts), sum(counts.values()), max(counts.values()) > 1)
            for (tid, judge_id), counts in slots.items()
            if tid == town_id
        ]
        # The judge stationed there most comes first; a stand-in for a day comes last.
        judges.sort(key=lambda j: (-j.half_days, j.name, j.judge_id))
        result.append(AnnexRow(town_id, town, sorted(centres[town_id]), judges))
    result.sort(key=lambda r: (r.town is None, r.town or "", r.town_id or 0))
    return result
