"""Referrals to partner agencies: the sender's pages on a case, the partner's own pages, and the API.

A partner user reaches referrals only through ``/partner/…`` (and ``/api/v1/partner/…``), which
show the shared view of a referral and nothing else; a referral of another organisation reads
as missing (404).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.extensions import db
from app.lifecycle import referrals as lc
from app.lifecycle.workflow import StaleCase
from app.models.organization import Organization
from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS, REJECT_REASONS, Referral
from app.services.scope import LIVE_REFERRALS, can_see, current_user_obj
from app.services.settings import today
from app.services.uploads import UploadRefused
from app.views.keys import is_valid_pk
from app.views.workflow import STALE, visible_case

SEND_PERMISSIONS = ["can_transition"]
PARTNER_PERMISSIONS = ["can_respond"]


def active_partners() -> list[Organization]:
    """Active partner agencies, by name."""
    query = select(Organization).where(Organization.kind == "partner_agency", Organization.active.is_(True))
    return list(db.session.scalars(query.order_by(Organization.name, Organization.id)).unique())


class ReferForm(FlaskForm):
    """Whom to refer to, how, why, on what basis and by when (fields are checkboxes beside it)."""

    partner = SelectField(_l("Partner agency"), validate_choice=False,
                          choices=lambda: [("", "—")] + [(str(o.id), o.name) for o in active_partners()])
    kind = SelectField(_l("Kind of referral"), validate_choice=False,
                       choices=lambda: [(k, str(v)) for k, v in REFERRAL_KINDS.items()])
    purpose = TextAreaField(_l("Purpose"), validators=[Opt(), Length(max=4000)])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Opt(), Length(max=4000)])
    due_on = StringField(_l("Answer due on"), validators=[Opt(), Length(max=10)])


class NoteForm(FlaskForm):
    """A step with an optional note (withdraw, complete, accept)."""

    version = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=4000)])


class RejectForm(FlaskForm):
    """Why the partner declines."""

    version = HiddenField()
    reason = SelectField(_l("Reason"), validate_choice=False,
                         choices=lambda: [("", "—")] + [(k, str(v)) for k, v in REJECT_REASONS.items()])
    note = TextAreaField(_l("Explanation"), validators=[Opt(), Length(max=4000)])


class AnswerForm(FlaskForm):
    """The partner's answer; documents come as ``files`` beside it."""

    version = HiddenField()
    text = TextAreaField(_l("Answer"), validators=[Opt(), Length(max=20000)])


def _flash_refusal(exc) -> None:
    for reason in getattr(exc, "reasons", [str(exc)]):
        flash(str(reason), "danger")


# --- the sender's side (on a case) ------------------------------------------------------------


def _case_referral(rid) -> Referral:
    """A referral of a case the user may see; 404 otherwise."""
    referral = db.session.get(Referral, int(rid)) if is_valid_pk(rid) and int(rid) < 2**31 else None
    if referral is None or not can_see(referral.case):
        abort(404)
    return referral


class ReferralView(BaseView):
    """``/case/<id>/refer`` and closing a case's referrals."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = SEND_PERMISSIONS
    method_permission_name = {"refer": "transition", "withdraw": "transition", "complete": "transition"}

    @expose("/<pk>/refer", methods=["GET", "POST"])
    @has_access
    def refer(self, pk):
        """The referral form; a refusal shows it again with what was typed."""
        case = visible_case(pk)
        form = ReferForm(formdata=request.form if request.method == "POST" else None)
        chosen = request.form.getlist("fields") if request.method == "POST" else []
        status = 200
        if request.method == "POST":
            if form.validate():
                try:
                    lc.send(case, g.user, form.partner.data, form.kind.data, form.purpose.data,
                            form.legal_basis.data, chosen, form.due_on.data)
                except lc.ReferralRefused as exc:
                    _flash_refusal(exc)
                    status = 422
                else:
                    flash(gettext("The referral was sent."), "success")
                    return redirect(url_for("CaseModelView.show", pk=case.id))
            else:
                status = 422
        return self.render_template(
            "jiefen/referral_form.html", case=case, form=form, fields=lc.shareable_fields(case),
            chosen=set(chosen), partners=active_partners(), today=today(),
        ), status

    def _close(self, rid, step, done):
        referral = _case_referral(rid)
        form = NoteForm()
        if not form.validate():
            abort(400)
        try:
            step(referral, g.user, form.note.data or "", expected_version=form.version.data or None)
        except lc.ReferralRefused as exc:
            _flash_refusal(exc)
        except StaleCase:
            db.session.expire_all()
            flash(str(STALE), "warning")
        else:
            flash(done, "success")
        return redirect(url_for("CaseModelView.show", pk=referral.case_id))

    @expose("/referrals/<rid>/withdraw", methods=["POST"])
    @has_access
    def withdraw(self, rid):
        """The sender takes a referral back."""
        return self._close(rid, lc.withdraw, gettext("The referral was withdrawn."))

    @expose("/referrals/<rid>/complete", methods=["POST"])
    @has_access
    def complete(self, rid):
        """The sender closes an answered referral."""
        return self._close(rid, lc.complete, gettext("The referral is completed."))


# --- the partner's side -----------------------------------------------------------------------


def own_referral(rid, user=None) -> Referral:
    """A referral to the user's own partner organisation; 404 for anything else."""
    org_id = lc.partner_org_id(user if user is not None else current_user_obj())
    referral = db.session.get(Referral, int(rid)) if is_valid_pk(rid) and int(rid) < 2**31 else None
    if org_id is None or referral is None or referral.partner_id != org_id:
        abort(404)
    return referral


