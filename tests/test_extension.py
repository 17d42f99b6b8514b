"""Extending a mediation period when both parties agree (domain rules 7 and 8)."""
from __future__ import annotations

import datetime as dt

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_deadlines import dapp, deadlines, register, walk, world  # noqa: F401 (fixtures)


def court_today(app) -> dt.date:
    from app.services.settings import today

    with app.app_context():
        return today()


def api(app):
    token = helpers.api_token(app.test_client(), "admin")
    return app.test_client(), {"Authorization": f"Bearer {token}"}


def parties(app, case_id) -> dict:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return {p.role: p.id for p in db.session.get(Case, case_id).parties}


def agree(app, case_id, *roles):
    client, headers = api(app)
    ids = parties(app, case_id)
    r = client.post(f"/api/v1/case/{case_id}/consent", headers=headers,
                    json={"subject": "extension", "channel": "window", "decisions": {str(ids[r]): "given" for r in roles}})
    assert r.status_code == 201, r.get_json()


def case_version(app, case_id) -> int:
    """The version a user reading the case now would send."""
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).version


def extend(app, case_id, **body):
    client, headers = api(app)
    body.setdefault("version", case_version(app, case_id))
    return client.post(f"/api/v1/case/{case_id}/extension?_l_=en", headers=headers, json=body)


def test_pre_filing_period_is_extended_once_both_parties_agree(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "family")
    walk(dapp, case, ("start_screening", today - dt.timedelta(days=3)), ("accept_mediation", today - dt.timedelta(days=3)))
    before = deadlines(dapp, case)["core.pre_filing_mediation"]
    client, headers = api(dapp)
    terms = client.get(f"/api/v1/case/{case}/extension", headers=headers).get_json()["result"]
    assert terms["possible"] is False and len(terms["waiting_for"]) == 2 and terms["max_days"] == 30

    agree(dapp, case, "applicant")
    r = extend(dapp, case, days=20, note="双方同意延长调解期限")
    assert r.status_code == 422 and "Both parties must agree" in str(r.get_json())
    assert deadlines(dapp, case)["core.pre_filing_mediation"].due == before.due  # nothing stored

    agree(dapp, case, "respondent")
    assert extend(dapp, case, days=31).status_code == 422  # beyond the setting's 30 days
    r = extend(dapp, case, days=20, note="双方同意延长调解期限")
    assert r.status_code == 200, r.get_json()
    after = deadlines(dapp, case)["core.pre_filing_mediation"]
    assert after.due == last_day(dapp, after.starts_on, 30 + 20) and (after.length, after.extended_by) == (30, 20)

    # another extension needs the parties' fresh agreement
    r = extend(dapp, case, days=10)
    assert r.status_code == 422 and "Both parties must agree" in str(r.get_json())
    agree(dapp, case, "applicant", "respondent")
    assert extend(dapp, case, days=10).status_code == 200
    assert deadlines(dapp, case)["core.pre_filing_mediation"].extended_by == 30


def last_day(app, start: dt.date, days: int) -> dt.date:
    """Day ``days`` after ``start``, or the first working day after it when it is a day off:
    the extended period ends there (Civil Code art. 203; app/services/holidays.py)."""
    from app.services.holidays import HolidayCalendar

    with app.app_context():
        return HolidayCalendar().next_workday(start + dt.timedelta(days=days))[0]


def test_court_entrusted_mediation_gains_thirty_days_once(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "traffic", track="court_entrusted", procedure="simplified")
    walk(dapp, case, ("start_screening", today - dt.timedelta(days=2)), ("accept_mediation", today - dt.timedelta(days=2)),
         ("assign", today - dt.timedelta(days=2)), ("accept_offer", today - dt.timedelta(days=2)))
    before = deadlines(dapp, case)["core.court_mediation"]
    assert before.length == 7
    agree(dapp, case, "applicant", "respondent")
    r = extend(dapp, case, days=3)  # the law fixes the length: the days asked for do not matter
    assert r.status_code == 200, r.get_json()
    after = deadlines(dapp, case)["core.court_mediation"]
    assert after.due == last_day(dapp, after.starts_on, 7 + 30) and after.extended_by == 30
    agree(dapp, case, "applicant", "respondent")
    r = extend(dapp, case)
    assert r.status_code == 422 and "only once" in str(r.get_json())


