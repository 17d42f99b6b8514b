"""Moving a case along: one page per action (web) and one endpoint (API)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.lifecycle.consent import record_consents
from app.lifecycle.machine import ACTIONS, available
from app.lifecycle.workflow import perform
from app.models.case import LITIGATION_TRACKS
from app.models.lifecycle import CONSENT_CHANNELS, CONSENT_SUBJECTS
from app.services.scope import current_user_obj
from app.views.case_access import STALE, api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import requires_version

__all__ = ["STALE", "WORKFLOW_PERMISSIONS", "api_attempt", "attempt", "visible_case"]  # shared with the other case views

WORKFLOW_PERMISSIONS = ["can_transition"]
# Steps that carry data of their own (mediators offered, the agreement, the application).
# Steps that carry data of their own have one way each: booking the first appointment
# schedules the case, recording the first session starts the mediation.
OWN_PAGES = {
    "assign": "AssignmentView.assign",
    "schedule": "SessionView.appointment",
    "start_mediation": "SessionView.record",
    "reach_agreement": "OutcomeView.save_agreement",
    "apply_confirmation": "OutcomeView.confirmation",
}
OWN_ENDPOINTS = {"assign": "assign", "schedule": "appointments", "start_mediation": "sessions",
                 "reach_agreement": "agreement", "apply_confirmation": "confirmation"}


class ConsentForm(FlaskForm):
    """The parties' answers to one question, with how they were given."""

    version = HiddenField()
    subject = SelectField(_l("Consent to"), choices=lambda: [(k, str(v)) for k, v in CONSENT_SUBJECTS.items()])
    channel = SelectField(_l("Given"), choices=lambda: [(k, str(v)) for k, v in CONSENT_CHANNELS.items()])


class ActionForm(FlaskForm):
    """What an action may need: the version edited, a reason, a track, a case number."""

    version = HiddenField()
    note = TextAreaField(_l("Reason or note"), validators=[Opt(), Length(max=4000)])
    track = SelectField(_l("Track"), choices=lambda: [("", "—")] + [(k, str(v)) for k, v in LITIGATION_TRACKS.items()], validate_choice=False)
    case_no = StringField(_l("Case number to merge into"), validators=[Opt(), Length(max=40)])


class CaseWorkflowView(BaseView):
    """``/case/<id>/do/<action>``: the action's form, and performing it."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"act": "transition", "consent": "transition"}

    @expose("/<pk>/consent", methods=["GET", "POST"])
    @has_access
    def consent(self, pk):
        """Record the parties' answers (given or refused) with the channel and time."""
        case = visible_case(pk)
        form = ConsentForm(formdata=request.form if request.method == "POST" else None)
        if request.method == "GET" and request.args.get("subject") in CONSENT_SUBJECTS:
            form.subject.data = request.args["subject"]  # e.g. from the extension page
        decisions = {p.id: request.form.get(f"party-{p.id}", "") for p in case.parties}
        status = 200
        if request.method == "POST" and form.validate():
            status = attempt(lambda: record_consents(case, form.subject.data, form.channel.data, decisions, g.user))
            if status is None:
                flash(gettext("The parties' answers are recorded."), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        return self.render_template("jiefen/case_consent.html", case=case, form=form, decisions=decisions), status

    @expose("/<pk>/do/<action>", methods=["GET", "POST"])
    @has_access
    @requires_version
    def act(self, pk, action):
        """GET shows the action's form; POST performs it or explains why not."""
        case = visible_case(pk)
        spec = ACTIONS.get(action)
        if spec is None:
            abort(404)
        # These actions need more than a reason: each has its own page.
        if action in OWN_PAGES:
            return redirect(url_for(OWN_PAGES[action], pk=case.id))
        form = ActionForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
        elif form.validate():
            status = attempt(lambda: perform(
                case, action, g.user, expected_version=form.version.data or None, note=form.note.data or "",
                data={"track": form.track.data, "case_no": form.case_no.data}))
            if status is None:
                flash(gettext("Done: %(action)s.", action=spec.label), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        return self.render_template(
            "jiefen/case_action.html", case=case, action=spec, form=form,
            possible=spec in available(case.status),
        ), status


class CaseWorkflowApi(BaseApi):
    """``POST /api/v1/case/<id>/transition`` with ``{"action", "version", "note", …}``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"transition": "transition", "consent": "transition"}
    openapi_spec_tag = "Case workflow"

    @expose("/<int:pk>/consent", methods=["POST"])
    @protect()
    @safe
    def consent(self, pk):
        """Record answers: ``{"subject", "channel", "decisions": {party_id: "given"|"refused"}}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            201:
              description: the answers were recorded
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        need = gettext("Send a JSON object with “decisions”.")
        body, error = json_object(self, need)
        if error or not isinstance(body.get("decisions"), dict):
            return error or self.response_400(message=need)
        rows = []
        refused = api_attempt(self, "consent", lambda: rows.extend(record_consents(
            case, body.get("subject"), body.get("channel"), body["decisions"], current_user_obj())))
        return refused or self.response(201, recorded=len(rows))

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def transition(self, pk):
        """Perform an action; 409 when the version is stale, 422 with reasons when refused.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the case's new state and version
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        need = gettext("Send a JSON object with an “action”.")
        body, error = json_object(self, need)
        if error or not isinstance(body.get("action"), str):
            return error or self.response_400(message=need)
        if body["action"] not in ACTIONS:
            return self.response_422(message={"action": [gettext("Unknown action.")]})
        if body["action"] in OWN_ENDPOINTS:
            return self.response_422(
                message={"action": [gettext("Use POST /api/v1/case/%(id)s/%(endpoint)s for this step.",
                                            id=case.id, endpoint=OWN_ENDPOINTS[body["action"]])]}
            )
        refused = api_attempt(self, "action", lambda: perform(
            case, body["action"], current_user_obj(), expected_version=body.get("version"),
            note=str(body.get("note") or ""), data={"track": body.get("track"), "case_no": body.get("case_no")}),
            bad_version=True)
        return refused or self.response(200, status=case.status, version=case.version)
