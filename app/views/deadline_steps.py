"""What staff record on one period of a case: ``/case/<id>/deadline/<rule>`` (page) and
``/api/v1/case/<id>/deadline/<rule>/start|suspend|resume`` (API). The same permission as
extending a period (``CaseWorkflow`` / ``transition``) on a case the user may see."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.lifecycle.deadline_facts import EVENT_PREFIX
from app.lifecycle.suspension import SUSPENSION_REASONS, find_deadline, record_start, resume, suspend
from app.models.case import Case
from app.services.scope import current_user_obj
from app.views.case_access import api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import requires_version
from app.views.workflow import WORKFLOW_PERMISSIONS

MAX_CODE = 100
STEPS = ("start", "suspend", "resume")
DONE = {
    "start": _l("The start of the period is recorded."),
    "suspend": _l("The period is suspended."),
    "resume": _l("The period runs again."),
}


def _run(step: str, case: Case, code: str, actor, values) -> None:
    """Perform ``step`` with the values a form or a JSON body gave."""
    version = values.get("version") or None
    if step == "start":
        record_start(case, code, actor, values.get("at"), values.get("note") or "", version)
    elif step == "suspend":
        suspend(case, code, actor, values.get("reason"), values.get("note") or "", values.get("on"), version)
    else:
        resume(case, code, actor, values.get("note") or "", values.get("on"), version)


class DeadlineStepView(BaseView):
    """The page of one period: its suspensions, and the forms to record its start, suspend or resume it."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"deadline": "transition", "step": "transition"}

    @expose("/<pk>/deadline/<code>", methods=["GET"])
    @has_access
    def deadline(self, pk, code, status: int = 200):
        """What the period stands at, and what may be recorded on it now."""
        case = visible_case(pk)
        rule, deadline = find_deadline(case, code[:MAX_CODE])
        if rule is None:
            return redirect(url_for("CaseModelView.show", pk=case.id))
        return self.render_template(
            "jiefen/case_deadline.html", case=case, rule=rule, deadline=deadline, reasons=SUSPENSION_REASONS,
            records_event=rule.starts_from.startswith(EVENT_PREFIX), values=request.form,
        ), status

    @expose("/<pk>/deadline/<code>/<step>", methods=["POST"])
    @has_access
    @requires_version
    def step(self, pk, code, step):
        """Record the start, suspend or resume; on refusal the page again with the reasons."""
        case = visible_case(pk)
        if step not in STEPS:
            return redirect(url_for("DeadlineStepView.deadline", pk=case.id, code=code))
        status = attempt(lambda: _run(step, case, code[:MAX_CODE], g.user, request.form))
        if status is None:
            flash(str(DONE[step]), "success")
            return redirect(url_for("CaseModelView.show", pk=case.id))
        return self.deadline(pk, code, status=status)


class DeadlineStepApi(BaseApi):
    """``POST /api/v1/case/<id>/deadline/<rule>/start|suspend|resume``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"start": "transition", "suspend": "transition", "resume": "transition"}
    openapi_spec_tag = "Case workflow"

    def _do(self, pk, rule, step):
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self)
        if error:
            return error
        values = {k: (str(v) if v is not None and not isinstance(v, str) else v) for k, v in body.items()}
        refused = api_attempt(self, "deadline", lambda: _run(step, case, rule[:MAX_CODE], current_user_obj(), values))
        if refused:
            return refused
        _rule, deadline = find_deadline(case, rule[:MAX_CODE])
        return self.response(200, result=deadline_json(deadline), version=case.version)

    @expose("/<int:pk>/deadline/<rule>/start", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def start(self, pk, rule):
        """Record when the event the period starts from happened: ``{"at", "note", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: rule
            schema:
              type: string
          responses:
            200:
              description: recorded
        """
        return self._do(pk, rule, "start")

    @expose("/<int:pk>/deadline/<rule>/suspend", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def suspend(self, pk, rule):
        """Suspend the running period: ``{"reason", "note", "on", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: rule
            schema:
              type: string
          responses:
            200:
              description: suspended
        """
        return self._do(pk, rule, "suspend")

    @expose("/<int:pk>/deadline/<rule>/resume", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def resume(self, pk, rule):
        """Resume the suspended period: ``{"on", "note", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: rule
            schema:
              type: string
          responses:
            200:
              description: resumed
        """
        return self._do(pk, rule, "resume")


def deadline_json(deadline) -> dict:
    """A period as the API answers it."""
    if deadline is None:
        return {}
    return {
        "rule": deadline.code, "status": deadline.status,
        "starts_on": deadline.starts_on.isoformat() if deadline.starts_on else None,
        "due": deadline.due.isoformat() if deadline.due else None,
        "suspended_since": deadline.suspended_since.isoformat() if deadline.suspended_since else None,
        "suspended_for": deadline.suspended_for,
        "suspensions": [{"since": s.since.isoformat(), "until": s.until.isoformat() if s.until else None,
                         "reason": s.reason, "note": s.note} for s in deadline.suspensions],
    }


def register_deadline_step_views(appbuilder) -> None:
    """The page and the API; no menu entry (reached from the case's deadlines)."""
    appbuilder.add_view_no_menu(DeadlineStepView)
    appbuilder.add_api(DeadlineStepApi)
