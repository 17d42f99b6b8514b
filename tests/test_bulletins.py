"""Bulletins (通报): drafted, edited and issued by the court's clerks; the DOCX read back and
compared cell by cell with the API's figures; issued bulletins read-only on the web, the API
and in the database; who reads what."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document

from app.plugins.testing import csrf_token
from tests import evaluation_world as w

API = "/api/v1/bulletins/"
TITLE = "关于2026年第三季度矛盾纠纷多元化解工作情况的通报"


@pytest.fixture
def world(app, jiefen):
    """The evaluation's data set; a bulletin names the best and the last one unit."""
    ids = w.seed(app)
    with jiefen.on_day(w.DAY):
        jiefen.add_setting("core.evaluation.bulletin_ranked_count", "1", dt.date(2026, 1, 1), source="考评办法")
        yield ids


def api(app, user, method, path, json=None):
    return app.test_client().open(path, method=method, json=json, headers=w.bearer(app, user))


def draft(app, level="centre", user="ev_s1"):
    r = api(app, user, "POST", API, {"period": w.PERIOD, "level": level})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()["result"]


def test_a_court_clerk_drafts_edits_and_issues_a_bulletin(app, world):
    made = draft(app)
    assert made["status"] == "draft" and made["title"] == TITLE and "2026年第三季度" in made["body"]
    figures = made["figures"]
    district = app.test_client().get(f"/api/v1/reports/evaluation?period={w.PERIOD}&level=centre",
                                     headers=w.bearer(app, "ev_lead")).get_json()
    assert figures["rows"] == district["rows"] and figures["weights"] == district["weights"]
    assert [r["name"] for r in figures["top"]] == ["东镇人民调解委员会"]
    assert [r["name"] for r in figures["bottom"]] == ["东镇综治中心"]
    pk, version = made["id"], made["version"]
    r = api(app, "ev_s1", "POST", f"{API}{pk}/edit", {"title": "关于第三季度考评情况的通报", "body": "第一段。\n第二段。",
                                                     "version": version})
    assert r.status_code == 200, r.get_json()
    edited = r.get_json()["result"]
    assert edited["title"] == "关于第三季度考评情况的通报" and edited["version"] == version + 1
    stale = api(app, "ev_s1", "POST", f"{API}{pk}/edit", {"title": "过时的修改", "body": "", "version": version})
    assert stale.status_code == 409
    missing = api(app, "ev_s1", "POST", f"{API}{pk}/edit", {"title": "没有版本号"})
    assert missing.status_code == 422 and "version" in missing.get_json()["message"]
    blank = api(app, "ev_s1", "POST", f"{API}{pk}/edit", {"title": "  ", "version": version + 1})
    assert blank.status_code == 422 and "title" in blank.get_json()["message"]
    r = api(app, "ev_s1", "POST", f"{API}{pk}/regenerate", {"version": version + 1})
    assert r.status_code == 200 and r.get_json()["result"]["figures"]["rows"] == district["rows"]
    r = api(app, "ev_s1", "POST", f"{API}{pk}/issue", {"version": version + 2})
    assert r.status_code == 200, r.get_json()
    issued = r.get_json()["result"]
    assert issued["status"] == "issued" and issued["issued_at"] and issued["issued_by"] == "周书记"
    for path, body in ((f"{API}{pk}/edit", {"title": "印发后再改", "version": issued["version"]}),
                       (f"{API}{pk}/regenerate", {"version": issued["version"]}),
                       (f"{API}{pk}/issue", {"version": issued["version"]})):
        refused = api(app, "ev_s1", "POST", path, body)
        assert refused.status_code == 409 and refused.get_json()["message"]
    assert api(app, "ev_s1", "GET", f"{API}{pk}").get_json()["result"]["title"] == "关于第三季度考评情况的通报"


def _expected_cells(row: dict) -> list[str]:
    """A table row written from the API's numbers by hand (the document is in Chinese)."""
    def rate(value, part, whole):
        return "—" if value is None else f"{value:.1f}%（{part}/{whole}）"

    def fixed(value, places):
        return "—" if value is None else f"{value:.{places}f}"

    return [str(row["rank"]), row["name"], fixed(row["score"], 1), str(row["cases_handled"]),
            rate(row["success_rate"], row["reached"], row["concluded"]), fixed(row["median_days"], 1),
            str(row["overdue"]), fixed(row["satisfaction"], 1), str(row["visits_done"]),
            rate(row["referral_timeliness"], row["referrals_on_time"], row["referrals_judged"]),
            str(row["guidance_sessions"])]


