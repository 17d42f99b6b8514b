"""What the staff record on a case's periods: the event a period starts from, and suspensions.

- **Start events.** A rule whose ``starts_from`` is ``event.<name>`` waits until the staff
  record when that event happened (the end of treatment, the court's acceptance of a
  protection-order application…). Recording it again corrects it.
- **Suspensions.** Where a rule says the time of a step is not counted (medical appraisal,
  医疗纠纷预防和处理条例 art. 38; a party's force majeure or serious illness), the period is
  suspended from a day and resumed on a later one; the engine counts only running time
  (:func:`app.lifecycle.deadline_facts.suspended_units`). The reasons are one core-level list,
  the same for every type: a suspension is a fact about the case, not about the type, and the
  staff say in the note which rule allows it.

Each is a timeline entry (kind ``deadline``) that the engine reads for many cases in one query.
Bad input changes nothing and says why, in the reader's language.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.extensions import jiefen
from app.lifecycle.deadline_facts import EVENT_PREFIX, RESUMED, START_RECORDED, SUSPENDED
from app.lifecycle.deadlines import case_deadlines
from app.lifecycle.outcome import check_version
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, record
from app.models.case import Case
from app.models.types import utcnow
from app.services.clock import court_zone, now as clock_now

SUSPENSION_REASONS = {
    # Not "(not counted)" here: every suspended period's line says so once (_deadlines.html).
    "appraisal": _l("Appraisal or assessment"),
    "force_majeure": _l("Force majeure preventing a party"),
    "illness": _l("A party's serious illness"),
    "other": _l("Another reason the law allows (say which in the note)"),
}
RUNNING = ("running", "due_soon")
MAX_NOTE = 2000


def find_deadline(case: Case, code: str, on: Optional[dt.date] = None):
    """``(rule, Deadline or None)`` of the case's rule ``code`` as counted on ``on`` (now by
    default); ``(None, None)`` if the case has no such rule."""
    rules = jiefen().dispatcher.case_deadline_rules(case)
    rule = next((r for r in rules if r.code == code), None)
    if rule is None:
        return None, None
    return rule, next((d for d in case_deadlines(case, on=on) if d.code == code), None)


def _today() -> dt.date:
    return clock_now().astimezone(court_zone()).date()


def _day(value, problems: list) -> Optional[dt.date]:
    """A day typed as YYYY-MM-DD (today when empty), not in the future."""
    text = str(value if value is not None else "").strip()
    if not text:
        return _today()
    try:
        day = dt.date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.append(gettext("Enter the day as YYYY-MM-DD."))
    elif day > _today():
        problems.append(gettext("The day cannot be in the future."))
        return None
    return day


def _moment(value, hours: bool, problems: list):
    """The moment an event happened: a day, or for periods in hours a day and a time of day."""
    text = str(value if value is not None else "").strip().replace("T", " ")
    if not hours:
        if not text:
            problems.append(gettext("Enter the day the event happened."))
            return None
        return _day(text, problems)
    try:
        moment = dt.datetime.strptime(text, "%Y-%m-%d %H:%M") if text.isascii() else None
    except ValueError:
        moment = None
    if moment is None:
        problems.append(gettext("Enter the date and time as YYYY-MM-DD HH:MM (court time)."))
        return None
    moment = moment.replace(tzinfo=court_zone())
    if moment > clock_now():
        problems.append(gettext("The time cannot be in the future."))
        return None
    return moment


def _note(note, problems: list) -> str:
    text = str(note or "").strip()
    if len(text) > MAX_NOTE:
        problems.append(gettext("The note is too long."))
    return text


def _save(case: Case, actor, action: str, note: str, data: dict, expected_version) -> None:
    """Write the timeline entry and move the case's version, or nothing at all."""
    check_version(case, expected_version)
    with unit_of_work():
        case.changed_at = utcnow()
        record(case, actor, "deadline", action, note, data)


def _start_day(deadline) -> Optional[dt.date]:
    start = deadline.starts_on if deadline else None
    return start.astimezone(court_zone()).date() if isinstance(start, dt.datetime) else start


