"""My work: the screening tasks (排查专项) a centre has still to report done, earliest due first,
overdue ones red; each item opens the task's page, where the centre reports and marks it done.
The card appears only for a centre's clerk whose centre has an open task."""
from __future__ import annotations

from flask import g, has_request_context, url_for
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models.screening import CampaignTask, ScreeningCampaign
from app.views.mywork_queues import Desk, Item, QueueSpec, urgency_of_day


def _open_tasks(desk: Desk):
    org_id = desk.organization.id if desk.organization is not None else None
    return (select(CampaignTask, ScreeningCampaign)
            .join(ScreeningCampaign, ScreeningCampaign.id == CampaignTask.campaign_id)
            .where(CampaignTask.organization_id == org_id, CampaignTask.done_on.is_(None))
            .order_by(CampaignTask.due_on, CampaignTask.id))


def _applies(desk: Desk) -> bool:
    if not desk.is_centre_clerk or desk.organization is None:
        return False
    # one indexed lookup, once per request (the card and the queue page both ask)
    cache = g.setdefault("_jiefen_open_screening_tasks", {}) if has_request_context() else {}
    key = desk.organization.id
    if key not in cache:
        cache[key] = db.session.execute(_open_tasks(desk).limit(1)).first() is not None
    return cache[key]


def _task_item(desk: Desk, row) -> Item:
    task, campaign = row
    text = task.instructions if len(task.instructions) <= 60 else task.instructions[:59] + "…"
    return Item(url=url_for("CampaignView.task", pk=task.id), label=campaign.title, text=text,
                meta=gettext("Due on %(day)s", day=task.due_on), action=_l("Report on the task"),
                due=task.due_on, urgency=urgency_of_day(task.due_on, desk.today))


SCREENING_TASKS = QueueSpec(
    "screening-tasks", _l("Screening tasks"), _l("No screening task waits for your centre."),
    _applies, _open_tasks, _task_item, scoped=False,
)
