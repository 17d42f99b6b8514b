"""Every write that changes a case needs the version the writer read (issue 11, finding 7):
without it the API answers 422 naming ``version`` and nothing changes; a stale one is 409."""
from __future__ import annotations

import datetime as dt

import pytest

from tests import helpers
from tests.fixtures import csrf_token

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
# Every lifecycle POST on a case that has a stale check, with a body that is otherwise complete.
WRITES = {
    "transition": {"action": "start_screening"},
    "assign": {"mediator_ids": []},
    "appointments": {"starts_at": f"{TOMORROW}T10:00", "mode": "offline", "place": "调解室"},
    "agreement": {"template_code": "compensation", "committee": "香洲街道人民调解委员会", "mediator_name": "陈调解",
                  "terms": [{"text": "赔偿医疗费", "manner": "银行转账", "due": TOMORROW}]},
    "agreement/signatures/1": {"signed_on": TOMORROW, "method": "seal"},
    "confirmation": {"applied_on": TOMORROW},
    "extension": {"days": 15, "note": "双方同意"},
    "responsible": {"user_id": 1},
}


def new_case(app, places):
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    return r.get_json()["id"]


def snapshot(app, case_id):
    """The case's version and state, and how many timeline entries it has."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Case, TimelineEvent

    with app.app_context():
        case = db.session.get(Case, case_id)
        entries = db.session.scalar(select(func.count(TimelineEvent.id)).where(TimelineEvent.case_id == case_id))
        return case.version, case.status, entries


def post(app, case_id, endpoint, body):
    token = helpers.api_token(app.test_client(), "admin")
    return app.test_client().post(f"/api/v1/case/{case_id}/{endpoint}?_l_=en", json=body,
                                  headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("endpoint", sorted(WRITES))
def test_a_lifecycle_post_without_version_is_refused_and_changes_nothing(app, places, endpoint):
    case_id = new_case(app, places)
    before = snapshot(app, case_id)
    for body in (WRITES[endpoint], {**WRITES[endpoint], "version": None}, {**WRITES[endpoint], "version": ""}):
        r = post(app, case_id, endpoint, body)
        assert r.status_code == 422, (endpoint, r.get_json())
        assert "version" in r.get_json()["message"]
    assert snapshot(app, case_id) == before


def test_a_case_out_of_sight_stays_missing_without_version(app, places):
    case_id = new_case(app, places)  # registered by the administrator: not the clerk's
    token = helpers.api_token(app.test_client(), "clerk")
    r = app.test_client().post(f"/api/v1/case/{case_id}/transition", json={"action": "start_screening"},
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404


@pytest.mark.parametrize("endpoint", ["transition", "responsible"])
def test_a_stale_version_is_refused(app, places, endpoint):
    case_id = new_case(app, places)
    version, *_ = before = snapshot(app, case_id)
    r = post(app, case_id, endpoint, {**WRITES[endpoint], "version": version - 1})
    assert r.status_code == 409, r.get_json()
    assert snapshot(app, case_id) == before


def test_the_right_version_moves_the_case(app, places):
    case_id = new_case(app, places)
    version, *_ = snapshot(app, case_id)
    r = post(app, case_id, "transition", {"action": "start_screening", "version": version})
    assert r.status_code == 200 and r.get_json()["status"] == "screening"


def test_a_web_form_without_version_changes_nothing(app, admin_client, places):
    case_id = new_case(app, places)
    before = snapshot(app, case_id)
    admin_client.get("/lang/en")
    page = admin_client.get(f"/case/{case_id}/do/withdraw").get_data(as_text=True)
    r = admin_client.post(f"/case/{case_id}/do/withdraw", data={"csrf_token": csrf_token(page), "note": "撤回"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/case/show/{case_id}")
    assert "Send “version”" in admin_client.get(r.headers["Location"]).get_data(as_text=True)
    assert snapshot(app, case_id) == before
