"""Rating a case's risk (风险研判): ``/case/<id>/risk`` (page) and ``POST /api/v1/case/<id>/risk``
(API), both through :func:`app.lifecycle.risk.rate_risk`, on a case the user may see, with the
version the user read. Also what the case header shows of screening: the risk tag, the rating
link and the hazard the case came from."""
from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.lifecycle.risk import SCREENING_STATES, may_rate, rate_risk, ratings, risk_colour, risk_label
from app.names import person_name
from app.services.scope import current_user_obj
from app.templating import local_time
from app.views.case_access import api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import requires_version, sent_version
from app.views.screening_forms import RiskForm

PERMISSION_NAME = "CaseRisk"
RISK_PERMISSIONS = ["can_rate"]


def case_screening(case) -> dict:
    """What the case header shows of screening: the risk (level, label, colour), whether the
    reader may rate it now and how the link reads, and the hazard the case came from."""
    from flask import current_app

    from app.services.hazard_intake import hazard_of_case
    from app.services.hazards import hazard_in_scope

    level = case.risk_level
    allowed = may_rate(case) and current_app.appbuilder.sm.has_access("can_rate", PERMISSION_NAME)
    hazard = hazard_of_case(case)
    return {
        "level": level, "label": risk_label(level), "colour": risk_colour(level), "may_rate": allowed,
        "action": _l("Rate risk") if level is None else _l("Re-rate risk"),
        "expected": level is None and case.status in SCREENING_STATES,
        # the hazard is linked when the reader may open it; otherwise only named
        "hazard": hazard, "hazard_visible": hazard is not None and hazard_in_scope(hazard.id) is not None,
    }


def rating_json(rating) -> dict:
    """A rating as the API answers it."""
    return {"id": rating.id, "level": rating.level, "reasons": rating.reasons,
            "rated_by": person_name(rating.rated_by) if rating.rated_by else None,
            "rated_at": rating.rated_at.isoformat() if rating.rated_at else None}


class RiskView(BaseView):
    """The rating page: the case's ratings so far and the form."""

    title = _l("Risk assessment")  # how the role pages name its permission
    route_base = "/case"
    class_permission_name = PERMISSION_NAME
    base_permissions = RISK_PERMISSIONS
    method_permission_name = {"risk": "rate"}

    @expose("/<pk>/risk", methods=["GET", "POST"])
    @has_access
    @requires_version
    def risk(self, pk):
        """GET: the form; POST: rate, or show why not with what was typed."""
        case = visible_case(pk)
        form = RiskForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
            form.level.data = case.risk_level or ""
        elif form.validate():
            status = attempt(lambda: rate_risk(case, g.user, form.level.data, form.reasons.data,
                                               sent_version(form.version.data)))
            if status is None:
                flash(gettext("Case %(no)s rated: %(level)s.", no=case.case_no, level=risk_label(case.risk_level)),
                      "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
            status = 422
        return self.render_template("jiefen/case_risk_form.html", case=case, form=form, allowed=may_rate(case),
                                    history=ratings(case), local_time=local_time,
                                    title=_l("Risk assessment")), status


class RiskApi(BaseApi):
    """``GET /api/v1/case/<id>/risk``: the case's ratings; ``POST`` with
    ``{"level", "reasons", "version"}``: rate."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = PERMISSION_NAME
    base_permissions = RISK_PERMISSIONS
    method_permission_name = {"rate": "rate", "history": "rate"}
    openapi_spec_tag = "Case workflow"

    @expose("/<int:pk>/risk", methods=["GET"])
    @protect()
    @safe
    def history(self, pk):
        """The case's risk level and its ratings, newest first (at most 20).
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the risk level, the case's version and the ratings
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      risk_level:
                        type: string
                        nullable: true
                      version:
                        type: integer
                      result:
                        type: array
                        items:
                          type: object
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        return self.response(200, risk_level=case.risk_level, version=case.version,
                             result=[rating_json(r) for r in ratings(case)])

    @expose("/<int:pk>/risk", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def rate(self, pk):
        """Rate the case's risk; 409 when the version is stale, 422 with the reasons.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [level, reasons, version]
                  properties:
                    level:
                      type: string
                      enum: [low, medium, high]
                    reasons:
                      type: string
                    version:
                      type: integer
                      description: The case's version as last read; a stale one answers 409.
          responses:
            200:
              description: the rating, the case's risk level and its new version
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      risk_level:
                        type: string
                      version:
                        type: integer
                      result:
                        type: object
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self, gettext("Send a JSON object with “level”, “reasons” and “version”."))
        if error:
            return error
        done = []
        refused = api_attempt(self, "risk", lambda: done.append(rate_risk(
            case, current_user_obj(), body.get("level"), body.get("reasons"), body.get("version"))))
        if refused:
            return refused
        return self.response(200, risk_level=case.risk_level, version=case.version, result=rating_json(done[0]))
