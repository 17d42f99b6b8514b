"""A dispute registered twice is caught before saving: the same person in an open case."""
from __future__ import annotations

from sqlalchemy import func, select

from app.intake.payload import flatten
from tests import helpers
from tests.fixtures import csrf_token


def payload(places, **changes):
    p = helpers.traffic_payload(places)
    p.pop("confirm_duplicates")
    p.update(changes)
    return p


def count_cases(app):
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


def post(app, body, user="admin"):
    token = helpers.api_token(app.test_client(), user)
    return app.test_client().post("/api/v1/case/?_l_=en", json=body, headers={"Authorization": f"Bearer {token}"})


def test_api_shows_the_open_case_of_the_same_person_before_saving(app, places):
    first = post(app, payload(places)).get_json()
    again = post(app, payload(places))
    assert again.status_code == 409
    body = again.get_json()
    assert body["duplicates"][0]["case_no"] == first["case_no"] and "confirm_duplicates" in body["message"]
    assert count_cases(app) == 1
    confirmed = post(app, payload(places, confirm_duplicates=True))
    assert confirmed.status_code == 201 and count_cases(app) == 2


def test_same_name_and_mobile_without_an_id_number_also_matches(app, places):
    p = payload(places)
    for party in p["parties"]:
        party["id_number"] = ""
    assert post(app, p).status_code == 201
    assert post(app, p).status_code == 409


def test_a_closed_case_is_not_a_duplicate(app, places):
    from app.extensions import db
    from app.models import Case

    case_id = post(app, payload(places)).get_json()["id"]
    with app.app_context():
        db.session.get(Case, case_id).status = "closed"
        db.session.commit()
    assert post(app, payload(places)).status_code == 201


def test_cases_outside_the_users_scope_are_neither_shown_nor_counted(app, places):
    post(app, payload(places), user="admin")  # the clerk may not see this one
    r = post(app, payload(places), user="clerk")
    assert r.status_code == 201 and set(r.get_json()) == {"id", "case_no"}
    assert count_cases(app) == 2


def test_web_form_warns_then_registers_when_confirmed(app, clerk_client, places):
    post(app, payload(places), user="clerk")
    clerk_client.get("/lang/en")
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    data = flatten({k: v for k, v in payload(places).items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    r = clerk_client.post("/case/intake/traffic", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "The same person appears in other open cases" in html
    assert "林晓明与黄丽娟交通事故赔偿纠纷" in html  # nothing typed is lost
    assert count_cases(app) == 1
    data["confirm_duplicates"] = "y"
    assert clerk_client.post("/case/intake/traffic", data=data).status_code == 302
    assert count_cases(app) == 2
