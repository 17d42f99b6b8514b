"""The ledger as a workbook: read back cell by cell against SQL and against the API's rows, the
command line's file, and the partner ledger written the same streaming way."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import ledger_world as w


@pytest.fixture(scope="module", autouse=True)
def readers(app):
    """The ledger's readers, created once for the module."""
    w.create_users(app)


@pytest.fixture
def world(app):
    """The fixed data set, read on the frozen court day 2026-12-06."""
    ids = w.seed_world(app)
    with w.frozen_clock():
        yield ids


def workbook(app, username="ledger_leader", query="period=2026-11", lang="en"):
    r = w.login(app, username, lang=lang).get(f"/reports/ledger.xlsx?{query}")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"]
    return r, load_workbook(io.BytesIO(r.data))


def api_result(app, query="period=2026-11"):
    r = app.test_client().get(f"/api/v1/reports/ledger?{query}&page_size=100&_l_=en", headers=w.bearer(app, w.LEADER))
    assert r.status_code == 200
    return r.get_json()["result"]


def data_rows(sheet) -> list:
    """The rows under the header (the header row is the one the panes are frozen below)."""
    header_row = int(sheet.freeze_panes[1:]) - 1
    return [row for row in sheet.iter_rows(min_row=header_row + 1) if any(c.value is not None for c in row)]


def test_the_workbook_holds_the_same_rows_as_the_database_and_the_api(app, world):
    from app.extensions import db
    from app.models import Case
    from app.models.outcome import Agreement

    _r, book = workbook(app)
    sheet = book.worksheets[0]
    assert "2026-11" in sheet["A1"].value and sheet.freeze_panes == "A5"  # title, two notes, header
    assert [c.value for c in sheet[4]][:3] == ["No.", "Registered on", "Case number"]
    rows = data_rows(sheet)
    api_rows = api_result(app)["rows"]
    with app.app_context():
        expected = db.session.execute(
            select(Case.case_no, Agreement.amount).outerjoin(Agreement, Agreement.case_id == Case.id)
            .where(Case.id.in_([world[k] for k in w.NOVEMBER_ORDER])).order_by(Case.created_at, Case.id)).all()
    assert [row[2].value for row in rows] == [case_no for case_no, _a in expected] == [r["case_no"] for r in api_rows]
    for row, api, (_no, _key, registered, closed, days, _result, amount, parties, town, visit) in zip(rows, api_rows,
                                                                                                        w.ROWS):
        cells = [c.value for c in row]
        assert cells[0] == api["no"]
        assert cells[1].date() == dt.date.fromisoformat(registered) and row[1].number_format == "yyyy-mm-dd"
        assert cells[3] == api["dispute_type_label"] and cells[4] == parties and cells[5] == town
        assert cells[6] == " / ".join(x for x in (api["organisation"], api["mediator"]) if x)
        assert cells[8] == api["status_label"] and (cells[9] or "") == api["result_label"]
        if amount is None:
            assert cells[10] is None
        else:
            assert Decimal(str(cells[10])) == Decimal(amount) and row[10].number_format == "#,##0.00"
        assert (cells[11].date() if cells[11] else None) == (dt.date.fromisoformat(closed) if closed else None)
        assert cells[12] == days == api["days"]
        assert (cells[13] or "") == visit and (cells[14] or "") == ("High risk" if api["high_risk"] else "")


def test_typed_text_that_looks_like_a_formula_stays_text(app, world):
    _r, book = workbook(app)
    [c5] = [row for row in data_rows(book.worksheets[0]) if row[12].value == 6]
    assert c5[4].data_type == "s" and c5[4].value.endswith('=HYPERLINK("http://evil.invalid")')


def test_the_summary_sheet_holds_the_summary_of_the_page_and_the_api(app, world):
    _r, book = workbook(app, query="period=2026-11&group_by=type")
    sheet = book.worksheets[1]
    summary = api_result(app, "period=2026-11&group_by=type")["summary"]
    rows = {row[0].value: [c.value for c in row] for row in data_rows(sheet)}
    assert set(rows) == {g["label"] for g in summary["groups"]} | {"Total"}
    for group in summary["groups"] + [dict(summary["total"], label="Total")]:
        cells = rows[group["label"]]
        assert cells[1:5] == [group["registered"], group["closed"], group["agreements"], group["concluded"]]
        rate = group["success_rate"]
        assert (cells[5] is None and rate is None) or round(cells[5] * 100, 1) == rate
        assert Decimal(str(cells[6])) == Decimal(group["agreed_amount"]) and cells[7] == group["overdue"]
    assert rows["Total"][1:5] == [6, 3, 2, 3] and rows["Total"][7] == 1


