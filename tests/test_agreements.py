"""Mediation agreements: written and saved on the case's one agreement page, downloaded as
DOCX, printed as HTML; templates replaced by an administrator without touching code."""
from __future__ import annotations

import io
import re

import docx
import pytest

from tests import helpers
from tests.fixtures import csrf_token

TERMS = [
    ("被申请人赔偿申请人医疗费及财产损失共计人民币19300.50元", "银行转账", "2026-12-31"),
    ("申请人放弃其他诉讼请求", "", ""),
]


@pytest.fixture
def case_id(app, places):
    """A traffic case in mediation, with its mediator, as the agreement page expects."""
    from app.extensions import db
    from app.models import Case, Mediator

    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    with app.app_context():
        case = db.session.get(Case, r.get_json()["id"])
        mediator = Mediator(name="陈调解", specialties=["traffic"])
        db.session.add(mediator)
        db.session.flush()
        case.status, case.mediator_id = "in_mediation", mediator.id
        db.session.commit()
        return case.id


def agreement_data(page: str, terms=TERMS, **changes) -> dict:
    """The agreement page's form as a mediator fills it in (version from the page)."""
    version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', page)
    data = {"csrf_token": csrf_token(page), "version": next(v for v in version.groups() if v),
            "template_code": "compensation", "committee": "香洲街道人民调解委员会", "mediator": "陈调解",
            "signed_on": "2026-11-28"}
    for i in range(3):
        text, manner, due = terms[i] if i < len(terms) else ("", "", "")
        data.update({f"terms-{i}-text": text, f"terms-{i}-manner": manner, f"terms-{i}-due": due})
    data.update(changes)
    return data


def save(client, case_id, **kw):
    page = client.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    return client.post(f"/case/{case_id}/agreement/save", data=agreement_data(page, **kw))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_mediator_writes_saves_and_downloads_the_agreement(admin_client, case_id):
    page = admin_client.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "保险公司在交强险及商业险责任限额内赔付的部分" in page  # suggested terms pre-filled
    assert save(admin_client, case_id).status_code == 302
    r = admin_client.get(f"/case/{case_id}/agreement/stored.docx")
    assert r.status_code == 200
    assert r.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    text = docx_text(r.data)
    for expected in ("林晓明", "黄丽娟", "11010519491231002X", TERMS[0][0], TERMS[1][0], "2026年12月31日",
                     "香洲街道人民调解委员会", "陈调解", "道路交通事故损害赔偿人民调解协议书", "2026年11月28日"):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text


def test_print_view_has_the_same_content(admin_client, case_id):
    assert admin_client.get(f"/case/{case_id}/agreement/print").status_code == 404  # nothing saved yet
    save(admin_client, case_id)
    page = admin_client.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert f"/case/{case_id}/agreement/print" in page and f"/case/{case_id}/agreement/stored.docx" in page
    html = admin_client.get(f"/case/{case_id}/agreement/print").get_data(as_text=True)
    for expected in ("林晓明", "黄丽娟", TERMS[0][0], "履行期限：2026年12月31日前", "调解员（签名）", "（盖章）"):
        assert expected in html


def test_agreement_without_terms_is_refused_and_keeps_what_was_typed(admin_client, case_id):
    page = admin_client.get(f"/case/{case_id}/agreement/save?_l_=en").get_data(as_text=True)
    r = admin_client.post(f"/case/{case_id}/agreement/save?_l_=en", data=agreement_data(page, terms=[], mediator="王调解"))
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Write at least one agreed term." in html and "王调解" in html
    assert admin_client.get(f"/case/{case_id}/agreement/stored.docx").status_code == 404  # nothing stored


def test_bad_due_date_is_refused(admin_client, case_id):
    r = save(admin_client, case_id, terms=[("赔偿", "现金", "2026-02-30")])
    assert r.status_code == 422 and r.mimetype == "text/html"
    assert admin_client.get(f"/case/{case_id}/agreement/stored.docx").status_code == 404


