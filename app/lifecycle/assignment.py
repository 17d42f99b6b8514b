"""Offering a case to mediators and their answers: the first to accept gets the case.

Offers are made through the "assign" action (:func:`app.lifecycle.workflow.perform`), so the
state change, the offers and the timeline commit together. Accepting is a race between
mediators: a conditional UPDATE of the case row decides it, and the partial unique index on
accepted offers is the second wall.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defaultload
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, perform, record
from app.models.case import CASE_STATES, Case
from app.models.lifecycle import Assignment
from app.models.mediator import MEDIATOR_STATUS, MediationTeam, Mediator, TeamMember
from app.models.types import utcnow
from app.services.mediators import local_today, register_is_current
from app.views.keys import MAX_PK

# What the timeline shows for the entries written here (kind "assignment").
TIMELINE_LABELS = {
    "offer": _l("Offered to mediators"),
    "accept_offer": _l("Offer accepted"),
    "decline_offer": _l("Offer declined"),
}
# Mediator.areas is loaded with "selectin" (a second statement); offer lists never show it.
_NO_AREAS = defaultload(Assignment.mediator).lazyload(Mediator.areas)
# The one state in which a case waits for a mediator to accept (machine.ACTIONS["assign"]).
WAITING = "assigned"


class NotYourOffer(TransitionRefused):
    """The offer does not exist or is addressed to someone else (views answer 404)."""

    def __init__(self):
        super().__init__([gettext("There is no such offer addressed to you.")])


def eligibility_problem(mediator: Mediator, on: Optional[dt.date] = None) -> Optional[str]:
    """Why ``mediator`` cannot be offered (or take) a case on ``on``, or ``None``."""
    if mediator.status != "active":
        return gettext(
            "%(name)s cannot take cases: %(status)s.",
            name=mediator.name,
            status=MEDIATOR_STATUS.get(mediator.status, mediator.status),
        )
    if not register_is_current(mediator, on or local_today()):
        return gettext("%(name)s is not on the mediator register today.", name=mediator.name)
    return None


def offer(case: Case, mediator_ids: Iterable, actor, expected_version=None, note: str = "",
          team_id=None) -> list[Assignment]:
    """Offer ``case`` to mediators and/or team ``team_id``'s members, withdrawing unanswered offers."""
    made: list[Assignment] = []

    def add_offers(case: Case) -> None:
        # Runs inside perform's transaction, after the state and plugin checks, so a case in
        # the wrong state gets the state's refusal rather than one about mediators.
        with db.session.no_autoflush:
            mediators, problems = _offer_targets(case, mediator_ids, team_id)
        if problems:
            raise TransitionRefused(problems)
        # Re-offering leaves the state as it is; the version must still move so that a
        # mediator accepting at this very moment and this re-offer cannot both succeed. The
        # case row is written (and locked) first, as accept and decline do: no deadlock.
        flag_modified(case, "status")
        db.session.flush()
        now = utcnow()
        withdrawn = _close_pending(case.id, now)
        for mediator in mediators:
            made.append(Assignment(case_id=case.id, mediator_id=mediator.id, offered_at=now,
                                   offered_by_id=getattr(actor, "id", None), response="pending"))
        db.session.add_all(made)
        text = gettext("Offered to %(names)s.", names="、".join(m.name for m in mediators))
        if withdrawn:
            text += " " + gettext("Offers withdrawn: %(names)s.", names="、".join(withdrawn.values()))
        record(case, actor, "assignment", "offer", text,
               {"mediator_ids": [m.id for m in mediators], "team_id": _int_or_none(team_id),
                "withdrawn": sorted(withdrawn)})

    perform(case, "assign", actor, expected_version=expected_version, note=note, before_commit=add_offers)
    return made


