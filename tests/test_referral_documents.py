"""Files and referrals: the sender shares chosen files of the case, the partner opens exactly
those (while the referral is live) and answers with its own documents, on the web and the API."""
from __future__ import annotations

import io

import pytest

from tests.fixtures import csrf_token
from tests.test_referrals import PDF, SENDER, bearer, login, rapp, send_api, world  # noqa: F401 (fixtures)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def files(rapp, world):
    """Two files of the case: the accident report (to share) and a medical record (not shared)."""
    from werkzeug.datastructures import FileStorage

    from app.extensions import db
    from app.models import Case
    from app.services.uploads import store_upload

    with rapp.test_request_context():
        case = db.session.get(Case, world["case"])
        sender = rapp.appbuilder.sm.find_user(username=SENDER)
        report = store_upload(case, FileStorage(io.BytesIO(PDF), "事故认定书.pdf", content_type="application/pdf"),
                              "evidence", sender)
        medical = store_upload(case, FileStorage(io.BytesIO(PNG), "病历.png", content_type="image/png"),
                               "evidence", sender)
        return {"report": report.id, "medical": medical.id}


def test_the_referral_form_offers_each_file_of_the_case(rapp, world, files):
    page = login(rapp, SENDER).get(f"/case/{world['case']}/refer").get_data(as_text=True)
    assert f'value="attachment.{files["report"]}"' in page and "事故认定书.pdf" in page


def test_partner_opens_exactly_the_shared_files_while_the_referral_is_live(rapp, world, files):
    rid = send_api(rapp, world, shared_fields=["title", f"attachment.{files['report']}"]).get_json()["result"]["id"]
    partner = login(rapp, "ref_partner_a")
    page = partner.get(f"/partner/referrals/{rid}").get_data(as_text=True)
    assert "事故认定书.pdf" in page and "病历.png" not in page
    r = partner.get(f"/partner/referrals/{rid}/documents/{files['report']}")
    assert r.status_code == 200 and r.data == PDF
    assert "attachment" in r.headers["Content-Disposition"]
    assert partner.get(f"/partner/referrals/{rid}/documents/{files['medical']}").status_code == 404
    # the API lists and serves the same, and nothing more
    api = rapp.test_client()
    result = api.get(f"/api/v1/partner/referrals/{rid}", headers=bearer(rapp, "ref_partner_a")).get_json()["result"]
    assert [(d["name"], d["from"]) for d in result["documents"]] == [("事故认定书.pdf", "sender")]
    assert [d["name"] for d in result["shared"]["documents"]] == ["事故认定书.pdf"]
    assert api.get(f"/api/v1/partner/referrals/{rid}/documents/{files['report']}",
                   headers=bearer(rapp, "ref_partner_a")).data == PDF
    assert api.get(f"/api/v1/partner/referrals/{rid}/documents/{files['medical']}",
                   headers=bearer(rapp, "ref_partner_a")).status_code == 404
    # another agency reaches neither the page nor the file
    other = login(rapp, "ref_partner_b")
    assert other.get(f"/partner/referrals/{rid}/documents/{files['report']}").status_code == 404
    # once withdrawn, the shared file is closed to the partner
    r = rapp.test_client().post(f"/api/v1/case/{world['case']}/referrals/{rid}/withdraw", json={},
                                headers=bearer(rapp, SENDER))
    assert r.status_code == 200
    assert partner.get(f"/partner/referrals/{rid}/documents/{files['report']}").status_code == 404


def test_partner_answers_with_documents_through_the_api_and_the_sender_opens_them(rapp, world, files):
    rid = send_api(rapp, world).get_json()["result"]["id"]
    api = rapp.test_client()
    headers = bearer(rapp, "ref_partner_a")
    assert api.post(f"/api/v1/partner/referrals/{rid}/accept", json={}, headers=headers).status_code == 200
    # a file Jiefen does not keep is refused, and the answer is not recorded
    r = api.post(f"/api/v1/partner/referrals/{rid}/answer?_l_=en", headers=headers, content_type="multipart/form-data",
                 data={"text": "经核实，责任认定无误。", "files": [(io.BytesIO(b"MZ\x90\x00binary"), "tool.exe")]})
    assert r.status_code in (415, 422) and "files" in r.get_json()["message"]
    assert api.get(f"/api/v1/partner/referrals/{rid}", headers=headers).get_json()["result"]["status"] == "accepted"
    r = api.post(f"/api/v1/partner/referrals/{rid}/answer", headers=headers, content_type="multipart/form-data",
                 data={"text": "经核实，责任认定无误。", "files": [(io.BytesIO(PDF), "核实意见.pdf")]})
    assert r.status_code == 200, r.get_json()
    [doc] = r.get_json()["result"]["documents"]
    assert (doc["name"], doc["from"]) == ("核实意见.pdf", "partner")
    assert api.get(f"/api/v1/partner/referrals/{rid}/documents/{doc['id']}", headers=headers).data == PDF
    # the sender finds it on the case page and downloads it with the case's own permission
    sender = login(rapp, SENDER)
    page = sender.get(f"/case/show/{world['case']}").get_data(as_text=True)
    assert f"/case/{world['case']}/attachments/{doc['id']}" in page
    assert sender.get(f"/case/{world['case']}/attachments/{doc['id']}").data == PDF
    # the partner's own answer stays readable to it after the sender completes the referral
    case_page = sender.get(f"/case/{world['case']}/refer").get_data(as_text=True)
    assert sender.post(f"/case/referrals/{rid}/complete", data={"csrf_token": csrf_token(case_page)}).status_code == 302
    assert login(rapp, "ref_partner_a").get(f"/partner/referrals/{rid}/documents/{doc['id']}").data == PDF


def test_what_is_shared_and_every_download_is_in_the_audit_log(rapp, world, files):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import AuditEvent
    from tests import helpers

    with rapp.app_context():
        mark = helpers.audit_mark()  # the log outlives earlier tests
    rid = send_api(rapp, world, shared_fields=["title", f"attachment.{files['report']}"]).get_json()["result"]["id"]
    partner = login(rapp, "ref_partner_a")
    assert partner.get(f"/partner/referrals/{rid}/documents/{files['report']}").status_code == 200
    assert partner.get("/partner/ledger.xlsx").status_code == 200
    with rapp.app_context():
        partner_id = rapp.appbuilder.sm.find_user(username="ref_partner_a").id
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark,
                                                           AuditEvent.table_name.in_(("referral", "attachment")))
                                  .order_by(AuditEvent.id)).all()
        sent = next(e for e in rows if e.table_name == "referral" and e.action == "insert")
        assert sent.row_id == rid and sent.changes["shared_fields"] == ["title", f"attachment.{files['report']}"]
        download = next(e for e in rows if e.action == "download")
        assert (download.row_id, download.actor_id, download.via) == (files["report"], partner_id, "web")
        export = next(e for e in rows if e.action == "export")
        assert export.actor_id == partner_id and export.changes["rows"] == 1
