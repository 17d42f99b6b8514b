"""Return visits (回访): the committee follows up whether the agreed terms are kept
(People's Mediation Law art. 31). Every interval is a dated setting read on the day the
period starts; a visit that finds a term unperformed raises a follow-up visit.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select, update

from app.extensions import db
from app.lifecycle.machine import OPEN_STATES
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, record
from app.models.case import Case
from app.models.outcome import VISIT_METHODS, AgreedTerm, Agreement, ReturnVisit
from app.services.scope import request_scope
from app.services.setting_labels import setting_label
from app.services.settings import SettingMissing, setting_int, today

# Declared by the core rules (app/lifecycle/core_rules.py) with their defaults and sources.
FIRST_VISIT_DAYS = "core.return_visit_first_days"  # no term has a due date: this long after effect
RETURN_VISIT_AFTER_DAYS = "core.return_visit_after_days"  # the second visit, after the first
FOLLOW_UP_DAYS = "core.return_visit_follow_up_days"  # after a visit that found a term unperformed


def _days(key: str, on: dt.date) -> int:
    try:
        return setting_int(key, on)
    except SettingMissing:
        # Refused rather than guessed: a visit planned on an invented interval is a silent error.
        raise TransitionRefused([gettext(
            "The dated setting %(key)s has no value in force on %(day)s: an administrator must enter it.",
            key=setting_label(key), day=on.isoformat())]) from None


def schedule_visits(case: Case, agreement: Optional[Agreement] = None, actor=None) -> list[ReturnVisit]:
    """Plan the visits when the agreement takes effect: at the first due date, and a set time later."""
    # Added to the caller's transaction (the last signature); a case that has visits keeps them.
    agreement = agreement or db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)).first()
    if agreement is None or agreement.effective_on is None:
        return []
    if db.session.scalar(select(ReturnVisit.id).where(ReturnVisit.case_id == case.id).limit(1)) is not None:
        return []
    effective = agreement.effective_on
    dues = [t.due_on for t in agreement.terms if t.due_on]
    if dues:
        # A term due on the day of signing (paid on the spot) is checked from the effect on.
        first = max(min(dues), effective)
    else:
        first = effective + dt.timedelta(days=_days(FIRST_VISIT_DAYS, effective))
    second = first + dt.timedelta(days=_days(RETURN_VISIT_AFTER_DAYS, effective))
    visits = [ReturnVisit(case_id=case.id, scheduled_for=day) for day in (first, second)]
    db.session.add_all(visits)
    record(case, actor, "visit", "visits_scheduled",
           gettext("Return visits planned on %(days)s.", days="、".join(d.isoformat() for d in (first, second))),
           {"scheduled_for": [first.isoformat(), second.isoformat()]})
    return visits


def visits_of(case: Case) -> list[ReturnVisit]:
    """The case's visits, earliest first."""
    return db.session.scalars(
        select(ReturnVisit).where(ReturnVisit.case_id == case.id).order_by(ReturnVisit.scheduled_for, ReturnVisit.id)
    ).all()


def planned_visit_refusal(case: Case) -> Optional[str]:
    """Why ``case`` cannot be closed while a return visit is still planned, or ``None``.

    Closing would leave the visit unrecorded on a finished case, where no queue shows it again;
    the clerk records what the visit found, or cancels it with the reason.
    """
    pending = db.session.scalars(
        select(ReturnVisit).where(ReturnVisit.case_id == case.id, ReturnVisit.done_on.is_(None))
        .order_by(ReturnVisit.scheduled_for, ReturnVisit.id)
    ).all()
    if not pending:
        return None
    return gettext(
        "A return visit is still planned (on %(days)s): record what it found, or cancel it with the reason, "
        "before closing the case.",
        days="、".join(v.scheduled_for.isoformat() for v in pending),
    )


def _problems(visit, agreement, done_on, method, terms_performed, satisfaction, notes, ticked) -> list[str]:
    problems = []
    if visit.done_on is not None:
        return [gettext("This visit was already recorded on %(day)s.", day=visit.done_on.isoformat())]
    if not isinstance(done_on, dt.date):
        problems.append(gettext("Give the day of the visit."))
    elif done_on > today():
        problems.append(gettext("A visit cannot be recorded before it happens."))
    elif agreement.effective_on and done_on < agreement.effective_on:
        problems.append(gettext("A return visit comes after the agreement took effect (%(day)s).",
                                day=agreement.effective_on.isoformat()))
    if method not in VISIT_METHODS:
        problems.append(gettext("Choose how the parties were reached."))
    if not isinstance(terms_performed, bool):
        problems.append(gettext("Say whether the terms are being kept."))
    if satisfaction is not None and (isinstance(satisfaction, bool) or not isinstance(satisfaction, int)
                                     or not 1 <= satisfaction <= 5):
        problems.append(gettext("Satisfaction is a whole number from 1 to 5."))
    if len(notes or "") > 4000:
        problems.append(gettext("The notes are too long."))
    known = {t.id for t in agreement.terms}
    if any(t not in known for t in ticked):
        problems.append(gettext("A term that is not in this agreement was ticked."))
    return problems