def _offer_targets(case: Case, mediator_ids, team_id) -> tuple[list[Mediator], list[str]]:
    """The mediators to offer ``case`` to, in the order given, and the reasons not to."""
    problems = []
    ids = []
    for raw in list(mediator_ids or []):
        value = _int_or_none(raw)
        if value is None:
            problems.append(gettext("Unknown mediator."))
        elif value not in ids:
            ids.append(value)
    if team_id not in (None, ""):
        team = db.session.get(MediationTeam, _int_or_none(team_id) or 0)
        if team is None:
            problems.append(gettext("Unknown team."))
        else:
            members = db.session.scalars(
                select(TeamMember.mediator_id).where(TeamMember.team_id == team.id).order_by(TeamMember.id)
            ).all()
            if not members:
                problems.append(gettext("Team %(team)s has no members.", team=team.name))
            ids.extend(m for m in members if m not in ids)
    if not ids and not problems:
        problems.append(gettext("Choose at least one mediator or a team to offer the case to."))
    if case.mediator_id is not None:
        problems.append(gettext("%(name)s has already accepted this case.", name=case.mediator.name))
    found = {m.id: m for m in db.session.scalars(select(Mediator).where(Mediator.id.in_(ids)))} if ids else {}
    pending = set(
        db.session.scalars(
            select(Assignment.mediator_id).where(Assignment.case_id == case.id, Assignment.response == "pending")
        )
    )
    today = local_today()
    mediators = []
    for mediator_id in ids:
        mediator = found.get(mediator_id)
        if mediator is None:
            problems.append(gettext("Unknown mediator."))
            continue
        problem = eligibility_problem(mediator, today)
        if problem:
            problems.append(problem)
        elif mediator_id in pending:
            problems.append(gettext("%(name)s has already been offered this case and not answered yet.",
                                    name=mediator.name))
        mediators.append(mediator)
    return mediators, list(dict.fromkeys(problems))  # one "Unknown mediator." is enough


def withdraw_open_offers(case: Case) -> dict[int, str]:
    """Withdraw ``case``'s unanswered offers (not committed), e.g. when it is withdrawn or merged."""
    return _close_pending(case.id, utcnow())


def _close_pending(case_id: int, now, keep: Optional[int] = None) -> dict[int, str]:
    """Withdraw the case's offers still waiting (but ``keep``); ``{mediator_id: name}`` of them."""
    condition = [Assignment.case_id == case_id, Assignment.response == "pending"]
    if keep is not None:
        condition.append(Assignment.id != keep)
    rows = db.session.execute(
        select(Mediator.id, Mediator.name).join(Assignment, Assignment.mediator_id == Mediator.id).where(*condition)
    ).all()
    # Conditional: an answer committed meanwhile (declined, accepted) is never overwritten.
    db.session.execute(
        update(Assignment).where(*condition).values(response="withdrawn", responded_at=now)
        .execution_options(synchronize_session=False)
    )
    return dict(rows)


def _own_offer(assignment_id, user) -> Assignment:
    """The offer, if it is addressed to ``user``; ``NotYourOffer`` otherwise."""
    offer_id = _int_or_none(assignment_id)
    user_id = getattr(user, "id", None)
    found = db.session.get(Assignment, offer_id) if offer_id and user_id else None
    if found is None or found.mediator.user_id != user_id:
        raise NotYourOffer()
    return found


def closed_offer_reason(assignment: Assignment, case: Case) -> Optional[str]:
    """Why ``assignment`` can no longer be answered, or ``None`` while it can."""
    if case.mediator_id is not None and case.mediator_id != assignment.mediator_id:
        return gettext("This case was already accepted by someone else.")
    if assignment.response == "accepted" or case.mediator_id == assignment.mediator_id:
        return gettext("You have already accepted this case.")
    if assignment.response == "declined":
        return gettext("You have already declined this offer.")
    if assignment.response == "withdrawn":
        return gettext("This offer has been withdrawn.")
    if case.status != WAITING:
        return gettext("The case is now “%(state)s” and no longer waits for a mediator.",
                       state=CASE_STATES.get(case.status, case.status))
    return None


