"""The outcome of a case on the web and the API: the stored agreement and its signatures,
judicial confirmation, return visits. Everything is under the workflow's permission."""
from __future__ import annotations


from flask import Response, abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.agreements.forms import AgreementDraftForm
from app.agreements.kinds import kind_label
from app.agreements.sandbox import ForbiddenInTemplate, template_refused_message
from app.extensions import db, jiefen
from app.intake.fields import LocalisedDateField, LocalisedIntegerField
from app.intake.payload import form_errors
from app.lifecycle import confirmation, outcome, visits
from app.lifecycle.confirmation_scope import confirmation_fee, fee_text
from app.lifecycle.oral import record_oral_agreement
from app.models.outcome import CONFIRMATION_RESULTS, VISIT_METHODS, ReturnVisit
from app.services.settings import SettingMissing, today
from app.views.agreements import DOCX_MIME, _attachment
from app.views.keys import is_valid_pk, requires_version
from app.views.case_access import attempt, visible_case
from app.views.workflow import WORKFLOW_PERMISSIONS

# The same list as CaseWorkflowView's: classes sharing a permission name must agree on it.
OUTCOME_PERMISSIONS = WORKFLOW_PERMISSIONS
BAD_DATE = _l("Enter a real date as YYYY-MM-DD.")
ADD_ROW = "oral-add_row"  # the oral form's "Add a term" button; jiefen.js adds the row in the page instead


def _choices(mapping):
    return lambda: [(k, str(v)) for k, v in mapping.items()]


class AgreementSaveForm(AgreementDraftForm):
    """The draft form, plus the template the agreement is kept with and the case version."""

    version = HiddenField()
    template_code = SelectField(_l("Agreement template"), validate_choice=False)


class OralAgreementForm(AgreementDraftForm):
    """An oral agreement as the mediator records it: who mediated, the day, what was agreed;
    each party's assent is a ticked box beside it (``assent``, party ids). Shown beside the
    written agreement's form, its fields are prefixed ``oral-``; ``version`` is not, as every
    POST of a case sends it under that name (``requires_version``)."""


class SignForm(FlaskForm):
    """The day and the way one signer signed."""

    version = HiddenField()
    signed_on = LocalisedDateField(_l("Signed on"), validators=[Opt()], format="%Y-%m-%d")
    method = SelectField(_l("Signed with"), choices=_choices(outcome.SIGN_METHODS), validate_choice=False)


class ConfirmationForm(FlaskForm):
    """The joint application (step "apply") or the court's steps (step "decide")."""

    version = HiddenField()
    step = HiddenField()
    applied_on = LocalisedDateField(_l("Applied on"), validators=[Opt()], format="%Y-%m-%d")
    accepted_on = LocalisedDateField(_l("Accepted by the court on"), validators=[Opt()], format="%Y-%m-%d")
    result = SelectField(_l("Decision"), choices=_choices(CONFIRMATION_RESULTS), validate_choice=False)
    decided_on = LocalisedDateField(_l("Decided on"), validators=[Opt()], format="%Y-%m-%d")
    enforcement_note = TextAreaField(_l("Enforcement note"), validators=[Opt(), Length(max=4000)])


class VisitForm(FlaskForm):
    """What a return visit found; the terms performed are ticked beside it."""

    done_on = LocalisedDateField(_l("Visited on"), validators=[Opt()], format="%Y-%m-%d")
    method = SelectField(_l("How"), choices=_choices(VISIT_METHODS), validate_choice=False)
    terms_performed = RadioField(_l("Are the terms being kept?"), choices=[("yes", _l("Yes")), ("no", _l("No"))],
                                 validators=[Opt()], validate_choice=False)
    satisfaction = LocalisedIntegerField(_l("Satisfaction (1–5)"), validators=[Opt()])
    notes = TextAreaField(_l("Notes"), validators=[Opt(), Length(max=4000)])


class VisitCancelForm(FlaskForm):
    """Why a planned return visit is no longer needed."""

    reason = TextAreaField(_l("Reason for cancelling"), validators=[Opt(), Length(max=4000)])


