"""schemathesis over every operation of the served OpenAPI document, in-process.

The document is fetched from the running app (``/api/v1/_openapi``) and every operation is
called with generated input as an administrator and as a partner agency's user. No answer
may be a server error, and every answer must be documented: its status code, content type
and body shape. Paths with ids hit the fixture's real case, referral and file about
half of the time, so the endpoints' real work is reached too, not only their 404s.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import helpers
from tests.fixtures import make_migrated_app

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
EXAMPLES = 10  # per operation and role: ~45 operations × 2 roles in about two minutes
PARTNER, PASSWORD = "schema_partner", "schema-Pa55-partner"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def sapp(database, tmp_path_factory):
    """An app with a partner agency's user besides the administrator."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("schema"))
    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username=PARTNER):
            sm.add_user(username=PARTNER, first_name="伙伴", last_name="测试", email=f"{PARTNER}@jiefen.invalid",
                        role=sm.find_role("Partner"), password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


def bearer(app, username: str, password: str) -> dict:
    """An ``Authorization`` header from a real API login."""
    r = app.test_client().post("/api/v1/security/login",
                               json={"username": username, "password": password, "provider": "db"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


@pytest.fixture(scope="module")
def world(sapp):
    """Real rows for the ids in paths: a case, a referral to the partner's agency, a file."""
    from app.extensions import db
    from app.models import Membership, Organization

    with sapp.app_context():
        places = helpers.create_places()
        court = Organization(name="城区法院立案庭", kind="case_filing_division")
        agency = Organization(name="城区交警大队", kind="partner_agency")
        db.session.add_all([court, agency])
        db.session.flush()
        sm = sapp.appbuilder.sm
        db.session.add_all([
            Membership(user_id=sm.find_user(username="admin").id, organization_id=court.id),
            Membership(user_id=sm.find_user(username=PARTNER).id, organization_id=agency.id),
        ])
        db.session.commit()
        agency_id = agency.id
    admin = bearer(sapp, "admin", helpers.PASSWORDS["admin"])
    partner = bearer(sapp, PARTNER, PASSWORD)
    c = sapp.test_client()
    r = c.post("/api/v1/case/", json=helpers.traffic_payload(places), headers=admin)
    assert r.status_code == 201, r.get_json()
    case = r.get_json()["id"]
    r = c.post(f"/api/v1/case/{case}/attachments", headers=admin, content_type="multipart/form-data",
               data={"kind": "evidence", "file": [(io.BytesIO(PDF), "事故认定书.pdf")]})
    assert r.status_code == 201, r.get_json()
    attachment = r.get_json()["attachments"][0]["id"]
    due = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    r = c.post(f"/api/v1/case/{case}/referrals", headers=admin, json={
        "partner_id": agency_id, "kind": "entrust", "purpose": "请协助核实事故责任认定",
        "legal_basis": "《道路交通安全法》第七十四条", "shared_fields": ["title", "parties.name"], "due_on": due})
    assert r.status_code == 201, r.get_json()
    referral = r.get_json()["result"]["id"]
    ids = {"pk": case, "rid": referral, "att_id": attachment, "version": "v1"}
    return {"admin": admin, "partner": partner, "ids": ids}


@pytest.fixture(scope="module")
def document(sapp, world):
    """The OpenAPI document as the app serves it."""
    r = sapp.test_client().get("/api/v1/_openapi", headers=world["admin"])
    assert r.status_code == 200
    return r.get_json()


def fuzz(app, document, headers: dict, ids: dict) -> list[str]:
    """Every operation with generated input; the failures, one line each."""
    schema = schemathesis.from_dict(document, app=app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        strategy = operation.as_strategy()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large])
        @given(data=st.data())
        def check(data):
            case = data.draw(strategy)
            for name in list(case.path_parameters or {}):
                if name in ids and data.draw(st.booleans()):
                    case.path_parameters[name] = ids[name]
            response = case.call_wsgi(headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # a failed check, or an error while generating: reported, not raised
            failures.append(f"{operation.verbose_name}: {str(exc).strip()[:600]}")
    return failures


def test_every_operation_is_documented_and_never_fails_for_an_administrator(sapp, world, document):
    failures = fuzz(sapp, document, world["admin"], world["ids"])
    assert not failures, "\n\n".join(failures)


def test_every_operation_is_documented_and_never_fails_for_a_partner(sapp, world, document):
    failures = fuzz(sapp, document, world["partner"], world["ids"])
    assert not failures, "\n\n".join(failures)


def test_a_page_sent_as_json_is_bounded_like_rison(sapp, world):
    """FAB also reads ``q`` as JSON; a negative page that way was a 500 on PostgreSQL."""
    r = sapp.test_client().get('/api/v1/case/?q={"page":-474}', headers=world["admin"])
    assert r.status_code == 400 and "page" in r.get_json()["message"]