def record_visit(visit: ReturnVisit, actor, done_on: Optional[dt.date], method: str, terms_performed,
                 satisfaction: Optional[int], notes: str = "",
                 performed_term_ids: Iterable = ()) -> Optional[ReturnVisit]:
    """Record what a visit found and mark the ticked terms performed; returns the follow-up visit, if any."""
    case = db.session.get(Case, visit.case_id)
    agreement = db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)).first()
    if agreement is None:
        raise TransitionRefused([gettext("No agreement is stored for this case.")])
    ticked = []
    for raw in performed_term_ids or ():
        text = str(raw).strip()
        ticked.append(int(text) if text.isascii() and text.isdigit() else -1)
    problems = _problems(visit, agreement, done_on, method, terms_performed, satisfaction, notes, ticked)
    if problems:
        raise TransitionRefused(problems)
    follow_days = None if terms_performed else _days(FOLLOW_UP_DAYS, done_on)
    visit_id = visit.id
    with unit_of_work():
        # Conditional: two clerks recording the same visit at once must not raise two follow-ups.
        done = db.session.execute(
            update(ReturnVisit).where(ReturnVisit.id == visit_id, ReturnVisit.done_on.is_(None))
            .values(done_on=done_on, method=method, terms_performed=terms_performed, satisfaction=satisfaction,
                    notes=(notes or "").strip() or None, follow_up=not terms_performed,
                    done_by_id=getattr(actor, "id", None))
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise TransitionRefused([gettext("This visit was already recorded by someone else.")])
        if ticked:
            db.session.execute(
                update(AgreedTerm).where(AgreedTerm.id.in_(ticked), AgreedTerm.performed_on.is_(None))
                .values(performed_on=done_on).execution_options(synchronize_session=False)
            )
        record(case, actor, "visit", "visit_recorded", _summary(method, terms_performed, satisfaction, notes),
               {"visit_id": visit_id, "terms_performed": terms_performed, "satisfaction": satisfaction,
                "performed_term_ids": ticked})
        follow_up = None
        if follow_days is not None:
            follow_up = ReturnVisit(case_id=case.id, scheduled_for=done_on + dt.timedelta(days=follow_days))
            db.session.add(follow_up)
            db.session.flush()
            record(case, actor, "visit", "follow_up_raised",
                   gettext("Terms are not being kept: a follow-up visit is planned on %(day)s.",
                           day=follow_up.scheduled_for.isoformat()),
                   {"visit_id": visit_id, "follow_up_id": follow_up.id})
    db.session.refresh(visit)
    return follow_up


def cancel_visit(visit: ReturnVisit, actor, reason: str) -> None:
    """Cancel a planned visit that is no longer needed, with the reason.

    The plan is removed and the timeline keeps which visit it was, when it was planned and why
    it was cancelled; a visit already recorded cannot be cancelled.
    """
    case = db.session.get(Case, visit.case_id)
    reason = str(reason or "").strip()
    problems = []
    if visit.done_on is not None:
        problems.append(gettext("This visit was already recorded on %(day)s.", day=visit.done_on.isoformat()))
    if case.status not in OPEN_STATES:
        problems.append(gettext("The case is finished: its visits can no longer change."))
    if not reason:
        problems.append(gettext("Give the reason; it is kept in the case's timeline."))
    elif len(reason) > 4000:
        problems.append(gettext("The notes are too long."))
    if problems:
        raise TransitionRefused(problems)
    visit_id, planned = visit.id, visit.scheduled_for
    with unit_of_work():
        # Conditional, and it locks the row: a visit recorded meanwhile by someone else is not
        # cancelled under them, and their recording waits for this transaction.
        still_planned = db.session.execute(
            update(ReturnVisit).where(ReturnVisit.id == visit_id, ReturnVisit.done_on.is_(None))
            .values(done_on=None).execution_options(synchronize_session=False)
        ).rowcount
        if still_planned != 1:
            raise TransitionRefused([gettext("This visit was already recorded by someone else.")])
        db.session.delete(visit)  # through the session, so the audit log keeps the row deleted
        record(case, actor, "visit", "visit_cancelled",
               gettext("Return visit planned on %(day)s cancelled: %(reason)s", day=planned.isoformat(), reason=reason),
               {"visit_id": visit_id, "scheduled_for": planned.isoformat()})


def _summary(method, terms_performed, satisfaction, notes) -> str:
    parts = [str(VISIT_METHODS[method]),
             gettext("terms kept") if terms_performed else gettext("terms not kept")]
    if satisfaction is not None:
        parts.append(gettext("satisfaction %(n)s/5", n=satisfaction))
    if (notes or "").strip():
        parts.append(notes.strip())
    return "；".join(parts)


def due_visits(on: Optional[dt.date] = None,
               case_ids: Optional[Iterable[int]] = None) -> list[tuple[ReturnVisit, Case]]:
    """Visits not done and planned up to ``on`` (today) on open, visible cases, earliest first: one query."""
    query = (
        select(ReturnVisit, Case)
        .join(Case, Case.id == ReturnVisit.case_id)
        .where(ReturnVisit.done_on.is_(None), ReturnVisit.scheduled_for <= (on or today()),
               Case.status.in_(OPEN_STATES))
        .order_by(ReturnVisit.scheduled_for, ReturnVisit.id)
    )
    if case_ids is not None:
        query = query.where(ReturnVisit.case_id.in_(list(case_ids)))
    scope = request_scope() if has_request_context() else None
    if scope is not None:
        query = query.where(scope)
    return [tuple(row) for row in db.session.execute(query).unique().all()]