def accept(assignment_id, user) -> Assignment:
    """``user`` (the offered mediator) takes the case; raise ``TransitionRefused`` if they cannot."""
    mine = _own_offer(assignment_id, user)
    case = db.session.get(Case, mine.case_id)
    reason = closed_offer_reason(mine, case) or eligibility_problem(mine.mediator)
    if reason:
        raise TransitionRefused([reason])
    offer_id, case_id, mediator_id = mine.id, mine.case_id, mine.mediator_id
    now = utcnow()
    try:
        with unit_of_work():
            # The race is decided here: the database lets exactly one acceptor change the row.
            won = db.session.execute(
                update(Case)
                .where(Case.id == case_id, Case.mediator_id.is_(None), Case.status == WAITING)
                .values(mediator_id=mediator_id, version=Case.version + 1, changed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won == 1:
                # Conditional too: a re-offer may have withdrawn this very offer meanwhile.
                won = db.session.execute(
                    update(Assignment)
                    .where(Assignment.id == offer_id, Assignment.response == "pending")
                    .values(response="accepted", responded_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
            if won != 1:
                db.session.rollback()  # first: the winner's commit is what explains the loss
                raise TransitionRefused([_lost_reason(offer_id)])
            withdrawn = _close_pending(case_id, now, keep=offer_id)
            # The raw UPDATE bypassed the ORM: reload the case so a later flush uses the new version.
            case = db.session.get(Case, case_id, populate_existing=True)
            record(case, user, "assignment", "accept_offer", "",
                   {"assignment_id": offer_id, "mediator_id": mediator_id, "withdrawn": sorted(withdrawn)})
    except IntegrityError:
        # The partial unique index: another acceptance got past the first wall.
        raise TransitionRefused([gettext("This case was already accepted by someone else.")]) from None
    return db.session.get(Assignment, offer_id)


def _lost_reason(offer_id: int) -> str:
    """After a lost race: why, from what the winner committed."""
    mine = db.session.get(Assignment, offer_id)
    case = db.session.get(Case, mine.case_id)
    return closed_offer_reason(mine, case) or gettext("This case was already accepted by someone else.")


def decline(assignment_id, user, reason: str) -> Assignment:
    """``user`` (the offered mediator) turns the offer down, saying why."""
    mine = _own_offer(assignment_id, user)
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused([gettext("Give the reason for declining; the clerk reads it before offering again.")])
    case = db.session.get(Case, mine.case_id)
    problem = closed_offer_reason(mine, case)
    if problem:
        raise TransitionRefused([problem])
    offer_id, case_id, mediator_id = mine.id, mine.case_id, mine.mediator_id
    with unit_of_work():
        # Lock the case row (PostgreSQL) so that "nobody is left" below is not a guess while
        # another mediator declines or accepts; SQLite serialises writers anyway.
        db.session.execute(select(Case.id).where(Case.id == case_id).with_for_update())
        done = db.session.execute(
            update(Assignment)
            .where(Assignment.id == offer_id, Assignment.response == "pending")
            .values(response="declined", responded_at=utcnow(), reason=reason)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            db.session.rollback()  # first: the winner's commit is what explains the loss
            raise TransitionRefused([_lost_reason(offer_id)])
        left = db.session.scalar(
            select(func.count(Assignment.id)).where(Assignment.case_id == case_id, Assignment.response == "pending")
        )
        case = db.session.get(Case, case_id, populate_existing=True)
        note = reason
        if not left and case.mediator_id is None:
            # The state stays "assigned": the clerk decides whom to offer the case to next.
            note += "\n" + gettext("Nobody else has the offer any more: the case stays assigned until the clerk offers it again.")
        record(case, user, "assignment", "decline_offer", note,
               {"assignment_id": offer_id, "mediator_id": mediator_id, "pending_left": left})
    return db.session.get(Assignment, offer_id)


def pending_offers_for(user) -> list[tuple[Assignment, Case]]:
    """The offers waiting for ``user``'s answer, oldest first, with their cases (one query)."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return []
    rows = db.session.execute(
        select(Assignment, Case)
        .join(Case, Case.id == Assignment.case_id)
        .join(Mediator, Mediator.id == Assignment.mediator_id)
        .where(Mediator.user_id == user_id, Assignment.response == "pending",
               Case.status == WAITING, Case.mediator_id.is_(None))
        .order_by(Assignment.offered_at, Assignment.id)
        .options(_NO_AREAS)
    ).all()
    return [(a, c) for a, c in rows]


def offers_for_case(case: Case) -> list[Assignment]:
    """Every offer of ``case``, newest first, with its mediator (one query)."""
    return db.session.scalars(
        select(Assignment).where(Assignment.case_id == case.id)
        .order_by(Assignment.offered_at.desc(), Assignment.id.desc()).options(_NO_AREAS)
    ).all()


def _int_or_none(value) -> Optional[int]:
    """A positive id the database can hold, or ``None`` (a huge number would be a 500)."""
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK else None
