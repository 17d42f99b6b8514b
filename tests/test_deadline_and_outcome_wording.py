"""What the browser walk of deadlines and outcomes found, kept fixed: the traffic application
window is met once the police took up the application; an oral agreement's page speaks of
assent, not signatures; the deadline pages word lengths, suspensions, start events and the
breadcrumb as a Chinese court page does. Through the API and the pages, in Chinese."""
from __future__ import annotations

import datetime as dt
import re

from tests import helpers
from tests.deadline_steps_world import deadline_step, freeze
from tests.test_deadline_rules_suspension import accepted
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)
from tests.test_outcome import api, case_version, new_case

D = dt.date
APPLICATION = "traffic.police_mediation_application"
POLICE = "traffic.police_mediation_period"
MEDICAL = "medical.mediation_period"


def row_of(page: str, code: str) -> str:
    """The deadline table's row of ``code``, whitespace collapsed."""
    start = page.find(f'data-code="{code}"')
    assert start >= 0, f"no row {code}"
    return re.sub(r"\s+", " ", page[start:page.find("</tr>", start)])


def signed_in(app):
    web = app.test_client()
    helpers.login(web, "admin")
    return web


# -- 1. the traffic application window ----------------------------------------------------------
def test_the_joint_application_is_met_on_the_day_the_police_took_it_up(dapp, world, monkeypatch):
    """domain-rules.md, traffic row: "joint written application within **10 days** of the
    accident determination" (道路交通安全法实施条例 第94条). Determination received 25 September:
    day 10 is 5 October, National Day, so the window ends Thursday 8 October (Civil Code
    art. 203). The police took up the application on 30 September: the window is met then,
    whatever happens afterwards, and the police's own period takes over."""
    went = register(dapp, world, "traffic", intake={"determination_date": "2026-09-25",
                                                    "police_mediation_on": "2026-09-30", "injured_count": 1})
    never = register(dapp, world, "traffic", intake={"determination_date": "2026-09-25"})
    met = deadlines(dapp, went, on=D(2026, 10, 20))[APPLICATION]
    assert (met.starts_on, met.due, met.status, met.days_left) == (D(2026, 9, 25), D(2026, 10, 8), "met", None)
    assert deadlines(dapp, never, on=D(2026, 10, 20))[APPLICATION].status == "overdue"

    freeze(monkeypatch, D(2026, 10, 20))
    web = signed_in(dapp)
    shown = row_of(web.get(f"/case/show/{went}").get_data(as_text=True), APPLICATION)
    assert "已完成" in shown and "逾期" not in shown and "label-success" in shown, shown
    assert "逾期" in row_of(web.get(f"/case/show/{never}").get_data(as_text=True), APPLICATION)


def test_an_application_taken_up_after_the_window_ended_late(dapp, world):
    """Taken up on 9 October, the day after the window's last day: ended, but late."""
    case = register(dapp, world, "traffic", intake={"determination_date": "2026-09-25",
                                                    "police_mediation_on": "2026-10-09"})
    assert deadlines(dapp, case, on=D(2026, 10, 20))[APPLICATION].status == "late"


# -- 2. the oral agreement's page ----------------------------------------------------------------
def test_an_oral_agreement_page_speaks_of_assent_not_signatures(dapp, world):
    """People's Mediation Law art. 28: an oral agreement is recorded by the mediator with the
    parties' assent; nobody signs, so the page must not say someone signed."""
    from app.extensions import db
    from app.models import Case

    case_id = new_case(dapp, world)
    with dapp.app_context():
        ids = [p.id for p in db.session.get(Case, case_id).parties if p.role in ("applicant", "respondent")]
    r = api(dapp, f"/api/v1/case/{case_id}/agreement/oral",
            {"committee": "香洲街道人民调解委员会", "mediator_name": "陈调解", "agreed_on": "2026-11-02",
             "terms": [{"text": "被申请人当场支付申请人修车费人民币800元", "manner": "现金", "kind": "money"}],
             "assent": ids, "version": case_version(dapp, case_id)})
    assert r.status_code == 200, r.get_json()
    page = signed_in(dapp).get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "已有人签署" not in page and "签署人" not in page
    recorded = page.split('id="oral-recorded"')[1].split("</p>")[0]
    assert "2026-11-02" in recorded and "口头协议" in recorded and "同意" in recorded
    table = page.split('id="signatures"')[1].split("</table>")[0]
    assert "口头同意" in table and "记录日期" in table and "签署" not in table


