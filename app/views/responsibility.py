"""Assigning the staff member responsible for a case: ``/case/<id>/responsible/`` (page) and
``POST /api/v1/case/<id>/responsible`` (API) — both through
:func:`app.lifecycle.responsibility.assign_responsible`."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.lifecycle.responsibility import assign_responsible, eligible_staff, may_assign, staff_name
from app.services.scope import current_user_obj
from app.views.case_access import api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import sent_version, requires_version

PERMISSION_NAME = "CaseResponsible"
PERMISSIONS = ["can_assign"]


class ResponsibleForm(FlaskForm):
    """The staff member to make responsible, and why (kept in the timeline)."""

    version = HiddenField()
    # Choices are the case's eligible staff, set per request; the lifecycle checks the choice.
    user_id = SelectField(_l("Responsible staff member"), choices=[], validate_choice=False)
    note = TextAreaField(_l("Reason or note"), validators=[Opt(), Length(max=2000)])


def _choice_label(user, membership) -> str:
    org = membership.organization.name
    return f"{staff_name(user)}（{org}{' · ' + membership.title if membership.title else ''}）"


class ResponsibilityView(BaseView):
    """The page: who is responsible now, and a bounded choice of who may be."""

    route_base = "/case"
    class_permission_name = PERMISSION_NAME
    base_permissions = PERMISSIONS
    method_permission_name = {"responsible": "assign"}

    @expose("/<pk>/responsible/", methods=["GET", "POST"])
    @has_access
    @requires_version
    def responsible(self, pk):
        """GET: the form; POST: assign, or show why not with what was chosen."""
        case = visible_case(pk)
        form = ResponsibleForm(formdata=request.form if request.method == "POST" else None)
        staff = eligible_staff(case)
        form.user_id.choices = [("", "—")] + [(str(u.id), _choice_label(u, m)) for u, m in staff]
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
            form.user_id.data = str(case.responsible_staff_id or "")
        elif form.validate():
            status = attempt(lambda: assign_responsible(case, g.user, form.user_id.data,
                                                        sent_version(form.version.data), form.note.data or ""))
            if status is None:
                flash(gettext("%(name)s is now responsible for case %(no)s.",
                              name=staff_name(case.responsible_staff), no=case.case_no), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
            status = 422
        return self.render_template("jiefen/case_responsible_form.html", case=case, form=form,
                                    allowed=may_assign(g.user, case),
                                    current=staff_name(case.responsible_staff) if case.responsible_staff else None), status


class ResponsibilityApi(BaseApi):
    """``GET /api/v1/case/<id>/responsible``: who is and who may be responsible;
    ``POST`` with ``{"user_id", "version", "note"}``: assign."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = PERMISSION_NAME
    base_permissions = PERMISSIONS
    method_permission_name = {"assign": "assign", "eligible": "assign"}
    openapi_spec_tag = "Case workflow"

    @expose("/<int:pk>/responsible", methods=["GET"])
    @protect()
    @safe
    def eligible(self, pk):
        """Who is responsible, whether the caller may change it, and who may be chosen.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the responsible staff member and the eligible staff (at most 200)
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        return self.response(
            200, responsible_staff_id=case.responsible_staff_id,
            responsible_staff=staff_name(case.responsible_staff) if case.responsible_staff else None,
            version=case.version, may_assign=may_assign(current_user_obj(), case),
            eligible=[{"user_id": u.id, "name": staff_name(u), "organization": m.organization.name,
                       "title": m.title or ""} for u, m in eligible_staff(case)])

    @expose("/<int:pk>/responsible", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def assign(self, pk):
        """Make a staff member responsible; 409 when the version is stale, 422 with reasons.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the responsible staff member and the case's new version
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self, gettext("Send a JSON object with a “user_id”."))
        if error:
            return error
        refused = api_attempt(self, "user_id", lambda: assign_responsible(
            case, current_user_obj(), body.get("user_id"), body.get("version"), str(body.get("note") or "")))
        return refused or self.response(200, responsible_staff_id=case.responsible_staff_id,
                                        responsible_staff=staff_name(case.responsible_staff), version=case.version)


def register_responsibility_views(appbuilder) -> None:
    """The page and the API; no menu entry (reached from the case page, whose partial
    ``jiefen/case_responsible.html`` asks ``may_assign_responsible`` whether to offer the link)."""
    appbuilder.add_view_no_menu(ResponsibilityView)
    appbuilder.add_api(ResponsibilityApi)
    from flask import current_app

    app = current_app
    app.add_template_global(lambda case: may_assign(current_user_obj(), case), "may_assign_responsible")
