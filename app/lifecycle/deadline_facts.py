"""What the deadline engine reads from the database for many cases at once: when each state
was first entered, the agreed extensions, the start events and suspensions the staff recorded,
and the days entered on the agreement and its judicial confirmation.
Each is one query for all the cases (a list page costs the same for 10 cases as for 100)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import Date, func, literal, null, select, union_all

from app.extensions import db
from app.lifecycle.core_rules import CONFIRMATION_ACCEPTANCE, CONFIRMATION_APPLICATION, CONFIRMATION_REVIEW
from app.models.lifecycle import TimelineEvent

When = dt.date  # a day, or a datetime (a subclass) for periods counted in hours

# Start names taken from the case's timeline: the first time the case entered that state.
LIFECYCLE_STARTS = {
    "mediation_accepted_on": "mediation_accepted",
    "mediation_started_on": "in_mediation",
    "agreement_reached_on": "agreement_reached",
    "confirmation_applied_on": "judicial_confirmation",
    # The day the agreement took effect: Agreement.effective_on, the day of the last signature
    # (or an oral agreement's day), never when the signatures happened to be typed in.
    "agreement_effective_on": "recorded:agreement_effective",
    # Dates marked by a timeline action rather than a state entered.
    # The mediator receives the file when they accept the offer (rule 7; assignment.accept),
    # not when the case is offered to them.
    "file_received_on": "action:accept_offer",
    # The court's acceptance of a judicial-confirmation application: the day the clerk
    # entered on the confirmation (RECORDED_STARTS), never a timeline moment.
    "confirmation_accepted_on": "recorded:confirmation_accepted",
}
# Starts read from the days entered on the agreement and its judicial confirmation
# (confirmation_dates, under the start's name): the day that ends one period starts the next.
RECORDED_STARTS = ("agreement_effective_on", "confirmation_applied_on", "confirmation_accepted_on")
# Starts named ``event.<name>``: an event outside the system (the end of treatment, the
# court's acceptance of an application) that the staff record on the case.
EVENT_PREFIX = "event."
EVENT_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
# Timeline actions (kind "deadline") of the steps staff take on a period.
START_RECORDED = "period_start_recorded"
SUSPENDED = "period_suspended"
RESUMED = "period_resumed"
START_ACTIONS = tuple(v[len("action:"):] for v in LIFECYCLE_STARTS.values() if v.startswith("action:"))


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive timestamps; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def first_entries(case_ids: Iterable[int]) -> dict[int, dict[str, dt.datetime]]:
    """``{case_id: {state: first time entered}}`` for every state (where deadlines start, and
    where they finish), and the actions deadlines start from, in two queries for all the cases."""
    ids = sorted(set(case_ids))
    out: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    if not ids:
        return out
    rows = db.session.execute(
        select(TimelineEvent.case_id, TimelineEvent.to_state, func.min(TimelineEvent.at))
        .where(TimelineEvent.case_id.in_(ids), TimelineEvent.to_state.is_not(None))
        .group_by(TimelineEvent.case_id, TimelineEvent.to_state)
    )
    for case_id, state, at in rows:
        out[case_id][state] = _aware(at)
    actions = db.session.execute(
        select(TimelineEvent.case_id, TimelineEvent.action, func.min(TimelineEvent.at))
        .where(TimelineEvent.case_id.in_(ids), TimelineEvent.action.in_(START_ACTIONS))
        .group_by(TimelineEvent.case_id, TimelineEvent.action)
    )
    for case_id, action, at in actions:
        out[case_id][f"action:{action}"] = _aware(at)
    return out


EXTENDED = "period_extended"  # the timeline action of an agreed extension


def extensions_of(case_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{case_id: {rule code: units added}}`` from the agreed extensions on the timelines,
    in one query for all the cases."""
    ids = sorted(set(case_ids))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not ids:
        return out
    rows = db.session.execute(
        select(TimelineEvent.case_id, TimelineEvent.data)
        .where(TimelineEvent.case_id.in_(ids), TimelineEvent.kind == "deadline", TimelineEvent.action == EXTENDED)
    )
    for case_id, data in rows:
        code, days = (data or {}).get("rule"), (data or {}).get("days")
        if isinstance(code, str) and isinstance(days, int) and days > 0:
            out[case_id][code] = out[case_id].get(code, 0) + days
    return out