def case_outcome(case) -> dict:
    """What the case page shows of the outcome: agreement, signatures, confirmation, visits."""
    agreement = outcome.agreement_of(case)
    signatures = outcome.signatures_of(agreement) if agreement else []
    try:
        window = confirmation.confirmation_window(agreement)
    except SettingMissing:
        window = None
    oral = agreement is not None and agreement.form == "oral"
    return {
        "agreement": agreement,
        "oral": oral,
        # An oral agreement has no window to apply in: the page says why instead.
        "oral_refusal": confirmation.scope_of(case, agreement).refusal if oral else None,
        "signatures": [(s, outcome.signer_name(s, agreement, case)) for s in signatures],
        "frozen": any(s.signed_on for s in signatures),
        "window": None if oral else window,
        "confirmation": outcome.confirmation_of(case),
        "visits": visits.visits_of(case),
        "results": CONFIRMATION_RESULTS,
        "methods": {**outcome.SIGN_METHODS, **VISIT_METHODS},
    }


def _template_choices(case) -> list[tuple[str, str]]:
    return [(t.code, str(t.label)) for t in jiefen().registry.templates.get(case.dispute_type, ())]


def _flash_all(reasons, category="danger") -> None:
    for reason in reasons:
        flash(str(reason), category)


class OutcomeView(BaseView):
    """``/case/<id>/agreement/…``, ``/case/<id>/confirmation`` and ``/case/<id>/visits/<id>``."""

    route_base = "/case"
    class_permission_name = "CaseWorkflow"
    base_permissions = OUTCOME_PERMISSIONS
    method_permission_name = {name: "transition" for name in
                              ("save_agreement", "sign", "stored_docx", "stored_print", "confirmation", "visit",
                               "cancel_visit", "record_oral")}

    def _agreement_page(self, case, form=None, status=200, sign_values=None, oral_form=None, assent=None):
        templates = jiefen().registry.templates.get(case.dispute_type, ())
        info = case_outcome(case)
        editable = case.status in outcome.EDITABLE_STATES and not info["frozen"]
        if form is None and editable:
            form = self._prefilled(case, info["agreement"], templates)
        if form is not None:
            form.template_code.choices = _template_choices(case)
            while len(form.terms.entries) < 3:
                form.terms.append_entry()
        if oral_form is None and editable:
            oral_form = OralAgreementForm(formdata=None, prefix="oral")
            oral_form.committee.data = form.committee.data if form is not None else ""
            oral_form.mediator.data = form.mediator.data if form is not None else ""
        if oral_form is not None:
            while len(oral_form.terms.entries) < 2:
                oral_form.terms.append_entry()
        posted_oral = request.method == "POST" and request.endpoint == "OutcomeView.record_oral"
        return self.render_template(
            "jiefen/outcome_agreement.html", case=case, form=form, info=info, editable=editable,
            sign_values=sign_values or {}, methods={**outcome.SIGN_METHODS, **outcome.ASSENT_METHODS},
            oral_form=oral_form, assent=[str(a) for a in (assent or [])],
            bound=[p for p in case.parties if p.role in outcome.SIGNING_ROLES], kind_label=kind_label,
            errors=form_errors(form) if form is not None and request.method == "POST" and not posted_oral else {},
        ), status

    @staticmethod
    def _prefilled(case, agreement, templates) -> AgreementSaveForm:
        form = AgreementSaveForm(formdata=None)
        form.version.data = str(case.version)
        if agreement is not None:
            form.template_code.data, form.committee.data = agreement.template_code, agreement.committee
            form.mediator.data, form.signed_on.data = agreement.mediator_name, agreement.drafted_on
            form.amount.data = agreement.amount
            rows = [(t.text, t.manner or "", t.due_on, t.kind) for t in agreement.terms]
        else:
            first = templates[0] if templates else None
            form.template_code.data = first.code if first else ""
            form.committee.data = case.organization.name if case.organization else ""
            form.mediator.data = case.mediator.name if case.mediator else ""
            rows = [(t.text, t.manner, t.due, t.kind) for t in (first.suggested_terms if first else ())]
        for i, (text, manner, due, kind) in enumerate(rows):
            if i >= len(form.terms.entries):
                form.terms.append_entry()
            entry = form.terms.entries[i].form
            entry.text.data, entry.manner.data, entry.due.data, entry.kind.data = text, manner, due, kind
        return form

    @expose("/<pk>/agreement/save", methods=["GET", "POST"])
    @has_access
    @requires_version
    def save_agreement(self, pk):
        """GET: the agreement with its signatures (and the form while it may change); POST: store it."""
        case = visible_case(pk)
        if request.method == "GET":
            return self._agreement_page(case)
        form = AgreementSaveForm(formdata=request.form)
        form.template_code.choices = _template_choices(case)
        if not form.validate():
            flash(gettext("Please correct the fields marked in red."), "danger")
            return self._agreement_page(case, form, 422)
        status = attempt(lambda: outcome.save_agreement(
            case, g.user, form.template_code.data, form.committee.data, form.mediator.data, form.agreed_terms(),
            expected_version=form.version.data or None, drafted_on=form.signed_on.data, amount=form.amount.data))
        if status:
            return self._agreement_page(case, form, status)
        flash(gettext("The agreement is saved. Record each signature as it is given."), "success")
        return redirect(url_for(".save_agreement", pk=case.id))

    @expose("/<pk>/agreement/oral", methods=["POST"])
    @has_access
    @requires_version
    def record_oral(self, pk):
        """Record an oral agreement (People's Mediation Law art. 28): in effect at once, no document."""
        case = visible_case(pk)
        form = OralAgreementForm(formdata=request.form, prefix="oral")
        assent = request.form.getlist("assent")
        if request.form.get(ADD_ROW):  # "Add a term" without the script: the form again, one row longer
            if len(form.terms.entries) < form.terms.max_entries:
                form.terms.append_entry()
            return self._agreement_page(case, oral_form=form, assent=assent)
        if not form.validate():
            flash(gettext("Please correct the fields marked in red."), "danger")
            return self._agreement_page(case, oral_form=form, assent=assent, status=422)
        status = attempt(lambda: record_oral_agreement(
            case, g.user, form.committee.data, form.mediator.data, form.agreed_terms(), form.signed_on.data, assent,
            expected_version=request.form.get("version") or None, amount=form.amount.data))
        if status:
            return self._agreement_page(case, oral_form=form, assent=assent, status=status)
        flash(gettext("The oral agreement is recorded and in effect; return visits are planned."), "success")
        return redirect(url_for(".save_agreement", pk=case.id))

    @expose("/<pk>/agreement/sign/<signature_id>", methods=["POST"])
    @has_access
    @requires_version
    def sign(self, pk, signature_id):
        """Record one signature; the last one puts the agreement in effect."""
        case = visible_case(pk)
        form = SignForm(formdata=request.form)
        typed = {str(signature_id): (request.form.get("signed_on", ""), request.form.get("method", ""))}
        if not form.validate():
            _flash_all([e for errors in form.errors.values() for e in errors])
            return self._agreement_page(case, status=422, sign_values=typed)
        signed = []
        status = attempt(lambda: signed.append(outcome.sign(
            case, signature_id, form.signed_on.data, form.method.data, g.user,
            expected_version=form.version.data or None)), missing=(outcome.NotInCase,))
        if status:
            return self._agreement_page(case, status=status, sign_values=typed)
        signature = signed[0]
        agreement = outcome.agreement_of(case)
        if agreement.effective_on:
            flash(gettext("Everyone has signed: the agreement is in effect from %(day)s.",
                          day=agreement.effective_on.isoformat()), "success")
        else:
            name = outcome.signer_name(signature, agreement, case)
            flash(gettext("Signature recorded: %(name)s.", name=name), "success")
        return redirect(url_for(".save_agreement", pk=case.id))

    @expose("/<pk>/agreement/stored.docx")
    @has_access
    def stored_docx(self, pk):
        """The stored agreement as a Word document."""
        case = visible_case(pk)
        try:
            filename, data = outcome.agreement_docx(case)
        except outcome.NotInCase:
            abort(404)
        except ForbiddenInTemplate as refused:  # a replacement stored before templates were checked
            flash(template_refused_message(refused), "danger")
            return redirect(url_for(".save_agreement", pk=case.id))
        return Response(data, mimetype=DOCX_MIME, headers={"Content-Disposition": _attachment(filename)})

    @expose("/<pk>/agreement/print")
    @has_access
    def stored_print(self, pk):
        """The stored agreement's print view: the same content as its Word document."""
        case = visible_case(pk)
        try:
            return outcome.agreement_print(case)
        except outcome.NotInCase:
            abort(404)

    @expose("/<pk>/confirmation", methods=["GET", "POST"])
    @has_access
    @requires_version
    def confirmation(self, pk):
        """The joint application, then the court's acceptance and decision."""
        case = visible_case(pk)
        row = outcome.confirmation_of(case)
        form = ConfirmationForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.version.data, form.step.data = str(case.version), "decide" if row else "apply"
            if row:
                form.accepted_on.data, form.decided_on.data = row.accepted_on, row.decided_on
                form.result.data = row.result
                form.enforcement_note.data = row.enforcement_note or ""
        elif not form.validate():
            status = 422
        else:
            warning = []
            if form.step.data == "decide":
                status = attempt(lambda: warning.append(confirmation.record_confirmation(
                    case, form.accepted_on.data, form.result.data, form.decided_on.data,
                    form.enforcement_note.data or "", actor=g.user, expected_version=form.version.data or None)[1]))
            else:
                status = attempt(lambda: confirmation.apply_confirmation(
                    case, g.user, form.applied_on.data, expected_version=form.version.data or None))
            if not status:
                _flash_all([w for w in warning if w], "warning")
                flash(gettext("Judicial confirmation recorded."), "success")
                if form.step.data == "decide" and form.result.data == "confirmed":
                    flash(gettext("The agreement is confirmed: the case can go on to “Terms being performed”."),
                          "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        try:
            window = confirmation.confirmation_window(outcome.agreement_of(case))
        except SettingMissing:
            window = None
        agreement = outcome.agreement_of(case)
        fee, fee_source = confirmation_fee(row.applied_on if row else today())
        return self.render_template("jiefen/outcome_confirmation.html", case=case, form=form, row=row,
                                    window=window, agreement=agreement, scope=confirmation.scope_of(case, agreement),
                                    fee=fee_text(fee), fee_source=fee_source, kind_label=kind_label), status

    @expose("/<pk>/visits/<visit_id>", methods=["GET", "POST"])
    @has_access
    def visit(self, pk, visit_id):
        """A return visit: what it found, and which terms are now performed."""
        case = visible_case(pk)
        row = db.session.get(ReturnVisit, int(visit_id)) if is_valid_pk(visit_id) else None
        if row is None or row.case_id != case.id:
            abort(404)
        form = VisitForm(formdata=request.form if request.method == "POST" else None)
        ticked = request.form.getlist("performed_terms") if request.method == "POST" else []
        status = 200
        if request.method == "POST" and form.validate():
            performed = {"yes": True, "no": False}.get(form.terms_performed.data)
            made = []
            status = attempt(lambda: made.append(visits.record_visit(
                row, g.user, form.done_on.data, form.method.data, performed, form.satisfaction.data,
                form.notes.data or "", ticked)))
            if not status:
                follow_up = made[0]
                flash(gettext("The return visit is recorded."), "success")
                if follow_up is not None:
                    flash(gettext("Terms are not being kept: a follow-up visit is planned on %(day)s.",
                                  day=follow_up.scheduled_for.isoformat()), "warning")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        elif request.method == "POST":
            status = 422
        return self._visit_page(case, row, form, ticked, status=status)

    def _visit_page(self, case, row, form=None, ticked=(), cancel_form=None, status=200):
        agreement = outcome.agreement_of(case)
        return self.render_template(
            "jiefen/outcome_visit.html", case=case, visit=row, form=form or VisitForm(formdata=None),
            terms=agreement.terms if agreement else [], ticked=list(ticked),
            cancel_form=cancel_form or VisitCancelForm(formdata=None)), status

    @expose("/<pk>/visits/<visit_id>/cancel", methods=["POST"])
    @has_access
    def cancel_visit(self, pk, visit_id):
        """Cancel a planned return visit that is no longer needed, with the reason."""
        case = visible_case(pk)
        row = db.session.get(ReturnVisit, int(visit_id)) if is_valid_pk(visit_id) else None
        if row is None or row.case_id != case.id:
            abort(404)
        form = VisitCancelForm(formdata=request.form)
        status = 422
        if form.validate():
            status = attempt(lambda: visits.cancel_visit(row, g.user, form.reason.data or ""))
            if not status:
                flash(gettext("The return visit is cancelled."), "success")
                return redirect(url_for("CaseModelView.show", pk=case.id))
        return self._visit_page(case, row, cancel_form=form, status=status)


# -- API -----------------------------------------------------------------------------------


def register_outcome_views(appbuilder) -> None:
    from app.views.outcome_api import OutcomeApi  # the API reuses this module's forms and helpers

    """The outcome pages and endpoints (no menu) and the case page's ``case_outcome`` helper."""
    appbuilder.add_view_no_menu(OutcomeView)
    appbuilder.add_api(OutcomeApi)
    current_app.jinja_env.globals["case_outcome"] = case_outcome
