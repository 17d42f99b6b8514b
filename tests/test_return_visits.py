"""Return visits: planned when the agreement takes effect, recorded on the web and the API;
an unperformed term raises a follow-up; My work lists what is due."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token
from tests import test_outcome
from tests.test_outcome import TERM_PAY, TERM_WAIVE, admin, api, day, new_case, refused, save, sign_all, timeline

# The outcome tests' app and places, shared rather than built twice.
oapp = test_outcome.oapp
world = test_outcome.world


def effective(app, places, terms=None, signed_on=None) -> int:
    """A case whose agreement (with ``terms``) took effect on ``signed_on``."""
    signed_on = signed_on or day(-2)
    case_id = new_case(app, places)
    save(app, case_id, drafted_on=signed_on, terms=terms)
    sign_all(app, case_id, [signed_on] * 3)
    return case_id


def visits(app, case_id) -> list:
    from app.extensions import db
    from app.models import ReturnVisit

    with app.app_context():
        rows = db.session.scalars(select(ReturnVisit).where(ReturnVisit.case_id == case_id)
                                  .order_by(ReturnVisit.scheduled_for, ReturnVisit.id)).all()
        return [(v.id, v.scheduled_for, v.done_on, v.follow_up) for v in rows]


def record(app, visit_id, **fields):
    from app.extensions import db
    from app.lifecycle.visits import record_visit
    from app.models import ReturnVisit

    values = {"done_on": day(0), "method": "phone", "terms_performed": True, "satisfaction": 5, "notes": ""}
    values.update(fields)
    with app.test_request_context("/?_l_=en"):
        visit = db.session.get(ReturnVisit, visit_id)
        follow_up = record_visit(visit, admin(), values["done_on"], values["method"], values["terms_performed"],
                                 values["satisfaction"], values["notes"], values.get("performed_term_ids", ()))
        return follow_up.scheduled_for if follow_up else None


def test_visits_are_planned_at_the_first_due_date_and_30_days_later(oapp, world):
    terms = [(TERM_PAY, "银行转账", day(40)), ("赔偿车辆维修费", "现金", day(12)), (TERM_WAIVE, "", None)]
    case_id = effective(oapp, world, terms)
    assert [v[1] for v in visits(oapp, case_id)] == [day(12), day(42)]
    assert timeline(oapp, case_id)[-1] == "visits_scheduled"


def test_without_due_dates_the_first_visit_follows_the_effect(oapp, world):
    case_id = effective(oapp, world, [(TERM_WAIVE, "", None)], signed_on=day(-3))
    assert [v[1] for v in visits(oapp, case_id)] == [day(4), day(34)]


def test_a_term_due_before_the_effect_is_visited_from_the_effect_on(oapp, world):
    case_id = new_case(oapp, world)
    save(oapp, case_id, drafted_on=day(-9), terms=[(TERM_PAY, "现金", day(-8))])
    sign_all(oapp, case_id, [day(-5)] * 3)
    assert [v[1] for v in visits(oapp, case_id)] == [day(-5), day(25)]


def test_an_unperformed_term_raises_a_follow_up_visit(oapp, world):
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of
    from app.models import Case

    case_id = effective(oapp, world, [(TERM_PAY, "银行转账", day(-1)), (TERM_WAIVE, "", None)], signed_on=day(-3))
    with oapp.app_context():
        term_ids = [t.id for t in agreement_of(db.session.get(Case, case_id)).terms]
    first = visits(oapp, case_id)[0][0]
    assert record(oapp, first, terms_performed=False, satisfaction=2, notes="被申请人尚未付款",
                  performed_term_ids=[term_ids[1]]) == day(7)
    rows = visits(oapp, case_id)
    assert (rows[0][2], rows[0][3]) == (day(0), True)  # done, with a follow-up raised
    assert [r[1] for r in rows] == [day(-1), day(7), day(29)]
    assert timeline(oapp, case_id)[-2:] == ["visit_recorded", "follow_up_raised"]
    with oapp.app_context():
        performed = [t.performed_on for t in agreement_of(db.session.get(Case, case_id)).terms]
    assert performed == [None, day(0)]
    assert "already recorded" in refused(lambda: record(oapp, first))


@pytest.mark.parametrize("satisfaction", [0, 6, -1, "5", True, 2.5])
def test_satisfaction_outside_1_to_5_is_refused(oapp, world, satisfaction):
    case_id = effective(oapp, world)
    first = visits(oapp, case_id)[0][0]
    assert "from 1 to 5" in refused(lambda: record(oapp, first, satisfaction=satisfaction))
    assert visits(oapp, case_id)[0][2] is None  # nothing recorded


def test_a_visit_is_checked(oapp, world):
    case_id = effective(oapp, world, signed_on=day(-3))
    first = visits(oapp, case_id)[0][0]
    assert "before it happens" in refused(lambda: record(oapp, first, done_on=day(1)))
    assert "after the agreement took effect" in refused(lambda: record(oapp, first, done_on=day(-4)))
    assert "how the parties were reached" in refused(lambda: record(oapp, first, method="pigeon"))
    assert "whether the terms are being kept" in refused(lambda: record(oapp, first, terms_performed=None))
    assert "not in this agreement" in refused(lambda: record(oapp, first, performed_term_ids=[999999]))
    assert record(oapp, first, satisfaction=None) is None  # a party may decline to rate


def test_due_visits_lists_what_is_due(oapp, world):
    from app.lifecycle.visits import due_visits

    due_now = effective(oapp, world, [(TERM_PAY, "现金", day(-1))], signed_on=day(-2))
    later = effective(oapp, world, [(TERM_PAY, "现金", day(10))])
    done = effective(oapp, world, [(TERM_PAY, "现金", day(-1))], signed_on=day(-2))
    record(oapp, visits(oapp, done)[0][0])
    with oapp.app_context():
        assert [(v.case_id, v.scheduled_for) for v, _case in due_visits(day(0))] == [(due_now, day(-1))]
        assert [c.id for _v, c in due_visits(day(10))] == [due_now, later]
        assert [c.id for _v, c in due_visits(day(10), case_ids=[later])] == [later]
        assert due_visits(day(-5)) == []


def test_visits_on_the_web_and_the_api(oapp, world):
    case_id = effective(oapp, world, [(TERM_PAY, "银行转账", day(-1))], signed_on=day(-2))
    other = effective(oapp, world)
    first, second = [v[0] for v in visits(oapp, case_id)]
    c = oapp.test_client()
    helpers.login(c, "admin")
    c.get("/lang/en")
    page = c.get(f"/case/{case_id}/visits/{first}").get_data(as_text=True)
    assert TERM_PAY in page
    form = {"csrf_token": csrf_token(page), "done_on": day(0).isoformat(), "method": "visit", "terms_performed": "no"}
    r = c.post(f"/case/{case_id}/visits/{first}", data={**form, "satisfaction": "9"})
    assert r.status_code == 422 and "from 1 to 5" in r.get_data(as_text=True)
    r = c.post(f"/case/{case_id}/visits/{first}", data={**form, "satisfaction": "3"})
    assert r.status_code == 302
    assert c.get(f"/case/{other}/visits/{first}").status_code == 404  # a visit of another case
    assert timeline(oapp, case_id)[-1] == "follow_up_raised"
    bad = api(oapp, f"/api/v1/case/{case_id}/visits/{second}?_l_=en",
              {"done_on": day(0).isoformat(), "method": "phone", "terms_performed": True, "satisfaction": 0})
    assert bad.status_code == 422 and "from 1 to 5" in bad.get_json()["message"]["visit"][0]
    r = api(oapp, f"/api/v1/case/{case_id}/visits/{second}",
            {"done_on": day(0).isoformat(), "method": "phone", "terms_performed": True, "satisfaction": 5})
    assert r.status_code == 200 and r.get_json()["follow_up"] is False
    assert api(oapp, f"/api/v1/case/{other}/visits/{second}", {}).status_code == 404
    assert api(oapp, f"/api/v1/case/{case_id}/visits/{second}", {"performed_term_ids": "x"}).status_code == 400
