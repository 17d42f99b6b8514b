"""Referrals to partner agencies: the sender's pages on a case and the partner's own pages
(the API is in :mod:`app.views.referrals_api`).

A partner user reaches referrals only through ``/partner/…`` (and ``/api/v1/partner/…``), which
show the shared view of a referral and nothing else; a referral of another organisation reads
as missing (404).
"""
from __future__ import annotations


from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.audit import record_access
from app.extensions import db
from app.lifecycle import referrals as lc
from app.lifecycle.referral_sharing import partner_document, referral_documents, shareable_fields, shared_rows
from app.models.organization import Organization
from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS, REJECT_REASONS, Referral
from app.services.scope import can_see, current_user_obj
from app.services.partner_reports import ledger_xlsx, partner_statistics
from app.services.xlsx_stream import remove_quietly, temp_xlsx_path, xlsx_response
from app.services.settings import today
from app.services.uploads import attachment_response
from app.views.keys import is_valid_pk
from app.views.referrals_api import PARTNER_PERMISSIONS, SEND_PERMISSIONS, PartnerApi, ReferralSendApi, shows_data
from app.views.case_access import attempt, visible_case



PAGE_SIZE = 25  # a partner's list page: a phone screen scrolls through this many


def referral_page(org_id: int, page: int) -> tuple[list[Referral], int]:
    """One page of the organisation's referrals, newest first, with the case of each (one query),
    and how many there are in all."""
    total = db.session.scalar(select(func.count(Referral.id)).where(Referral.partner_id == org_id)) or 0
    page = min(max(page, 0), max(0, (total - 1) // PAGE_SIZE))
    rows = db.session.scalars(
        select(Referral).where(Referral.partner_id == org_id).options(joinedload(Referral.case))
        .order_by(Referral.sent_at.desc(), Referral.id.desc()).limit(PAGE_SIZE).offset(page * PAGE_SIZE)
    ).unique().all()
    return list(rows), total


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


# --- the sender's side (on a case) ------------------------------------------------------------


def _case_referral(rid) -> Referral:
    """A referral of a case the user may see; 404 otherwise."""
    referral = db.session.get(Referral, int(rid)) if is_valid_pk(rid) else None
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
                status = attempt(lambda: lc.send(case, g.user, form.partner.data, form.kind.data, form.purpose.data,
                                                 form.legal_basis.data, chosen, form.due_on.data))
                if status is None:
                    flash(gettext("The referral was sent."), "success")
                    return redirect(url_for("CaseModelView.show", pk=case.id))
            else:
                status = 422
        return self.render_template(
            "jiefen/referral_form.html", case=case, form=form, fields=shareable_fields(case),
            chosen=set(chosen), partners=active_partners(), today=today(),
        ), status

    def _close(self, rid, step, done):
        referral = _case_referral(rid)
        form = NoteForm()
        if not form.validate():
            abort(400)
        if attempt(lambda: step(referral, g.user, form.note.data or "",
                                expected_version=form.version.data or None)) is None:
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
    referral = lc.referral_for_partner(rid, user if user is not None else current_user_obj())
    if referral is None:
        abort(404)
    return referral


class PartnerView(BaseView):
    """``/partner/referrals/``: the partner organisation's referrals, each as its shared view."""

    route_base = "/partner"
    default_view = "referrals"
    class_permission_name = "Referral"
    base_permissions = PARTNER_PERMISSIONS
    method_permission_name = {
        "referrals": "respond", "show": "respond", "accept": "respond", "reject": "respond",
        "answer": "respond", "statistics": "respond", "document": "respond", "ledger": "respond",
    }

    def _org(self):
        org_id = lc.partner_org_id(g.user)
        if org_id is None:
            abort(404)
        return db.session.get(Organization, org_id)

    @expose("/referrals/")
    @has_access
    def referrals(self):
        """The referrals to the user's organisation, newest first, a page at a time."""
        org = self._org()
        page = request.args.get("page", "0")
        page = int(page) if page.isascii() and page.isdigit() and len(page) < 7 else 0
        rows, total = referral_page(org.id, page)
        pages = max(1, -(-total // PAGE_SIZE))
        return self.render_template("jiefen/referral_list.html", org=org, referrals=rows, total=total,
                                    page=min(page, pages - 1), pages=pages,
                                    statuses=REFERRAL_STATUS, kinds=REFERRAL_KINDS, today=today())

    def _show(self, referral, status=200, reject_form=None, answer_form=None):
        return self.render_template(
            "jiefen/referral_show.html", referral=referral,
            shared=shared_rows(referral) if shows_data(referral) else None,
            statuses=REFERRAL_STATUS, kinds=REFERRAL_KINDS, reasons=REJECT_REASONS,
            note_form=NoteForm(formdata=None, version=str(referral.version)),
            reject_form=reject_form or RejectForm(formdata=None, version=str(referral.version)),
            answer_form=answer_form or AnswerForm(formdata=None, version=str(referral.version)),
            documents=referral_documents(referral, with_shared=shows_data(referral)),
        ), status

    @expose("/referrals/<rid>")
    @has_access
    def show(self, rid):
        """The referral's terms and exactly its shared fields — never the case page."""
        return self._show(own_referral(rid, g.user))

    def _step(self, referral, call, done, **forms):
        status = attempt(call)
        if status is not None:
            db.session.expire_all()  # the page shows the referral as it is now
            return self._show(referral, 409 if status == 409 else 422, **forms)
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

    @expose("/referrals/<rid>/documents/<att_id>")
    @has_access
    def document(self, rid, att_id):
        """A file the referral shares, or one of the partner's own answer documents."""
        att = partner_document(own_referral(rid, g.user), att_id)
        resp = attachment_response(att) if att is not None else None
        if resp is None:
            abort(404)
        return resp

    @expose("/ledger.xlsx")
    @has_access
    def ledger(self):
        """The organisation's referral ledger as an Excel workbook (its referrals only)."""
        org = self._org()
        # Written in constant memory to a temporary file, then streamed from it (app/services/xlsx_stream.py).
        path = temp_xlsx_path()
        try:
            rows = ledger_xlsx(org.id, org.name, path)
        except BaseException:
            remove_quietly(path)
            raise
        record_access("referral", None, "export", {"organization_id": org.id, "rows": rows})
        return xlsx_response(path, gettext("Referral ledger") + f" {today().isoformat()}.xlsx")

    @expose("/statistics")
    @has_access
    def statistics(self):
        """The organisation's own figures."""
        org = self._org()
        return self.render_template("jiefen/referral_stats.html", org=org, stats=partner_statistics(org.id),
                                    statuses=REFERRAL_STATUS)


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
