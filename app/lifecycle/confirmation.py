"""Judicial confirmation of a mediation agreement (domain rule 5): the parties' joint
application within the window in force when the agreement took effect, and the court's
acceptance and decision. Every change commits together with its timeline entry.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import gettext

from app.extensions import db, jiefen
from app.lifecycle.core_rules import CONFIRMATION_ACCEPTANCE_DAYS, CONFIRMATION_DAYS
from app.lifecycle.outcome import (
    CONFIRMATION_STATES,
    agreement_of,
    check_version,
    confirmation_of,
    signatures_of,
    signer_name,
)
from app.agreements.kinds import CONFIRMATION_LAW, confirmation_excluded_kinds
from app.lifecycle.confirmation_scope import confirmation_scope
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, perform, record
from app.models.case import CASE_STATES, Case
from app.models.outcome import CONFIRMATION_RESULTS, Agreement, JudicialConfirmation
from app.models.types import utcnow
from app.plugins.types import TERM_KINDS
from app.services.setting_labels import setting_label
from app.services.settings import SettingMissing, setting_int, today


def period_end(key: str, start: dt.date) -> tuple[int, dt.date]:
    """``(length, last day)`` of the period the dated setting ``key`` sets, from ``start``: the
    length in force that day, counted as the deadline engine counts it (its ``last_day``:
    holidays rolled forward, Civil Code art. 203). Raises SettingMissing when no value is in force."""
    from app.lifecycle.deadlines import last_day, setting_unit

    length = setting_int(key, start)
    return length, last_day(start, length, setting_unit(key))[0]


def confirmation_window(agreement: Optional[Agreement]) -> Optional[tuple[int, dt.date]]:
    """``(days, last day)`` to apply for confirmation, as in force when the agreement took effect."""
    # None before the agreement is in effect; SettingMissing when no value is in force then.
    if agreement is None or agreement.effective_on is None:
        return None
    return period_end(CONFIRMATION_DAYS, agreement.effective_on)


def confirmation_problems(case: Case, applied_on) -> list[str]:
    """Why the parties cannot apply for judicial confirmation on ``applied_on``."""
    if confirmation_excluded_kinds(case.dispute_type) >= set(TERM_KINDS):  # the type as a whole
        return [gettext(
            "Personal-status matters (marriage, divorce, parentage, adoption) cannot be confirmed by a court; "
            "cases of the type “%(type)s” are not sent for judicial confirmation (%(source)s).",
            type=jiefen().dispatcher.type_label(case.dispute_type), source=CONFIRMATION_LAW)]
    agreement = agreement_of(case)
    if agreement is None:
        return [gettext("No agreement is stored for this case.")]
    refusal = scope_of(case, agreement).refusal  # an oral agreement, or no term a court confirms
    if refusal:
        return [refusal]
    if agreement.effective_on is None:
        missing = [signer_name(s, agreement, case) for s in signatures_of(agreement) if s.signed_on is None]
        return [gettext("The agreement is not in effect yet: not signed by %(names)s.", names="、".join(missing))]
    if not isinstance(applied_on, dt.date):
        return [gettext("Give the day of the joint application.")]
    if applied_on > today():
        return [gettext("The application cannot be dated in the future.")]
    if applied_on < agreement.effective_on:
        return [gettext("The application cannot come before the agreement took effect (%(day)s).",
                        day=agreement.effective_on.isoformat())]
    try:
        days, last = confirmation_window(agreement)
    except SettingMissing:
        return [_missing(CONFIRMATION_DAYS, agreement.effective_on)]
    if applied_on > last:
        return [gettext(
            "Too late: the joint application must be made within %(days)s days after the agreement took effect "
            "(%(effective)s); the last day was %(last)s.",
            days=days, effective=agreement.effective_on.isoformat(), last=last.isoformat())]
    return []


def scope_of(case: Case, agreement: Optional[Agreement] = None):
    """What the case's application covers and leaves out (:mod:`app.lifecycle.confirmation_scope`)."""
    agreement = agreement if agreement is not None else agreement_of(case)
    return confirmation_scope(case.dispute_type, jiefen().dispatcher.type_label(case.dispute_type), agreement)


def _missing(key: str, day: dt.date) -> str:
    return gettext("The dated setting %(key)s has no value in force on %(day)s: an administrator must enter it.",
                   key=setting_label(key), day=day.isoformat())


