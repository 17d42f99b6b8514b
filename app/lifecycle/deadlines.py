"""The one deadline engine: every rule of every enabled plugin (the core's included), counted
the same way for the case page, My work and any later report.

A rule (:class:`~app.plugins.types.DeadlineRule`) names a start date and a dated setting;
the engine finds the start date, reads the length in force *on that date* (a period keeps
the length it started with when an administrator later changes the setting), counts it in
the setting's unit and says where the case stands. Periods are counted from the day after
the start, as Civil Code arts. 201–202 count them; a period counted in days, months or years
whose last day is a statutory holiday or a weekend that is no make-up working day ends on the
first working day after it (Civil Code art. 203; Civil Procedure Law, chapter on periods).
Periods in hours never move, and periods in working days already end on one. Whether a day is
worked comes from the court's holiday calendar (:mod:`app.services.holidays`).
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Optional, Union
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select

from app.extensions import db, jiefen
from app.lifecycle.core_rules import DUE_SOON_DAYS, FINISHED_IN
from app.lifecycle.deadline_facts import (
    EVENT_PREFIX,
    LIFECYCLE_STARTS,
    RECORDED_STARTS,
    RecordedSteps,
    _aware,
    confirmation_dates,
    extensions_of,
    first_entries,
    recorded_steps,
    suspended_units,
)
from app.lifecycle.machine import TERMINAL
from app.models.setting import Setting
from app.services import holidays
from app.services.clock import court_zone, now as clock_now
from app.services.holidays import HolidayCalendar

log = logging.getLogger(__name__)

When = Union[dt.date, dt.datetime]

STATUSES = {
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "running": _l("Running"),
    # A period is 中止 (its time stops counting), not 暂停 like a suspended mediator: its own context.
    "suspended": lazy_pgettext("deadline status", "Suspended"),
    "waiting": _l("Not started yet"),
    "met": _l("Met"),
    "late": _l("Ended after the due day"),
}
# Bootstrap label colours, and the order in which deadlines need attention.
STATUS_STYLES = {"overdue": "danger", "due_soon": "warning", "running": "info", "suspended": "primary",
                 "waiting": "default", "met": "success", "late": "warning"}
URGENCY = {"overdue": 0, "due_soon": 1, "running": 2, "suspended": 3, "waiting": 4, "late": 5, "met": 6}
UNITS = {
    "days": _l("days"),
    "working days": _l("working days"),
    "hours": _l("hours"),
    "months": _l("months"),
    "years": _l("years"),
}


@dataclass(frozen=True)
class Deadline:
    """One deadline of a case, as counted on a given day."""

    code: str
    label: Any
    starts_on: Optional[When]
    due: Optional[When]  # a date, or a datetime for periods counted in hours
    unit: str
    length: Optional[int]
    status: str  # running | due_soon | overdue | met | late (finished after the due day) | waiting | suspended
    days_left: Optional[int]
    source: str
    holiday_calendar_missing: bool = False
    needs_check: bool = False
    setting_key: str = ""
    extended_by: int = 0  # calendar days added by the parties' agreement (app/lifecycle/extension.py)
    suspensions: tuple = ()  # Suspension records, oldest first (app/lifecycle/suspension.py)
    suspended_for: int = 0  # units of the period not counted while suspended (closed suspensions)
    waits_for: Any = ""  # the event the period waits for, while it has not started
    starts_from: str = ""

    @property
    def suspended_since(self) -> Optional[dt.date]:
        """The day the period was suspended, while the suspension is open."""
        last = self.suspensions[-1] if self.suspensions else None
        return last.since if last is not None and last.until is None else None

    @property
    def status_label(self):
        """The status in the reader's language."""
        return STATUSES.get(self.status, self.status)

    @property
    def style(self) -> str:
        """The Bootstrap colour of the status label."""
        return STATUS_STYLES.get(self.status, "default")

    @property
    def unit_label(self):
        """The unit in the reader's language."""
        return UNITS.get(self.unit, self.unit)

    @property
    def in_hours(self) -> bool:
        """True when the period is counted in hours (start and due are timestamps)."""
        return isinstance(self.due, dt.datetime)

    @property
    def needs_attention(self) -> bool:
        """True when the deadline is overdue or due soon."""
        return self.status in ("overdue", "due_soon")


