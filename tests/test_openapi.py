"""The OpenAPI document: served to signed-in users with the production settings, and complete."""
from __future__ import annotations

import pytest

from tests import helpers
from tests.fixtures import make_migrated_app

# Lifecycle POSTs that change a case: the stale check needs the version the caller read.
VERSIONED = {
    ("/api/v1/case/{pk}/transition", "post"), ("/api/v1/case/{pk}/assign", "post"),
    ("/api/v1/case/{pk}/extension", "post"), ("/api/v1/case/{pk}/appointments", "post"),
    ("/api/v1/case/{pk}/agreement", "post"), ("/api/v1/case/{pk}/agreement/signatures/{sid}", "post"),
    ("/api/v1/case/{pk}/confirmation", "post"), ("/api/v1/case/{pk}/responsible", "post"),
    ("/api/v1/case/{pk}/referrals/{rid}/withdraw", "post"), ("/api/v1/case/{pk}/referrals/{rid}/complete", "post"),
    ("/api/v1/partner/referrals/{rid}/accept", "post"), ("/api/v1/partner/referrals/{rid}/reject", "post"),
    ("/api/v1/partner/referrals/{rid}/answer", "post"),
}


@pytest.fixture(scope="module")
def prod_app(database, tmp_path_factory):
    """An app with the production setting: no Swagger UI."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("openapi"), FAB_API_SWAGGER_UI=False)
    yield app
    with app.app_context():
        db.session.remove()


@pytest.fixture(scope="module")
def document(prod_app):
    """The document, fetched with a clerk's bearer token."""
    token = helpers.api_token(prod_app.test_client(), "clerk")
    r = prod_app.test_client().get("/api/v1/_openapi", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    return r.get_json()


def openapi_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_production_serves_the_document_to_signed_in_users_only(prod_app):
    assert not prod_app.config["FAB_API_SWAGGER_UI"]
    anonymous = prod_app.test_client().get("/api/v1/_openapi")
    assert anonymous.status_code == 401 and "openapi" not in anonymous.get_data(as_text=True)
    browser = prod_app.test_client()
    helpers.login(browser, "clerk")  # a session cookie is enough, whatever the role
    r = browser.get("/api/v1/_openapi")
    assert r.status_code == 200 and r.get_json()["openapi"].startswith("3.")
    assert prod_app.test_client().get("/swagger/v1").status_code == 404  # Swagger UI stays off
    bad = prod_app.test_client().get("/api/v1/_openapi", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code in (401, 422)


def test_every_api_rule_of_the_app_is_documented(prod_app, document):
    missing = []
    for rule in prod_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        documented = document["paths"].get(openapi_path(rule.rule), {})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in documented:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert missing == [], "undocumented API operations: " + ", ".join(missing)


def test_every_operation_states_its_answers_and_parameters(document):
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            codes = set(op.get("responses", {}))
            assert any(code.startswith("2") for code in codes), f"{where}: no success answer"
            names = {p["name"] for p in op.get("parameters", []) if isinstance(p, dict) and p.get("in") == "path"}
            assert names == set(part[1:-1] for part in path.split("/") if part.startswith("{")), where
            if names:
                assert "404" in codes, f"{where}: a missing record is not documented"
            protected = {"jwt": []} in op.get("security", [])
            if protected:
                assert {"401", "403"} <= codes, f"{where}: 401/403 not documented"
            if method == "post" and protected:
                refs = [p.get("$ref", "") for p in op.get("parameters", [])]
                assert "#/components/parameters/IdempotencyKey" in refs, f"{where}: no Idempotency-Key"
                assert {"400", "409", "413", "422"} <= codes, where


def test_lifecycle_posts_require_the_case_version(document):
    for path, method in VERSIONED:
        body = document["paths"][path][method]["requestBody"]["content"]
        for media in body.values():
            schema = media["schema"]
            assert schema["properties"]["version"]["type"] == "integer", path
            assert "version" in schema["required"], path


def test_error_answers_share_the_message_shape(document):
    responses = document["components"]["responses"]
    for code in ("400", "403", "404", "409", "413", "422", "429"):
        schema = responses[code]["content"]["application/json"]["schema"]
        assert "#/components/schemas/Message" in str(schema), code
    assert document["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
