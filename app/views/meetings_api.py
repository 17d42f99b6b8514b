"""The meetings API: ``GET /api/v1/meetings/`` (a page of the caller's meetings),
``GET /api/v1/meetings/<id>`` (the minutes) and ``POST /api/v1/meetings/tasks/<id>/done``
(the owner reports a follow-up done; sending it again changes nothing).

Scope as on the pages: another body's meeting, and another person's task, answer 404; items
the caller may not see are counted under ``hidden_items``, never named.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext

from app.names import person_name
from app.services import meeting_records as records
from app.services import meetings as reading
from app.services.clock import today
from app.services.scope import current_user_obj
from app.views.case_access import json_object


def _org(org) -> dict | None:
    return {"id": org.id, "name": org.name} if org is not None else None


def task_json(task, day=None) -> dict:
    """A follow-up as the API answers it."""
    return {"id": task.id, "meeting_id": task.meeting_id, "text": task.text,
            "owner": {"id": task.owner_id, "name": person_name(task.owner)},
            "due_on": task.due_on.isoformat(), "status": reading.task_status(task, day or today()),
            "done_on": task.done_on.isoformat() if task.done_on else None, "done_note": task.done_note}


def meeting_summary(row) -> dict:
    """A line of the list: the facts and the counts."""
    m = row.meeting
    return {"id": m.id, "held_on": m.held_on.isoformat(), "title": m.title, "place": m.place, "chair": m.chair,
            "organization": _org(m.organization), "items": row.items, "tasks": row.tasks,
            "open_tasks": row.open_tasks}


def meeting_json(meeting, user) -> dict:
    """The minutes as the caller may see them."""
    from app.views.meetings import meeting_tasks

    seen = reading.discussed(meeting, user)
    items = []
    for item in seen.shown:
        number, text = reading.subject_text(item)
        kind = reading.item_kind(item)
        items.append({"id": item.id, "kind": kind, f"{kind}_id": item.case_id or item.alert_id or item.hazard_id,
                      "number": number, "title": text, "note": item.note})
    day = today()
    return {
        "id": meeting.id, "held_on": meeting.held_on.isoformat(), "title": meeting.title, "place": meeting.place,
        "chair": meeting.chair, "organization": _org(meeting.organization),
        "participants": [_org(o) for o in sorted(meeting.participants, key=lambda o: (o.name, o.id))],
        "summary": meeting.summary, "decisions": meeting.decisions, "items": items,
        "hidden_items": dict(seen.hidden), "tasks": [task_json(t, day) for t in meeting_tasks(meeting)],
        "version": meeting.version,
    }


def _whole(name: str, default, top: int):
    """A query argument as a whole number from 0 to ``top``; ``(value, error)``."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default, None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10) or int(raw) > top:
        return None, gettext("“%(key)s” must be a whole number from 0 to %(max)d.", key=name, max=top)
    return int(raw), None


class MeetingApi(BaseApi):
    """``/api/v1/meetings/``: the caller's meetings and their minutes."""

    route_base = "/api/v1/meetings"
    resource_name = "meetings"
    class_permission_name = "JointMeeting"
    # the pages' list: FAB keeps one list per permission name, and would drop the others' grants
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    method_permission_name = {"get_list": "list", "get": "show"}
    openapi_spec_tag = "Joint analysis meetings"
    allow_browser_login = True

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """The meetings the caller may see, newest first, a page at a time.
        ---
        get:
          summary: The caller's joint analysis meetings, newest first
          parameters:
          - in: query
            name: page
            schema: {type: integer, minimum: 0}
            description: the page, from 0
          - in: query
            name: page_size
            schema: {type: integer, minimum: 1, maximum: 100, default: 25}
          - in: query
            name: year
            schema: {type: integer}
            description: meetings held in this year
          - in: query
            name: organization_id
            schema: {type: integer}
            description: meetings convened by this body
          responses:
            200:
              description: a page of meetings with the number of items and tasks of each
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count: {type: integer}
                      page: {type: integer}
                      page_size: {type: integer}
                      result: {type: array, items: {type: object}}
            400:
              description: a paging or filter argument is not a whole number in range
        """
        args = {}
        for name, default, top in (("page", 0, 1_000_000), ("page_size", reading.PAGE_SIZE, reading.MAX_PAGE_SIZE),
                                   ("year", None, 9999), ("organization_id", None, 2**31 - 1)):
            value, problem = _whole(name, default, top)
            if problem:
                return self.response_400(message=problem)
            args[name] = value
        size = max(1, args["page_size"])
        listing = reading.meeting_page(current_user_obj(), year=args["year"], organization_id=args["organization_id"],
                                       page=args["page"], size=size)
        return self.response(200, count=listing.total, page=listing.page, page_size=size,
                             result=[meeting_summary(r) for r in listing.rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get(self, pk):
        """One meeting's minutes: facts, bodies, items the caller may see, decisions and follow-ups.
        ---
        get:
          summary: One joint analysis meeting
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          responses:
            200:
              description: the minutes; items out of the caller's reach are only counted (hidden_items)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result: {type: object}
            404:
              description: no such meeting within the caller's reach
        """
        user = current_user_obj()
        meeting = reading.visible_meeting(pk, user)
        if meeting is None:
            return self.response_404()
        return self.response(200, result=meeting_json(meeting, user))


class MeetingTaskApi(BaseApi):
    """``POST /api/v1/meetings/tasks/<id>/done``: the owner reports a follow-up done."""

    route_base = "/api/v1/meetings/tasks"
    resource_name = "meeting_tasks"
    class_permission_name = "MeetingTask"
    base_permissions = ["can_done"]
    method_permission_name = {"done": "done"}
    openapi_spec_tag = "Joint analysis meetings"
    allow_browser_login = True

    @expose("/<int:tid>/done", methods=["POST"])
    @protect()
    @safe
    def done(self, tid):
        """Report one's own follow-up done: ``{"note"}``. Sending it again answers the task as
        first reported and changes nothing.
        ---
        post:
          summary: Report a follow-up done (its owner only)
          parameters:
          - in: path
            name: tid
            schema: {type: integer}
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [note]
                  properties:
                    note: {type: string, maxLength: 2000, description: what was done}
          responses:
            200:
              description: the follow-up; `changed` is false when it had already been reported done
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      changed: {type: boolean}
                      result: {type: object}
            404:
              description: no such follow-up of the caller's
            422:
              description: the note is missing or too long
        """
        user = current_user_obj()
        task = reading.own_task(tid, user)
        if task is None:
            return self.response_404()
        body, error = json_object(self, gettext("Send a JSON object with a “note”."))
        if error:
            return error
        note = body.get("note")
        try:
            changed = records.mark_done(user, task, note if isinstance(note, str) else "")
        except records.MeetingRefused as exc:
            return self.response_422(message={k: [str(m) for m in v] for k, v in exc.errors.items()})
        return self.response(200, changed=changed, result=task_json(task))
