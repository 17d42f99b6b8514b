"""The referral API: a partner's own referrals (``/api/v1/partner/…``, shared view only) and
the sender's referrals of a case (``/api/v1/case/<id>/referrals``).

A referral of another organisation, or of a case the caller may not see, answers 404.
"""
from __future__ import annotations

from flask import request
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_babel import gettext

from app.extensions import db
from app.lifecycle import referrals as lc
from app.lifecycle.referral_sharing import documents_json, partner_document, shared_view
from app.models.referral import Referral
from app.services.partner_reports import partner_referrals, partner_statistics
from app.services.scope import LIVE_REFERRALS, current_user_obj
from app.services.uploads import UploadRefused, attachment_response
from app.views.case_access import api_attempt, case_in_sight, json_object
from app.views.keys import is_valid_pk

SEND_PERMISSIONS = ["can_transition"]
PARTNER_PERMISSIONS = ["can_respond"]


def shows_data(referral: Referral) -> bool:
    """The shared fields are readable while the referral is live (not rejected or withdrawn)."""
    return referral.status in LIVE_REFERRALS


def referral_json(referral: Referral, with_data: bool = True) -> dict:
    """A referral as its partner (or sender) reads it: the terms, the status, the shared view."""
    out = {
        "id": referral.id,
        "partner_id": referral.partner_id,
        "kind": referral.kind,
        "purpose": referral.purpose,
        "legal_basis": referral.legal_basis,
        "shared_fields": list(referral.shared_fields or []),
        "due_on": referral.due_on.isoformat(),
        "status": referral.status,
        "reject_reason": referral.reject_reason,
        "response_text": referral.response_text,
        "version": referral.version,
    }
    if with_data:
        out["shared"] = shared_view(referral) if shows_data(referral) else None
        out["documents"] = documents_json(referral)
    return out


class PartnerApi(BaseApi):
    """``/api/v1/partner/referrals/…``: a partner organisation's referrals (shared view only)."""

    route_base = "/api/v1/partner"
    resource_name = "partner"
    class_permission_name = "Referral"
    base_permissions = PARTNER_PERMISSIONS
    method_permission_name = {
        "list_referrals": "respond", "get_referral": "respond", "accept": "respond", "reject": "respond",
        "answer": "respond", "statistics": "respond", "document": "respond",
    }
    openapi_spec_tag = "Partner referrals"

    def _own(self, rid):
        return lc.referral_for_partner(rid, current_user_obj())

    def _do(self, referral, call):
        if referral is None:
            return self.response_404()
        try:
            refused = api_attempt(self, "referral", call, bad_version=True)
        except UploadRefused as exc:
            return self.response(exc.status, message={"files": [exc.reason]})
        return refused or self.response(200, result=referral_json(referral))

    @expose("/referrals/", methods=["GET"])
    @protect()
    @safe
    def list_referrals(self):
        """The organisation's referrals, newest first (terms and status; no case data).
        ---
        get:
          responses:
            200:
              description: referrals
        """
        org_id = lc.partner_org_id(current_user_obj())
        if org_id is None:
            return self.response_404()
        return self.response(200, result=[referral_json(r, with_data=False) for r in partner_referrals(org_id)])

    @expose("/referrals/<int:rid>", methods=["GET"])
    @protect()
    @safe
    def get_referral(self, rid):
        """One referral with exactly its shared fields.
        ---
        get:
          parameters:
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: the referral
        """
        referral = self._own(rid)
        if referral is None:
            return self.response_404()
        return self.response(200, result=referral_json(referral))

    @expose("/referrals/<int:rid>/accept", methods=["POST"])
    @protect()
    @safe
    def accept(self, rid):
        """Accept: ``{"version"}`` (optional).
        ---
        post:
          parameters:
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: accepted
        """
        body, error = json_object(self, optional=True)
        if error:
            return error
        referral = self._own(rid)
        return self._do(referral, lambda: lc.accept(referral, current_user_obj(), body.get("version")))

    @expose("/referrals/<int:rid>/reject", methods=["POST"])
    @protect()
    @safe
    def reject(self, rid):
        """Reject: ``{"reason": code, "note", "version"}``.
        ---
        post:
          parameters:
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: rejected
        """
        body, error = json_object(self, gettext("Send a JSON object with a “reason”."))
        if error:
            return error
        referral = self._own(rid)
        return self._do(referral, lambda: lc.reject(referral, current_user_obj(), body.get("reason"),
                                                    str(body.get("note") or ""), body.get("version")))

    @expose("/referrals/<int:rid>/answer", methods=["POST"])
    @protect()
    @safe
    def answer(self, rid):
        """Answer: JSON ``{"text", "version"}``, or multipart form data with ``text``,
        ``version`` and the documents as ``files``.
        ---
        post:
          parameters:
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: answered
        """
        if request.mimetype == "multipart/form-data":
            body = request.form.to_dict()
            files = request.files.getlist("files")
        else:
            body, error = json_object(self, gettext("Send a JSON object with the “text”."))
            files = []
            if error:
                return error
        referral = self._own(rid)
        return self._do(referral, lambda: lc.answer(referral, current_user_obj(), str(body.get("text") or ""),
                                                    files, body.get("version") or None))

    @expose("/referrals/<int:rid>/documents/<int:att_id>", methods=["GET"])
    @protect()
    @safe
    def document(self, rid, att_id):
        """One file the referral shares, or one of the organisation's own answer documents.
        ---
        get:
          parameters:
          - in: path
            name: rid
            schema:
              type: integer
          - in: path
            name: att_id
            schema:
              type: integer
          responses:
            200:
              description: the file
        """
        referral = self._own(rid)
        att = partner_document(referral, att_id) if referral is not None else None
        resp = attachment_response(att) if att is not None else None
        return resp if resp is not None else self.response_404()

    @expose("/statistics", methods=["GET"])
    @protect()
    @safe
    def statistics(self):
        """The organisation's counts by status, overdue, average days to answer.
        ---
        get:
          responses:
            200:
              description: statistics
        """
        org_id = lc.partner_org_id(current_user_obj())
        if org_id is None:
            return self.response_404()
        return self.response(200, result=partner_statistics(org_id))


