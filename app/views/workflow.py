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

from app.extensions import db
from app.lifecycle.consent import record_consents
from app.lifecycle.machine import ACTIONS, available
from app.lifecycle.workflow import StaleCase, perform
from app.models.case import LITIGATION_TRACKS, Case
from app.models.lifecycle import CONSENT_CHANNELS, CONSENT_SUBJECTS
from app.services.scope import can_see, current_user_obj
from app.services.transitions import TransitionRefused
from app.views.keys import is_valid_pk, requires_version

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
STALE = _l("Someone else changed this case after you opened it. Nothing was changed; check the case and try again.")


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


def visible_case(pk) -> Case:
    """The case, if it exists and the current user may see it; 404 otherwise."""
    case = db.session.get(Case, int(pk)) if is_valid_pk(pk) else None
    if case is None or not can_see(case):
        abort(404)
    return case


def attempt(call):
    """Run a lifecycle call for a page: ``None`` when done; otherwise the reasons are flashed
    and the status to show the form again with (422 refused, 409 stale)."""
    try:
        call()
    except TransitionRefused as exc:
        for reason in exc.reasons:
            flash(str(reason), "danger")
        return 422
    except StaleCase:
        flash(str(STALE), "warning")
        db.session.expire_all()
        return 409
    return None


def api_attempt(api, key: str, call):
    """Run a lifecycle call for the API: ``None`` when done, else the 422 (reasons under
    ``key``) or 409 response."""
    try:
        call()
    except TransitionRefused as exc:
        return api.response_422(message={key: [str(r) for r in exc.reasons]})
    except StaleCase:
        return api.response(409, message=str(STALE))
    return None


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
            try:
                record_consents(case, form.subject.data, form.channel.data, decisions, g.user)
            except TransitionRefused as exc:
                for reason in exc.reasons:
                    flash(str(reason), "danger")
                status = 422
            else:
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
        case = db.session.get(Case, pk) if is_valid_pk(pk) else None
        if case is None or not can_see(case):
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("decisions"), dict):
            return self.response_400(message=gettext("Send a JSON object with “decisions”."))
        try:
            rows = record_consents(case, body.get("subject"), body.get("channel"), body["decisions"], current_user_obj())
        except TransitionRefused as exc:
            return self.response_422(message={"consent": [str(r) for r in exc.reasons]})
        return self.response(201, recorded=len(rows))

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
        case = db.session.get(Case, pk) if is_valid_pk(pk) else None
        if case is None or not can_see(case):
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("action"), str):
            return self.response_400(message=gettext("Send a JSON object with an “action”."))
        if body["action"] not in ACTIONS:
            return self.response_422(message={"action": [gettext("Unknown action.")]})
        if body["action"] in OWN_ENDPOINTS:
            return self.response_422(
                message={"action": [gettext("Use POST /api/v1/case/%(id)s/%(endpoint)s for this step.",
                                            id=case.id, endpoint=OWN_ENDPOINTS[body["action"]])]}
            )
        try:
            perform(case, body["action"], current_user_obj(), expected_version=body.get("version"),
                    note=str(body.get("note") or ""),
                    data={"track": body.get("track"), "case_no": body.get("case_no")})
        except TransitionRefused as exc:
            return self.response_422(message={"action": [str(r) for r in exc.reasons]})
        except StaleCase:
            return self.response(409, message=str(STALE))
        except (TypeError, ValueError):
            return self.response_400(message=gettext("The version must be a whole number."))
        return self.response(200, status=case.status, version=case.version)