def apply_confirmation(case: Case, actor, applied_on, expected_version=None) -> JudicialConfirmation:
    """The parties' joint application to the court; moves the case to judicial confirmation."""
    made: list[JudicialConfirmation] = []

    def add(case: Case) -> None:
        # Inside perform, after its state check: a case in the wrong state hears about that.
        problems = confirmation_problems(case, applied_on)
        if problems:
            raise TransitionRefused(problems)
        row = confirmation_of(case) or JudicialConfirmation(case_id=case.id)
        row.applied_on, row.accepted_on, row.decided_on, row.result = applied_on, None, None, "pending"
        db.session.add(row)
        _days, last = confirmation_window(agreement_of(case))
        scope = scope_of(case)
        note = gettext("Applied on %(day)s (last day %(last)s).", day=applied_on.isoformat(), last=last.isoformat())
        record(case, actor, "confirmation", "confirmation_applied",
               "\n".join([note] + [reason for _term, reason in scope.left_out]),
               {"applied_on": applied_on.isoformat(), **scope.as_json()})
        made.append(row)

    perform(case, "apply_confirmation", actor, expected_version=expected_version, before_commit=add)
    return made[0]


def record_confirmation(case: Case, accepted_on, result: str, decided_on, enforcement_note: str = "",
                        actor=None, expected_version=None) -> tuple[JudicialConfirmation, Optional[str]]:
    """The court's acceptance, decision and enforcement note: ``(row, warning or None)``."""
    # A late acceptance is the court's delay, not the parties' fault: warned in the timeline, not refused.
    row = confirmation_of(case)
    if row is None:
        raise TransitionRefused([gettext("No application for judicial confirmation is recorded for this case.")])
    if case.status not in CONFIRMATION_STATES:
        raise TransitionRefused([gettext("The case is now “%(state)s”: the confirmation can no longer change.",
                                         state=CASE_STATES.get(case.status, case.status))])
    problems = _decision_problems(row, accepted_on, result, decided_on, enforcement_note)
    if problems:
        raise TransitionRefused(problems)
    check_version(case, expected_version)
    warning = _late_acceptance(row.applied_on, accepted_on)
    with unit_of_work():
        row.accepted_on, row.result, row.decided_on = accepted_on, result, decided_on
        row.enforcement_note = (enforcement_note or "").strip() or None
        case.changed_at = utcnow()
        note = str(CONFIRMATION_RESULTS[result]) + (f"\n{warning}" if warning else "")
        record(case, actor, "confirmation", "confirmation_recorded", note,
               {"result": result, "accepted_on": accepted_on.isoformat() if accepted_on else None,
                "decided_on": decided_on.isoformat() if decided_on else None, "late_acceptance": bool(warning)})
    return row, warning


def _decision_problems(row, accepted_on, result, decided_on, note) -> list[str]:
    problems = []
    if result not in CONFIRMATION_RESULTS:
        problems.append(gettext("Choose the court's decision."))
    for day in (accepted_on, decided_on):
        if day is not None and (not isinstance(day, dt.date) or day > today()):
            problems.append(gettext("The court's dates must be real days, not in the future."))
            return problems
    if accepted_on is not None and accepted_on < row.applied_on:
        problems.append(gettext(
            "The court cannot accept the application (%(accepted)s) before it was made (%(applied)s).",
                                accepted=accepted_on.isoformat(), applied=row.applied_on.isoformat()))
    if result == "confirmed" and accepted_on is None:
        problems.append(gettext("A confirmed agreement was accepted first: give the day the court accepted it."))
    if result in ("confirmed", "rejected") and decided_on is None:
        problems.append(gettext("Give the day of the court's decision."))
    if result == "pending" and decided_on is not None:
        problems.append(gettext("A decision day needs a decision: choose confirmed or rejected."))
    if decided_on is not None and decided_on < (accepted_on or row.applied_on):
        problems.append(gettext("The decision cannot come before the application was made and accepted."))
    if len(note or "") > 4000:
        problems.append(gettext("The enforcement note is too long."))
    return problems


def _late_acceptance(applied_on: dt.date, accepted_on) -> Optional[str]:
    if accepted_on is None:
        return None
    try:
        days, last = period_end(CONFIRMATION_ACCEPTANCE_DAYS, applied_on)
    except SettingMissing:
        return _missing(CONFIRMATION_ACCEPTANCE_DAYS, applied_on)
    if accepted_on <= last:
        return None
    return gettext(
        "The court accepted the application on %(accepted)s, later than its %(days)s days (last day %(last)s).",
                   accepted=accepted_on.isoformat(), days=days, last=last.isoformat())
