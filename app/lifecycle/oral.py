"""Oral mediation agreements (People's Mediation Law art. 28): when the parties see no need
for a written agreement, the mediator records what they agreed. It takes effect on the day
every party agreed (art. 30), so it is recorded in one step, with each party's assent, and
reaches "agreement reached" by the same action as a written one; return visits follow as
for a written agreement. It has no document, and a court does not confirm it
(:func:`app.lifecycle.confirmation.confirmation_problems` says why).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable, Optional

from flask_babel import gettext

from app.extensions import db
from app.lifecycle.outcome import (
    EDITABLE_STATES,
    SIGNING_ROLES,
    _lock,
    _refuse_if_signed,
    agreement_of,
    check_version,
    clean_terms,
)
from app.lifecycle.tx import unit_of_work
from app.lifecycle.visits import schedule_visits
from app.lifecycle.workflow import TransitionRefused, perform, record
from app.models.case import CASE_STATES, Case
from app.models.outcome import AgreedTerm, Agreement, Signature
from app.models.types import utcnow
from app.services.settings import today


def _assenting(case: Case, assent: Iterable) -> tuple[list, list[str]]:
    """The parties bound by the agreement, and the names of those whose assent is missing."""
    given = {str(pid) for pid in (assent or [])}
    bound = [p for p in case.parties if p.role in SIGNING_ROLES]
    return bound, [p.name for p in bound if str(p.id) not in given]


def _problems(case: Case, committee, mediator_name, agreed_on, assent) -> list[str]:
    problems = []
    if not str(committee or "").strip() or len(str(committee)) > 200:
        problems.append(gettext("Name the mediation committee (at most 200 characters)."))
    if not str(mediator_name or "").strip() or len(str(mediator_name)) > 100:
        problems.append(gettext("Name the mediator (at most 100 characters)."))
    if not isinstance(agreed_on, dt.date) or isinstance(agreed_on, dt.datetime):
        problems.append(gettext("Give the day the parties agreed."))
    elif agreed_on > today():
        problems.append(gettext("The agreement cannot be dated in the future."))
    _bound, missing = _assenting(case, assent)
    if missing:
        problems.append(gettext(
            "An oral agreement binds only parties who assented to it: record the assent of %(names)s, "
            "or go on mediating.", names="、".join(missing)))
    return problems


def record_oral_agreement(case: Case, actor, committee: str, mediator_name: str, terms: Iterable,
                          agreed_on: Optional[dt.date], assent: Iterable, expected_version=None,
                          amount: Optional[Decimal] = None) -> Agreement:
    """Record an oral agreement, in effect on ``agreed_on``; ``assent``: the ids of the parties
    who assented (every party bound by it must); ``amount``: the agreed amount (协议金额), if any.
    Refuses, or writes everything at once."""
    if case.status not in EDITABLE_STATES:
        raise TransitionRefused([gettext(
            "An agreement is recorded while the case is in mediation; the case is now “%(state)s”.",
            state=CASE_STATES.get(case.status, case.status))])
    check_version(case, expected_version)
    existing = agreement_of(case)
    if existing is not None:  # an unsigned written draft gives way to what the parties agreed orally
        _refuse_if_signed(existing, case)
    cleaned, problems = clean_terms(terms)
    problems = _problems(case, committee, mediator_name, agreed_on, assent) + problems
    if problems:
        raise TransitionRefused(problems)
    made: list[Agreement] = []

    def write(case: Case) -> None:
        agreement = existing or Agreement(case_id=case.id, created_by_id=getattr(actor, "id", None))
        if existing is not None:
            _lock(existing.id)
            _refuse_if_signed(existing, case)
            existing.signatures = []  # the draft's unsigned lines go first: one line per party
            db.session.flush()
        bound, _missing = _assenting(case, assent)
        agreement.form, agreement.template_code = "oral", ""  # no template: nothing to print or sign
        agreement.committee, agreement.mediator_name = str(committee).strip(), str(mediator_name).strip()
        agreement.drafted_on = agreement.effective_on = agreed_on
        agreement.amount = amount
        agreement.terms = [AgreedTerm(position=i, text=t.text, manner=t.manner or None, due_on=t.due, kind=t.kind)
                           for i, t in enumerate(cleaned, start=1)]
        agreement.signatures = (
            [Signature(party_id=p.id, signer_role="party", signed_on=agreed_on, method="oral") for p in bound]
            + [Signature(party_id=None, signer_role="mediator", signed_on=agreed_on, method="recorded")])
        db.session.add(agreement)
        db.session.flush()
        record(case, actor, "agreement", "oral_agreement_recorded",
               gettext("Oral agreement of %(day)s recorded by the mediator: %(count)s agreed terms, assented to "
                       "by %(names)s; in effect from that day.", day=agreed_on.isoformat(), count=len(cleaned),
                       names="、".join(p.name for p in bound)),
               {"agreement_id": agreement.id, "form": "oral", "effective_on": agreed_on.isoformat(),
                "terms": len(cleaned), "assent": [p.id for p in bound]})
        schedule_visits(case, agreement, actor)
        made.append(agreement)

    if case.status == "in_mediation":
        perform(case, "reach_agreement", actor, expected_version=expected_version, before_commit=write)
        return made[0]
    with unit_of_work():
        write(case)
        case.changed_at = utcnow()
    return made[0]
