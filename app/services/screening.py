"""Screening campaigns (排查专项): who sees which, which centres a campaign's areas offer, creating
one with a task per centre, a centre's report on its task, and the progress per centre.

- The district (administrators and district-scope staff, :func:`app.reports.scope.report_scope`)
  creates campaigns and reads them all; leadership reads them.
- A centre sees the campaigns it takes part in: those with a task of its own or of a body
  located in its area (a street centre follows its committees' tasks), and only those tasks.
- Progress per centre is one SQL GROUP BY over the tasks and the hazards they recorded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import and_, case as sql_case, false, func, or_, select, true

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused
from app.models.area import Area
from app.models.organization import COURT_KINDS, Organization
from app.models.screening import CampaignTask, Hazard, ScreeningCampaign
from app.reports.scope import ReportScope
from app.services.areas import descendant_ids
from app.services.clock import today

PAGE_SIZE = 25
PROGRESS_PAGE_SIZE = 50
# The bodies a campaign offers a task to, by default: the governance centres (综治中心) located in
# its areas. Any other body located there (a committee, a workstation) may be added by hand.
OFFERED_KINDS = ("governance_centre",)
TASK_BODIES_LIMIT = 500
DUE_SOON_DAYS = 3
MAX_TEXT = 2000
ONLY_DISTRICT = _l("Campaigns are created by the district: your account reads only its own centre's.")


def task_clause(scope: ReportScope):
    """The campaign tasks ``scope`` covers: every one for the district; for a centre, its own
    and those of bodies located in its area and below; none for anyone else."""
    if scope.is_district:
        return true()
    if scope.kind != "centre" or scope.organization_id is None:
        return false()
    located = select(Organization.id).where(Organization.area_id.in_(sorted(scope.area_ids or ())))
    return or_(CampaignTask.organization_id == scope.organization_id, CampaignTask.organization_id.in_(located))


def campaign_clause(scope: ReportScope):
    """The campaigns ``scope`` covers: all for the district; those it has a task in for a centre."""
    if scope.is_district:
        return true()
    if scope.kind != "centre":
        return false()
    return ScreeningCampaign.id.in_(select(CampaignTask.campaign_id).where(task_clause(scope)))


def campaign_in_scope(pk, scope: ReportScope) -> Optional[ScreeningCampaign]:
    """The campaign ``pk`` names if it exists and is in the scope, else ``None``."""
    from app.views.keys import is_valid_pk

    if not is_valid_pk(pk):
        return None
    query = select(ScreeningCampaign).where(ScreeningCampaign.id == int(str(pk)), campaign_clause(scope))
    return db.session.scalars(query).first()


def task_in_scope(pk, scope: ReportScope) -> Optional[CampaignTask]:
    """The task ``pk`` names if it exists and is in the scope, else ``None``."""
    from app.views.keys import is_valid_pk

    if not is_valid_pk(pk):
        return None
    query = select(CampaignTask).where(CampaignTask.id == int(str(pk)), task_clause(scope))
    return db.session.scalars(query).first()


def may_create(user, scope: ReportScope) -> bool:
    """True for district staff who may write: leadership reads only."""
    roles = {r.name for r in getattr(user, "roles", None) or []}
    return scope.is_district and bool(roles - {"Leadership"})


def area_choices() -> list[tuple[int, str]]:
    """The areas a campaign may cover: the district and its towns and streets."""
    query = (select(Area.id, Area.name).where(Area.level.in_(("district", "town")))
             .order_by(Area.level, Area.name, Area.id).limit(200))
    return [(a_id, name) for a_id, name in db.session.execute(query)]


def task_bodies(area_ids) -> list[Organization]:
    """The bodies a task may go to: active, neither a partner agency nor the court's own,
    located in the chosen areas or below them; the offered centres first."""
    ids = descendant_ids(area_ids) if area_ids else set()
    if not ids:
        return []
    offered = Organization.kind.in_(OFFERED_KINDS)
    query = (select(Organization).where(Organization.area_id.in_(sorted(ids)), Organization.active.is_(True),
                                        Organization.kind != "partner_agency",
                                        Organization.kind.not_in(sorted(COURT_KINDS)))
             .order_by(offered.desc(), Organization.name, Organization.id).limit(TASK_BODIES_LIMIT))
    return list(db.session.scalars(query).unique())


def offered_centres(area_ids) -> list[Organization]:
    """One task is offered per centre located in the chosen areas."""
    return [o for o in task_bodies(area_ids) if o.kind in OFFERED_KINDS]


@dataclass
class TaskInput:
    """One centre's task as typed."""

    organization_id: int
    instructions: str
    due_on: dt.date


