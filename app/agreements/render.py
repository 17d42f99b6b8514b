"""Render agreements: DOCX through docxtpl, HTML through a print-ready Jinja page."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from flask import current_app, render_template

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


class TemplateProblem(ValueError):
    """An uploaded template that Jiefen refuses; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


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
    """Fill a docxtpl template; Jinja autoescape keeps user text from breaking the XML."""
    doc = DocxTemplate(str(path))
    doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_html(context: dict) -> str:
    """The print view of an agreement (A4, Chinese fonts first)."""
    return render_template("jiefen/agreement_print.html", **context)


def check_uploaded_template(data: bytes, sample_context: dict) -> None:
    """Refuse anything but a DOCX that renders the sample case without error."""
    if not data:
        raise TemplateProblem("empty")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateProblem("too_large")
    if not data.startswith(b"PK\x03\x04"):
        raise TemplateProblem("not_docx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise TemplateProblem("not_docx")
        doc = DocxTemplate(io.BytesIO(data))
        doc.render(sample_context, autoescape=True)
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