def confirmation_dates(case_ids: Iterable[int]) -> dict[int, dict[str, dt.date]]:
    """The days entered on the agreement and its judicial confirmation — ``{case_id: {rule
    code: the day the period ended, start name: the day it started}}``: a written agreement's
    day of effect (``Agreement.effective_on``) starts the period to apply, the joint application
    ends it and starts the court's period to accept, the acceptance ends that one and starts the
    review, the decision ends the review. An oral agreement, which a court does not confirm,
    ends the three on the day it takes effect and starts none: they never apply.
    One query for all the cases."""
    from app.models.outcome import Agreement, JudicialConfirmation

    ids = sorted(set(case_ids))
    out: dict[int, dict[str, dt.date]] = {}
    if not ids:
        return out
    nothing = null().cast(Date)
    applications = select(JudicialConfirmation.case_id, literal(False).label("oral"), JudicialConfirmation.applied_on,
                          JudicialConfirmation.accepted_on, JudicialConfirmation.decided_on, literal(False)
                          ).where(JudicialConfirmation.case_id.in_(ids))
    agreements = select(Agreement.case_id, Agreement.form == "oral", Agreement.effective_on, nothing, nothing,
                        literal(True)).where(Agreement.case_id.in_(ids), Agreement.effective_on.is_not(None))
    rows = db.session.execute(union_all(applications, agreements))
    for case_id, oral, applied_on, accepted_on, decided_on, is_agreement in rows:
        ends = out.setdefault(case_id, {})
        if is_agreement and oral:  # applied_on holds the day the oral agreement took effect
            ends.update(dict.fromkeys((CONFIRMATION_APPLICATION, CONFIRMATION_ACCEPTANCE, CONFIRMATION_REVIEW),
                                      applied_on))
        elif is_agreement:  # applied_on holds the day the written agreement took effect
            ends["agreement_effective_on"] = applied_on
        else:
            ends.update({CONFIRMATION_APPLICATION: applied_on, "confirmation_applied_on": applied_on})
            if accepted_on is not None:
                ends[CONFIRMATION_ACCEPTANCE] = ends["confirmation_accepted_on"] = accepted_on
            if decided_on is not None:  # the court's decision ends its review period
                ends[CONFIRMATION_REVIEW] = decided_on
    return out


@dataclass(frozen=True)
class Suspension:
    """A stretch of time a period does not run: from ``since`` to ``until`` (open while ``None``)."""

    since: dt.date
    until: Optional[dt.date]
    reason: str
    note: str = ""


@dataclass
class RecordedSteps:
    """What the staff recorded on the periods of one case."""

    events: dict  # event name -> the moment it happened (court time) or its day
    suspensions: dict  # rule code -> [Suspension], oldest first


def _moment(text) -> Optional[When]:
    """A recorded moment: ``YYYY-MM-DD`` is a day, anything longer a time in court time."""
    from app.services.clock import court_zone

    try:
        if isinstance(text, str) and len(text) == 10:
            return dt.date.fromisoformat(text)
        moment = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=court_zone())


def recorded_steps(case_ids: Iterable[int]) -> dict[int, RecordedSteps]:
    """``{case_id: RecordedSteps}`` from the timelines, in one query for all the cases. A start
    event recorded again corrects the earlier record; suspensions pair with the next resumption."""
    ids = sorted(set(case_ids))
    out: dict[int, RecordedSteps] = {}
    if not ids:
        return out
    rows = db.session.execute(
        select(TimelineEvent.case_id, TimelineEvent.action, TimelineEvent.note, TimelineEvent.data)
        .where(TimelineEvent.case_id.in_(ids), TimelineEvent.kind == "deadline",
               TimelineEvent.action.in_((START_RECORDED, SUSPENDED, RESUMED)))
        .order_by(TimelineEvent.case_id, TimelineEvent.at, TimelineEvent.id)
    )
    for case_id, action, note, data in rows:
        steps = out.setdefault(case_id, RecordedSteps({}, defaultdict(list)))
        data = data or {}
        if action == START_RECORDED:
            moment = _moment(data.get("at"))
            if moment is not None and isinstance(data.get("event"), str):
                steps.events[data["event"]] = moment
            continue
        day, code = _moment(data.get("on")), data.get("rule")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime) or not isinstance(code, str):
            continue
        periods = steps.suspensions[code]
        if action == SUSPENDED:
            periods.append(Suspension(day, None, str(data.get("reason") or ""), note or ""))
        elif periods and periods[-1].until is None:
            last = periods[-1]
            periods[-1] = Suspension(last.since, day, last.reason, last.note)
    return out


def suspended_units(suspensions: Iterable[Suspension], unit: str, calendar) -> int:
    """How much of a period the closed ``suspensions`` took, in its unit: calendar days from
    the day it was suspended to the day it resumed, or the working days among them (a period in
    working days loses only those). Months and years are lengthened by the calendar days."""
    total = 0
    for suspension in suspensions:
        if suspension.until is None:
            continue
        days = (suspension.until - suspension.since).days
        if unit == "working days":
            days = sum(calendar.is_workday(suspension.since + dt.timedelta(days=n)) for n in range(1, days + 1))
        total += max(days, 0)
    return total
