""""Show full information" on a case or a pool mediator: the form that asks why, and the API.

Only roles holding ``can_reveal`` on ``PersonalData`` reach these routes; a record the user may
not see reads as missing (404), and a reveal without a reason is refused and logs nothing.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired

from app.extensions import appbuilder, db
from app.idempotency import answer_holds_secret
from app.services import reveal
from app.views.case_access import case_in_sight, json_object, visible_case
from app.views.keys import is_valid_pk

# One permission name and one list for the page and the API (FAB's permission sync).
REVEAL_PERMISSIONS = ["can_reveal"]


class RevealForm(FlaskForm):
    """Why the full information is needed: a common reason and a sentence."""

    reason_code = SelectField(_l("Reason"), validate_choice=False,
                              choices=lambda: [("", "—")] + [(k, str(v)) for k, v in reveal.REASONS.items()],
                              validators=[InputRequired()])  # checked by reveal.check_reason
    reason = StringField(_l("Why, in a sentence"), validators=[InputRequired()])


def visible_mediator(pk):
    """The pool record, if the user may see it on the pool pages (their filters); 404 otherwise."""
    from app.models.mediator import Mediator

    if not is_valid_pk(pk):
        abort(404)
    view = next((v for v in appbuilder.baseviews if type(v).__name__ == "MediatorModelView"), None)
    if view is not None:
        mediator = view.datamodel.get(int(pk), view._base_filters)
    else:
        mediator = db.session.get(Mediator, int(pk))
    if mediator is None:
        abort(404)
    return mediator


class RevealView(BaseView):
    """``/reveal/case/<id>`` and ``/reveal/mediator/<id>``: ask why, log, show for a while."""

    route_base = "/reveal"
    class_permission_name = "PersonalData"
    base_permissions = REVEAL_PERMISSIONS
    method_permission_name = {"case": "reveal", "mediator": "reveal"}

    def _ask(self, subject, back, form, call, done):
        if request.method == "POST":
            try:
                call(form.reason_code.data, form.reason.data)
            except reveal.RevealRefused as exc:
                for name, messages in exc.errors.items():
                    getattr(form, name).errors = list(messages)
            else:
                flash(done, "info")
                return redirect(back)
        return self.render_template("jiefen/reveal_form.html", form=form, subject=subject, back=back,
                                    minutes=reveal.REVEAL_MINUTES), (422 if request.method == "POST" else 200)

    @expose("/case/<pk>", methods=["GET", "POST"])
    @has_access
    def case(self, pk):
        """The reason form for a case; on success the case page shows its full information."""
        case = visible_case(pk)
        back = url_for("CaseModelView.show", pk=case.id) + "#sec-parties"
        return self._ask(case.case_no, back, RevealForm(), lambda code, text: reveal.reveal_case(case, code, text),
                         gettext("Full information is shown for %(n)d minutes; the reveal is logged.",
                                 n=reveal.REVEAL_MINUTES))

    @expose("/mediator/<pk>", methods=["GET", "POST"])
    @has_access
    def mediator(self, pk):
        """The reason form for a pool mediator's mobile and certificate number."""
        mediator = visible_mediator(pk)
        back = url_for("MediatorModelView.show", pk=mediator.id)
        return self._ask(mediator.name, back, RevealForm(),
                         lambda code, text: reveal.reveal_mediator(mediator, code, text),
                         gettext("Full information is shown for %(n)d minutes; the reveal is logged.",
                                 n=reveal.REVEAL_MINUTES))


class RevealApi(BaseApi):
    """``POST /api/v1/case/<id>/reveal``: the case's personal data in full, with a reason, logged."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "PersonalData"
    base_permissions = REVEAL_PERMISSIONS
    method_permission_name = {"reveal_case": "reveal"}
    openapi_spec_tag = "Case"

    @expose("/<int:pk>/reveal", methods=["POST"])
    @protect()
    @safe
    def reveal_case(self, pk):
        """Reveal a case's masked fields: ``{"reason_code": "contact", "reason": "…"}``.
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
                  properties:
                    reason_code:
                      type: string
                      enum: [contact, identity, documents, referral, other]
                    reason:
                      type: string
                      maxLength: 200
                  required: [reason_code, reason]
          responses:
            200:
              description: the full values and the names of the revealed fields; the reveal is logged
            400:
              description: the body is not a JSON object
            401:
              description: not signed in or not allowed to reveal
            404:
              description: no such case, or one the caller may not see
            422:
              description: the reason is missing or too long; nothing is logged
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self, gettext("The request body must be a JSON object."))
        if error:
            return error
        try:
            result = reveal.reveal_case(case, body.get("reason_code"), body.get("reason"), remember=False)
        except reveal.RevealRefused as exc:
            return self.response_422(message=exc.errors)
        answer_holds_secret()  # personal data in clear: never kept for an Idempotency-Key replay
        return self.response(200, result=result)


def register_reveal_views(appbuilder) -> None:
    """The reveal form and its API."""
    appbuilder.add_view_no_menu(RevealView)
    appbuilder.add_api(RevealApi)