def _shows_data(referral: Referral) -> bool:
    """The shared fields are readable while the referral is live (not rejected or withdrawn)."""
    return referral.status in LIVE_REFERRALS


class PartnerView(BaseView):
    """``/partner/referrals/``: the partner organisation's referrals, each as its shared view."""

    route_base = "/partner"
    default_view = "referrals"
    class_permission_name = "Referral"
    base_permissions = PARTNER_PERMISSIONS
    method_permission_name = {
        "referrals": "respond", "show": "respond", "accept": "respond", "reject": "respond",
        "answer": "respond", "statistics": "respond",
    }

    def _org(self):
        org_id = lc.partner_org_id(g.user)
        if org_id is None:
            abort(404)
        return db.session.get(Organization, org_id)

    @expose("/referrals/")
    @has_access
    def referrals(self):
        """Every referral to the user's organisation, newest first."""
        org = self._org()
        return self.render_template("jiefen/referral_list.html", org=org, referrals=lc.partner_referrals(org.id),
                                    statuses=REFERRAL_STATUS, kinds=REFERRAL_KINDS, today=today())

    def _show(self, referral, status=200, reject_form=None, answer_form=None):
        return self.render_template(
            "jiefen/referral_show.html", referral=referral,
            shared=lc.shared_rows(referral) if _shows_data(referral) else None,
            statuses=REFERRAL_STATUS, kinds=REFERRAL_KINDS, reasons=REJECT_REASONS,
            note_form=NoteForm(formdata=None, version=str(referral.version)),
            reject_form=reject_form or RejectForm(formdata=None, version=str(referral.version)),
            answer_form=answer_form or AnswerForm(formdata=None, version=str(referral.version)),
            documents=_documents(referral),
        ), status

    @expose("/referrals/<rid>")
    @has_access
    def show(self, rid):
        """The referral's terms and exactly its shared fields — never the case page."""
        return self._show(own_referral(rid, g.user))

    def _step(self, referral, call, done, **forms):
        try:
            call()
        except (lc.ReferralRefused, UploadRefused) as exc:
            _flash_refusal(exc) if isinstance(exc, lc.ReferralRefused) else flash(exc.reason, "danger")
            db.session.expire_all()
            return self._show(referral, 422, **forms)
        except StaleCase:
            db.session.expire_all()
            flash(str(STALE), "warning")
            return self._show(referral, 409, **forms)
        flash(done, "success")
        return redirect(url_for("PartnerView.show", rid=referral.id))

    @expose("/referrals/<rid>/accept", methods=["POST"])
    @has_access
    def accept(self, rid):
        """Take the referral on."""
        referral = own_referral(rid, g.user)
        form = NoteForm()
        if not form.validate():
            abort(400)
        return self._step(referral, lambda: lc.accept(referral, g.user, form.version.data or None),
                          gettext("The referral is accepted."))

    @expose("/referrals/<rid>/reject", methods=["POST"])
    @has_access
    def reject(self, rid):
        """Decline, with a reason."""
        referral = own_referral(rid, g.user)
        form = RejectForm()
        if not form.validate():
            abort(400)
        return self._step(
            referral, lambda: lc.reject(referral, g.user, form.reason.data, form.note.data or "",
                                        form.version.data or None),
            gettext("The referral is rejected."), reject_form=form)

    @expose("/referrals/<rid>/answer", methods=["POST"])
    @has_access
    def answer(self, rid):
        """Answer, with documents."""
        referral = own_referral(rid, g.user)
        form = AnswerForm()
        if not form.validate():
            abort(400)
        files = request.files.getlist("files")
        return self._step(
            referral, lambda: lc.answer(referral, g.user, form.text.data or "", files, form.version.data or None),
            gettext("The answer was sent."), answer_form=form)

    @expose("/statistics")
    @has_access
    def statistics(self):
        """The organisation's own figures."""
        org = self._org()
        return self.render_template("jiefen/referral_stats.html", org=org, stats=lc.partner_statistics(org.id),
                                    statuses=REFERRAL_STATUS)


def _documents(referral: Referral) -> list:
    from app.models.mediation import Attachment

    query = select(Attachment).where(Attachment.referral_id == referral.id).order_by(Attachment.id)
    return list(db.session.scalars(query))


