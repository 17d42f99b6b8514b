"""``/api/v1/hazards/``: the hazards in the caller's scope (paged, filtered — the map and
other clients read them here), one hazard, dissolving it, and registering it as a case through
the one registration path. Scope as on the pages (:mod:`app.services.hazards`)."""
from __future__ import annotations

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import database_error
from app.extensions import jiefen
from app.intake.payload import flatten, form_errors
from app.models.screening import HAZARD_STATUS, RISK_LEVELS
from app.services import hazards as svc
from app.services.hazard_intake import converting, intake_payload
from app.services.intake import TYPE_UNAVAILABLE, intake_form, register_unless_duplicate
from app.services.scope import current_user_obj
from app.views.case_access import api_attempt, json_object
from app.views.hazards import HAZARD_PERMISSIONS, PERMISSION_NAME



def _number(raw, default: int, low: int, high: int) -> int:
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 7):
        return default
    return min(max(int(text), low), high)


def hazard_json(hazard, full: bool = False) -> dict:
    """A hazard as the API answers it; ``full`` adds the description, the note and the people
    involved (ID numbers and mobiles masked)."""
    area = hazard.area
    out = {
        "id": hazard.id, "title": hazard.title, "status": hazard.status,
        "status_label": str(HAZARD_STATUS.get(hazard.status, hazard.status)),
        "risk_level": hazard.risk_level,
        "risk_label": str(RISK_LEVELS[hazard.risk_level]) if hazard.risk_level in RISK_LEVELS else None,
        "found_on": hazard.found_on.isoformat(), "dispute_type": hazard.dispute_type,
        "area": {"id": area.id, "name": area.name, "level": area.level,
                 "latitude": float(area.latitude) if area.latitude is not None else None,
                 "longitude": float(area.longitude) if area.longitude is not None else None} if area else None,
        "organization": {"id": hazard.organization.id, "name": hazard.organization.name} if hazard.organization else None,
        "campaign": {"id": hazard.campaign.id, "title": hazard.campaign.title} if hazard.campaign else None,
        "case": {"id": seen.id, "case_no": seen.case_no} if (seen := svc.case_in_sight(hazard)) else None,
    }
    if full:
        out.update(description=hazard.description, status_note=hazard.status_note,
                   parties=[svc.masked_party(p) for p in hazard.parties])
    return out


class HazardApi(BaseApi):
    """The hazards in the caller's scope."""

    route_base = "/api/v1/hazards"
    resource_name = "hazards"
    class_permission_name = PERMISSION_NAME
    base_permissions = HAZARD_PERMISSIONS
    method_permission_name = {"list_hazards": "list", "get_hazard": "show", "dissolve": "edit", "register": "edit"}
    openapi_spec_tag = "Screening"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def list_hazards(self):
        """The hazards in scope, newest found first, paged; 404 for an area or campaign out of scope.
        ---
        get:
          parameters:
          - in: query
            name: page
            description: the page, from 0
            schema:
              type: integer
              minimum: 0
          - in: query
            name: page_size
            description: rows per page (at most 100)
            schema:
              type: integer
              minimum: 1
              maximum: 100
          - in: query
            name: status
            schema:
              type: string
              enum: [open, converted, dissolved]
          - in: query
            name: risk
            schema:
              type: string
              enum: [low, medium, high]
          - in: query
            name: area
            description: an area in scope (the areas below it included)
            schema:
              type: integer
          - in: query
            name: campaign
            description: a screening campaign in scope
            schema:
              type: integer
          responses:
            200:
              description: one page of hazards and how many match
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      count:
                        type: integer
                      page:
                        type: integer
                      page_size:
                        type: integer
                      result:
                        type: array
                        items:
                          type: object
            404:
              description: the area or campaign is not within the caller's reach
        """
        args = request.args
        page_size = _number(args.get("page_size"), svc.PAGE_SIZE, 1, svc.MAX_PAGE_SIZE)
        page = _number(args.get("page"), 0, 0, 10**6)
        try:
            rows, total = svc.hazard_page(svc.filters_from(args), page, page_size)
        except LookupError:
            return self.response_404()
        page = min(page, max(0, (total - 1) // page_size))
        return self.response(200, count=total, page=page, page_size=page_size, result=[hazard_json(h) for h in rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get_hazard(self, pk):
        """One hazard with the people involved (masked).
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the hazard
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        hazard = svc.hazard_in_scope(pk)
        if hazard is None:
            return self.response_404()
        return self.response(200, result=hazard_json(hazard, full=True))

    @expose("/<int:pk>/dissolve", methods=["POST"])
    @protect()
    @safe
    def dissolve(self, pk):
        """Mark the hazard dissolved: ``{"note"}`` says how; 422 when it is no longer followed.
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
                  required: [note]
                  properties:
                    note:
                      type: string
          responses:
            200:
              description: the hazard, dissolved
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
        """
        hazard = svc.hazard_in_scope(pk)
        if hazard is None:
            return self.response_404()
        body, error = json_object(self, gettext("Send a JSON object with a “note”."))
        if error:
            return error
        refused = api_attempt(self, "note", lambda: svc.dissolve(hazard, current_user_obj(), body.get("note")))
        return refused or self.response(200, result=hazard_json(hazard))

    @expose("/<int:pk>/register", methods=["POST"])
    @protect()
    @safe
    def register(self, pk):
        """Register the hazard as a case through the normal registration (the case API's payload;
        what is left out comes from the hazard: type, summary, facts, area, centre, people).
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
                  description: The case API's intake payload; every key is optional here.
                  properties:
                    dispute_type:
                      type: string
                    title:
                      type: string
                    description:
                      type: string
                    intake:
                      type: object
                    parties:
                      type: array
                      items:
                        type: object
                    confirm_duplicates:
                      type: boolean
          responses:
            201:
              description: the case registered; the hazard is converted and linked to it
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      case_no:
                        type: string
                      hazard_id:
                        type: integer
        """
        from flask import current_app

        hazard = svc.hazard_in_scope(pk)
        if hazard is None or not current_app.appbuilder.sm.has_access("can_add", "Case"):
            return self.response_404()
        body, error = json_object(self, optional=True)
        if error:
            return error
        if hazard.status != "open":
            return self.response_422(message={"hazard": [svc.closed_refusal(hazard)]})
        dispute_type = body.get("dispute_type") or hazard.dispute_type
        if not isinstance(dispute_type, str) or not jiefen().dispatcher.is_type_enabled(dispute_type):
            return self.response_422(message={"dispute_type": [str(TYPE_UNAVAILABLE)]})
        form = intake_form(dispute_type, formdata=flatten(intake_payload(hazard, body)), api=True)
        if not form.validate():
            return self.response_422(message=form_errors(form))
        actor = current_user_obj()
        done = []
        try:
            refused = api_attempt(self, "hazard", lambda: done.append(register_unless_duplicate(
                form, dispute_type, actor, bool(form.confirm_duplicates.data), channel=form.channel.data,
                before_commit=converting(hazard, actor))))
        except (SQLAlchemyError, StaleDataError) as exc:
            status, message = database_error(exc)
            return self.response(status, message=message)
        if refused:
            return refused
        outcome = done[0]
        if outcome.case is None:
            return self.response(
                409, message=gettext("The same person appears in other open cases; send confirm_duplicates: true "
                                     "to register anyway."),
                duplicates=[{"id": c.id, "case_no": c.case_no, "status": c.status} for c in outcome.duplicates])
        return self.response(201, id=outcome.case.id, case_no=outcome.case.case_no, hazard_id=hazard.id)
