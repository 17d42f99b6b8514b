"""A traffic dispute from registration to closure in zh_CN, by the people who handle it: the
street centre's clerk registers it, records consent and screening and offers it; the mediator
accepts it from My work, books 15:00, records the session, drafts the agreement and records
the signatures; the court's filing clerk finds the confirmation application on My work and
records acceptance and ruling; the clerk records the return visit and closes the case."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.e2e.case_steps import (
    APPLICANT, RESPONDENT, act, accept_offer_from_my_work, appointment_rows, apply_for_confirmation,
    book_appointment, cancel_remaining_visits, china_now, offer_to, open_case, record_consent,
    record_court_decision, record_first_visit,
    record_session_of, register_traffic_case, save_agreement, sign_all, wait_until)
from tests.e2e.staff import COMMITTEE, MEDIATOR_NAME, sign_in

pytestmark = pytest.mark.e2e

ROOM, SECOND_ROOM = "香洲街道综治中心调解室", "香洲街道综治中心第二调解室"
AFFILIATION = COMMITTEE


def fifteen_hundred() -> dt.datetime:
    """15:00 today in Shanwei, or tomorrow once today's is too close to book."""
    now = china_now()
    day = now.date() if now.hour < 14 else now.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(15, 0))


def test_traffic_case_from_registration_to_closure(person, staff):
    clerk = person("clerk")
    sign_in(clerk, staff["clerk"])
    case_id = register_traffic_case(clerk)
    assert APPLICANT in clerk.text("body") and RESPONDENT in clerk.text("body")
    record_consent(clerk, case_id)
    act(clerk, case_id, "start_screening")
    act(clerk, case_id, "accept_mediation")
    offer_to(clerk, case_id, MEDIATOR_NAME)

    assert staff["mediator"] is not None, "the pool mediator was given no login"
    mediator = person("mediator")
    sign_in(mediator, staff["mediator"])
    accept_offer_from_my_work(mediator, case_id)

    at_three = fifteen_hundred()
    book_appointment(mediator, case_id, at_three, ROOM)
    booked = [r for r in appointment_rows(mediator, case_id) if ROOM in r]
    assert booked and f"{at_three:%Y-%m-%d} 15:00" in booked[0], booked
    # a session is recorded once held: the parties come to the second room in a minute
    soon = china_now() + dt.timedelta(minutes=2)
    book_appointment(mediator, case_id, soon, SECOND_ROOM)
    wait_until(soon)
    record_session_of(mediator, case_id, SECOND_ROOM)

    today = china_now().date()
    terms = [(f"被申请人{RESPONDENT}赔偿申请人{APPLICANT}医疗费人民币12500.50元", "银行转账", today + dt.timedelta(days=15)),
             (f"被申请人{RESPONDENT}赔偿申请人{APPLICANT}车辆维修费人民币6800.00元", "银行转账", today + dt.timedelta(days=45))]
    save_agreement(mediator, case_id, terms, AFFILIATION, MEDIATOR_NAME)
    open_case(mediator, case_id)
    assert "已达成调解协议" in mediator.text("body") and "共2项协议条款" in mediator.text("body")
    assert sign_all(mediator, case_id, today) == [APPLICANT, RESPONDENT, MEDIATOR_NAME]

    apply_for_confirmation(clerk, case_id, today)
    court = person("court clerk")
    sign_in(court, staff["court_clerk"])
    court.goto("/mywork/")
    assert court.page.locator(f"[data-case='{case_id}']").count(), \
        "the confirmation application is not on the court clerk's My work"
    court.click(f"[data-case='{case_id}'] a")
    record_court_decision(court, case_id, today)

    act(clerk, case_id, "start_performance")
    record_first_visit(clerk, case_id, today)
    cancel_remaining_visits(clerk, case_id, "款项已一次付清，双方同意不再回访")  # a planned visit blocks closing
    act(clerk, case_id, "close", note="协议已履行完毕，回访满意，结案")
    assert "已结案" in clerk.text("body")