def test_user_text_cannot_break_the_document(admin_client, case_id):
    nasty = '<w:p>&amp; "引号" {{ 7*7 }} </w:t>'
    assert save(admin_client, case_id, terms=[(nasty, "", "")]).status_code == 302
    assert nasty in docx_text(admin_client.get(f"/case/{case_id}/agreement/stored.docx").data)


def test_there_is_one_agreement_page(admin_client, case_id):
    """The draft page that saved nothing is gone: every way to an agreement is the stored one."""
    assert admin_client.get("/case/999999/agreement/save").status_code == 404
    assert admin_client.get(f"/case/{case_id}/agreement/").status_code == 404
    assert admin_client.get(f"/case/{case_id}/agreement/compensation").status_code == 404
    show = admin_client.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert show.count(f'href="/case/{case_id}/agreement/save"') == 1  # the header's primary action only


def make_docx(*paragraphs) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="mine.docx"):
    page = client.get("/admin/agreement-templates/").get_data(as_text=True)
    return client.post(
        "/admin/agreement-templates/traffic/compensation/upload",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_administrator_replaces_a_template_without_touching_code(admin_client, case_id):
    custom = make_docx("本院定制协议 {{ case_no }}", "{%p for p in parties %}", "{{ p.name }}", "{%p endfor %}",
                       "{%p for t in terms %}", "{{ t.n }}、{{ t.text }}", "{%p endfor %}")
    r = upload(admin_client, custom)
    assert "Template replaced" in r.get_data(as_text=True) or "模板已替换" in r.get_data(as_text=True)
    assert save(admin_client, case_id).status_code == 302
    text = docx_text(admin_client.get(f"/case/{case_id}/agreement/stored.docx").data)
    assert "本院定制协议" in text and "林晓明" in text and TERMS[1][0] in text
    downloaded = admin_client.get("/admin/agreement-templates/traffic/compensation/download").data
    assert "本院定制协议" in docx_text(downloaded)

    token = csrf_token(admin_client.get("/admin/agreement-templates/").get_data(as_text=True))
    admin_client.post("/admin/agreement-templates/traffic/compensation/reset", data={"csrf_token": token})
    text = docx_text(admin_client.get(f"/case/{case_id}/agreement/stored.docx").data)
    assert "本院定制协议" not in text and "道路交通事故损害赔偿人民调解协议书" in text


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "The file is empty."),
        (b"MZ\x90\x00 not a zip", "This is not a Word (.docx) file."),
        (None, "The template has an error"),
    ],
    ids=["empty", "not_docx", "broken_jinja"],
)
def test_bad_template_uploads_are_refused(admin_client, data, message):
    admin_client.get("/lang/en")
    if data is None:
        data = make_docx("{{ p.name ")  # an unclosed field
    html = upload(admin_client, data).get_data(as_text=True)
    assert message in html
    assert "Replaced" not in html.split("<tbody>")[1]


def test_template_admin_is_for_administrators_only(clerk_client):
    assert clerk_client.get("/admin/agreement-templates/").status_code in (302, 403)
    r = clerk_client.post("/admin/agreement-templates/traffic/compensation/reset")
    assert r.status_code in (302, 400, 403)


def test_a_template_stored_before_the_sandbox_is_refused_with_a_reason_not_a_500(app, admin_client, case_id):
    """A replacement put in place before uploads were checked: the download says why and who can
    fix it (web and API), and no document is made."""
    from pathlib import Path

    assert save(admin_client, case_id).status_code == 302
    planted = Path(app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates" / "traffic" / "compensation.docx"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(make_docx("{{ case_no }}", "{{ cycler.__init__.__globals__ }}"))
    r = admin_client.get(f"/case/{case_id}/agreement/stored.docx?_l_=en", follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "An administrator must upload a corrected template" in page
    assert "cycler" in page
    token = helpers.api_token(app.test_client(), "admin")
    api = app.test_client().get(f"/api/v1/case/{case_id}/agreement.docx?_l_=en", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 409 and "corrected template" in api.get_json()["message"]