def test_a_centre_clerks_workbook_holds_only_its_area(app, world):
    _r, book = workbook(app, username=w.CLERK_A, lang="zh_CN")
    sheet = book.worksheets[0]
    assert "香洲街道综治中心" in sheet["A1"].value and "纠纷台账" in sheet["A1"].value
    assert [c.value for c in sheet[4]][:3] == ["序号", "登记日期", "案号"]
    assert [row[2].value for row in data_rows(sheet)] == [f"（2026）粤1502民调{k}号" for k in ("C6", "C1", "C2", "C5")]


def streamed(client, url) -> bytes:
    """The body of a download that must be streamed from its file, never built in memory."""
    r = client.get(url, buffered=False)
    assert r.status_code == 200 and r.is_streamed and not isinstance(r.response, (list, tuple))
    body = b"".join(r.response)
    r.close()
    return body


def test_the_workbook_is_written_in_constant_memory_and_streamed(app, world):
    body = streamed(w.login(app, w.LEADER), "/reports/ledger.xlsx?period=2026-11")
    assert len(load_workbook(io.BytesIO(body)).worksheets[0]["A"]) == 10  # title, notes, header, six rows
    with zipfile.ZipFile(io.BytesIO(body)) as xlsx:
        sheet = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet  # written row by row: no shared-string table kept in memory


def test_the_command_line_writes_the_ledger_file(app, world, tmp_path):
    out = tmp_path / "台账.xlsx"
    result = app.test_cli_runner().invoke(args=["reports", "ledger", "--period", "2026-11", "--group-by", "type",
                                                "--output", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "6 rows written" in result.output
    book = load_workbook(out)
    assert [row[2].value for row in data_rows(book.worksheets[0])] == [f"（2026）粤1502民调{k}号" for k in w.NOVEMBER_ORDER]
    summary = [row[0].value for row in data_rows(book.worksheets[1])]
    assert len(summary) == 4 and summary[0] == "Traffic accident" and summary[-1] == "Total"


def test_the_command_line_refuses_a_bad_period_with_the_reason(app, world, tmp_path):
    result = app.test_cli_runner().invoke(args=["reports", "ledger", "--period", "2026-13", "--output",
                                                str(tmp_path / "x.xlsx"), "--lang", "en"])
    assert result.exit_code == 2 and "A month is 01 to 12." in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_the_partner_ledger_holds_its_referrals_newest_first_and_is_streamed(app, world):
    from app.extensions import db
    from app.models.referral import Referral

    with app.app_context():
        for n, key in enumerate(("C1", "C2", "C3")):
            db.session.add(Referral(case_id=world[key], partner_id=world["agency"], kind="link", purpose=f"请协助{n}",
                                    legal_basis="人民调解法", shared_fields=["title"] if key == "C1" else [],
                                    due_on=dt.date(2026, 12, 1), status="sent",
                                    sent_at=w.china(2026, 11, 20 + n, 9)))
        db.session.commit()
        expected = list(db.session.scalars(select(Referral.id).where(Referral.partner_id == world["agency"])
                                           .order_by(Referral.sent_at.desc(), Referral.id.desc())))
    body = streamed(w.login(app, w.PARTNER), "/partner/ledger.xlsx?_l_=en")
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == expected
    titled = {row[0]: row[2] for row in rows}
    assert titled[expected[-1]] == "C1纠纷" and titled[expected[0]] in ("", None)
    assert all(row[8] == "Yes" for row in rows)  # due 1 December, still waiting on the 6th
    with zipfile.ZipFile(io.BytesIO(body)) as xlsx:
        assert 't="inlineStr"' in xlsx.read("xl/worksheets/sheet1.xml").decode()
