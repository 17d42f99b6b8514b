"""Administrators replace agreement templates (DOCX) without touching code."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.agreements.context import sample_context
from app.agreements.render import (
    TemplateProblem,
    check_uploaded_template,
    override_path,
    store_override,
    template_file,
)
from app.extensions import jiefen

PROBLEMS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than 5 MB."),
    "not_docx": _l("This is not a Word (.docx) file."),
    "does_not_render": _l("The template has an error: it cannot be filled with a sample case. Check its {{ … }} fields."),
    "not_allowed": _l(
        "The template uses “%(name)s”, which agreement templates may not use: only the documented "
        "fields (such as case_no, parties, terms) and text filters are allowed."
    ),
}
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _templates():
    state = jiefen()
    for code, owner in sorted(state.registry.type_owner.items()):
        for template in state.registry.templates.get(code, ()):
            yield owner, code, template


def _find(plugin: str, code: str):
    for owner, dtype, template in _templates():
        if owner == plugin and template.code == code:
            return dtype, template
    abort(404)


class AgreementTemplateAdminView(BaseView):
    """List every template; download, replace or restore each."""

    route_base = "/admin/agreement-templates"
    default_view = "index"
    class_permission_name = "AgreementTemplateAdmin"
    method_permission_name = {"index": "list", "download": "list", "upload": "edit", "reset": "edit"}

    @expose("/")
    @has_access
    def index(self):
        """Each template with where its file comes from now."""
        rows = []
        for owner, dtype, template in _templates():
            replaced = override_path(owner, template)
            rows.append(
                {
                    "plugin": owner,
                    "type": jiefen().dispatcher.type_label(dtype),
                    "template": template,
                    "replaced_at": dt.datetime.fromtimestamp(replaced.stat().st_mtime, dt.timezone.utc)
                    if replaced.is_file()
                    else None,
                }
            )
        return self.render_template("jiefen/templates_admin.html", rows=rows, title=_l("Agreement templates"))

    @expose("/<plugin>/<code>/download")
    @has_access
    def download(self, plugin, code):
        """The file in use, to edit in Word."""
        _dtype, template = _find(plugin, code)
        return send_file(
            template_file(plugin, template),
            mimetype=DOCX_MIME,
            as_attachment=True,
            download_name=f"{plugin}-{template.code}.docx",
        )

    @expose("/<plugin>/<code>/upload", methods=["POST"])
    @has_access
    def upload(self, plugin, code):
        """Replace the template with an uploaded DOCX, once it renders a sample case."""
        dtype, template = _find(plugin, code)
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            check_uploaded_template(data, sample_context(template, str(jiefen().dispatcher.type_label(dtype))))
        except TemplateProblem as exc:
            if exc.reason:
                flash(exc.reason, "danger")
            else:
                flash(str(PROBLEMS[exc.code]) % {"name": exc.name} if exc.name else str(PROBLEMS[exc.code]), "danger")
            return redirect(url_for(".index"))
        store_override(plugin, template, data)
        flash(gettext("Template replaced: new agreements use it from now on."), "success")
        return redirect(url_for(".index"))

    @expose("/<plugin>/<code>/reset", methods=["POST"])
    @has_access
    def reset(self, plugin, code):
        """Go back to the plugin's own template."""
        _dtype, template = _find(plugin, code)
        override_path(plugin, template).unlink(missing_ok=True)
        flash(gettext("The plugin's own template is in use again."), "success")
        return redirect(url_for(".index"))
