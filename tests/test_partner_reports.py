"""A partner agency's own statistics and ledger: its referrals only, and within them only what
each referral shares."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import update

from tests.test_referrals import SENDER, bearer, court_today, login, rapp, send_api, world  # noqa: F401 (fixtures)


def _referrals(rapp, world):
    """A: one answered (title shared), one sent and overdue (title not shared); B: one sent."""
    from app.extensions import db
    from app.models.referral import Referral

    answered = send_api(rapp, world).get_json()["result"]["id"]
    late = send_api(rapp, world, shared_fields=["area"], purpose="请协助调取监控录像").get_json()["result"]["id"]
    theirs = send_api(rapp, world, "b", purpose="请司法所协助人民调解").get_json()["result"]["id"]
    c, partner = rapp.test_client(), bearer(rapp, "ref_partner_a")
    c.post(f"/api/v1/partner/referrals/{answered}/accept", json={}, headers=partner)
    c.post(f"/api/v1/partner/referrals/{answered}/answer", json={"text": "责任认定无误"}, headers=partner)
    with rapp.app_context():
        past = court_today(rapp) - dt.timedelta(days=2)
        db.session.execute(update(Referral).where(Referral.id == late).values(due_on=past))
        db.session.commit()
    return answered, late, theirs


def test_partner_statistics_count_its_own_referrals_by_month(rapp, world):
    answered, late, theirs = _referrals(rapp, world)
    result = rapp.test_client().get("/api/v1/partner/statistics", headers=bearer(rapp, "ref_partner_a")).get_json()["result"]
    assert result["total"] == 2 and result["overdue"] == 1 and result["by_status"]["answered"] == 1
    months = result["by_month"]
    this_month = court_today(rapp).strftime("%Y-%m")
    assert len(months) == 12 and months[-1] == {"month": this_month, "received": 2, "answered": 1}
    assert all(m["received"] == 0 for m in months[:-1])
    page = login(rapp, "ref_partner_a").get("/partner/statistics").get_data(as_text=True)
    assert f'data-month="{this_month}"' in page and 'class="received">2<' in page
    # B's own figures hold only B's referral
    other = rapp.test_client().get("/api/v1/partner/statistics", headers=bearer(rapp, "ref_partner_b")).get_json()["result"]
    assert other["total"] == 1 and other["by_status"]["sent"] == 1


def test_partner_ledger_is_a_real_workbook_of_its_own_referrals_and_shared_fields(rapp, world):
    answered, late, theirs = _referrals(rapp, world)
    r = login(rapp, "ref_partner_a").get("/partner/ledger.xlsx?_l_=en")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert "城区交警大队" in sheet["A1"].value
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {answered, late}  # not B's
    assert rows[answered][2] == "林晓明与黄丽娟交通事故赔偿纠纷" and rows[answered][11] == "责任认定无误"
    assert rows[late][2] in ("", None)  # the title was not shared with this referral
    assert rows[late][8] == "Yes" and rows[late][3] == "请协助调取监控录像"
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert "11010519491231002X" not in cells and "13802661234" not in cells and "林晓明，" not in cells
    # a court clerk has no partner ledger; agency B's holds only B's referral
    assert login(rapp, SENDER).get("/partner/ledger.xlsx").status_code in (302, 403, 404)
    b_rows = list(load_workbook(io.BytesIO(login(rapp, "ref_partner_b").get("/partner/ledger.xlsx").data)).active
                  .iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in b_rows] == [theirs]


def test_partner_home_starts_from_the_referrals_waiting_for_it(rapp, world):
    answered, late, theirs = _referrals(rapp, world)
    client = login(rapp, "ref_partner_a")
    assert client.get("/").headers["Location"].endswith("/mywork/")  # the partner's landing page
    html = client.get("/mywork/").get_data(as_text=True)
    waiting = html.split('id="mywork-partner-sent"')[1].split("mywork-col")[0]
    assert f"/partner/referrals/{late}" in waiting and f"/partner/referrals/{answered}" not in waiting
    assert "mywork-overdue" in waiting and '<span class="badge mywork-count" data-count="1">' in waiting
    assert f"/partner/referrals/{theirs}" not in html
    links = html.split('id="partner-links"')[1].split("</p>")[0]
    assert "/partner/referrals/" in links and "/case/list/" not in html


def test_text_that_looks_like_a_formula_stays_text_in_the_ledger(rapp, world):
    rid = send_api(rapp, world, purpose='=HYPERLINK("http://evil.invalid","点此")').get_json()["result"]["id"]
    data = login(rapp, "ref_partner_a").get("/partner/ledger.xlsx").data
    sheet = load_workbook(io.BytesIO(data)).active
    [cell] = [row[3] for row in sheet.iter_rows(min_row=3) if row[0].value == rid]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
