"""A street centre's clerk and the court's clerk in zh_CN: a hazard found in screening is
recorded, registered as a case with one action (the form filled from it, both pages linked),
rated high risk (flagged in the case list); an alert is acknowledged with a note."""
from __future__ import annotations

import pytest

from tests.e2e.case_steps import case_id_of, china_now, fill_traffic_intake
from tests import helpers
from tests.e2e.staff import sign_in

pytestmark = pytest.mark.e2e

HAZARD = "香城路两车剐蹭后双方在路口争执，围观群众较多"


def test_a_hazard_becomes_a_high_risk_case_and_an_alert_is_acknowledged(person, staff):
    clerk = person("street clerk")
    sign_in(clerk, staff["clerk"])
    clerk.goto("/screening/hazards/add")
    clerk.fill("title", HAZARD)
    clerk.fill("description", "网格员报告：两车剐蹭，双方对赔偿金额分歧较大，情绪激动。")
    clerk.choose("area_id", label="香洲街道")
    clerk.fill("found_on", china_now().date().isoformat())
    clerk.choose("risk_level", value="high")
    clerk.submit("#hazard-form button[type=submit]")
    assert "/screening/hazards/show/" in clerk.path, clerk.problems_shown()
    hazard_page = clerk.path

    clerk.click("#register-hazard")
    if "/case/intake/" not in clerk.path:  # the hazard has no type yet: the clerk chooses one
        clerk.click("a[href*='/case/intake/traffic']")
    assert clerk.page.locator("#intake-hazard").count(), "the registration form does not name the hazard"
    assert clerk.value("title") == HAZARD, "the form is not filled from the hazard"
    fill_traffic_intake(clerk, helpers.VALID_ID)
    clerk.submit("#intake-form button[type=submit]")
    if clerk.page.locator("#duplicates").count():
        clerk.page.locator("input[name='confirm_duplicates']").check()
        clerk.submit("#intake-form button[type=submit]")
    assert "/case/show/" in clerk.path, clerk.page.locator(".has-error").evaluate_all(
        "els => els.map(e => e.innerText.replace(/\\s+/g, ' ').slice(0, 120))")
    case_id = case_id_of(clerk)
    assert clerk.page.locator("#case-hazard").count(), "the case page does not link its hazard"
    clerk.goto(hazard_page)
    assert clerk.page.locator(f"#hazard-case a[href$='/case/show/{case_id}']").count(), "the hazard lost its case"

    clerk.goto(f"/case/{case_id}/risk")
    clerk.choose("level", value="high")
    clerk.fill("reasons", "双方情绪激动，现场围观人数较多，存在冲突升级风险。")
    clerk.submit("#risk-form button[type=submit]")
    assert clerk.path == f"/case/show/{case_id}", clerk.problems_shown()
    clerk.goto("/case/list/")
    row = clerk.page.locator(f"tr:has(a[href$='/case/show/{case_id}'])")
    assert "高风险" in row.first.inner_text(), "the case list does not flag the high risk"

    court = person("court clerk")
    sign_in(court, staff["court_clerk"])
    court.goto("/alerts/?status=open")
    court.click("table a[href*='/alerts/']")
    court.fill("note", "已通知属地综治中心核实情况，三日内报送化解方案。", within="#acknowledge-form")
    court.submit("#acknowledge-form button[type=submit]")
    assert "已签收" in court.text("#alert-status"), court.problems_shown()
