"""Suspension (issue 12, deadline item 3): a period is suspended and resumed, and only running
time counts; the due day then rolls forward over holidays as every period does.

domain-rules.md, "Counting periods": "A period can be **suspended** where a rule says the time
of a step is not counted (medical appraisal; a party's force majeure) and resumes afterwards";
medical row: "appraisal time excluded (医疗纠纷预防和处理条例 art. 38)". The reasons are one
core-level list (app/lifecycle/suspension.py). Expected dates are counted by hand from the
State Council's 2026 notice (Mid-Autumn off 25–27 September; National Day off 1–7 October;
Sunday 20 September and Saturday 10 October are make-up working days).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests import helpers
from tests.deadline_steps_world import act, case_json, deadline_step, freeze
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)

D = dt.date
PRE_FILING = "core.pre_filing_mediation"
MEDICAL = "medical.mediation_period"


def accepted(app, monkeypatch, places, day, code="family", **intake):
    """A pre-filing case registered and accepted for mediation on ``day``."""
    freeze(monkeypatch, day, 9)
    case = register(app, places, code, intake=intake)
    act(app, monkeypatch, case, ("start_screening", day), ("accept_mediation", day))
    return case


def test_a_suspension_over_a_weekend_adds_its_three_days(dapp, world, monkeypatch):
    """Accepted Monday 2 November: 30 days end Wednesday 2 December. Suspended Friday the 13th
    (a party's illness), resumed Monday the 16th: 3 days not counted, so the period ends
    Saturday 5 December — a weekend — and rolls to Monday 7 December (Civil Code art. 203)."""
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    assert deadlines(dapp, case, on=D(2026, 11, 10))[PRE_FILING].due == D(2026, 12, 2)
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 13), reason="illness",
                      note="申请人住院")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["result"]["suspended_since"] == "2026-11-13"
    open_ = deadlines(dapp, case, on=D(2026, 11, 14))[PRE_FILING]
    assert (open_.status, open_.due, open_.suspended_since) == ("suspended", None, D(2026, 11, 13))
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "resume", D(2026, 11, 16))
    assert r.status_code == 200, r.get_json()
    d = deadlines(dapp, case, on=D(2026, 11, 17))[PRE_FILING]
    assert (d.status, d.suspended_for, d.due) == ("running", 3, D(2026, 12, 7))
    assert [(s.since, s.until, s.reason) for s in d.suspensions] == [(D(2026, 11, 13), D(2026, 11, 16), "illness")]


def test_five_suspended_days_end_five_days_later_then_roll_over_national_day(dapp, world, monkeypatch):
    """Accepted 28 August: day 30 is Sunday 27 September, a Mid-Autumn holiday, so unsuspended
    the period ends Monday the 28th. Suspended 7–12 September for an appraisal (5 days), it
    ends 5 days later, 2 October — National Day — and so on Thursday 8 October."""
    case = accepted(dapp, monkeypatch, world, D(2026, 8, 28))
    assert deadlines(dapp, case, on=D(2026, 9, 1))[PRE_FILING].due == D(2026, 9, 28)
    assert deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 9, 7),
                         reason="appraisal").status_code == 200
    assert deadline_step(dapp, monkeypatch, case, PRE_FILING, "resume", D(2026, 9, 12)).status_code == 200
    d = deadlines(dapp, case, on=D(2026, 9, 30))[PRE_FILING]
    assert (d.suspended_for, d.due, d.status, d.days_left) == (5, D(2026, 10, 8), "running", 8)


def test_an_appraisal_takes_only_its_working_days_off_a_medical_period(dapp, world, monkeypatch):
    """Medical mediation: 30 working days from acceptance on 25 September end 12 November
    (tests/test_deadlines.py). An appraisal commissioned Friday 16 October and back Monday the
    19th spans one working day (the Monday): the period ends one working day later, Friday 13
    November (医疗纠纷预防和处理条例 art. 38: appraisal time is not counted)."""
    case = accepted(dapp, monkeypatch, world, D(2026, 9, 25), code="medical", appraisal_needed=True,
                    appraisal_status="not_started", appraisal_applied_on="", appraisal_done_on="")
    deadline_step(dapp, monkeypatch, case, MEDICAL, "suspend", D(2026, 10, 16), reason="appraisal")
    deadline_step(dapp, monkeypatch, case, MEDICAL, "resume", D(2026, 10, 19))
    d = deadlines(dapp, case, on=D(2026, 10, 20))[MEDICAL]
    assert (d.unit, d.suspended_for, d.due) == ("working days", 1, D(2026, 11, 13))


def test_suspensions_recorded_after_the_fact_count_from_the_day_they_began(dapp, world, monkeypatch):
    """Staff enter on 20 November an appraisal that began on the 13th: the period was running
    then, so the suspension is accepted and dated the 13th."""
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 20), reason="appraisal",
                      on="2026-11-13")
    assert r.status_code == 200, r.get_json()
    assert deadlines(dapp, case, on=D(2026, 11, 20))[PRE_FILING].suspended_since == D(2026, 11, 13)


def _timeline_and_version(app, case_id):
    from app.extensions import db
    from app.models import Case, TimelineEvent

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(TimelineEvent)
                                  .where(TimelineEvent.case_id == case_id))
        return count, db.session.get(Case, case_id).version


def test_bad_suspensions_say_why_in_chinese_and_store_nothing(dapp, world, monkeypatch):
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    before = _timeline_and_version(dapp, case)
    refused = {
        "resume without suspension": (("resume", {}), "期限未中止，无需恢复。"),
        "empty reason": (("suspend", {"reason": ""}), "请选择中止期限的原因。"),
        "other without a note": (("suspend", {"reason": "other"}), "请在备注中说明中止期限的原因。"),
        "a day in the future": (("suspend", {"reason": "illness", "on": "2026-11-30"}), "日期不能晚于今天。"),
        "before the start": (("suspend", {"reason": "illness", "on": "2026-10-30"}), "期限开始（2026-11-02）之前不能中止。"),
    }
    for why, ((step, body), message) in refused.items():
        r = deadline_step(dapp, monkeypatch, case, PRE_FILING, step, D(2026, 11, 13), **body)
        assert r.status_code == 422, why
        assert message in r.get_json()["message"]["deadline"], (why, r.get_json())
    assert _timeline_and_version(dapp, case) == before
    assert deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 13),
                         reason="force_majeure").status_code == 200
    after_one = _timeline_and_version(dapp, case)
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 14), reason="illness")
    assert r.status_code == 422 and "期限已自2026-11-13起中止。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "resume", D(2026, 11, 14), on="2026-11-12")
    assert r.status_code == 422 and "不能早于中止之日（2026-11-13）" in r.get_json()["message"]["deadline"][0]
    assert _timeline_and_version(dapp, case) == after_one


def test_a_period_in_hours_and_an_unknown_rule_cannot_be_suspended(dapp, world, monkeypatch):
    order = register(dapp, world, "family", intake={"domestic_violence": True, "protection_order_requested": True})
    rule = "family.protection_order_decision"
    deadline_step(dapp, monkeypatch, order, rule, "start", D(2026, 11, 13), at="2026-11-13 09:00")
    r = deadline_step(dapp, monkeypatch, order, rule, "suspend", D(2026, 11, 13), hour=11, reason="illness")
    assert r.status_code == 422 and "以小时计算的期限不能中止。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, order, "core.no_such_rule", "suspend", D(2026, 11, 13), reason="illness")
    assert r.status_code == 422 and "本案没有该期限。" in r.get_json()["message"]["deadline"]


def test_the_case_page_shows_the_suspension_and_staff_suspend_and_resume_there(dapp, world, monkeypatch):
    """Staff suspend from the period's page (the same permission as extending it); the
    case page then says "suspended since …" with the reason, in Chinese, and after the
    resumption the stretch that was not counted."""
    import re

    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    freeze(monkeypatch, D(2026, 11, 13))
    web = dapp.test_client()
    helpers.login(web, "admin")
    r = web.get(f"/case/show/{case}")
    show = r.get_data(as_text=True)
    assert r.status_code == 200, (r.status_code, r.headers.get("Location"))
    link = re.search(r'href="(/case/%d/deadline/core.pre_filing_mediation)"' % case, show)
    assert link, "the case page links the period to its page"
    page = web.get(link.group(1)).get_data(as_text=True)
    assert 'id="deadline-suspend-form"' in page and "鉴定、评估" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    version = case_json(dapp, case)["version"]
    refused = web.post(link.group(1) + "/suspend", data={"csrf_token": token, "version": version, "reason": ""})
    assert refused.status_code == 422 and "请选择中止期限的原因。" in refused.get_data(as_text=True)
    r = web.post(link.group(1) + "/suspend", data={"csrf_token": token, "version": version, "reason": "appraisal",
                                                   "note": "委托司法鉴定"})
    assert r.status_code == 302, r.get_data(as_text=True)
    show = web.get(f"/case/show/{case}").get_data(as_text=True)
    assert "自2026-11-13起中止：鉴定、评估" in show and "委托司法鉴定" in show
    assert "已中止" in show
    page = web.get(link.group(1)).get_data(as_text=True)
    assert 'id="deadline-resume-form"' in page
    r = web.post(link.group(1) + "/resume", data={"csrf_token": token, "version": case_json(dapp, case)["version"],
                                                  "on": "2026-11-13"})
    assert r.status_code == 302
    show = web.get(f"/case/show/{case}").get_data(as_text=True)
    assert "2026-11-13 至 2026-11-13 中止：鉴定、评估（不计入期限）" in show  # "not counted" said once
    assert "期间不计入" not in show
    assert "True" not in show and "None" not in show


def test_many_cases_with_suspensions_cost_the_same_queries_as_a_few(dapp, world, monkeypatch):
    """The engine is batch: suspensions are read in one query for all the cases of a page."""
    from sqlalchemy import event

    from app.extensions import db
    from app.lifecycle.deadlines import deadlines_for_cases
    from app.models import Case

    cases = [accepted(dapp, monkeypatch, world, D(2026, 11, 2)) for _ in range(3)]
    for case in cases[:2]:
        deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 13), reason="illness")

    def statements(ids):
        with dapp.test_request_context():  # plugin switches are read once per request
            rows = [db.session.get(Case, i) for i in ids]
            deadlines_for_cases(rows, on=D(2026, 11, 20))  # warm: settings, holidays
            seen = []
            listener = lambda *args: seen.append(1)  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                deadlines_for_cases(rows, on=D(2026, 11, 20))
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            return len(seen)

    assert statements(cases[:1]) == statements(cases)


def test_staff_who_cannot_see_the_case_cannot_suspend_it(dapp, world, monkeypatch):
    """The clerk works for another centre than the one the case was registered in: the API
    answers as if the case did not exist, and nothing is stored."""
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    before = _timeline_and_version(dapp, case)
    freeze(monkeypatch, D(2026, 11, 13))
    r = post_as_clerk(dapp, f"/api/v1/case/{case}/deadline/{PRE_FILING}/suspend",
                      {"version": before[1], "reason": "illness"})
    assert r.status_code == 404
    assert _timeline_and_version(dapp, case) == before


def post_as_clerk(app, url, body):
    from tests.deadline_steps_world import post

    return post(app, url, body, username="clerk")


def test_a_second_suspension_cannot_overlap_the_first(dapp, world, monkeypatch):
    """Suspended 13–16 November: a suspension entered later from the 15th would count the
    15th and 16th twice, so it is refused; one from the 16th is accepted."""
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 13), reason="illness")
    deadline_step(dapp, monkeypatch, case, PRE_FILING, "resume", D(2026, 11, 16))
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 20), reason="appraisal",
                      on="2026-11-15")
    assert r.status_code == 422
    assert "期限此前中止至2026-11-16：新的中止只能自该日或之后开始。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, case, PRE_FILING, "suspend", D(2026, 11, 20), reason="appraisal",
                      on="2026-11-16")
    assert r.status_code == 200, r.get_json()
    deadline_step(dapp, monkeypatch, case, PRE_FILING, "resume", D(2026, 11, 20))
    d = deadlines(dapp, case, on=D(2026, 11, 21))[PRE_FILING]
    assert d.suspended_for == 3 + 4 and d.due == D(2026, 12, 9)  # 2 December + 7 days, a Wednesday


def test_the_api_documents_the_steps_and_each_needs_the_case_version(dapp, world, monkeypatch):
    from tests.deadline_steps_world import headers, post

    document = dapp.test_client().get("/api/v1/_openapi", headers=headers(dapp)).get_json()
    for step in ("start", "suspend", "resume"):
        op = document["paths"][f"/api/v1/case/{{pk}}/deadline/{{rule}}/{step}"]["post"]
        schema = op["requestBody"]["content"]["application/json"]["schema"]
        assert "version" in schema["required"] and {"200", "404", "409", "422"} <= set(op["responses"])
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    freeze(monkeypatch, D(2026, 11, 13))
    r = post(dapp, f"/api/v1/case/{case}/deadline/{PRE_FILING}/suspend", {"reason": "illness"})
    assert r.status_code == 422 and "version" in r.get_json()["message"]
    stale = case_json(dapp, case)["version"] - 1
    r = post(dapp, f"/api/v1/case/{case}/deadline/{PRE_FILING}/suspend", {"reason": "illness", "version": stale})
    assert r.status_code == 409


def test_a_step_not_sent_as_a_json_object_or_on_no_visible_case_changes_nothing(dapp, world, monkeypatch):
    """The deadline steps answer like every case endpoint: a form body is 400 "send a JSON
    object" in Chinese; an id past the column's bound or of no case is 404."""
    from tests.deadline_steps_world import headers

    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
    before = _timeline_and_version(dapp, case)
    freeze(monkeypatch, D(2026, 11, 13))
    c = dapp.test_client()
    r = c.post(f"/api/v1/case/{case}/deadline/{PRE_FILING}/suspend", headers=headers(dapp),
               data={"version": str(before[1]), "reason": "illness"})
    assert r.status_code == 400 and "JSON" in r.get_json()["message"] and "Send" not in r.get_json()["message"]
    for pk in (2**31, 2**63, 99999999):
        r = c.post(f"/api/v1/case/{pk}/deadline/{PRE_FILING}/suspend", headers=headers(dapp),
                   json={"version": before[1], "reason": "illness"})
        assert r.status_code == 404, pk
    assert _timeline_and_version(dapp, case) == before


def deadline_links(page: str) -> set[str]:
    """The codes of the periods the case page offers a suspend-or-resume link for."""
    import re

    return set(re.findall(r'href="/case/\d+/deadline/([\w.]+)"', page))


def test_a_met_or_late_period_offers_no_suspend_or_resume_on_the_case_page(dapp, world, monkeypatch):
    """Once the applicant withdraws, the pre-filing period is over — met inside its 30 days,
    late after them — and there is nothing to suspend or resume on its page: the case page (in
    Chinese) links it no more. While it ran, or stood overdue, the link was there."""
    for withdrawn_on, before, status in ((D(2026, 11, 20), "进行中", "已完成"),
                                         (D(2026, 12, 10), ">逾期<", "逾期后结束")):
        case = accepted(dapp, monkeypatch, world, D(2026, 11, 2))
        freeze(monkeypatch, withdrawn_on)
        web = dapp.test_client()
        helpers.login(web, "admin")
        open_ = web.get(f"/case/show/{case}").get_data(as_text=True)
        assert before in open_ and PRE_FILING in deadline_links(open_) and "中止或恢复" in open_
        act(dapp, monkeypatch, case, ("withdraw", withdrawn_on))
        over = web.get(f"/case/show/{case}").get_data(as_text=True)
        assert status in over
        assert PRE_FILING not in deadline_links(over) and "中止或恢复" not in over