class ReferralSendApi(BaseApi):
    """``POST /api/v1/case/<id>/referrals`` and closing them, for the court and centres."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = SEND_PERMISSIONS
    method_permission_name = {"send": "transition", "list_case_referrals": "transition",
                              "withdraw": "transition", "complete": "transition"}
    openapi_spec_tag = "Case referrals"

    @expose("/<int:pk>/referrals", methods=["GET"])
    @protect()
    @safe
    def list_case_referrals(self, pk):
        """The case's referrals.
        ---
        get:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            200:
              description: referrals
        """
        case = case_in_sight(pk)
        if case is None or lc.partner_org_id(current_user_obj()) is not None:
            return self.response_404()
        return self.response(200, result=[referral_json(r, with_data=False) for r in lc.referrals_of_case(case)])

    @expose("/<int:pk>/referrals", methods=["POST"])
    @protect()
    @safe
    def send(self, pk):
        """Refer: ``{"partner_id", "kind", "purpose", "legal_basis", "shared_fields": [...], "due_on"}``.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          responses:
            201:
              description: the referral
        """
        case = case_in_sight(pk)
        if case is None:
            return self.response_404()
        body, error = json_object(self)
        if error:
            return error
        sent = []
        refused = api_attempt(self, "referral", lambda: sent.append(lc.send(
            case, current_user_obj(), body.get("partner_id"), body.get("kind"), str(body.get("purpose") or ""),
            str(body.get("legal_basis") or ""), body.get("shared_fields"), body.get("due_on"))))
        return refused or self.response(201, result=referral_json(sent[0], with_data=False))

    def _close(self, pk, rid, step):
        case = case_in_sight(pk)
        referral = db.session.get(Referral, rid) if case is not None and is_valid_pk(rid) else None
        if referral is None or referral.case_id != case.id:
            return self.response_404()
        body, error = json_object(self, optional=True)
        if error:
            return error
        refused = api_attempt(self, "referral", lambda: step(
            referral, current_user_obj(), str(body.get("note") or ""), expected_version=body.get("version")),
            bad_version=True)
        return refused or self.response(200, result=referral_json(referral, with_data=False))

    @expose("/<int:pk>/referrals/<int:rid>/withdraw", methods=["POST"])
    @protect()
    @safe
    def withdraw(self, pk, rid):
        """Withdraw a referral not yet answered.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: withdrawn
        """
        return self._close(pk, rid, lc.withdraw)

    @expose("/<int:pk>/referrals/<int:rid>/complete", methods=["POST"])
    @protect()
    @safe
    def complete(self, pk, rid):
        """Complete an answered referral.
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema:
              type: integer
          - in: path
            name: rid
            schema:
              type: integer
          responses:
            200:
              description: completed
        """
        return self._close(pk, rid, lc.complete)
