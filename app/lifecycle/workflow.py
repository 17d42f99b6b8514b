"""The one path that changes a case's state: guards, plugin vetoes, the change and its
timeline entry, all in one transaction, refused cleanly when someone else saved first.

Nothing else assigns ``case.status`` (``tests/test_single_state_path.py`` checks): a new case
enters its first state through :func:`enter_first_state`, every later step through
:func:`perform`. Both ask the plugins through ``validate_transition`` and tell them through
``on_transition``, so no change of state escapes a plugin's veto or its reaction.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db, jiefen
from app.lifecycle.machine import ACTIONS, TERMINAL, Action, available
from app.lifecycle.tx import StaleCase, unit_of_work
from app.models.case import CASE_STATES, LITIGATION_TRACKS, Case
from app.models.lifecycle import Consent, TimelineEvent
from app.models.types import utcnow

__all__ = ["FIRST_STATE", "StaleCase", "TransitionRefused", "check_transition", "enter_first_state",
           "latest_consents", "perform", "record", "refusal_for_state"]

FIRST_STATE = "registered"


class TransitionRefused(Exception):
    """A rule or a plugin refused a change; ``reasons`` are sentences for the user."""

    def __init__(self, reasons: list):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


def check_transition(case, from_state: Optional[str], to_state: str, actor) -> None:
    """Ask every enabled plugin whether the change may happen; raise if any says no."""
    vetoes = [r for r in jiefen().dispatcher.call_for_case(
        "validate_transition", case, from_state=from_state, to_state=to_state, actor=actor) if r]
    if vetoes:
        raise TransitionRefused(vetoes)


def _announce(case, from_state: Optional[str], to_state: str, actor) -> None:
    """Tell the plugins the change happened, inside the transaction: they read a read-only view
    and write nothing; an exception they raise rolls the change back."""
    jiefen().dispatcher.call_for_case("on_transition", case, from_state=from_state, to_state=to_state, actor=actor)


def latest_consents(case: Case, subject: str = "mediation") -> dict[int, str]:
    """Each party's latest answer on ``subject``: ``{party_id: "given" | "refused"}``."""
    rows = db.session.execute(
        select(Consent.party_id, Consent.decision)
        .where(Consent.case_id == case.id, Consent.subject == subject)
        .order_by(Consent.at, Consent.id)
    ).all()
    return {party_id: decision for party_id, decision in rows}  # later rows win


def _core_guard(case: Case, action: Action, data: dict, actor=None) -> Optional[str]:
    """The core's own rules for an action; a sentence when they say no."""
    if action.name in ("accept_mediation", "refuse_mediation"):
        answers = latest_consents(case)
        disputing = [p for p in case.parties if p.role in ("applicant", "respondent")]
        if action.name == "accept_mediation":
            missing = [p.name for p in disputing if answers.get(p.id) != "given"]
            if missing:
                return gettext(
                    "Mediation needs every party's consent; not yet given by: %(names)s.",
                    names="、".join(missing),
                )
        elif not any(answers.get(p.id) == "refused" for p in disputing):
            return gettext("No party has refused mediation: record the refusal first.")
    if action.name == "schedule" and case.mediator_id is None:
        return gettext("No mediator has accepted the case yet.")
    if action.name == "start_performance" or (action.name == "transfer" and case.status == "judicial_confirmation"):
        reason = _outcome_guard(case, action)
        if reason:
            return reason
    if action.name == "close":
        from app.lifecycle.visits import planned_visit_refusal

        reason = planned_visit_refusal(case)
        if reason:
            return reason
    if action.needs_track and data.get("track") not in LITIGATION_TRACKS:
        return gettext("Choose the track the case goes to.")
    if action.needs_case_no:
        target = db.session.scalars(select(Case).where(Case.case_no == (data.get("case_no") or "").strip())).first()
        if target is None or target.id == case.id or not _visible_to(actor, target):
            return gettext("Give the number of another existing case to merge into.")
        if target.status in TERMINAL:
            return gettext("Case %(no)s is already finished; merge into an open case.", no=target.case_no)
        data["target_id"] = target.id
    if action.needs_note and not (data.get("note") or "").strip():
        return gettext("Give the reason; it is kept in the case's timeline.")
    return None


def _visible_to(actor, case: Case) -> bool:
    """May ``actor`` see ``case``? The system itself (no actor) may."""
    if actor is None:
        return True
    from app.services.scope import visible_cases

    clause = visible_cases(actor)
    if clause is None:
        return True
    return db.session.scalar(select(Case.id).where(Case.id == case.id, clause)) is not None


