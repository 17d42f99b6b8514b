"""Render agreements: DOCX through docxtpl, HTML through a print-ready Jinja page."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from flask import current_app, render_template
from jinja2 import TemplateSyntaxError

from app.agreements import sandbox
from app.validation.office_files import OfficeFileRefused, check_office_zip

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class TemplateProblem(ValueError):
    """An uploaded template that Jiefen refuses; ``code`` says why, ``name`` what it names,
    ``reason`` (when set) the whole sentence for the administrator."""

    def __init__(self, code: str, name: str = "", reason: str = ""):
        super().__init__(code)
        self.code = code
        self.name = name
        self.reason = reason


def override_dir() -> Path:
    """Where administrators' replacement templates live (outside static paths)."""
    return Path(current_app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates"


def override_path(plugin: str, template) -> Path:
    """The replacement file of ``template`` of ``plugin``, whether it exists or not."""
    return override_dir() / plugin / f"{template.code}.docx"


def template_file(plugin: str, template) -> Path:
    """The file in use: the administrator's replacement if any, else the plugin's own."""
    replaced = override_path(plugin, template)
    return replaced if replaced.is_file() else Path(template.path)


def render_docx(path: Path, context: dict) -> bytes:
    """Fill a docxtpl template in the Jinja sandbox (see ``sandbox``); autoescape keeps user
    text from breaking the XML. A template naming anything undocumented raises
    ``sandbox.ForbiddenInTemplate`` (a ``jinja2.SecurityError``) before anything is rendered."""
    try:  # a replacement stored before uploads were checked for zip bombs
        check_office_zip(path)
    except OfficeFileRefused as refused:
        raise sandbox.UnsafeTemplateFile(refused.reason) from None
    doc = DocxTemplate(str(path))
    sandbox.render(doc, context)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_html(context: dict) -> str:
    """The print view of an agreement (A4, Chinese fonts first). Its template is the app's own
    file, never an uploaded one; only the DOCX templates can be replaced."""
    return render_template("jiefen/agreement_print.html", **context)


def check_uploaded_template(data: bytes, sample_context: dict) -> None:
    """Refuse anything but a DOCX within the zip limits (``app.validation.office_files``) that
    uses only the documented fields and filters and renders the sample case, in the sandbox,
    without error."""
    if not data:
        raise TemplateProblem("empty")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem("too_large")
    if not data.startswith(b"PK\x03\x04"):
        raise TemplateProblem("not_docx")
    try:
        check_office_zip(data)  # before anything unpacks it
    except OfficeFileRefused as refused:
        raise TemplateProblem("unsafe_zip", reason=refused.reason) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise TemplateProblem("not_docx")
        doc = DocxTemplate(io.BytesIO(data))
        try:
            sandbox.check_docx(doc)
        except TemplateSyntaxError:
            raise TemplateProblem("does_not_render") from None
        except sandbox.ForbiddenInTemplate as exc:
            raise TemplateProblem("not_allowed", exc.name) from None
        sandbox.render(doc, sample_context)
        doc.save(io.BytesIO())
    except TemplateProblem:
        raise
    except Exception:  # any parse or Jinja error in the administrator's file
        raise TemplateProblem("does_not_render") from None


def store_override(plugin: str, template, data: bytes) -> Path:
    """Write a replacement atomically: a crash never leaves half a template in use."""
    target = override_path(plugin, template)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return target