@dataclass
class CampaignInput:
    """A campaign as typed (converted by the form)."""

    title: str
    focus: str
    starts_on: dt.date
    ends_on: dt.date
    area_ids: list
    dispute_type: Optional[str] = None
    tasks: list = field(default_factory=list)


def campaign_problems(values: CampaignInput) -> dict:
    """What is wrong with a campaign beyond single fields: ``{"ends_on"|"areas"|"tasks": [..]}``
    (a value the form could not read is left to the form's own message)."""
    problems: dict = {}
    period = values.starts_on is not None and values.ends_on is not None
    if period and values.ends_on < values.starts_on:
        problems.setdefault("ends_on", []).append(gettext("The campaign cannot end before it starts."))
    if not values.area_ids:
        problems.setdefault("areas", []).append(gettext("Choose the areas taking part."))
    if not values.tasks:
        problems.setdefault("tasks", []).append(gettext("Give at least one centre its task."))
    allowed = {o.id for o in task_bodies(values.area_ids)}
    seen = set()
    for task in values.tasks:
        if task.organization_id is None:
            continue  # the row says so itself
        if task.organization_id not in allowed:
            problems.setdefault("tasks", []).append(
                gettext("Each task goes to a centre located in the areas taking part."))
        if task.organization_id in seen:
            problems.setdefault("tasks", []).append(gettext("Give each centre one task."))
        seen.add(task.organization_id)
        if period and task.due_on is not None and not values.starts_on <= task.due_on <= values.ends_on:
            problems.setdefault("tasks", []).append(gettext("A task falls due within the campaign's period."))
    return {k: list(dict.fromkeys(v)) for k, v in problems.items()}


def create_campaign(actor, scope: ReportScope, values: CampaignInput) -> ScreeningCampaign:
    """Store a campaign with its areas and tasks, or raise ``TransitionRefused``."""
    if not may_create(actor, scope):
        raise TransitionRefused([gettext(str(ONLY_DISTRICT))])
    problems = campaign_problems(values)
    if problems:
        raise TransitionRefused([m for messages in problems.values() for m in messages])
    with unit_of_work():
        campaign = ScreeningCampaign(
            title=values.title.strip(), focus=values.focus.strip(), dispute_type=values.dispute_type or None,
            starts_on=values.starts_on, ends_on=values.ends_on, created_by_id=getattr(actor, "id", None),
            areas=list(db.session.scalars(select(Area).where(Area.id.in_(sorted(set(values.area_ids)))))),
        )
        for task in values.tasks:
            campaign.tasks.append(CampaignTask(organization_id=task.organization_id,
                                               instructions=task.instructions.strip(), due_on=task.due_on))
        db.session.add(campaign)
    return campaign


def may_report(task: CampaignTask, scope: ReportScope, user) -> bool:
    """Only the centre the task was given to reports on it (administrators may act for any):
    a town's clerk reads the tasks of the bodies located in the town but never marks them
    done, or the district's progress per centre would be someone else's word."""
    if any(r.name == "Admin" for r in getattr(user, "roles", [])):
        return True
    return scope.organization_id is not None and task.organization_id == scope.organization_id


def report_task(task: CampaignTask, actor, report, done: bool) -> CampaignTask:
    """Save a centre's report on its task; ``done`` marks it done today (a report is then
    required). A done task keeps its day; its report may still be completed."""
    text = report.strip() if isinstance(report, str) else ""
    if len(text) > MAX_TEXT:
        raise TransitionRefused([gettext("The report is too long (at most %(n)d characters).", n=MAX_TEXT)])
    if (done or task.done_on is not None) and not text:
        raise TransitionRefused([gettext("Write a short report of what was done before marking the task done.")])
    with unit_of_work():
        task.report = text or None
        if done and task.done_on is None:
            task.done_on = today()
    return task


def task_state(task_due_on: dt.date, done_on: Optional[dt.date], day: Optional[dt.date] = None) -> str:
    """``done``, ``overdue``, ``due_soon`` or ``running`` (the tag's colour follows)."""
    day = day or today()
    if done_on is not None:
        return "done"
    if task_due_on < day:
        return "overdue"
    if (task_due_on - day).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "running"


TASK_STATES = {
    "done": (_l("Done"), "green"),
    "overdue": (_l("Overdue"), "red"),
    "due_soon": (_l("Due soon"), "orange"),
    "running": (_l("In progress"), "blue"),
}