def _outcome_guard(case: Case, action: Action) -> Optional[str]:
    """Performance starts from an agreement in effect and, when the court was asked, its
    confirmation; after a refusal to confirm, the case may go to court instead."""
    from app.models.outcome import Agreement, JudicialConfirmation

    agreement = db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)).first()
    confirmation = db.session.scalars(
        select(JudicialConfirmation).where(JudicialConfirmation.case_id == case.id)
    ).first()
    if action.name == "transfer":
        if confirmation is None or confirmation.result != "rejected":
            return gettext("Only a case whose agreement the court refused to confirm goes to court from here.")
        return None
    if agreement is None or agreement.effective_on is None:
        return gettext("The agreement is not in effect yet: every party and the mediator must sign it.")
    if confirmation is not None and confirmation.result == "pending":
        return gettext("Wait for the court's decision on judicial confirmation.")
    if confirmation is not None and confirmation.result == "rejected":
        return gettext("The court refused to confirm the agreement: revise it, or transfer the case to court.")
    return None


def refusal_for_state(case: Case, action: Action) -> str:
    """Why an action is not possible from the case's current state."""
    possible = "、".join(str(a.label) for a in available(case.status)) or gettext("none")
    return gettext(
        "The case is now “%(state)s”: “%(action)s” is not possible. Possible now: %(possible)s.",
        state=CASE_STATES.get(case.status, case.status),
        action=action.label,
        possible=possible,
    )


def record(case: Case, actor, kind: str, action: str, note: str = "", data: Optional[dict] = None,
           from_state: Optional[str] = None, to_state: Optional[str] = None) -> TimelineEvent:
    """Add a timeline entry to the current transaction (committed with the change it tells)."""
    event = TimelineEvent(
        case_id=case.id,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        kind=kind,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note or None,
        data=data or {},
    )
    db.session.add(event)
    return event


def perform(case: Case, action_name: str, actor, expected_version: Optional[int] = None,
            note: str = "", data: Optional[dict] = None, before_commit=None) -> Case:
    """Apply ``action_name`` to ``case`` or raise ``TransitionRefused`` / ``StaleCase``.

    The state, the fields the action sets, the timeline entry, whatever ``before_commit(case)``
    adds (e.g. assignment offers) and the plugins' reactions commit together; on any refusal
    or error nothing is written.
    """
    data = dict(data or {})
    data["note"] = note
    action = ACTIONS.get(action_name)
    if action is None:
        raise TransitionRefused([gettext("Unknown action.")])
    with unit_of_work():
        if expected_version is not None and int(expected_version) != case.version:
            raise StaleCase()
        if case.status not in action.sources:
            raise TransitionRefused([refusal_for_state(case, action)])
        reason = _core_guard(case, action, data, actor)
        if reason:
            raise TransitionRefused([reason])
        if action.needs_track:
            # Set before the plugins are asked: a veto may depend on where the case goes
            # (labour → arbitration). A refusal rolls it back with everything else.
            case.litigation_track = data["track"]
        from_state = case.status
        check_transition(case, from_state, action.target, actor)
        case.status = action.target
        if action.name == "refuse_mediation":
            case.track = "litigation"
            case.screening_note = note.strip()
        if action.target in TERMINAL:
            case.closed_at = utcnow()
        record(case, actor, "transition", action.name, note.strip(),
               {k: v for k, v in data.items() if k in ("track", "case_no", "target_id")},
               from_state, action.target)
        if from_state == "assigned" and action.target != "assigned":
            from app.lifecycle.assignment import withdraw_open_offers

            withdraw_open_offers(case)  # unanswered offers lapse once the case moves on
        if before_commit is not None:
            before_commit(case)
        db.session.flush()  # the version column makes a concurrent save fail here
        _announce(case, from_state, action.target, actor)
    return case


def enter_first_state(case: Case, actor, data: Optional[dict] = None) -> None:
    """Put a new case (added, not yet flushed) in its first state, ask and tell the plugins and
    write the "registered" timeline entry; flushed, not committed: the caller's unit of work
    commits it with the case's parties and numbers, or rolls it all back."""
    case.status = FIRST_STATE
    check_transition(case, None, FIRST_STATE, actor)
    db.session.flush()
    _announce(case, None, FIRST_STATE, actor)
    record(case, actor, "transition", "register", to_state=FIRST_STATE, data=data)
