"""Offering a case to mediators (clerks) and answering an offer (the offered mediator).

Clerks act under the workflow's permission ("can_transition" on "CaseWorkflow"); answering
is a permission of its own ("can_respond" on "AssignmentResponse") so that mediators can be
given it without being able to move cases along.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional as Opt

from app.extensions import db
from app.lifecycle import assignment as offers
from app.lifecycle.machine import ACTIONS
from app.models.case import Case
from app.models.lifecycle import OFFER_RESPONSES
from app.models.mediator import MediationTeam
from app.services.recommend import recommend
from app.services.scope import can_see, current_user_obj
from app.views.case_access import api_attempt, attempt, case_in_sight, json_object, visible_case
from app.views.keys import sent_version, requires_version
from app.views.workflow import WORKFLOW_PERMISSIONS

# Identical to CaseWorkflowView's list: two classes sharing a permission name with different
# lists would make FAB's permission sync add and remove grants at each start.
ASSIGN_PERMISSIONS = WORKFLOW_PERMISSIONS
RESPOND_PERMISSIONS = ["can_respond"]


def _team_choices() -> list[tuple[str, str]]:
    teams = db.session.execute(select(MediationTeam.id, MediationTeam.name).order_by(MediationTeam.name, MediationTeam.id))
    return [("", "—")] + [(str(i), name) for i, name in teams]


class AssignForm(FlaskForm):
    """The case version being edited, an optional team and a note; mediators are checkboxes."""

    version = HiddenField()
    team_id = SelectField(_l("Or offer to a whole team"), choices=_team_choices, validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=4000)])


class DeclineForm(FlaskForm):
    """Why the mediator turns the case down."""

    reason = TextAreaField(_l("Reason for declining"), validators=[Opt(), Length(max=4000)])


def _ticked() -> list[str]:
    return [v for v in request.form.getlist("mediator_ids") if v]


class AssignmentView(BaseView):
    """``/case/<id>/assign``: the recommended mediators, and offering the case to some of them."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = ASSIGN_PERMISSIONS
    method_permission_name = {"assign": "transition"}

    @expose("/<pk>/assign", methods=["GET", "POST"])
    @has_access
    @requires_version
    def assign(self, pk):
        """GET shows the ranked pool; POST makes the offers or explains why not."""
        case = visible_case(pk)
        form = AssignForm(formdata=request.form if request.method == "POST" else None)
        ticked = _ticked() if request.method == "POST" else []
        status = 200
        if request.method == "GET":
            form.version.data = str(case.version)
        elif form.validate():
            made = []
            status = attempt(lambda: made.extend(offers.offer(
                case, ticked, g.user, expected_version=sent_version(form.version.data), note=form.note.data or "",
                team_id=form.team_id.data or None)))
            if status is None:
                names = "、".join(a.mediator.name for a in made)
                flash(gettext("The case is offered to %(names)s.", names=names), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        else:
            status = 422
        history = offers.offers_for_case(case)
        return self.render_template(
            "jiefen/assign.html", case=case, form=form, ticked={str(t) for t in ticked},
            recommendations=recommend(case), history=history, responses=OFFER_RESPONSES,
            pending={a.mediator_id for a in history if a.response == "pending"},
            possible=case.status in ACTIONS["assign"].sources and case.mediator_id is None,
        ), status


class OfferResponseView(BaseView):
    """``/case/offers/<id>``: an offer as its mediator sees it, with accept and decline."""

    route_base = "/case"
    class_permission_name = "AssignmentResponse"
    base_permissions = RESPOND_PERMISSIONS
    method_permission_name = {"show_offer": "respond", "accept": "respond", "decline": "respond"}

    def _page(self, assignment, form, status=200):
        case = db.session.get(Case, assignment.case_id)
        return self.render_template(
            "jiefen/assign_offer.html", offer=assignment, case=case, form=form,
            response=OFFER_RESPONSES.get(assignment.response, assignment.response),
            closed=offers.closed_offer_reason(assignment, case),
        ), status

    @staticmethod
    def _mine(offer_id):
        try:
            return offers._own_offer(offer_id, g.user)
        except offers.NotYourOffer:
            abort(404)

    @expose("/offers/<offer_id>", methods=["GET"])
    @has_access
    def show_offer(self, offer_id):
        """The case offered (no party details), and the two answers."""
        return self._page(self._mine(offer_id), DeclineForm(formdata=None))

    @expose("/offers/<offer_id>/accept", methods=["POST"])
    @has_access
    def accept(self, offer_id):
        """Take the case; the first mediator to accept gets it."""
        mine = self._mine(offer_id)  # the CSRF token was checked by CSRFProtect before this
        status = attempt(lambda: offers.accept(mine.id, g.user))
        if status is not None:
            return self._page(db.session.get(type(mine), mine.id), DeclineForm(formdata=None), status)
        case = db.session.get(Case, mine.case_id)
        flash(gettext("You have accepted case %(no)s.", no=case.case_no), "success")
        if can_see(case):
            return redirect(url_for("CaseModelView.show", pk=case.id))
        return redirect(url_for("OfferResponseView.show_offer", offer_id=mine.id))

    @expose("/offers/<offer_id>/decline", methods=["POST"])
    @has_access
    def decline(self, offer_id):
        """Turn the case down, saying why."""
        mine = self._mine(offer_id)
        form = DeclineForm(formdata=request.form)
        if form.validate() and attempt(lambda: offers.decline(mine.id, g.user, form.reason.data or "")) is None:
            flash(gettext("You have declined the offer."), "success")
            return redirect(url_for("OfferResponseView.show_offer", offer_id=mine.id))
        return self._page(db.session.get(type(mine), mine.id), form, 422)


class AssignmentApi(BaseApi):
    """``POST /api/v1/case/<id>/assign`` with ``{"mediator_ids", "team_id", "version", "note"}``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = ASSIGN_PERMISSIONS
    method_permission_name = {"assign": "transition"}
    openapi_spec_tag = "Case workflow"

    @expose("/<int:pk>/assign", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def assign(self, pk):
        """Offer the case; 409 when the version is stale, 422 with reasons when refused.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the case's state and version, and the offers made
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        need = gettext("Send a JSON object with a list of “mediator_ids”.")
        body, error = json_object(self, need)
        ids = body.get("mediator_ids", []) if body is not None else None
        if error or not isinstance(ids, list):
            return error or self.response_400(message=need)
        made = []
        refused = api_attempt(self, "mediator_ids", lambda: made.extend(offers.offer(
            case, ids, current_user_obj(), expected_version=body.get("version"), note=str(body.get("note") or ""),
            team_id=body.get("team_id"))), bad_version=True)
        return refused or self.response(200, status=case.status, version=case.version,
                                        offers=[{"id": a.id, "mediator_id": a.mediator_id} for a in made])


def local_iso(value):
    """An ISO timestamp that always carries its UTC offset (SQLite returns naive values)."""
    import datetime as dt

    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()


class AssignmentResponseApi(BaseApi):
    """``POST /api/v1/case/offers/<id>/accept`` and ``…/decline`` with ``{"reason"}``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "AssignmentResponse"
    base_permissions = RESPOND_PERMISSIONS
    method_permission_name = {"accept": "respond", "decline": "respond", "my_offers": "respond"}
    openapi_spec_tag = "Case workflow"

    @expose("/offers", methods=["GET"])
    @protect()
    @safe
    def my_offers(self):
        """The offers waiting for the signed-in mediator's answer.
        ---
        get:
          responses:
            200:
              description: offers, oldest first
        """
        rows = offers.pending_offers_for(current_user_obj())
        return self.response(200, result=[
            {"id": offer.id, "case_id": case.id, "case_no": case.case_no, "dispute_type": case.dispute_type,
             "offered_at": local_iso(offer.offered_at)}
            for offer, case in rows
        ])

    @expose("/offers/<int:offer_id>/accept", methods=["POST"])
    @protect()
    @safe
    def accept(self, offer_id):
        """Take the case; 422 when someone else accepted first or the offer is closed.
        ---
        post:
          parameters:
          - in: path
            name: offer_id
            schema:
              type: integer
          responses:
            200:
              description: the case now handled by the caller
        """
        answered = []
        refused = api_attempt(self, "offer", lambda: answered.append(offers.accept(offer_id, current_user_obj())),
                              missing=(offers.NotYourOffer,))
        if refused:
            return refused
        done = answered[0]
        return self.response(200, response=done.response, case_id=done.case_id, mediator_id=done.mediator_id)

    @expose("/offers/<int:offer_id>/decline", methods=["POST"])
    @protect()
    @safe
    def decline(self, offer_id):
        """Turn the case down; the reason is required.
        ---
        post:
          parameters:
          - in: path
            name: offer_id
            schema:
              type: integer
          responses:
            200:
              description: the offer is declined
        """
        body, error = json_object(self, gettext("Send a JSON object with a “reason”."))
        if error:
            return error
        reason = body.get("reason")
        answered = []
        refused = api_attempt(self, "reason", lambda: answered.append(offers.decline(
            offer_id, current_user_obj(), reason if isinstance(reason, str) else "")), missing=(offers.NotYourOffer,))
        return refused or self.response(200, response=answered[0].response, case_id=answered[0].case_id)


def register_assignment_views(appbuilder) -> None:
    """The offer pages and endpoints; no menu entries (reached from the case and My work)."""
    appbuilder.add_view_no_menu(AssignmentView)
    appbuilder.add_view_no_menu(OfferResponseView)
    appbuilder.add_api(AssignmentApi)
    appbuilder.add_api(AssignmentResponseApi)
