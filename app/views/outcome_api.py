"""The REST side of the outcome: the stored agreement, signatures, confirmation, visits."""
from __future__ import annotations

import datetime as dt

from flask import Response
from sqlalchemy import select
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext

from app.agreements.forms import parse_amount
from app.extensions import db
from app.lifecycle import confirmation, outcome, visits
from app.lifecycle.confirmation_scope import confirmation_fee
from app.lifecycle.oral import record_oral_agreement
from app.models.case import Case
from app.models.outcome import ReturnVisit
from app.services.scope import current_user_obj
from app.agreements.sandbox import ForbiddenInTemplate, template_refused_message
from app.views.agreements import DOCX_MIME, _attachment
from app.views.case_access import api_attempt, case_in_sight, json_object
from app.views.keys import is_valid_pk, requires_version
from app.views.outcome import BAD_DATE, OUTCOME_PERMISSIONS


def _day(body: dict, key: str, problems: dict, name: str = ""):
    """An ISO date from the JSON body; a problem under ``name or key`` when it is not one."""
    value = body.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems[name or key] = [str(BAD_DATE)]
    return None


def _agreement_json(case: Case) -> dict:
    agreement = outcome.agreement_of(case)
    return {
        "id": agreement.id,
        "form": agreement.form,
        "template_code": agreement.template_code or None,  # none for an oral agreement
        "effective_on": agreement.effective_on.isoformat() if agreement.effective_on else None,
        "amount": None if agreement.amount is None else f"{agreement.amount:.2f}",
        "terms": [{"id": t.id, "position": t.position, "text": t.text, "manner": t.manner or "", "kind": t.kind,
                   "due_on": t.due_on.isoformat() if t.due_on else None,
                   "performed_on": t.performed_on.isoformat() if t.performed_on else None} for t in agreement.terms],
        "signatures": [{"id": s.id, "party_id": s.party_id, "signer_role": s.signer_role,
                        "name": outcome.signer_name(s, agreement, case), "method": s.method,
                        "signed_on": s.signed_on.isoformat() if s.signed_on else None}
                       for s in outcome.signatures_of(agreement)],
    }


