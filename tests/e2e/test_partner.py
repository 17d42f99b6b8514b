"""The traffic police's liaison, on a phone: answers the referral a centre sent them, and
finds that another agency's referral is not theirs to see (a Chinese 404 page inside the
application), nor any full case page (a Chinese 403 page)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.e2e.browser import PHONE
from tests.e2e.case_steps import china_now, register_traffic_case
from tests.e2e.staff import POLICE, sign_in

pytestmark = pytest.mark.e2e

PURPOSE = "请协助调取事故认定书及现场勘查材料"
ANSWER = "事故认定书及现场图已调取，详见附件说明；双方车辆均已投保交强险。"


def refer(clerk, case_id: int, partner: str, due_on: dt.date) -> None:
    """From the case: send a referral to ``partner`` with a purpose and a due date."""
    clerk.goto(f"/case/{case_id}/refer")
    clerk.choose("partner", label=partner)
    clerk.fill("purpose", PURPOSE)
    clerk.fill("legal_basis", "《道路交通安全法》第七十四条")
    clerk.fill("due_on", due_on.isoformat())
    for tick in clerk.page.locator("input[name='fields']").all()[:2]:  # only what the purpose needs
        tick.check()
    clerk.submit("#referral-form button[type=submit]")
    assert "/refer" not in clerk.path, clerk.problems_shown()


def test_partner_answers_a_referral_on_a_phone_and_sees_no_other_case(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    case_id = register_traffic_case(clerk)
    case_no = re.search(r"\S*汕城解\S*?号", clerk.text("body"))
    assert case_no, "no case number on the case page"
    refer(clerk, case_id, POLICE, china_now().date() + dt.timedelta(days=5))

    partner = person("partner", viewport=PHONE)
    sign_in(partner, staff["partner"])
    partner.goto("/partner/referrals/")
    row = partner.page.locator("tbody tr", has_text=PURPOSE)
    assert row.count(), f"the referral is not listed: {partner.text('body')[:500]}"
    listed_with_case_no = case_no.group(0) in row.first.inner_text()
    with partner.page.expect_navigation():
        row.first.locator("a[href*='/partner/referrals/']").first.click()
    partner.look()
    assert PURPOSE in partner.text("body")
    # nothing wider than the phone: no sideways scrolling to reach the buttons
    width = partner.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the referral page is {width} px wide on a {PHONE['width']} px phone"
    partner.click("form[action$='/accept'] button[type=submit]")
    partner.fill("text", ANSWER)
    partner.submit("#answer-form button[type=submit]")
    assert ANSWER in partner.text("body")

    clerk.goto(f"/case/show/{case_id}")
    assert ANSWER in clerk.text("body"), "the centre does not see the partner's answer on the case"

    # The same case referred to another agency as well: that referral is not the police's.
    # Its page reads as missing, in Chinese, inside the application, with a way back.
    clerk.goto(f"/case/{case_id}/refer")
    labels = [t.strip() for t in clerk.page.locator("select[name='partner'] option").all_inner_texts()]
    other_agency = next(t for t in labels if t and t != POLICE and t != "—")
    refer(clerk, case_id, other_agency, china_now().date() + dt.timedelta(days=5))
    clerk.goto(f"/case/show/{case_id}")
    withdraw_forms = clerk.page.locator("form[action*='/case/referrals/'][action$='/withdraw']")
    ids = [int(re.search(r"/referrals/(\d+)/", f.get_attribute("action")).group(1)) for f in withdraw_forms.all()]
    assert len(ids) >= 1, "the other agency's referral is not on the case page"
    not_ours = max(ids)
    partner.goto(f"/partner/referrals/{not_ours}", status=404)
    body = partner.text("body")
    assert partner.page.locator(".jf-top").count(), "the 404 page is not inside the application's layout"
    assert re.search(r"[\u4e00-\u9fff]", body) and "404" in body and "Not Found" not in body, body[:300]
    assert other_agency not in body and PURPOSE not in body

    # a full case page is no partner's: refused in Chinese, saying nothing about the case
    partner.goto(f"/case/show/{case_id}", status=403)
    body = partner.text("body")
    assert re.search(r"[\u4e00-\u9fff]", body) and "403" in body and case_no.group(0) not in body, body[:300]
    assert listed_with_case_no, "the partner's referral list shows no case number"