@dataclass(frozen=True)
class ProgressRow:
    """One centre's line of a campaign's progress."""

    task_id: int
    organization_id: int
    organization: str
    due_on: dt.date
    done_on: Optional[dt.date]
    hazards: int
    converted: int
    dissolved: int
    high: int

    @property
    def state(self) -> str:
        """The task's state today."""
        return task_state(self.due_on, self.done_on)


def _progress_query(campaign_id: int, scope: ReportScope):
    """Per task in scope: its centre, dates and the counts of its hazards (one GROUP BY)."""
    found = and_(Hazard.campaign_id == CampaignTask.campaign_id, Hazard.organization_id == CampaignTask.organization_id)

    def count_if(condition):
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    return (
        select(CampaignTask.id.label("task_id"), CampaignTask.organization_id, Organization.name.label("organization"),
               CampaignTask.due_on, CampaignTask.done_on, func.count(Hazard.id).label("hazards"),
               count_if(Hazard.status == "converted").label("converted"),
               count_if(Hazard.status == "dissolved").label("dissolved"),
               count_if(Hazard.risk_level == "high").label("high"))
        .join(Organization, Organization.id == CampaignTask.organization_id)
        .outerjoin(Hazard, found)
        .where(CampaignTask.campaign_id == campaign_id, task_clause(scope))
        .group_by(CampaignTask.id, CampaignTask.organization_id, Organization.name, CampaignTask.due_on,
                  CampaignTask.done_on)
    )


def progress(campaign: ScreeningCampaign, scope: ReportScope, page: int = 0,
             page_size: int = PROGRESS_PAGE_SIZE) -> tuple[list[ProgressRow], dict, int]:
    """One page of the progress per centre (by centre name), the totals over every task in
    scope, and the page shown: two queries whatever the number of tasks and hazards."""
    grouped = _progress_query(campaign.id, scope).subquery()
    totals_row = db.session.execute(select(
        func.count(), func.count(grouped.c.done_on), func.coalesce(func.sum(grouped.c.hazards), 0),
        func.coalesce(func.sum(grouped.c.converted), 0), func.coalesce(func.sum(grouped.c.dissolved), 0),
        func.coalesce(func.sum(grouped.c.high), 0))).one()
    totals = dict(zip(("tasks", "done", "hazards", "converted", "dissolved", "high"), (int(v) for v in totals_row)))
    page = min(max(int(page), 0), max(0, (totals["tasks"] - 1) // page_size))
    rows = db.session.execute(
        _progress_query(campaign.id, scope).order_by(Organization.name, CampaignTask.id)
        .limit(page_size).offset(page * page_size)).all()
    return [ProgressRow(r.task_id, r.organization_id, r.organization, r.due_on, r.done_on, int(r.hazards),
                        int(r.converted), int(r.dissolved), int(r.high)) for r in rows], totals, page


def campaign_page(scope: ReportScope, page: int = 0) -> tuple[list[ScreeningCampaign], int, dict]:
    """One page of the campaigns in scope (newest first), how many there are, and per campaign
    of the page ``{id: {"tasks", "done", "hazards"}}`` within the scope (two GROUP BYs)."""
    where = campaign_clause(scope)
    total = db.session.scalar(select(func.count(ScreeningCampaign.id)).where(where)) or 0
    page = min(max(int(page), 0), max(0, (total - 1) // PAGE_SIZE))
    campaigns = list(db.session.scalars(
        select(ScreeningCampaign).where(where)
        .order_by(ScreeningCampaign.starts_on.desc(), ScreeningCampaign.id.desc())
        .limit(PAGE_SIZE).offset(page * PAGE_SIZE)))
    ids = [c.id for c in campaigns]
    counts = {i: {"tasks": 0, "done": 0, "hazards": 0} for i in ids}
    if ids:
        for cid, tasks, done in db.session.execute(
                select(CampaignTask.campaign_id, func.count(CampaignTask.id), func.count(CampaignTask.done_on))
                .where(CampaignTask.campaign_id.in_(ids), task_clause(scope)).group_by(CampaignTask.campaign_id)):
            counts[cid].update(tasks=int(tasks), done=int(done))
        in_scope_tasks = select(CampaignTask.organization_id).where(
            CampaignTask.campaign_id == Hazard.campaign_id, task_clause(scope))
        for cid, hazards in db.session.execute(
                select(Hazard.campaign_id, func.count(Hazard.id))
                .where(Hazard.campaign_id.in_(ids), Hazard.organization_id.in_(in_scope_tasks))
                .group_by(Hazard.campaign_id)):
            counts[cid]["hazards"] = int(hazards)
    return campaigns, total, counts