# --- API ----------------------------------------------------------------------------------------


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
        out["shared"] = lc.shared_view(referral) if _shows_data(referral) else None
    return out


class PartnerApi(BaseApi):
    """``/api/v1/partner/referrals/…``: a partner organisation's referrals (shared view only)."""

    route_base = "/api/v1/partner"
    resource_name = "partner"
    class_permission_name = "Referral"
    base_permissions = PARTNER_PERMISSIONS
    method_permission_name = {
        "list_referrals": "respond", "get_referral": "respond", "accept": "respond", "reject": "respond",
        "answer": "respond", "statistics": "respond",
    }
    openapi_spec_tag = "Partner referrals"

    def _own(self, rid):
        org_id = lc.partner_org_id(current_user_obj())
        referral = db.session.get(Referral, rid) if is_valid_pk(rid) and rid < 2**31 else None
        if org_id is None or referral is None or referral.partner_id != org_id:
            return None
        return referral

    def _do(self, referral, call):
        if referral is None:
            return self.response_404()
        try:
            call()
        except lc.ReferralRefused as exc:
            return self.response_422(message={"referral": [str(r) for r in exc.reasons]})
        except StaleCase:
            return self.response(409, message=str(STALE))
        except (TypeError, ValueError):
            return self.response_400(message=gettext("The version must be a whole number."))
        return self.response(200, result=referral_json(referral))

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
        return self.response(200, result=[referral_json(r, with_data=False) for r in lc.partner_referrals(org_id)])

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
        body = request.get_json(silent=True) or {}
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
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=gettext("Send a JSON object with a “reason”."))
        referral = self._own(rid)
        return self._do(referral, lambda: lc.reject(referral, current_user_obj(), body.get("reason"),
                                                    str(body.get("note") or ""), body.get("version")))

    @expose("/referrals/<int:rid>/answer", methods=["POST"])
    @protect()
    @safe
    def answer(self, rid):
        """Answer: ``{"text", "version"}`` (documents through the web page).
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
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=gettext("Send a JSON object with the “text”."))
        referral = self._own(rid)
        return self._do(referral, lambda: lc.answer(referral, current_user_obj(), str(body.get("text") or ""),
                                                    [], body.get("version")))

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
        return self.response(200, result=lc.partner_statistics(org_id))


class ReferralSendApi(BaseApi):
    """``POST /api/v1/case/<id>/referrals`` and closing them, for the court and centres."""

    route_base = "/api/v1/case"
    resource_name = "case"
    class_permission_name = "CaseWorkflow"
    base_permissions = SEND_PERMISSIONS
    method_permission_name = {"send": "transition", "list_case_referrals": "transition",
                              "withdraw": "transition", "complete": "transition"}
    openapi_spec_tag = "Case referrals"

    def _case(self, pk):
        from app.models.case import Case

        case = db.session.get(Case, pk) if is_valid_pk(pk) and pk < 2**31 else None
        return case if case is not None and can_see(case) else None

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
        case = self._case(pk)
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
        case = self._case(pk)
        if case is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=gettext("Send a JSON object."))
        try:
            referral = lc.send(case, current_user_obj(), body.get("partner_id"), body.get("kind"),
                               str(body.get("purpose") or ""), str(body.get("legal_basis") or ""),
                               body.get("shared_fields"), body.get("due_on"))
        except lc.ReferralRefused as exc:
            return self.response_422(message={"referral": [str(r) for r in exc.reasons]})
        return self.response(201, result=referral_json(referral, with_data=False))

    def _close(self, pk, rid, step):
        case = self._case(pk)
        referral = db.session.get(Referral, rid) if case is not None and rid < 2**31 else None
        if referral is None or referral.case_id != case.id:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        try:
            step(referral, current_user_obj(), str(body.get("note") or ""), expected_version=body.get("version"))
        except lc.ReferralRefused as exc:
            return self.response_422(message={"referral": [str(r) for r in exc.reasons]})
        except StaleCase:
            return self.response(409, message=str(STALE))
        except (TypeError, ValueError):
            return self.response_400(message=gettext("The version must be a whole number."))
        return self.response(200, result=referral_json(referral, with_data=False))

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


def register_referral_views(appbuilder) -> None:
    """The sender's pages and API, and the partner's menu ("Partner" → "Referrals to us")."""
    appbuilder.add_view_no_menu(ReferralView)
    appbuilder.add_view(
        PartnerView, "Partner referrals", label=_l("Referrals to us"), icon="fa-share",
        category="Partner", category_label=_l("Partner"), category_icon="fa-handshake-o",
    )
    appbuilder.add_link("Partner statistics", href="PartnerView.statistics", label=_l("Our statistics"),
                        icon="fa-bar-chart", category="Partner", category_label=_l("Partner"))
    appbuilder.add_api(PartnerApi)
    appbuilder.add_api(ReferralSendApi)