class OutcomeApi(BaseApi):
    """``POST /api/v1/case/<id>/agreement``, ``…/agreement/signatures/<id>``, ``…/confirmation``, ``…/visits/<id>``."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = OUTCOME_PERMISSIONS
    method_permission_name = {
        name: "transition"
        for name in ("save_agreement", "sign", "confirmation", "visit", "cancel_visit", "agreement_docx",
                     "list_visits", "oral_agreement")
    }
    openapi_spec_tag = "Case workflow"

    def _prepare(self, pk, *date_keys):
        """``(None, case, body, dates)`` for a POST, or ``(response, …)`` to answer instead."""
        case = case_in_sight(pk)
        if case is None:
            return self.response_404(), None, None, None
        body, error = json_object(self)
        if error:
            return error, case, None, None
        version = body.get("version")
        if version not in (None, "") and not (isinstance(version, int) or (str(version).isascii() and str(version).isdigit())):
            return self.response_400(message=gettext("The version must be a whole number.")), case, body, None
        problems: dict = {}
        dates = {k: _day(body, k, problems) for k in date_keys}
        if problems:
            return self.response_422(message=problems), case, body, None
        return None, case, body, dates

    def _run(self, key: str, call):
        """Call the service; 404 / 409 / 422 / 400 as the API answers them, else ``None``."""
        return api_attempt(self, key, call, missing=(outcome.NotInCase,))

    @expose("/<int:pk>/agreement.docx", methods=["GET"])
    @protect()
    @safe
    def agreement_docx(self, pk):
        """The stored agreement as the DOCX to sign.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the document
        """
        case = case_in_sight(pk)
        if case is None or outcome.agreement_of(case) is None:
            return self.response_404()
        try:
            filename, data = outcome.agreement_docx(case)
        except outcome.NotInCase:  # an oral agreement has no document
            return self.response_404()
        except ForbiddenInTemplate as refused:  # a replacement stored before templates were checked
            return self.response(409, message=template_refused_message(refused))
        return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": _attachment(filename)})

    @expose("/<int:pk>/visits", methods=["GET"])
    @protect()
    @safe
    def list_visits(self, pk):
        """The case's return visits, planned and done.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: visits, earliest first
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        rows = db.session.scalars(
            select(ReturnVisit).where(ReturnVisit.case_id == case.id).order_by(ReturnVisit.scheduled_for, ReturnVisit.id)
        )
        return self.response(200, result=[
            {"id": v.id, "scheduled_for": v.scheduled_for.isoformat(), "done_on": v.done_on.isoformat() if v.done_on else None,
             "terms_performed": v.terms_performed, "satisfaction": v.satisfaction, "follow_up": v.follow_up}
            for v in rows
        ])

    @expose("/<int:pk>/agreement", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def save_agreement(self, pk):
        """Store or revise: ``{template_code, committee, mediator_name, drafted_on, terms, version}``."""
        error, case, body, dates = self._prepare(pk, "drafted_on")
        if error:
            return error
        terms, failed = self._terms(body)
        if failed:
            return failed
        amount, failed = self._amount(body)
        if failed:
            return failed
        failed = self._run("agreement", lambda: outcome.save_agreement(
            case, current_user_obj(), body.get("template_code"), body.get("committee"), body.get("mediator_name"),
            terms, expected_version=body.get("version"), drafted_on=dates["drafted_on"], amount=amount))
        return failed or self.response(200, status=case.status, version=case.version, agreement=_agreement_json(case))

    def _amount(self, body: dict):
        """``(amount, None)`` from the body's optional ``amount`` (协议金额, validated like the web
        form's field; absent: :data:`~app.lifecycle.outcome.KEEP`), or ``(None, error response)``."""
        if "amount" not in body:
            return outcome.KEEP, None
        amount, problems = parse_amount(body["amount"])
        return (None, self.response_422(message={"amount": problems})) if problems else (amount, None)

    def _terms(self, body: dict):
        """``(terms, None)`` from the body's ``terms`` (text, manner, due, kind), or ``(None, error response)``."""
        if not isinstance(body.get("terms"), list) or not all(isinstance(t, dict) for t in body["terms"]):
            return None, self.response_400(message=gettext("Send a JSON object with a list of “terms”."))
        problems: dict = {}
        terms = [(t.get("text"), t.get("manner"), _day(t, "due", problems, f"terms.{i}.due"), t.get("kind"))
                 for i, t in enumerate(body["terms"])]
        return (None, self.response_422(message=problems)) if problems else (terms, None)

    @expose("/<int:pk>/agreement/oral", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def oral_agreement(self, pk):
        """Record an oral agreement (no document), in effect on ``agreed_on``:
        ``{committee, mediator_name, agreed_on, terms, assent: [party ids], version}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: the case's state and the recorded agreement
        """
        error, case, body, dates = self._prepare(pk, "agreed_on")
        if error:
            return error
        terms, failed = self._terms(body)
        if failed:
            return failed
        if not isinstance(body.get("assent", []), list):
            return self.response_400(message=gettext("“assent” is a list of party ids."))
        amount, failed = self._amount(body)
        if failed:
            return failed
        failed = self._run("agreement", lambda: record_oral_agreement(
            case, current_user_obj(), body.get("committee"), body.get("mediator_name"), terms, dates["agreed_on"],
            body.get("assent", []), expected_version=body.get("version"),
            amount=None if amount is outcome.KEEP else amount))
        return failed or self.response(200, status=case.status, version=case.version, agreement=_agreement_json(case))

    @expose("/<int:pk>/agreement/signatures/<int:sid>", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def sign(self, pk, sid):
        """Record a signature: ``{"signed_on", "method", "version"}``."""
        error, case, body, dates = self._prepare(pk, "signed_on")
        if error:
            return error
        failed = self._run("signature", lambda: outcome.sign(case, sid, dates["signed_on"], body.get("method"),
                                                             current_user_obj(), expected_version=body.get("version")))
        return failed or self.response(200, status=case.status, version=case.version, agreement=_agreement_json(case))

    @expose("/<int:pk>/confirmation", methods=["POST"])
    @protect()
    @safe
    @requires_version
    def confirmation(self, pk):
        """``{applied_on}`` applies; ``{result, accepted_on, decided_on, enforcement_note}`` records the court's."""
        error, case, body, days = self._prepare(pk, "applied_on", "accepted_on", "decided_on")
        if error:
            return error
        warning = []
        if "result" in body:
            def call():
                warning.append(confirmation.record_confirmation(
                    case, days["accepted_on"], body.get("result"), days["decided_on"],
                    str(body.get("enforcement_note") or ""), actor=current_user_obj(),
                    expected_version=body.get("version"))[1])
        else:
            def call():
                confirmation.apply_confirmation(case, current_user_obj(), days["applied_on"],
                                           expected_version=body.get("version"))
        failed = self._run("confirmation", call)
        if failed:
            return failed
        row = outcome.confirmation_of(case)
        fee, fee_source = confirmation_fee(row.applied_on)
        return self.response(200, status=case.status, version=case.version, result=row.result,
                             applied_on=row.applied_on.isoformat(), warning=warning[0] if warning else None,
                             fee=str(fee) if fee is not None else None, fee_source=fee_source,
                             **confirmation.scope_of(case).as_json())

    @expose("/<int:pk>/visits/<int:vid>", methods=["POST"])
    @protect()
    @safe
    def visit(self, pk, vid):
        """Record a visit: ``{done_on, method, terms_performed, satisfaction, notes, performed_term_ids}``."""
        error, case, body, dates = self._prepare(pk, "done_on")
        row = db.session.get(ReturnVisit, vid) if case is not None and is_valid_pk(vid) else None
        if case is not None and (row is None or row.case_id != case.id):
            return self.response_404()  # a visit of another case reads like a missing one
        if error:
            return error
        if not isinstance(body.get("performed_term_ids", []), list):
            return self.response_400(message=gettext("“performed_term_ids” is a list of term ids."))
        made = []
        failed = self._run("visit", lambda: made.append(visits.record_visit(
            row, current_user_obj(), dates["done_on"], body.get("method"), body.get("terms_performed"),
            body.get("satisfaction"), str(body.get("notes") or ""), body.get("performed_term_ids", []))))
        if failed:
            return failed
        follow_up = made[0]
        return self.response(200, follow_up=follow_up is not None,
                             follow_up_on=follow_up.scheduled_for.isoformat() if follow_up else None)

    @expose("/<int:pk>/visits/<int:vid>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel_visit(self, pk, vid):
        """Cancel a planned visit that is no longer needed: ``{reason}``; the timeline keeps it."""
        error, case, body, _dates = self._prepare(pk)
        row = db.session.get(ReturnVisit, vid) if case is not None and is_valid_pk(vid) else None
        if case is not None and (row is None or row.case_id != case.id):
            return self.response_404()
        if error:
            return error
        failed = self._run("visit", lambda: visits.cancel_visit(row, current_user_obj(), str(body.get("reason") or "")))
        return failed or self.response(200, status=case.status, cancelled=vid)
