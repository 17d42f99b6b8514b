"""The judicial-confirmation windows are counted once, by the deadline engine's counting, from
the day the agreement took effect — on the confirmation page, in the checks of an application
and of the court's acceptance, and in the case's deadlines alike. A period that finishes while
suspended is not late. Through the pages and the API, with the clock frozen on each step's day.

Expected dates are counted by hand from the State Council's 2026 notice (National Day off
1–7 October; Saturday 10 October is a make-up working day).
"""
from __future__ import annotations

import datetime as dt

import lxml.html

from tests import helpers
from tests.deadline_steps_world import act, case_json, deadline_step, freeze, post
from tests.fixtures import csrf_token
from tests.test_agreement_terms import agree, sign_all
from tests.test_deadline_rules_court_entrusted import mediator, offer_and_accept  # noqa: F401 (fixture)
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)
from tests.test_outcome import api, case_version, new_case
from tests.untranslated import untranslated_in

D = dt.date
SUPPORT = "被申请人黄丽娟自2026年12月起每月10日前支付婚生子女林小雨抚养费人民币1500元，至子女年满十八周岁时止"
APPLICATION, ACCEPTANCE, PRE_FILING = "core.confirmation_application", "core.confirmation_acceptance", \
    "core.pre_filing_mediation"


def in_effect(app, monkeypatch, places, signed_on: dt.date, entered_on: dt.date) -> int:
    """A family case whose agreement every signer signed on ``signed_on``, the signatures
    entered through the API on ``entered_on``."""
    freeze(monkeypatch, entered_on)
    case_id = new_case(app, places, "family")  # its sample intake has no dates after 2026-09-01
    sign_all(app, case_id, agree(app, case_id, [{"text": SUPPORT, "kind": "support"}], signed_on, "family"),
             signed_on)
    return case_id


def confirmation_page(app, case_id):
    """The confirmation page in Chinese (the default language), as the admin sees it."""
    c = app.test_client()
    helpers.login(c, "admin")
    return c, c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)


def apply_on_the_page(app, case_id, applied_on: dt.date):
    """The joint application made on the confirmation page (Chinese)."""
    c, page = confirmation_page(app, case_id)
    return c.post(f"/case/{case_id}/confirmation", data={
        "csrf_token": csrf_token(page), "step": "apply", "applied_on": applied_on.isoformat(),
        "version": case_version(app, case_id)})


def window_text(page: str) -> str:
    return lxml.html.fromstring(page).get_element_by_id("confirmation-window").text_content()


def test_an_application_on_8_october_is_in_time_when_day_30_is_national_day(dapp, world, monkeypatch):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)": the parties apply jointly within
    30 days after the agreement takes effect; "Counting periods": a last day that is a statutory
    holiday moves to the first working day after it (Civil Code art. 203). In effect 1 September
    2026: day 30 is 1 October, National Day, so the last day is Thursday 8 October — on the page,
    in the check of the application and in the case's deadlines alike."""
    case_id = in_effect(dapp, monkeypatch, world, D(2026, 9, 1), D(2026, 9, 1))
    freeze(monkeypatch, D(2026, 10, 8))
    _c, page = confirmation_page(dapp, case_id)
    assert "最后一日为2026-10-08" in window_text(page)
    assert deadlines(dapp, case_id, on=D(2026, 10, 8))[APPLICATION].due == D(2026, 10, 8)
    r = apply_on_the_page(dapp, case_id, D(2026, 10, 8))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert case_json(dapp, case_id)["status"] == "judicial_confirmation"
    assert deadlines(dapp, case_id, on=D(2026, 10, 9))[APPLICATION].status == "met"


def test_an_application_on_9_october_is_refused_naming_8_october_in_chinese(dapp, world, monkeypatch):
    """domain-rules.md rule 5 and "Counting periods" (art. 203), as above: on 9 October the
    window has closed; the refusal names its last day, 8 October, in Chinese."""
    case_id = in_effect(dapp, monkeypatch, world, D(2026, 9, 1), D(2026, 9, 1))
    freeze(monkeypatch, D(2026, 10, 9))
    r = apply_on_the_page(dapp, case_id, D(2026, 10, 9))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "已超过申请期限" in html and "最后一日为2026-10-08" in html and "2026-10-01" not in html
    assert untranslated_in(html) == []
    assert case_json(dapp, case_id)["status"] == "agreement_reached"


