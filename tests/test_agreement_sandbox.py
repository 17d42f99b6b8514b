"""An administrator's agreement template is text, never code: it is rendered in a Jinja sandbox,
and a template that names anything but the documented fields and filters is refused at upload
with the name it used (issue 11, finding 1)."""
from __future__ import annotations

import io
import os
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError

from tests.fixtures import csrf_token

PID = str(os.getpid())
CWD = os.getcwd()

# What a probe uploaded to read the server's process, and what each payload is refused for.
PAYLOADS = [
    ("{{ cycler.__init__.__globals__.os.getpid() }}", "cycler"),
    ("{{ joiner.__init__.__globals__.os.getcwd() }}", "joiner"),
    ("{{ self.__init__.__globals__ }}", "self"),
    ("{{ case_no.__class__.__mro__ }}", "__class__"),
    ("{{ parties['__class__'] }}", "__class__"),
    ("{{ case_no|attr('__class__') }}", "attr"),
    ("{{ config }}", "config"),
    ("{{ range(99999999) }}", "range"),
]
IDS = ["cycler", "joiner", "self", "dunder_attribute", "dunder_item", "attr_filter", "config", "range"]

SAMPLE = {
    "title": "人民调解协议书", "case_no": "（2026）汕城解第00001号", "dispute_type": "道路交通事故",
    "committee": "汕尾市城区人民调解委员会", "facts": "示例事实。", "summary": "示例纠纷",
    "claim_amount": "¥1,000.00", "mediator": "陈调解", "date": "2026年12月6日", "copies": 3,
    "parties": [{"role": "申请人", "kind": "自然人", "name": "林晓明", "id_number": "", "mobile": "", "address": ""}],
    "facts_rows": [], "terms": [{"n": 1, "text": "赔偿医疗费", "manner": "银行转账", "due": "2026年12月31日"}],
}


def make_docx(*paragraphs) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def upload(client, data: bytes):
    page = client.get("/admin/agreement-templates/").get_data(as_text=True)
    return client.post(
        "/admin/agreement-templates/traffic/compensation/upload",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), "mine.docx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)


def replacement(app) -> Path:
    return Path(app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates" / "traffic" / "compensation.docx"


@pytest.mark.parametrize("payload,name", PAYLOADS, ids=IDS)
def test_template_reaching_for_python_is_refused_at_upload_in_chinese(app, admin_client, payload, name):
    admin_client.get("/lang/zh_CN")
    html = upload(admin_client, make_docx("本院定制协议 {{ case_no }}", payload))
    assert f"模板使用了“{name}”" in html and "协议模板不得使用" in html
    assert "模板已替换" not in html and PID not in html
    assert not replacement(app).exists()  # nothing stored


@pytest.mark.parametrize("payload,name", PAYLOADS[:3], ids=IDS[:3])
def test_template_reaching_for_python_is_refused_at_upload_in_english(app, admin_client, payload, name):
    admin_client.get("/lang/en")
    html = upload(admin_client, make_docx(payload))
    assert f"The template uses “{name}”, which agreement templates may not use" in html
    assert "Template replaced" not in html
    assert not replacement(app).exists()


def test_payload_hidden_in_a_header_is_refused_too(app, admin_client):
    document = docx.Document()
    document.add_paragraph("{{ case_no }}")
    document.sections[0].header.paragraphs[0].text = "{{ cycler.__init__.__globals__.os.getcwd() }}"
    out = io.BytesIO()
    document.save(out)
    admin_client.get("/lang/en")
    assert "The template uses “cycler”" in upload(admin_client, out.getvalue())
    assert not replacement(app).exists()


def test_template_using_documented_fields_and_text_filters_is_accepted(app, admin_client):
    admin_client.get("/lang/en")
    html = upload(admin_client, make_docx(
        "{{ title|upper }} {{ case_no }} 当事人{{ parties|length }}人",
        "{%p for t in terms %}", "{{ loop.index }}、{{ t.text|trim }}（{{ t.due|default('无期限') }}）", "{%p endfor %}",
    ))
    assert "Template replaced" in html
    assert replacement(app).is_file()


@pytest.mark.parametrize("payload,name", PAYLOADS, ids=IDS)
def test_rendering_a_planted_template_raises_and_prints_nothing_of_the_process(tmp_path, payload, name):
    """A file put in place behind the upload page's back still cannot run code."""
    from app.agreements.render import render_docx

    path = tmp_path / "planted.docx"
    path.write_bytes(make_docx("{{ case_no }}", payload))
    with pytest.raises(SecurityError) as refused:
        render_docx(path, dict(SAMPLE))
    assert refused.value.name == name
    assert PID not in str(refused.value) and CWD not in str(refused.value)


@pytest.mark.parametrize("payload", [p for p, _ in PAYLOADS[:4]], ids=IDS[:4])
def test_the_sandbox_alone_refuses_the_payload(tmp_path, payload):
    """Beneath the name check, the environment itself is a sandbox without Jinja's globals."""
    from app.agreements import sandbox

    doc = DocxTemplate(io.BytesIO(make_docx(payload)))
    with pytest.raises(SecurityError):
        doc.render(dict(SAMPLE), jinja_env=sandbox.environment(), autoescape=True)


def test_every_plugins_own_template_passes_the_check_and_renders_in_the_sandbox(app):
    from app.agreements.context import sample_context
    from app.agreements.render import check_uploaded_template, render_docx
    from app.views.templates_admin import _templates

    with app.app_context():
        templates = list(_templates())
        assert len(templates) >= 7
        for owner, _code, template in templates:
            path = Path(template.path)
            context = sample_context(template, "示例类型")
            check_uploaded_template(path.read_bytes(), context)
            text = docx_text(render_docx(path, context))
            assert "（2026）汕城解第00001号" in text and "{{" not in text, f"{owner}/{template.code}"


def test_documented_fields_are_exactly_what_a_template_receives(app):
    from app.agreements.context import sample_context
    from app.agreements.sandbox import CONTEXT_VARIABLES
    from app.views.templates_admin import _templates

    with app.app_context():
        _owner, _code, template = next(iter(_templates()))
        assert set(sample_context(template)) == CONTEXT_VARIABLES