def _zone() -> ZoneInfo:
    # The court's zone, the one clock's (app/services/clock.py): deadlines fall on Shanwei days.
    return court_zone()


def add_working_days(start: dt.date, count: int,
                     calendar: Optional[HolidayCalendar] = None) -> tuple[dt.date, bool]:
    """The ``count``-th working day after ``start`` under the State Council's holiday
    schedule (app/services/holidays.py), and whether a weekday-only guess had to stand in for
    a year without data."""
    return (calendar or holidays.current()).add_working_days(start, count)


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day when it has no such day
    (Civil Code art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def setting_unit(key: str) -> str:
    """The unit the declaring plugin gave the dated setting ``key`` (days when nobody declares it)."""
    declared = jiefen().registry.settings.get(key)
    return (declared[1].unit if declared else "") or "days"


def last_day(start_day: dt.date, length: int, unit: str = "days", calendar: Optional[HolidayCalendar] = None,
             extra: int = 0, suspended: int = 0) -> tuple[dt.date, bool]:
    """The last day of a period of ``length`` ``unit`` from ``start_day`` — counted from the day
    after (Civil Code arts. 201–202), lengthened by ``extra`` agreed calendar days and the
    ``suspended`` units not counted, and moved off a holiday or weekend (art. 203) — and whether a
    weekday-only guess stood in for a year without holiday data. The one counting of a period's
    last day: the engine and every check of a window (judicial confirmation) use it."""
    calendar = calendar or holidays.current()
    guessed = False
    if unit == "working days":
        due, guessed = add_working_days(start_day, length + suspended, calendar)
    elif unit == "months":
        due = add_months(start_day, length)
    elif unit == "years":
        due = add_months(start_day, 12 * length)
    else:
        if unit != "days":
            log.warning("a period has unit %r; counted as days", unit)
        due = start_day + dt.timedelta(days=length)
    due += dt.timedelta(days=extra + (suspended if unit != "working days" else 0))
    # A last day off moves to the next working day (art. 203); a period in working days
    # already ends on one unless the parties' calendar-day extension moved it.
    due, rolled_guess = calendar.next_workday(due)
    return due, guessed or rolled_guess


class _SettingBook:
    """The rows of some settings, read in one query; answers like ``setting_value``.

    Mirrors :func:`app.services.settings.setting_value` (the newest row not after the day,
    else the declared default) so that a list of cases costs one query, not one per rule.
    """

    def __init__(self, keys: Iterable[str]):
        keys = sorted(set(keys))
        self._rows: dict[str, list] = defaultdict(list)
        if keys:
            rows = db.session.execute(
                select(Setting.key, Setting.valid_from, Setting.value, Setting.source, Setting.needs_check)
                .where(Setting.key.in_(keys))
                .order_by(Setting.key, Setting.valid_from.desc())
            )
            for key, valid_from, value, source, check in rows:
                self._rows[key].append((valid_from, value, source or "", bool(check)))
        self._declared = jiefen().registry.settings

    def unit(self, key: str) -> str:
        """The unit the declaring plugin gave ``key`` (days when nobody declares it)."""
        return setting_unit(key)

    def on(self, key: str, day: dt.date) -> Optional[tuple[str, str, bool]]:
        """``(value, source, needs_check)`` in force on ``day``, or ``None``."""
        for valid_from, value, source, check in self._rows.get(key, ()):
            if valid_from <= day:
                return value, source, check
        declared = self._declared.get(key)
        if declared and declared[1].valid_from <= day:
            default = declared[1]
            return str(default.value), default.source, default.check
        return None

    def number(self, key: str, day: dt.date) -> Optional[int]:
        """A whole-number setting in force on ``day``, or ``None`` when there is none."""
        found = self.on(key, day)
        try:
            return int(Decimal(found[0])) if found else None
        except InvalidOperation:
            log.warning("setting %s is not a number: %r", key, found[0])
            return None


def _start(case, name: str, entries: dict[str, dt.datetime], events: dict) -> Optional[When]:
    """The start a rule names: a timestamp (registration, a state entered, a recorded event) or
    a date."""
    if name.startswith(EVENT_PREFIX):
        return events.get(name[len(EVENT_PREFIX):])
    if name == "created_at":
        return _aware(case.created_at) if case.created_at else None
    if name.startswith("intake."):
        raw = (case.intake_data or {}).get(name[len("intake."):])
        try:
            return dt.date.fromisoformat(raw) if isinstance(raw, str) and raw else None
        except ValueError:
            return None
    if name in LIFECYCLE_STARTS:
        return entries.get(LIFECYCLE_STARTS[name])
    log.warning("deadline start %r is unknown to the engine", name)
    return None


def _clock(on: Optional[When]) -> tuple[dt.date, dt.datetime]:
    """Today and now in the court's zone. A date ``on`` means the start of that day; a
    naive datetime is read as court time."""
    zone = _zone()
    if on is None:
        now = clock_now()
    elif isinstance(on, dt.datetime):
        now = on if on.tzinfo else on.replace(tzinfo=zone)
    else:
        now = dt.datetime.combine(on, dt.time.min, zone)
    return now.astimezone(zone).date(), now


def _count(rule, case, entries, book: _SettingBook, today, now, soon, zone, extra: int = 0,
           recorded: Optional[dict] = None, calendar: Optional[HolidayCalendar] = None,
           steps: Optional[RecordedSteps] = None) -> Optional[Deadline]:
    """One rule of one case. ``extra``: days the parties agreed to add; ``recorded``: the days
    the clerk entered for judicial confirmation (:func:`confirmation_dates`), which start and
    end those periods in place of the time the step was clicked; ``steps``: the start events
    and suspensions the staff recorded."""
    recorded = recorded or {}
    calendar = calendar or holidays.current()
    steps = steps or RecordedSteps({}, {})
    ended_on = recorded.get(rule.code)
    if ended_on is None and getattr(rule, "met_on", ""):
        # What the period asked for was done on a day the case records (an application made).
        ended_on = _start(case, rule.met_on, entries, steps.events)
    finished = ended_on is not None or case.status in _finished_states(rule)
    start = _start(case, rule.starts_from, entries, steps.events)
    if rule.starts_from in RECORDED_STARTS and rule.starts_from in recorded:
        start = recorded[rule.starts_from]
    unit = "working days" if rule.working_days else book.unit(rule.setting_key)
    if start is None:
        if finished:  # it never started and no longer can: it did not apply to this case
            return None
        return Deadline(rule.code, rule.label, None, None, unit, None, "waiting", None, "",
                        setting_key=rule.setting_key, waits_for=getattr(rule, "waits_for", ""),
                        starts_from=rule.starts_from)
    start_day = start.astimezone(zone).date() if isinstance(start, dt.datetime) else start
    length = book.number(rule.setting_key, start_day)
    if length is None:  # no value in force when the period began: the rule did not exist yet
        return None
    _value, source, check = book.on(rule.setting_key, start_day)
    guessed = False
    # As the period stood on ``today``: a suspension begun later is not there yet, one
    # resumed later is still open.
    suspensions = tuple(s if s.until is None or s.until <= today else replace(s, until=None)
                        for s in steps.suspensions.get(rule.code, ()) if s.since <= today)
    ended = (ended_on or _finished_at(entries, _finished_states(rule), start)) if finished else None
    if ended is not None and suspensions and suspensions[-1].until is None:
        # The case moved on (an agreement, say) while the period stood still: the suspension
        # lasted until the period finished, not for ever, so the period is not late for it.
        ended_day = ended.astimezone(zone).date() if isinstance(ended, dt.datetime) else ended
        suspensions = suspensions[:-1] + (replace(suspensions[-1], until=max(ended_day, suspensions[-1].since)),)
    paused = suspensions and suspensions[-1].until is None and not finished
    # Only running time counts: each closed suspension adds the days (or working days) it
    # took; an open one holds the due day until the period resumes.
    suspended = suspended_units(suspensions, unit, calendar) if unit != "hours" else 0
    if unit == "hours":
        starts_on = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time.min, zone)
        # An agreed extension is in calendar days, whatever unit the period counts in.
        due = starts_on + dt.timedelta(hours=length) + dt.timedelta(days=extra)
        days_left = (due.astimezone(zone).date() - today).days
        late = now > due
    else:
        starts_on = start_day
        due, guessed = last_day(start_day, length, unit, calendar, extra, suspended)
        days_left = (due - today).days
        late = days_left < 0
    if finished:
        if ended is None:  # no record of when: nothing says it ran over
            status = "met"
        elif isinstance(ended, dt.datetime) and unit == "hours":
            status = "late" if ended > due else "met"
        else:
            day = ended.astimezone(zone).date() if isinstance(ended, dt.datetime) else ended
            status = "late" if day > (due.astimezone(zone).date() if isinstance(due, dt.datetime) else due) else "met"
        days_left = None
    elif paused:
        status, due, days_left = "suspended", None, None
    elif late:
        status = "overdue"
    elif days_left <= soon:
        status = "due_soon"
    else:
        status = "running"
    return Deadline(rule.code, rule.label, starts_on, due, unit, length, status, days_left, source,
                    holiday_calendar_missing=guessed, needs_check=check, setting_key=rule.setting_key,
                    extended_by=extra, suspensions=suspensions, suspended_for=suspended,
                    starts_from=rule.starts_from)


