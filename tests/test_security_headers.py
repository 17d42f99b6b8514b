"""Headers on every answer (issue 11, finding 13): no framing by other sites, no type
sniffing, no page address sent elsewhere, and nothing but static files kept in a cache."""
from __future__ import annotations

import re

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


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _nonce(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", policy)
    assert match, policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    return match.group(1)


@pytest.mark.parametrize("path", ["/mywork/", "/case/list/", "/case/intake/traffic", "/admin/areas/add",
                                  "/users/list/", "/mediators/add"])
def test_every_inline_script_carries_the_requests_nonce_and_no_handler_attribute_exists(admin_client, path):
    r = admin_client.get(path)
    assert r.status_code == 200, path
    nonce, html = _nonce(r), r.get_data(as_text=True)
    for attributes in SCRIPT.findall(html):
        if "src=" not in attributes:
            assert f'nonce="{nonce}"' in attributes, (path, attributes)
    assert not HANDLER.search(html), HANDLER.search(html).group(0)


def test_the_case_page_scripts_run_only_with_the_nonce(admin_client, clerk_token, app, places):
    from tests import helpers

    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {clerk_token}"})
    page = admin_client.get(f"/case/show/{r.get_json()['id']}")
    nonce, html = _nonce(page), page.get_data(as_text=True)
    assert all(f'nonce="{nonce}"' in a for a in SCRIPT.findall(html) if "src=" not in a)
    assert not HANDLER.search(html)


def test_the_login_page_scripts_carry_a_fresh_nonce_each_time(client):
    first, second = client.get("/login/"), client.get("/login/")
    assert _nonce(first) != _nonce(second)
    html = second.get_data(as_text=True)
    assert all(f'nonce="{_nonce(second)}"' in a for a in SCRIPT.findall(html) if "src=" not in a)
    assert not HANDLER.search(html)