def test_a_court_entrusted_case_of_a_type_with_its_own_pre_filing_period_extends_the_court_period(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "medical", track="court_entrusted", procedure="ordinary")
    walk(dapp, case, ("start_screening", today - dt.timedelta(days=2)), ("accept_mediation", today - dt.timedelta(days=2)),
         ("assign", today - dt.timedelta(days=2)), ("accept_offer", today - dt.timedelta(days=2)))
    found = deadlines(dapp, case)
    assert "medical.mediation_period" not in found  # the court track counts the court's period only
    agree(dapp, case, "applicant", "respondent")
    r = extend(dapp, case)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["result"]["rule"] == "core.court_mediation" and r.get_json()["result"]["possible"] is False
    assert deadlines(dapp, case)["core.court_mediation"].extended_by == 30


def test_agreement_given_before_the_period_started_does_not_count(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "family")
    agree(dapp, case, "applicant", "respondent")  # recorded now, then the period is dated to start later
    walk(dapp, case, ("start_screening", today), ("accept_mediation", today))
    from app.extensions import db
    from app.models import Consent

    with dapp.app_context():  # the agreement was in fact given the day before the period began
        for row in db.session.query(Consent).filter_by(case_id=case, subject="extension"):
            row.at = row.at - dt.timedelta(days=2)
        db.session.commit()
    r = extend(dapp, case, days=5)
    assert r.status_code == 422 and "Both parties must agree" in str(r.get_json())


def test_an_expired_period_is_not_extended(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "family")
    walk(dapp, case, ("start_screening", today - dt.timedelta(days=40)), ("accept_mediation", today - dt.timedelta(days=40)))
    agree(dapp, case, "applicant", "respondent")
    r = extend(dapp, case, days=10)
    assert r.status_code == 422 and "ran out" in str(r.get_json())
    assert deadlines(dapp, case)["core.pre_filing_mediation"].status == "overdue"


def test_the_clerk_extends_on_the_web_and_sees_it_on_the_case(dapp, world):
    today = court_today(dapp)
    case = register(dapp, world, "family")
    walk(dapp, case, ("start_screening", today - dt.timedelta(days=3)), ("accept_mediation", today - dt.timedelta(days=3)))
    browser = dapp.test_client()
    helpers.login(browser, "admin")
    show = browser.get(f"/case/show/{case}?_l_=en").get_data(as_text=True)
    assert f"/case/{case}/extension" in show
    page = browser.get(f"/case/{case}/extension?_l_=en").get_data(as_text=True)
    assert "Not recorded yet for" in page and f"/case/{case}/consent?subject=extension" in page
    consent = browser.get(f"/case/{case}/consent?subject=extension").get_data(as_text=True)
    assert '<option selected value="extension">' in consent or 'value="extension" selected' in consent
    agree(dapp, case, "applicant", "respondent")
    page = browser.get(f"/case/{case}/extension?_l_=en").get_data(as_text=True)
    r = browser.post(f"/case/{case}/extension?_l_=en", data={"csrf_token": csrf_token(page), "days": "abc",
                                                             "note": "电话确认双方同意",
                                                             "version": case_version(dapp, case)})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Extend by 1 to 30 days." in html and "电话确认双方同意" in html
    r = browser.post(f"/case/{case}/extension", data={"csrf_token": csrf_token(page), "days": "15",
                                                     "note": "电话确认双方同意", "version": case_version(dapp, case)})
    assert r.status_code == 302
    show = browser.get(f"/case/show/{case}?_l_=en").get_data(as_text=True)
    assert "extended by 15 days by agreement" in show and "Mediation period extended by 15 days" in show