def _finished_at(entries: dict, states: frozenset, start: When) -> Optional[dt.datetime]:
    """When the case first entered a state ending the rule, after the rule started."""
    start_at = start if isinstance(start, dt.datetime) else dt.datetime.combine(start, dt.time.min, _zone())
    times = [at for state, at in entries.items() if state in states and at >= start_at]
    return min(times) if times else None


def _finished_states(rule) -> frozenset:
    """Where a rule stops running: its own list, the core rule it replaces, or the end."""
    if getattr(rule, "finished_in", ()):
        return frozenset(rule.finished_in) | TERMINAL
    return FINISHED_IN.get(rule.code) or FINISHED_IN.get(getattr(rule, "replaces", ""), TERMINAL)


def _without_replaced(rules: list) -> list:
    """Drop the rules another rule says it replaces (a plugin's own pre-filing period)."""
    replaced = {r.replaces for r in rules if getattr(r, "replaces", "")}
    return [r for r in rules if r.code not in replaced]


def deadlines_for_cases(cases: Iterable, on: Optional[When] = None) -> dict[int, list[Deadline]]:
    """``{case.id: deadlines, most urgent first}`` for many cases, with a fixed number of
    queries in all (timeline, extensions, recorded steps, confirmation days, settings)."""
    cases = list(cases)
    dispatcher = jiefen().dispatcher
    rules = {case.id: _without_replaced(dispatcher.case_deadline_rules(case)) for case in cases}
    book = _SettingBook([r.setting_key for rs in rules.values() for r in rs] + [DUE_SOON_DAYS])
    entries = first_entries(case.id for case in cases if rules[case.id])
    extensions = extensions_of(case.id for case in cases if rules[case.id])
    recorded = confirmation_dates(case.id for case in cases if rules[case.id])
    steps = recorded_steps(case.id for case in cases if rules[case.id])
    today, now = _clock(on)
    # Without the setting (core rules not loaded) only deadlines due today count as soon.
    soon = book.number(DUE_SOON_DAYS, today) or 0
    zone = _zone()
    calendar = holidays.current()  # each year's entered holidays read once for all cases
    out: dict[int, list[Deadline]] = {}
    for case in cases:
        found = [_count(rule, case, entries.get(case.id, {}), book, today, now, soon, zone,
                        extensions.get(case.id, {}).get(rule.code, 0), recorded.get(case.id), calendar,
                        steps.get(case.id))
                 for rule in rules[case.id]]
        out[case.id] = sorted((d for d in found if d), key=urgency)
    return out


def case_deadlines(case, on: Optional[When] = None) -> list[Deadline]:
    """The deadlines of one case as counted on ``on`` (now by default), most urgent first."""
    return deadlines_for_cases([case], on=on)[case.id]


def urgency(deadline: Deadline) -> tuple:
    """Sort key: overdue, then due soon, running, waiting, met; earliest due first."""
    days = deadline.days_left if deadline.days_left is not None else 10**6
    return URGENCY.get(deadline.status, 9), days
