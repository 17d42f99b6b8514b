"""Drafting a mediation agreement from a case: DOCX for signing, HTML for printing."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.agreements.context import agreement_context
from app.agreements.forms import AgreementDraftForm
from app.agreements.render import render_docx, render_html, template_file
from app.extensions import db, jiefen
from app.intake.payload import form_errors
from app.models.case import Case
from app.views.cases import CASE_PERMISSIONS
from app.services.scope import can_see
from app.views.keys import is_valid_pk

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def case_templates(case):
    """The owning plugin and its templates for ``case``; 404 when the type is disabled."""
    state = jiefen()
    owner = state.dispatcher.owner_of(case.dispute_type)
    if owner is None or not state.dispatcher.is_enabled(owner):
        abort(404)
    return owner, state.registry.templates.get(case.dispute_type, ())


class AgreementView(BaseView):
    """``/case/<id>/agreement/<template>``: the draft form and its two outputs."""

    route_base = "/case"
    class_permission_name = "Case"
    base_permissions = CASE_PERMISSIONS
    method_permission_name = {"choose": "show", "draft": "show"}

    def _case(self, pk) -> Case:
        case = db.session.get(Case, pk) if is_valid_pk(pk) else None
        if case is None or not can_see(case):
            abort(404)  # out of scope reads exactly like missing
        return case

    @expose("/<pk>/agreement/")
    @has_access
    def choose(self, pk):
        """Go to the type's template, or list them when there are several."""
        case = self._case(pk)
        _owner, templates = case_templates(case)
        if len(templates) == 1:
            return redirect(url_for(".draft", pk=case.id, code=templates[0].code))
        return self.render_template("jiefen/agreement_choose.html", case=case, templates=templates)

    @expose("/<pk>/agreement/<code>", methods=["GET", "POST"])
    @has_access
    def draft(self, pk, code):
        """GET: the draft form; POST: the filled agreement as DOCX or a print page."""
        case = self._case(pk)
        owner, templates = case_templates(case)
        template = next((t for t in templates if t.code == code), None)
        if template is None:
            abort(404)
        form = AgreementDraftForm(formdata=request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.committee.data = case.organization.name if case.organization else ""
            _suggest(form, template)
        elif form.validate():
            context = agreement_context(
                case,
                form.agreed_terms(),
                title=str(_document_title(template)),
                mediator=form.mediator.data.strip(),
                committee=form.committee.data.strip(),
                signed_on=form.signed_on.data,
            )
            if request.form.get("output") == "html":
                return render_html(context)
            data = render_docx(template_file(owner, template), context)
            filename = f"{case.case_no}-{template.code}.docx"
            return Response(
                data,
                mimetype=DOCX_MIME,
                headers={"Content-Disposition": _attachment(filename)},
            )
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
        while len(form.terms.entries) < 3:
            form.terms.append_entry()
        return self.render_template(
            "jiefen/agreement_form.html",
            case=case,
            agreement_template=template,
            form=form,
            errors=form_errors(form) if request.method == "POST" else {},
        )


def _suggest(form, template) -> None:
    for i, term in enumerate(template.suggested_terms):
        if i >= len(form.terms.entries):
            form.terms.append_entry()
        entry = form.terms.entries[i].form
        entry.text.data, entry.manner.data, entry.due.data = term.text, term.manner, term.due


def _document_title(template):
    from flask_babel import force_locale

    with force_locale("zh_CN"):  # the document is in Chinese whatever the interface language
        return str(template.label)


def _attachment(filename: str) -> str:
    """A Content-Disposition that keeps a Chinese file name (RFC 5987) with an ASCII fallback."""
    from urllib.parse import quote

    return f"attachment; filename=\"agreement.docx\"; filename*=UTF-8''{quote(filename, safe='')}"