# -- 3.–5. the deadline table and the period's page ------------------------------------------------
def test_a_length_reads_in_full_width_brackets_and_a_suspension_says_not_counted_once(dapp, world, monkeypatch):
    """A medical period (30 working days) reads （30个工作日）; a finished suspension for an
    appraisal says "not counted" once. In English, half-width brackets and once too."""
    case = accepted(dapp, monkeypatch, world, D(2026, 11, 2), code="medical", appraisal_needed=True,
                    appraisal_status="not_started", appraisal_applied_on="", appraisal_done_on="")
    r = deadline_step(dapp, monkeypatch, case, MEDICAL, "suspend", D(2026, 11, 3), reason="appraisal")
    assert r.status_code == 200, r.get_json()
    r = deadline_step(dapp, monkeypatch, case, MEDICAL, "resume", D(2026, 11, 5))
    assert r.status_code == 200, r.get_json()
    web = signed_in(dapp)
    shown = row_of(web.get(f"/case/show/{case}").get_data(as_text=True), MEDICAL)
    assert "（30个工作日）" in shown and "(30" not in shown
    assert "2026-11-03 至 2026-11-05 中止：鉴定、评估（不计入期限）" in shown
    assert shown.count("（不计入期限）") == 1 and "期间不计入" not in shown
    english = row_of(web.get(f"/case/show/{case}?_l_=en").get_data(as_text=True), MEDICAL)
    assert "(30 working days)" in english
    assert "2026-11-03 – 2026-11-05: Appraisal or assessment (not counted)" in english
    assert "its time is not counted" not in english


def test_the_start_event_field_says_date_of_and_the_breadcrumb_leads_to_the_case(dapp, world, monkeypatch):
    """Injured in a traffic accident: the police period waits for the end of treatment, and the
    field to record it is the date of that event; the breadcrumb names the case and links it."""
    case = register(dapp, world, "traffic", intake={"determination_date": "2026-09-25",
                                                    "police_mediation_on": "2026-09-26", "injured_count": 1,
                                                    "death_count": 0, "disability_rating": "none"})
    freeze(monkeypatch, D(2026, 9, 28))
    web = signed_in(dapp)
    page = web.get(f"/case/{case}/deadline/{POLICE}").get_data(as_text=True)
    label = re.search(r'<label class="control-label" for="deadline-at">([^<]*)</label>', page).group(1)
    assert label == "治疗终结日期"
    crumbs = page.split('class="jf-breadcrumb"')[1].split("</ol>")[0]
    with dapp.app_context():
        from app.extensions import db
        from app.models import Case

        case_no = db.session.get(Case, case).case_no
    assert f'<a href="/case/show/{case}">{case_no}</a>' in crumbs and "交警调解期限" in crumbs
    english = web.get(f"/case/{case}/deadline/{POLICE}?_l_=en").get_data(as_text=True)
    assert "Date of the end of treatment" in english


def test_a_rule_met_on_an_undeclared_intake_field_stops_start_up(database, tmp_path):
    """``met_on`` names a date field of the type's intake, checked like ``starts_from``."""
    from dataclasses import replace

    from tests.test_plugin_declarations import GOOD_RULE, LandPlugin, refused_start_up

    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, met_on="intake.decided")))
    assert "deadline 'land.period': met_on 'intake.decided'" in message
