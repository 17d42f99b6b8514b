"""My work: the follow-ups joint analysis meetings gave the signed-in person, until done.

The card appears for anyone on the staff who owns an open follow-up (a clerk, a judge, a
leader, a partner's liaison, a mediator), earliest due first, overdue ones red; each item
opens the page where it is reported done (``/meetings/tasks/<id>/done``).
"""
from __future__ import annotations

from flask import g, has_request_context, url_for
from flask_babel import gettext, lazy_gettext as _l

from app.services.meetings import has_open_tasks, open_tasks_of
from app.views.mywork_queues import Desk, Item, QueueSpec, urgency_of_day


def _owns_open_tasks(desk: Desk) -> bool:
    # one indexed lookup, once per request (the card and the queue page both ask)
    if not has_request_context():
        return has_open_tasks(desk.user.id)
    cache = g.setdefault("_jiefen_open_meeting_tasks", {})
    if desk.user.id not in cache:
        cache[desk.user.id] = has_open_tasks(desk.user.id)
    return cache[desk.user.id]


def _tasks(desk: Desk):
    return open_tasks_of(desk.user.id)


def _task_item(desk: Desk, row) -> Item:
    task, meeting = row
    text = task.text if len(task.text) <= 60 else task.text[:59] + "…"
    return Item(url=url_for("MeetingTaskView.done", tid=task.id), label=text,
                text=f"{meeting.title}（{meeting.held_on.isoformat()}）",
                meta=gettext("Due on %(day)s", day=task.due_on), action=_l("Report done"),
                due=task.due_on, urgency=urgency_of_day(task.due_on, desk.today))


MEETING_TASKS = QueueSpec(
    "meeting-tasks", _l("Follow-ups from joint analysis meetings"), _l("No follow-up waits for you."),
    _owns_open_tasks, _tasks, _task_item, scoped=False,
)
