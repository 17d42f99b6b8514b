"""Extending the mediation period when the parties agree: ``/case/<id>/extension`` (page) and
``/api/v1/case/<id>/extension`` (GET the terms, POST the extension)."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.lifecycle.extension import extend_period, extension_terms
from app.services.scope import current_user_obj
from app.views.case_access import api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import requires_version
from app.views.workflow import WORKFLOW_PERMISSIONS


class ExtensionForm(FlaskForm):
    """How many days the parties agreed on, and a note (what they agreed, how)."""

    version = HiddenField()
    days = StringField(_l("Days of extension"), validators=[Opt(), Length(max=4)])
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=2000)])


class ExtensionView(BaseView):
    """The extension page, reached from the case's deadlines."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"extension": "transition"}

    @expose("/<pk>/extension", methods=["GET", "POST"])
    @has_access
    @requires_version
    def extension(self, pk):
        """GET: what the extension needs; POST: record it, or show why not with what was typed."""
        case = visible_case(pk)
        form = ExtensionForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
        elif form.validate():
            status = attempt(lambda: extend_period(case, g.user, form.days.data, form.note.data or "",
                                                   form.version.data or None))
            if status is None:
                flash(gettext("The mediation period is extended."), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
            status = 422
        terms = extension_terms(case)
        if request.method == "GET" and not form.days.data and terms.max_days:
            form.days.data = str(terms.max_days)
        # After a refused POST the reasons are already flashed: the page does not list them twice.
        return self.render_template("jiefen/case_extension.html", case=case, form=form, terms=terms,
                                    show_problems=request.method == "GET"), status


def _terms_json(terms) -> dict:
    return {"rule": terms.rule_code, "due": str(terms.due) if terms.due else None, "max_days": terms.max_days,
            "fixed": terms.fixed, "extended_before": terms.extended_before, "waiting_for": terms.waiting_for,
            "problems": [str(p) for p in terms.problems], "possible": terms.possible}


class ExtensionApi(BaseApi):
    """``/api/v1/case/<id>/extension``: the terms (GET) and the extension (POST)."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = WORKFLOW_PERMISSIONS
    method_permission_name = {"get_extension": "transition", "extend": "transition"}
    openapi_spec_tag = "Case workflow"

    @expose("/<int:pk>/extension", methods=["GET"])
    @protect()
    @safe
    def get_extension(self, pk):
        """Whether the mediation period may be extended now, and what is missing.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the terms
        """
        case = case_in_sight(pk)
        return self.response(200, result=_terms_json(extension_terms(case))) if case else self.response_404()

    @expose("/<int:pk>/extension", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def extend(self, pk):
        """Extend: ``{"days" (pre-filing only), "note", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: extended
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self)
        if error:
            return error
        done = []
        refused = api_attempt(self, "extension", lambda: done.append(extend_period(
            case, current_user_obj(), body.get("days"), str(body.get("note") or ""), body.get("version"))))
        return refused or self.response(200, result=_terms_json(done[0]))


def register_extension_views(appbuilder) -> None:
    """The page and the API; no menu entry (reached from the case's deadlines)."""
    appbuilder.add_view_no_menu(ExtensionView)
    appbuilder.add_api(ExtensionApi)
