"""What the deadline engine reads from the database for many cases at once: when each state
was first entered, the agreed extensions, and the judicial-confirmation days the clerk entered.
Each is one query for all the cases (a list page costs the same for 10 cases as for 100)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Iterable

from sqlalchemy import func, select

from app.extensions import db
from app.lifecycle.core_rules import CONFIRMATION_ACCEPTANCE, CONFIRMATION_APPLICATION
from app.models.lifecycle import TimelineEvent

# Start names taken from the case's timeline: the first time the case entered that state.
LIFECYCLE_STARTS = {
    "mediation_accepted_on": "mediation_accepted",
    "mediation_started_on": "in_mediation",
    "agreement_reached_on": "agreement_reached",
    "confirmation_applied_on": "judicial_confirmation",
    # Dates marked by a timeline action rather than a state entered.
    "agreement_effective_on": "action:agreement_effective",
}
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
    """The dates the clerk entered for judicial confirmation — ``{case_id: {rule code: the day
    the period ended}}``: the joint application ends the period to apply, the court's
    acceptance ends the period to accept. One query for all the cases."""
    from app.models.outcome import JudicialConfirmation

    ids = sorted(set(case_ids))
    out: dict[int, dict[str, dt.date]] = {}
    if not ids:
        return out
    rows = db.session.execute(select(JudicialConfirmation.case_id, JudicialConfirmation.applied_on,
                                     JudicialConfirmation.accepted_on).where(JudicialConfirmation.case_id.in_(ids)))
    for case_id, applied_on, accepted_on in rows:
        ends = {CONFIRMATION_APPLICATION: applied_on}
        if accepted_on is not None:
            ends[CONFIRMATION_ACCEPTANCE] = accepted_on
        out[case_id] = ends
    return out
