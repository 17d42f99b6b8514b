"""Scope on writes: nobody files a case into another body's scope, moves one there, or links
another agency's party to their own case."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_places_and_scope import join, register_in, tree  # noqa: F401 (fixture)

OUTSIDE_AREA = "This area is outside what your organisation handles"
OUTSIDE_BODY = "Your organisation cannot hand a case to this body"


def case_count(app) -> int:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.scalar(select(func.count(Case.id)))


def post_case(app, area_id, org_id):
    payload = helpers.traffic_payload({"street": area_id, "centre": org_id})
    token = helpers.api_token(app.test_client(), "clerk")
    return app.test_client().post("/api/v1/case/?_l_=en", json=payload, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def police_xiangzhou(app, tree):  # noqa: F811
    """A partner agency located in 香洲街道 (the district's police in ``tree`` cover everything)."""
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        org = Organization(name="香洲派出所", kind="partner_agency", area_id=tree["xiangzhou"])
        db.session.add(org)
        db.session.commit()
        return org.id


def test_partner_cannot_file_a_case_into_another_agencys_scope(app, tree, police_xiangzhou):  # noqa: F811
    join(app, police_xiangzhou)
    before = case_count(app)
    r = post_case(app, tree["xiangzhou"], tree["centre"])  # hands it to the street's centre
    assert r.status_code == 422 and OUTSIDE_BODY in str(r.get_json()["message"]["organization_id"])
    r = post_case(app, tree["hongcao"], None)  # another town entirely
    assert r.status_code == 422 and OUTSIDE_AREA in str(r.get_json()["message"]["area_id"])
    assert case_count(app) == before  # nothing stored
    # within its own area and with no handling body, the agency may register
    assert post_case(app, tree["grid"], None).status_code == 201


def test_centre_files_cases_only_in_its_area_and_to_bodies_located_there(app, clerk_client, tree):  # noqa: F811
    join(app, tree["centre"])
    before = case_count(app)
    r = post_case(app, tree["hongcao"], tree["other"])
    message = r.get_json()["message"]
    assert r.status_code == 422 and OUTSIDE_AREA in str(message["area_id"]) and OUTSIDE_BODY in str(message["organization_id"])
    # the web form says the same, keeps what was typed, and stores nothing
    url = "/case/intake/traffic?_l_=en"
    page = clerk_client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "title": "跨镇登记的纠纷", "description": "事实与请求",
            "area_id": str(tree["hongcao"]), "organization_id": str(tree["other"]), "channel": "window",
            "track": "pre_filing", "parties-0-kind": "person", "parties-0-role": "applicant", "parties-0-name": "林晓明"}
    html = clerk_client.post(url, data=form).get_data(as_text=True)
    assert OUTSIDE_AREA in html and OUTSIDE_BODY in html and "跨镇登记的纠纷" in html
    assert case_count(app) == before
    assert post_case(app, tree["community"], tree["centre"]).status_code == 201


def test_intake_offers_only_the_areas_and_centres_in_scope(app, clerk_client, tree):  # noqa: F811
    join(app, tree["centre"])
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    area_select = page.split('name="area_id"')[1].split("</select>")[0]
    org_select = page.split('name="organization_id"')[1].split("</select>")[0]
    assert "香城社区" in area_select and "红草镇" not in area_select
    assert "香洲街道综治中心" in org_select and "红草镇综治中心" not in org_select
    assert "城区交警大队" not in org_select  # partners never handle a case


def test_court_staff_may_file_anywhere(app, tree):  # noqa: F811
    join(app, tree["court"])
    assert post_case(app, tree["hongcao"], tree["other"]).status_code == 201


def test_no_path_moves_a_case_to_another_body(app, clerk_client, tree):  # noqa: F811
    from app.extensions import db
    from app.models import Case

    join(app, tree["centre"])
    own = register_in(app, tree["xiangzhou"], tree["centre"], as_user="clerk")
    token = helpers.api_token(app.test_client(), "clerk")
    headers = {"Authorization": f"Bearer {token}"}
    for method in ("PUT", "PATCH"):
        r = app.test_client().open(f"/api/v1/case/{own}", method=method, headers=headers,
                                   json={"organization_id": tree["other"], "area_id": tree["hongcao"]})
        assert r.status_code in (404, 405)
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    r = clerk_client.post(f"/case/edit/{own}", data={"csrf_token": csrf_token(page), "organization": str(tree["other"]),
                                                    "area": str(tree["hongcao"])})
    assert r.status_code == 404
    with app.app_context():
        case = db.session.get(Case, own)
        assert (case.area_id, case.organization_id) == (tree["xiangzhou"], tree["centre"])


def test_another_agencys_party_cannot_be_linked_to_a_case(app, tree):  # noqa: F811
    from app.extensions import db
    from app.models import Case, Consent

    theirs = register_in(app, tree["hongcao"], tree["other"])
    join(app, tree["centre"])
    own = register_in(app, tree["xiangzhou"], tree["centre"], as_user="clerk")
    with app.app_context():
        their_party = db.session.get(Case, theirs).parties[0].id
    token = helpers.api_token(app.test_client(), "clerk")
    r = app.test_client().post(f"/api/v1/case/{own}/consent?_l_=en", headers={"Authorization": f"Bearer {token}"},
                               json={"subject": "mediation", "channel": "window", "decisions": {str(their_party): "given"}})
    assert r.status_code == 422 and "not in this case" in str(r.get_json()["message"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Consent.id))) == 0
