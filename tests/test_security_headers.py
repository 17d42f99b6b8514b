"""Headers on every answer (issue 11, finding 13): no framing by other sites, no type
sniffing, no page address sent elsewhere, and nothing but static files kept in a cache."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/login/", "/mywork/", "/case/list/", "/api/v1/case/", "/health"])
def test_pages_and_api_answers_carry_the_security_headers(admin_client, path):
    r = admin_client.get(path)
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"


def test_a_case_page_is_never_cached(admin_client, clerk_token, app, places):
    from tests import helpers

    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {clerk_token}"})
    case_id = r.get_json()["id"]
    page = admin_client.get(f"/case/show/{case_id}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    r = client.get("/static/jiefen.css")
    assert r.status_code == 200 and "no-store" not in r.headers.get("Cache-Control", "")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and "no-store" not in icon.headers.get("Cache-Control", "")