def test_the_issued_document_holds_the_apis_figures_cell_by_cell(app, world):
    made = draft(app)
    issued = api(app, "ev_s1", "POST", f"{API}{made['id']}/issue", {"version": made["version"]}).get_json()["result"]
    r = api(app, "ev_lead", "GET", f"{API}{made['id']}/document")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in r.headers["Content-Disposition"]
    doc = Document(io.BytesIO(r.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert TITLE in text and "草稿" not in text and "2026年12月1日" in text
    ranking, weights = doc.tables
    assert [c.text for c in ranking.rows[0].cells] == [
        "名次", "姓名/名称", "综合得分", "办理案件", "调解成功率（成功/结束）", "办结用时中位数（天）", "超期未结",
        "回访满意度（5分制）", "回访次数", "联动按期回复率", "指导次数"]
    api_rows = app.test_client().get(f"/api/v1/reports/evaluation?period={w.PERIOD}&level=centre",
                                     headers=w.bearer(app, "ev_lead")).get_json()["rows"]
    assert [[c.text for c in row.cells] for row in ranking.rows[1:]] == [_expected_cells(r) for r in api_rows]
    assert [[c.text for c in row.cells] for row in ranking.rows[1:]][0] == [
        "1", "东镇人民调解委员会", "82.1", "1", "100.0%（1/1）", "—", "0", "—", "0", "—", "0"]
    weight_rows = {row.cells[0].text: row.cells[1].text for row in weights.rows[1:]}
    assert weight_rows["调解成功率"] == "30" and len(weight_rows) == 7
    assert "1. 东镇人民调解委员会" in text and "东镇综治中心" in text.split("需要改进")[1]
    # the archived file is the one downloaded, byte for byte, whoever asks and however often
    again = w.login(app, "ev_k1").get(f"/bulletins/{made['id']}/download")
    assert again.status_code == 200 and again.data == r.data
    assert issued["status"] == "issued"


def test_an_issued_bulletin_is_read_only_in_the_database(app, world):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from app.extensions import db
    from app.models.bulletin import Bulletin
    from app.reports.bulletin import BulletinIssued

    made = draft(app)
    api(app, "ev_s1", "POST", f"{API}{made['id']}/issue", {"version": made["version"]})
    with app.app_context():
        bulletin = db.session.get(Bulletin, made["id"])
        bulletin.title = "改过的标题"
        with pytest.raises(BulletinIssued):
            db.session.flush()
        db.session.rollback()
        bulletin = db.session.get(Bulletin, made["id"])
        db.session.delete(bulletin)
        with pytest.raises(BulletinIssued):
            db.session.flush()
        db.session.rollback()
        # past the ORM, the table itself keeps an issued bulletin with its document and date
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE bulletin SET document = NULL WHERE id = :id"), {"id": made["id"]})
            db.session.flush()
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE bulletin SET issued_at = NULL WHERE id = :id"), {"id": made["id"]})
        db.session.rollback()
        assert db.session.get(Bulletin, made["id"]).title == TITLE


def test_an_issued_bulletin_cannot_be_edited_on_the_page(app, world):
    made = draft(app)
    api(app, "ev_s1", "POST", f"{API}{made['id']}/issue", {"version": made["version"]})
    client = w.login(app, "ev_s1")
    client.get("/lang/zh_CN")
    page = client.get(f"/bulletins/{made['id']}/edit")
    assert page.status_code == 409
    html = page.get_data(as_text=True)
    assert "已印发" in html and 'id="bulletin-edit-form"' not in html
    token = csrf_token(client.get("/bulletins/new").get_data(as_text=True))
    r = client.post(f"/bulletins/{made['id']}/edit", data={"csrf_token": token, "title": "印发后再改", "body": "",
                                                          "version": str(made["version"] + 1)})
    assert r.status_code == 409
    show = client.get(f"/bulletins/{made['id']}").get_data(as_text=True)
    assert 'id="bulletin-edit"' not in show and 'id="bulletin-archived"' in show and TITLE in show


def test_the_pages_walk_a_draft_to_an_issued_bulletin(app, world):
    client = w.login(app, "ev_s2")
    client.get("/lang/zh_CN")
    form = client.get("/bulletins/new").get_data(as_text=True)
    bad = client.post("/bulletins/new", data={"csrf_token": csrf_token(form), "period": "2026-Q7", "level": "judge"})
    assert bad.status_code == 422 and 'value="2026-Q7"' in bad.get_data(as_text=True)
    r = client.post("/bulletins/new", data={"csrf_token": csrf_token(form), "period": w.PERIOD, "level": "judge"})
    assert r.status_code == 302
    pk = int(re.search(r"/bulletins/(\d+)", r.headers["Location"]).group(1))
    show = client.get(f"/bulletins/{pk}").get_data(as_text=True)
    assert "甲法官" in show and 'id="bulletin-regenerate"' in show and "草稿" in show
    edit = client.get(f"/bulletins/{pk}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    r = client.post(f"/bulletins/{pk}/edit", data={"csrf_token": csrf_token(edit), "version": version, "title": "",
                                                   "body": "正文"})
    assert r.status_code == 422 and "正文" in r.get_data(as_text=True)  # what was typed stays
    r = client.post(f"/bulletins/{pk}/edit", data={"csrf_token": csrf_token(edit), "version": version,
                                                   "title": "关于值班法官指导工作的通报", "body": "一、总体情况。\n二、下步要求。"})
    assert r.status_code == 302
    preview = client.get(f"/bulletins/{pk}/download")
    assert "草稿" in "\n".join(p.text for p in Document(io.BytesIO(preview.data)).paragraphs)
    confirm = client.get(f"/bulletins/{pk}/issue").get_data(as_text=True)
    assert 'id="issue-warning"' in confirm
    version = re.search(r'name="version" type="hidden" value="(\d+)"', confirm).group(1)
    r = client.post(f"/bulletins/{pk}/issue", data={"csrf_token": csrf_token(confirm), "version": version})
    assert r.status_code == 302
    show = client.get(f"/bulletins/{pk}").get_data(as_text=True)
    assert 'id="bulletin-archived"' in show and "已印发" in show
    doc = Document(io.BytesIO(client.get(f"/bulletins/{pk}/download").data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "关于值班法官指导工作的通报" in paragraphs and "二、下步要求。" in paragraphs
    from tests.untranslated import untranslated_in

    assert untranslated_in(show) == []


def test_who_reads_and_who_drafts(app, world):
    made = draft(app)
    other = draft(app, level="mediator")
    api(app, "ev_s1", "POST", f"{API}{other['id']}/issue", {"version": other["version"]})
    # Leadership reads drafts and issued bulletins, drafts none
    lead = api(app, "ev_lead", "GET", API).get_json()
    assert lead["count"] == 2
    assert api(app, "ev_lead", "POST", API, {"period": w.PERIOD, "level": "centre"}).status_code == 403
    assert api(app, "ev_lead", "GET", f"{API}{made['id']}/document").status_code == 200
    # a centre reads issued bulletins only; a draft is as if it did not exist
    centre = api(app, "ev_k1", "GET", API).get_json()
    assert [b["id"] for b in centre["result"]] == [other["id"]]
    assert api(app, "ev_k1", "GET", f"{API}{made['id']}").status_code == 404
    assert api(app, "ev_k1", "POST", f"{API}{made['id']}/edit", {"title": "x", "version": 1}).status_code == 404
    assert api(app, "ev_k1", "POST", API, {"period": w.PERIOD, "level": "centre"}).status_code == 403
    page = w.login(app, "ev_k1")
    assert page.get(f"/bulletins/{made['id']}").status_code == 404
    assert page.get("/bulletins/new").status_code == 403
    # a partner has no bulletins at all
    assert api(app, "ev_partner", "GET", API).status_code == 403
    assert w.login(app, "ev_partner").get("/bulletins/").status_code == 403


def test_a_bulletin_of_an_unknown_period_or_level_is_refused(app, world):
    r = api(app, "ev_s1", "POST", API, {"period": "2026-Q5", "level": "centre"})
    assert r.status_code == 422 and list(r.get_json()["message"]) == ["period"]
    r = api(app, "ev_s1", "POST", API, {"period": w.PERIOD, "level": "staff"})
    assert r.status_code == 422 and list(r.get_json()["message"]) == ["level"]
    r = api(app, "ev_s1", "POST", API, {"level": "centre"})
    assert r.status_code == 422 and list(r.get_json()["message"]) == ["period"]
    assert api(app, "ev_s1", "GET", API).get_json()["count"] == 0


def test_the_demo_issues_last_quarters_bulletin_and_leaves_a_draft(app, world):
    from sqlalchemy import select

    from app.demo_bulletin import load_bulletin_demo
    from app.extensions import db
    from app.models.bulletin import Bulletin
    from app.services.clock import court_day

    with app.app_context():
        assert "issued, draft" in load_bulletin_demo()
        assert "already present" in load_bulletin_demo()  # a second run adds nothing
        rows = {b.level: b for b in db.session.scalars(select(Bulletin))}
        assert set(rows) == {"centre", "mediator"} and {b.period for b in rows.values()} == {w.PERIOD}
        issued, drafted = rows["centre"], rows["mediator"]
        assert issued.status == "issued" and issued.document and court_day(issued.issued_at) == dt.date(2026, 10, 8)
        assert issued.title == TITLE and [r["name"] for r in issued.figures["top"]] == ["东镇人民调解委员会"]
        assert drafted.status == "draft" and "征求意见" in drafted.body
        assert [r["name"] for r in drafted.figures["rows"]] == ["调解员一", "调解员二", "调解员三"]
