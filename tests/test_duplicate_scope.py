"""The duplicate check never tells a clerk about another centre's cases (issue 11, finding 5):
the answer is the one a new person gets, the check is audited, and the court's coordinators
see the possible duplicate on the new case."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.intake.payload import flatten
from tests import helpers
from tests.fixtures import csrf_token

OTHER_PEOPLE = [
    {"kind": "person", "role": "applicant", "name": "陈思远", "id_number": "440104198001010016",
     "mobile": "13500001111", "address": "汕尾市城区新港街道"},
    {"kind": "person", "role": "respondent", "name": "吴美玲", "id_number": "440104198502020028",
     "mobile": "13600002222", "address": "汕尾市城区东涌镇"},
]


@pytest.fixture
def centres(app, places):
    """Centre A (the places' centre, street A) and centre B in a street of its own."""
    from app.extensions import db
    from app.models import Area, Organization

    with app.app_context():
        street_b = Area(name="凤山街道", level="town", parent_id=places["district"])
        centre_b = Organization(name="凤山街道综治中心", kind="governance_centre", area=street_b)
        db.session.add_all([street_b, centre_b])
        db.session.commit()
        return {**places, "street_b": street_b.id, "centre_b": centre_b.id}


def clerk_joins(app, org_id):
    from app.extensions import appbuilder, db
    from app.models import Membership

    with app.app_context():
        clerk = appbuilder.sm.find_user(username="clerk")
        db.session.add(Membership(user_id=clerk.id, organization_id=org_id))
        db.session.commit()


def at(centres, which, people=None):
    """An intake at centre ``which`` ("a" or "b"), of the usual people or of ``people``."""
    p = helpers.traffic_payload(centres)
    p.pop("confirm_duplicates")
    if which == "b":
        p.update(area_id=centres["street_b"], organization_id=centres["centre_b"])
    if people is not None:
        p["parties"] = people
    return p


def post(app, body, user):
    token = helpers.api_token(app.test_client(), user)
    return app.test_client().post("/api/v1/case/?_l_=en", json=body, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def mark(app):
    """The audit log is append-only: tests read the rows written after this mark."""
    with app.app_context():
        return helpers.audit_mark()


def audit_rows(app, mark):
    from app.extensions import db
    from app.models import AuditEvent
    from app.services.duplicates import OUT_OF_SCOPE_ACTION

    with app.app_context():
        return list(db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == OUT_OF_SCOPE_ACTION, AuditEvent.id > mark)))


def test_clerk_of_another_centre_gets_the_answer_a_new_person_gets(app, centres, mark):
    assert post(app, at(centres, "a"), "admin").status_code == 201  # open at centre A
    clerk_joins(app, centres["centre_b"])
    fresh = post(app, at(centres, "b", OTHER_PEOPLE), "clerk")
    known = post(app, at(centres, "b"), "clerk")
    assert (known.status_code, set(known.get_json())) == (fresh.status_code, set(fresh.get_json())) == (201, {"id", "case_no"})
    rows = audit_rows(app, mark)
    assert len(rows) == 1 and rows[0].via == "api"
    logged = str(rows[0].changes)
    assert helpers.VALID_ID not in logged and "13802661234" not in logged
    assert "110105" in logged  # the masked key: enough to find the person again, not to read it


def test_web_form_of_another_centre_registers_without_a_hint(app, clerk_client, centres, mark):
    assert post(app, at(centres, "a"), "admin").status_code == 201
    clerk_joins(app, centres["centre_b"])
    clerk_client.get("/lang/en")
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    answers = []
    for people in (OTHER_PEOPLE, None):
        data = flatten({k: v for k, v in at(centres, "b", people).items() if k != "dispute_type"})
        data["csrf_token"] = csrf_token(page)
        r = clerk_client.post("/case/intake/traffic", data=data)
        answers.append(r.status_code)
        shown = clerk_client.get(r.headers["Location"]).get_data(as_text=True)
        assert "other open cases" not in shown and "another centre" not in shown
    assert answers == [302, 302]
    assert len(audit_rows(app, mark)) == 1


def test_coordinator_sees_the_possible_duplicate_on_the_new_case(app, admin_client, centres):
    first = post(app, at(centres, "a"), "admin").get_json()
    clerk_joins(app, centres["centre_b"])
    second = post(app, at(centres, "b"), "clerk").get_json()
    clerk = app.test_client()
    helpers.login(clerk, "clerk")
    clerk.get("/lang/en")
    assert "another centre" not in clerk.get(f"/case/show/{second['id']}").get_data(as_text=True)
    admin_client.get("/lang/en")
    page = admin_client.get(f"/case/show/{second['id']}").get_data(as_text=True)
    assert "Possible duplicate in another centre" in page and first["case_no"] in page


def test_clerk_of_the_same_centre_is_warned_as_before(app, centres, mark):
    first = post(app, at(centres, "a"), "admin").get_json()
    clerk_joins(app, centres["centre"])
    r = post(app, at(centres, "a"), "clerk")
    assert r.status_code == 409
    assert [c["case_no"] for c in r.get_json()["duplicates"]] == [first["case_no"]]
    assert "other_open_cases" not in r.get_json()
    assert audit_rows(app, mark) == []  # everything matched was in sight: nothing to report
