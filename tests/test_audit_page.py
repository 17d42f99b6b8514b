"""The audit page: auditors (and administrators) read the log in Chinese, filter it and export
it; nobody else opens it, and nobody changes it through it."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import helpers
from tests.untranslated import untranslated_in

AUDITOR_PASSWORD = "auditor-Pa55-word"


@pytest.fixture
def auditor(app):
    """A browser signed in as a user whose only role is Auditor."""
    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username="auditor"):
            sm.add_user(username="auditor", first_name="审计", last_name="周", email="auditor@jiefen.invalid",
                        role=sm.find_role("Auditor"), password=AUDITOR_PASSWORD)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": "auditor", "password": AUDITOR_PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    return client


@pytest.fixture
def registered(app, places):
    """A case registered through the API by the administrator: (case id, case number, admin id,
    the last audit row before it)."""
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        mark = helpers.audit_mark()
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_data(as_text=True)
    case_id = r.get_json()["id"]
    with app.app_context():
        return case_id, db.session.get(Case, case_id).case_no, app.appbuilder.sm.find_user(username="admin").id, mark


def logged_ids(app, case_id) -> list[int]:
    """Every audit row of the case, newest first (other tests' rows of a reused SQLite id too)."""
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).where(AuditEvent.case_id == case_id)
                                       .order_by(AuditEvent.id.desc())))


def shown_rows(html: str) -> list[list[str]]:
    """The table's rows as cell texts."""
    body = re.search(r'<table[^>]*id="audit-rows".*?<tbody>(.*?)</tbody>', html, re.S)
    if not body:
        return []
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [[re.sub(r"<[^>]+>", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def test_the_auditor_reads_the_log_in_chinese(auditor, registered):
    case_id, case_no, _, mark = registered
    html = auditor.get(f"/audit/?case={case_no}").get_data(as_text=True)
    assert "审计日志" in html and 'href="/audit/"' in html  # the page, and its menu entry
    rows = [r for r in shown_rows(html) if int(r[0]) > mark]
    assert rows, html
    tables = {r[4] for r in rows}
    assert {"案件", "当事人"} <= tables
    assert all(r[6] == case_no and r[7] == "新增" and r[3] == "接口" for r in rows)
    parties = " ".join(r[8] for r in rows if r[4] == "当事人")
    assert "证件号码: 110105********002X" in parties and "11010519491231002X" not in html  # masked in the log
    assert "地址: （未记录）" in parties  # the address never entered the log
    assert not untranslated_in(html), untranslated_in(html)


def test_filters_narrow_the_rows(auditor, registered, app):
    from app.services.clock import today

    case_id, case_no, admin_id, mark = registered

    def rows(query):  # this test's rows: case ids and numbers repeat once earlier tests' cases are wiped
        html = auditor.get(f"/audit/?{query}").get_data(as_text=True)
        return [r for r in shown_rows(html) if int(r[0]) > mark]

    everything = rows(f"case={case_id}")
    assert rows(f"case={case_no}") == everything and len(everything) > 2
    parties = rows(f"case={case_id}&table=party")
    assert len(parties) == 2 and {r[4] for r in parties} == {"当事人"}
    assert rows(f"case={case_id}&user={admin_id}") == everything
    assert rows(f"case={case_id}&action=delete") == []
    assert [r[7] for r in rows(f"case={case_id}&action=insert")] == ["新增"] * len(everything)
    day = today()
    assert rows(f"case={case_id}&start={day}&end={day}") == everything
    earlier = day - dt.timedelta(days=3)
    assert rows(f"case={case_id}&end={earlier}") == []
    assert rows(f"case={case_id}&start={day + dt.timedelta(days=1)}") == []


def test_bad_filters_are_explained_and_show_nothing(auditor, registered):
    html = auditor.get("/audit/?case=汕城解不存在&start=2026-13-01").get_data(as_text=True)
    assert "没有这个编号的案件" in html and "有效日期" in html
    assert shown_rows(html) == []
    html = auditor.get("/audit/?start=2026-12-05&end=2026-12-01").get_data(as_text=True)
    assert "结束日期早于开始日期" in html


def test_pages_go_back_in_time_without_repeating_rows(auditor, app, registered):
    from app.views import audit_log

    case_id = registered[0]
    first = shown_rows(auditor.get(f"/audit/?case={case_id}").get_data(as_text=True))
    old, audit_log.PAGE_SIZE = audit_log.PAGE_SIZE, 2
    try:
        html = auditor.get(f"/audit/?case={case_id}").get_data(as_text=True)
        seen = []
        while True:
            seen += shown_rows(html)
            nxt = re.search(r'<li class="next"><a href="([^"]+)"', html)
            if not nxt:
                break
            html = auditor.get(nxt.group(1).replace("&amp;", "&")).get_data(as_text=True)
    finally:
        audit_log.PAGE_SIZE = old
    assert [int(r[0]) for r in seen] == logged_ids(app, case_id)  # every row once, newest first
    assert seen[:len(first)] == first


def test_the_export_has_the_filtered_rows_and_is_itself_audited(auditor, app, registered):
    from app.extensions import db
    from app.models import AuditEvent

    case_id, case_no, _, _ = registered
    shown = shown_rows(auditor.get(f"/audit/?case={case_id}").get_data(as_text=True))
    r = auditor.get(f"/audit/export.xlsx?case={case_no}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.data), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("编号", "时间（北京时间）", "用户")
    expected = logged_ids(app, case_id)
    assert [line[0] for line in lines[1:]] == expected
    assert expected[:len(shown)] == [int(row[0]) for row in shown]
    assert {line[6] for line in lines[1:]} == {case_no}
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        auditor_id = app.appbuilder.sm.find_user(username="auditor").id
    assert (last.table_name, last.action, last.actor_id) == ("audit_event", "export", auditor_id)
    assert last.changes["rows"] == len(expected) and last.changes["filters"]["case_id"] == case_id


def test_the_administrator_sees_the_page_too(admin_client, registered):
    assert admin_client.get("/audit/").status_code == 200


def test_a_clerk_cannot_open_the_audit_log(clerk_client, registered):
    for url in ("/audit/", "/audit/export.xlsx"):
        r = clerk_client.get(url)
        assert r.status_code in (302, 403, 404) and "审计日志" not in r.get_data(as_text=True)
        if r.status_code == 302:
            assert "/audit" not in r.headers["Location"]
    assert 'href="/audit/"' not in clerk_client.get("/mywork/").get_data(as_text=True)


def test_the_auditor_gets_no_case_pages_and_the_log_no_write_routes(app, auditor, registered):
    case_id = registered[0]
    for url in ("/case/list/", f"/case/show/{case_id}", "/api/v1/case/"):
        assert auditor.get(url).status_code in (302, 401, 403, 404), url
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("AuditLogView.")}
    assert routes == {"AuditLogView.index", "AuditLogView.export"}
    assert all(set(rule.methods) <= {"GET", "HEAD", "OPTIONS"} for rule in app.url_map.iter_rules()
               if rule.endpoint.startswith("AuditLogView."))


def test_an_auditor_lands_on_the_audit_log(auditor):
    r = auditor.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/audit/")