def test_the_courts_3_days_from_30_september_end_on_8_october(dapp, world, monkeypatch):
    """domain-rules.md rule 5 "Judicial confirmation (司法确认)": the court decides to accept
    within 3 days; "Counting periods" (art. 203): applied 30 September, day 3 is 3 October,
    National Day, so the court is in time up to Thursday 8 October. Accepted on the 8th: no
    warning; on the 9th: a warning (in Chinese) naming the 8th, the engine's due day."""
    timely = in_effect(dapp, monkeypatch, world, D(2026, 9, 1), D(2026, 9, 1))
    late = in_effect(dapp, monkeypatch, world, D(2026, 9, 1), D(2026, 9, 1))
    freeze(monkeypatch, D(2026, 9, 30))
    for case_id in (timely, late):
        r = api(dapp, f"/api/v1/case/{case_id}/confirmation", {"applied_on": "2026-09-30",
                                                               "version": case_version(dapp, case_id)})
        assert r.status_code == 200, r.get_json()
    assert deadlines(dapp, timely, on=D(2026, 10, 2))[ACCEPTANCE].due == D(2026, 10, 8)
    freeze(monkeypatch, D(2026, 10, 12))
    answers = {}
    for case_id, accepted_on in ((timely, "2026-10-08"), (late, "2026-10-09")):
        r = api(dapp, f"/api/v1/case/{case_id}/confirmation?_l_=zh",
                {"result": "pending", "accepted_on": accepted_on, "version": case_version(dapp, case_id)})
        assert r.status_code == 200, r.get_json()
        answers[case_id] = r.get_json()["warning"]
    assert answers[timely] is None
    assert "已超过3日的受理期限" in answers[late] and "最后一日为2026-10-08" in answers[late]
    assert deadlines(dapp, late, on=D(2026, 10, 12))[ACCEPTANCE].status == "late"
    assert deadlines(dapp, timely, on=D(2026, 10, 12))[ACCEPTANCE].status == "met"


def test_the_30_days_run_from_the_day_signed_not_the_day_the_signatures_were_entered(dapp, world, monkeypatch):
    """domain-rules.md rule 5: 30 days "after the mediation agreement takes effect"; "Counting
    periods": each period has one start event, never "when the record happened to be created".
    Signed by everyone on Monday 2 November 2026, the signatures entered on 6 December: the window
    ended Wednesday 2 December, in the case's deadlines and on the confirmation page alike."""
    case_id = in_effect(dapp, monkeypatch, world, D(2026, 11, 2), D(2026, 12, 6))
    window = deadlines(dapp, case_id, on=D(2026, 12, 6))[APPLICATION]
    assert (window.starts_on, window.due, window.status) == (D(2026, 11, 2), D(2026, 12, 2), "overdue")
    _c, page = confirmation_page(dapp, case_id)
    assert "2026-11-02" in window_text(page) and "最后一日为2026-12-02" in window_text(page)


def test_a_period_that_finishes_while_suspended_is_met_not_late(dapp, world, mediator, monkeypatch):
    """domain-rules.md rule 8 (pre-filing mediation, 30 days) and "Counting periods": a
    suspended period's time is not counted until it resumes. Accepted Monday 2 November 2026
    (30 days end 2 December), suspended on the 13th for a party's illness and never resumed;
    the parties reach agreement on 10 December: the suspension lasted until then, so the
    period was met, not "ended after the due day"."""
    freeze(monkeypatch, D(2026, 11, 2), 9)
    case_id = register(dapp, world, "family")
    act(dapp, monkeypatch, case_id, ("start_screening", D(2026, 11, 2)), ("accept_mediation", D(2026, 11, 2)))
    r = deadline_step(dapp, monkeypatch, case_id, PRE_FILING, "suspend", D(2026, 11, 13), reason="illness",
                      note="申请人住院")
    assert r.status_code == 200, r.get_json()
    offer_and_accept(dapp, monkeypatch, case_id, mediator, D(2026, 11, 16), D(2026, 11, 16))
    freeze(monkeypatch, D(2026, 11, 17))
    r = post(dapp, f"/api/v1/case/{case_id}/appointments", {
        "starts_at": "2026-12-10T09:00:00+08:00", "mode": "offline", "place": "香洲街道综治中心调解室",
        "participants": ["林晓明", "黄丽娟", "陈海燕"], "version": case_json(dapp, case_id)["version"]})
    assert r.status_code == 201, r.get_json()
    freeze(monkeypatch, D(2026, 12, 10), 12)
    r = post(dapp, f"/api/v1/case/{case_id}/sessions", {
        "held_at": "2026-12-10T09:00:00+08:00", "mode": "offline", "minutes": "双方到场，同意调解。",
        "appointment_id": r.get_json()["id"]})
    assert r.status_code == 201 and r.get_json()["status"] == "in_mediation", r.get_json()
    freeze(monkeypatch, D(2026, 12, 10), 15)
    r = post(dapp, f"/api/v1/case/{case_id}/agreement",
             {"template_code": "family", "committee": "香洲街道人民调解委员会", "mediator_name": "陈海燕",
              "drafted_on": "2026-12-10", "version": case_json(dapp, case_id)["version"],
              "terms": [{"text": SUPPORT, "kind": "support"}]})
    assert r.status_code == 200 and r.get_json()["status"] == "agreement_reached", r.get_json()
    period = deadlines(dapp, case_id, on=D(2026, 12, 11))[PRE_FILING]
    assert period.status == "met"
    assert [(s.since, s.until) for s in period.suspensions] == [(D(2026, 11, 13), D(2026, 12, 10))]
