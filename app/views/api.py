"""REST API for cases at ``/api/v1/case/`` (JWT from ``/api/v1/security/login``)."""
from __future__ import annotations

from flask import g
from flask_appbuilder import expose
from flask_appbuilder.api import ModelRestApi, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext
from flask_jwt_extended import current_user as jwt_user
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import jiefen
from app.intake.payload import flatten, form_errors
from app.models.case import Case
from app.services.intake import TYPE_UNAVAILABLE, intake_form, register_unless_duplicate
from app.errors import database_error
from app.views.case_access import api_attempt, case_in_sight, json_object
from app.views.cases import CASE_ORDER_COLUMNS, CASE_PERMISSIONS, CASE_SEARCH_COLUMNS
from app.views.keys import is_valid_pk
from app.views.scope_filter import SCOPE


def _with_offset(row: dict) -> None:
    """``created_at`` as RFC 3339: SQLite hands back the stored UTC time without its offset."""
    value = row.get("created_at")
    if isinstance(value, str) and "T" in value and not value.endswith("Z") and "+" not in value[10:] \
            and "-" not in value[10:]:
        row["created_at"] = value + "+00:00"


class CaseApi(ModelRestApi):
    """Read cases and register new ones; the same intake form validates both paths."""

    resource_name = "case"
    datamodel = SQLAInterface(Case)
    class_permission_name = "Case"
    base_permissions = CASE_PERMISSIONS
    include_route_methods = {"get", "get_list", "post", "info", "recommendations"}
    method_permission_name = {
        "get_list": "list", "get": "show", "post": "add", "info": "list", "recommendations": "show",
    }
    allow_browser_login = True
    list_columns = [
        "id",
        "case_no",
        "dispute_type",
        "status",
        "title",
        "area.id",
        "area.name",
        "claim_amount",
        "created_at",
    ]
    show_columns = list_columns + [
        "track",
        "channel",
        "description",
        "organization.id",
        "organization.name",
        "intake_data",
        "parties_masked",
        "version",
        "litigation_track",
        "screening_note",
        "mediator.id",
        "mediator.name",
        "responsible_staff.username",
        "timeline_entries",
    ]
    add_columns = ["title"]  # documentation only: post is validated by the intake form
    # There is no PUT: without this, ``_info`` offered every user, area, organisation and
    # mediator of the court as edit choices, whatever the caller's scope.
    edit_columns = add_columns
    # FAB translates a missing description as "", which yields the catalogue's header.
    description_columns = {"title": lazy_gettext("A short name of the dispute: the parties and its kind.")}
    search_columns = CASE_SEARCH_COLUMNS
    order_columns = CASE_ORDER_COLUMNS
    base_order = ("created_at", "desc")
    base_filters = [SCOPE]
    max_page_size = 100

    @expose("/<int:pk>/recommendations", methods=["GET"])
    @protect()
    @safe
    def recommendations(self, pk):
        """Eligible mediators for the case, best first, with the reasons (ids to offer to).
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: ranked mediators
        """
        from app.services.recommend import recommend

        case = case_in_sight(pk, within=self)
        if case is None:
            return self.response_404()
        ranked = recommend(case)
        return self.response(200, result=[
            {"mediator_id": r.mediator.id, "name": r.mediator.name, "score": r.score, "reasons": [str(x) for x in r.reasons]}
            for r in ranked.eligible
        ])

    def pre_get_list(self, data):
        """Timestamps carry their UTC offset on every database."""
        for row in data.get("result") or []:
            _with_offset(row)

    def pre_get(self, data):
        """Personal data leaves masked: intake fields by their class, parties' ID, mobile and
        address (``POST /api/v1/case/<id>/reveal`` answers them in full, logged)."""
        from app.services.reveal import masked_case_intake, masked_parties

        result = data.get("result") or {}
        _with_offset(result)
        if "intake_data" in result or "parties_masked" in result:
            case = self.datamodel.get(data["id"], self._base_filters)
            if case is None:  # read through the same filters just before; fail closed anyway
                result.pop("intake_data", None), result.pop("parties_masked", None)
                return
            if "intake_data" in result:
                result["intake_data"] = masked_case_intake(case)
            if "parties_masked" in result:
                result["parties_masked"] = masked_parties(case)

    def get_headless(self, pk, **kwargs):
        """One case; an id that cannot exist is simply not found."""
        if not is_valid_pk(pk):
            return self.response_404()
        return super().get_headless(pk, **kwargs)

    def post_headless(self):
        """Register a case from a JSON intake payload."""
        payload, error = json_object(self, gettext("The request body must be a JSON object."))
        if error:
            return error
        dispute_type = payload.get("dispute_type")
        dispatcher = jiefen().dispatcher
        if not isinstance(dispute_type, str) or not dispatcher.is_type_enabled(dispute_type):
            return self.response_422(message={"dispute_type": [str(TYPE_UNAVAILABLE)]})
        body = {k: v for k, v in payload.items() if k != "dispute_type"}
        body.setdefault("channel", "api")
        form = intake_form(dispute_type, formdata=flatten(body), api=True)
        if not form.validate():
            return self.response_422(message=form_errors(form))
        actor = getattr(g, "user", None) or jwt_user
        done = []
        try:
            refused = api_attempt(self, "status", lambda: done.append(register_unless_duplicate(
                form, dispute_type, actor, bool(form.confirm_duplicates.data), channel=form.channel.data)))
        except (SQLAlchemyError, StaleDataError) as exc:
            status, message = database_error(exc)
            return self.response(status, message=message)
        if refused:
            return refused
        outcome = done[0]
        if outcome.case is None:
            # Only cases the caller may see are named; others are never hinted at.
            return self.response(
                409,
                message=gettext("The same person appears in other open cases; send confirm_duplicates: true to register anyway."),
                duplicates=[{"id": c.id, "case_no": c.case_no, "status": c.status} for c in outcome.duplicates],
            )
        case = outcome.case
        return self.response(201, id=case.id, case_no=case.case_no)
