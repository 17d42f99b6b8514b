"""The labour plugin's early-warning rule: several wage-arrears cases against one employer within
a month raise one alert, run by the core's scan, read through the alerts API — through the
plugin testing kit only, as any plugin's tests would."""
from __future__ import annotations

import datetime as dt

from app.plugins import today as china_today

RULE = "labour.employer_wages"
CODE = "91441502MA4W8K2L3N"  # the sample employer's credit code


def scan(jiefen):
    result = jiefen.app.test_cli_runner().invoke(args=["alerts", "scan", "--rule", RULE])
    assert result.exit_code == 0, result.output
    return result.output


def alerts(jiefen, lang="en"):
    r = jiefen.api("Admin", "GET", f"/api/v1/alerts/?rule={RULE}&status=all", lang=lang)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["result"]


def wage_case(jiefen, **changes):
    """A wage-arrears case against the sample employer (its credit code unless changed)."""
    return jiefen.make_case("labour", claim_wage_arrears=True, mediation_applied_on=None, **changes)


def test_three_wage_cases_against_one_employer_in_a_month_raise_one_alert(jiefen):
    month_ago = china_today() - dt.timedelta(days=31)
    with jiefen.on_day(month_ago):  # registered 31 days ago: outside the 30 days counted
        wage_case(jiefen)
    wage_case(jiefen)
    wage_case(jiefen)
    # the same employer's name without a credit code is another group (two cases: below 3)
    wage_case(jiefen, employer_credit_code=None)
    wage_case(jiefen, employer_credit_code=None)
    # no wage arrears claimed: not counted
    jiefen.make_case("labour", claim_wage_arrears=False, claim_overtime=True, mediation_applied_on=None)
    assert "0 raised" in scan(jiefen)
    newest = wage_case(jiefen)
    assert f"{RULE}: 1 raised" in scan(jiefen)
    (alert,) = alerts(jiefen)
    assert alert["plugin"] == "labour" and alert["level"] == "warning" and alert["case_count"] == 3
    assert alert["details"] == {"subject": "汕尾市城区某水产加工有限公司", "count": 3, "days": 30, "threshold": 3}
    assert alert["title"] == "3 wage-arrears cases against 汕尾市城区某水产加工有限公司 in 30 days"
    assert alert["rule_label"] == "Wage arrears against one employer"
    (zh,) = alerts(jiefen, "zh_CN")
    assert zh["title"] == "近30日汕尾市城区某水产加工有限公司欠薪纠纷3件" and zh["rule_label"] == "同一用人单位集中欠薪"
    detail = jiefen.api("Admin", "GET", f"/api/v1/alerts/{alert['id']}").get_json()["result"]
    assert detail["cases"][0]["id"] == newest.id and len(detail["cases"]) == 3
    assert "1 unchanged" in scan(jiefen)  # the second scan raises nothing new
    assert len(alerts(jiefen)) == 1


def test_the_threshold_is_a_dated_setting_of_the_plugin(jiefen):
    setting = jiefen.settings_of("labour")["labour.warning_wage_cases"]
    assert setting.value == 3 and setting.source
    for _ in range(3):
        wage_case(jiefen)
    scan(jiefen)
    assert alerts(jiefen)[0]["observed"] is True
    jiefen.add_setting("labour.warning_wage_cases", "4", china_today(), source="区人社局2026年欠薪预警通知")
    assert "0 raised" in scan(jiefen)
    (alert,) = alerts(jiefen)
    assert alert["status"] == "open" and alert["observed"] is False  # people resolve it; the scan no longer sees it


def test_the_rule_is_silent_while_the_plugin_is_switched_off(jiefen):
    for _ in range(3):
        wage_case(jiefen)
    jiefen.set_enabled("labour", False)
    result = jiefen.app.test_cli_runner().invoke(args=["alerts", "scan"])
    assert RULE not in result.output
    jiefen.set_enabled("labour", True)
    assert f"{RULE}: 1 raised" in scan(jiefen)
