"""Rules of the people's mediation pool: status changes, register dates, workloads, team duties.

Each ``*_problem`` function returns a sentence for the user, or ``None`` when all is well, so
forms can show it beside the field and services can raise it.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask_babel import gettext
from sqlalchemy import func, select

from app.services.settings import today as local_today  # one definition of "today"
from app.extensions import db
from app.models.case import Case
from app.models.mediator import (
    EMPLOYMENT,
    ENGAGEMENT,
    MEDIATOR_STATUS,
    TEAM_ROLES,
    Mediator,
    TeamMember,
)
from app.models.types import utcnow

# A case in one of these states no longer takes a mediator's time.
FINISHED_STATES = ("closed", "withdrawn", "merged", "transferred")
# Taking a mediator out of service must be explained: the reason is what a later reader
# (or the mediator) sees.
REASON_REQUIRED = ("suspended", "removed")
# The plan's split of duties (三(三)): intake, follow-up, return visits and ledgers need someone
# on site every day; analysis and guidance is what invited part-time experts bring.
ROLE_KINDS = {
    "intake_followup": ("full_time", "resident"),
    "analysis_guidance": ("part_time", "invited"),
}


def workloads(mediator_ids: Iterable[int]) -> dict[int, int]:
    """Open cases per mediator, ``{id: count}`` (0 included), in one grouped query."""
    ids = sorted({int(i) for i in mediator_ids if i is not None})
    if not ids:
        return {}
    rows = db.session.execute(
        select(Case.mediator_id, func.count(Case.id))
        .where(Case.mediator_id.in_(ids), Case.status.not_in(FINISHED_STATES))
        .group_by(Case.mediator_id)
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({mediator_id: n for mediator_id, n in rows})
    return counts


def status_reason_problem(status: str, reason: Optional[str]) -> Optional[str]:
    """Why ``status`` with ``reason`` cannot be saved, or ``None``."""
    if status not in MEDIATOR_STATUS:
        return gettext("Unknown status: %(status)s.", status=status)
    if status in REASON_REQUIRED and not (reason or "").strip():
        return gettext("Give the reason for suspending or removing a mediator.")
    return None


def change_status(mediator, status: str, reason: Optional[str] = None) -> None:
    """Set ``mediator``'s status and reason (not committed); raise ``ValueError`` if refused.

    Removal is a status, never a deletion: cases keep naming the mediator.
    """
    problem = status_reason_problem(status, reason)
    if problem:
        raise ValueError(problem)
    if status != mediator.status:
        mediator.status_changed_at = utcnow()
    mediator.status = status
    mediator.status_reason = (reason or "").strip() or None


def register_is_current(mediator, on: Optional[dt.date] = None) -> bool:
    """True if ``mediator`` is on the register on ``on`` (no expiry date: still current)."""
    on = on or local_today()
    if mediator.register_entered_on and mediator.register_entered_on > on:
        return False
    return mediator.register_expires_on is None or mediator.register_expires_on >= on


def register_dates_problem(entered_on, expires_on) -> Optional[str]:
    """Why the register dates cannot be saved, or ``None``."""
    if entered_on and expires_on and expires_on < entered_on:
        return gettext("The register expiry date cannot be before the date of entry.")
    return None


def role_problem(mediator, role: str) -> Optional[str]:
    """Why ``mediator`` cannot hold ``role`` in a team, or ``None``."""
    if role not in TEAM_ROLES:
        return gettext("Unknown team role: %(role)s.", role=role)
    wanted = ROLE_KINDS.get(role)
    if wanted and (mediator.employment, mediator.engagement) != wanted:
        return gettext(
            "%(role)s is for %(kind)s mediators; %(name)s is %(actual)s.",
            role=TEAM_ROLES[role],
            kind=_kind(*wanted),
            name=mediator.name,
            actual=_kind(mediator.employment, mediator.engagement),
        )
    return None


def team_member_problem(team, mediator, role: str, member_id: Optional[int] = None) -> Optional[str]:
    """Why ``mediator`` cannot hold ``role`` in ``team`` (``member_id``: the row being edited)."""
    if member_id is None and mediator.status == "removed":
        return gettext("%(name)s has been removed from the pool.", name=mediator.name)
    problem = role_problem(mediator, role)
    if problem:
        return problem
    if member_id is None:
        taken = select(TeamMember.id).where(TeamMember.team_id == team.id, TeamMember.mediator_id == mediator.id)
        # No autoflush: the member being checked is not saved yet and may never be.
        with db.session.no_autoflush:
            found = db.session.scalar(taken.limit(1))
        if found is not None:
            return gettext("%(name)s is already a member of this team.", name=mediator.name)
    if role == "lead" and team.lead_id not in (None, mediator.id):
        return gettext(
            "The team already has a lead (%(lead)s): change the lead on the team's page first.",
            lead=team.lead.name,
        )
    return None


def team_lead_problem(team_id: int, lead) -> Optional[str]:
    """Why ``lead`` (or no lead) cannot lead team ``team_id``, or ``None``.

    The lead must be a member; only the lead holds the role "Team lead", so a former lead
    must first be given other duties.
    """
    with db.session.no_autoflush:  # the change being checked may be refused
        members = dict(
            db.session.execute(
                select(TeamMember.mediator_id, TeamMember.role).where(TeamMember.team_id == team_id)
            ).all()
        )
    if lead is not None and lead.id not in members:
        return gettext(
            "The lead must be a member of the team: add %(name)s as a member first.", name=lead.name
        )
    lead_id = lead.id if lead is not None else None
    former = sorted(mid for mid, role in members.items() if role == "lead" and mid != lead_id)
    if former:
        return gettext(
            "%(name)s still has the role %(role)s: give them other duties before changing the lead.",
            name=db.session.get(Mediator, former[0]).name,
            role=TEAM_ROLES["lead"],
        )
    return None


def sync_lead(member) -> None:
    """A member given the role "Team lead" becomes the lead of a team that has none."""
    if member.role == "lead" and member.team is not None and member.team.lead_id is None:
        member.team.lead = member.mediator


def leaving_lead_problem(member) -> Optional[str]:
    """Why ``member`` cannot leave their team, or ``None``: the lead stays a member."""
    if member.team and member.team.lead_id == member.mediator_id:
        return gettext(
            "%(name)s leads this team: choose another lead on the team's page first.",
            name=member.mediator.name,
        )
    return None


def kind_change_problem(mediator) -> Optional[str]:
    """Why ``mediator``'s (changed) employment or engagement clashes with a team role, or ``None``."""
    with db.session.no_autoflush:  # the change being checked may be refused
        rows = db.session.scalars(
            select(TeamMember).where(TeamMember.mediator_id == mediator.id, TeamMember.role.in_(ROLE_KINDS))
        ).all()
    for member in rows:
        problem = role_problem(mediator, member.role)
        if problem:
            return gettext("In team %(team)s: %(problem)s", team=member.team.name, problem=problem)
    return None


def _kind(employment: str, engagement: str) -> str:
    return f"{EMPLOYMENT.get(employment, employment)} · {ENGAGEMENT.get(engagement, engagement)}"