def suspend(case: Case, code: str, actor, reason, note="", on=None, expected_version=None) -> None:
    """Suspend the period ``code`` from day ``on`` (today by default) for ``reason`` (a key of
    :data:`SUSPENSION_REASONS`); the period must have been running on that day (a suspension
    may be recorded after the fact). Raises ``TransitionRefused`` or ``StaleCase``."""
    problems: list = []
    day = _day(on, problems)
    rule, deadline = find_deadline(case, code, on=day)
    if rule is None:
        raise TransitionRefused([gettext("This case has no such deadline.")])
    _rule, current = find_deadline(case, code)  # every suspension recorded so far
    last = current.suspensions[-1] if current is not None and current.suspensions else None
    reason = str(reason or "").strip()
    text = _note(note, problems)
    if reason not in SUSPENSION_REASONS:
        problems.append(gettext("Choose why the period is suspended."))
    elif reason == "other" and not text:
        problems.append(gettext("Say in the note why the period is suspended."))
    if last is not None and last.until is None:
        problems.append(gettext("The period is already suspended since %(day)s.", day=str(last.since)))
    elif day and last is not None and day < last.until:
        problems.append(gettext("The period was suspended until %(day)s: a new suspension starts on that day or later.",
                                day=str(last.until)))
    elif deadline is None:
        problems.append(gettext("This period has not started: there is nothing to suspend."))
    elif deadline.unit == "hours":
        problems.append(gettext("A period counted in hours cannot be suspended."))
    elif day and deadline.status not in RUNNING:
        problems.append(gettext("Only a running period can be suspended: on that day it is “%(status)s”.",
                                status=deadline.status_label))
    start = _start_day(deadline)
    if day and start and day < start:
        problems.append(gettext("The period cannot be suspended before it started (%(day)s).", day=str(start)))
    if problems:
        raise TransitionRefused(problems)
    _save(case, actor, SUSPENDED, text, {"rule": code, "on": day.isoformat(), "reason": reason}, expected_version)


def resume(case: Case, code: str, actor, note="", on=None, expected_version=None) -> None:
    """Resume the suspended period ``code`` from day ``on`` (today by default)."""
    rule, deadline = find_deadline(case, code)
    if rule is None:
        raise TransitionRefused([gettext("This case has no such deadline.")])
    problems: list = []
    text = _note(note, problems)
    since = deadline.suspended_since if deadline else None
    if since is None:
        problems.append(gettext("The period is not suspended: there is nothing to resume."))
    day = _day(on, problems)
    if day and since and day < since:
        problems.append(gettext("The period cannot resume before it was suspended (%(day)s).", day=str(since)))
    if problems:
        raise TransitionRefused(problems)
    _save(case, actor, RESUMED, text, {"rule": code, "on": day.isoformat()}, expected_version)


def record_start(case: Case, code: str, actor, at, note="", expected_version=None) -> None:
    """Record when the event the period ``code`` starts from happened (again, to correct it)."""
    rule, deadline = find_deadline(case, code)
    if rule is None:
        raise TransitionRefused([gettext("This case has no such deadline.")])
    if not rule.starts_from.startswith(EVENT_PREFIX):
        raise TransitionRefused([gettext(
            "This period starts from a date the case already records: there is no event to record.")])
    problems: list = []
    text = _note(note, problems)
    moment = _moment(at, deadline is not None and deadline.unit == "hours", problems)
    if problems:
        raise TransitionRefused(problems)
    stored = moment.isoformat(timespec="minutes") if isinstance(moment, dt.datetime) else moment.isoformat()
    _save(case, actor, START_RECORDED, text, {"rule": code, "event": rule.starts_from[len(EVENT_PREFIX):],
                                               "at": stored}, expected_version)


def describe(event) -> str:
    """A timeline entry written here, in the reader's language."""
    data = event.data or {}
    if event.action == START_RECORDED:
        return gettext("Start event of a period recorded: %(at)s", at=str(data.get("at", "")).replace("T", " "))
    if event.action == SUSPENDED:
        return gettext("Period suspended from %(day)s: %(reason)s", day=data.get("on", ""),
                       reason=SUSPENSION_REASONS.get(data.get("reason"), "—"))
    return gettext("Period resumed on %(day)s", day=data.get("on", ""))
