"""The host names a deployment answers to (JIEFEN_TRUSTED_HOSTS): a forged Host header gets a
400, and the login page never sends a user on to another site."""
from __future__ import annotations

import pytest

from app.config import build_config
from tests import helpers
from tests.fixtures import csrf_token, make_app

HOST = "jiefen.court.lan"


@pytest.fixture(scope="module")
def hosted(app, database, tmp_path_factory):
    """The suite's database behind an app that answers only to ``HOST``."""
    return make_app(database, tmp_path_factory.mktemp("hosted"), TRUSTED_HOSTS=[HOST],
                    FAB_SAFE_REDIRECT_HOSTS=[HOST])


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("JIEFEN_TRUSTED_HOSTS", f"{HOST}, jiefen.court.gov.cn")
    config = build_config()
    assert config["TRUSTED_HOSTS"] == [HOST, "jiefen.court.gov.cn"]
    assert config["FAB_SAFE_REDIRECT_HOSTS"] == [HOST, "jiefen.court.gov.cn"]
    monkeypatch.setenv("JIEFEN_TRUSTED_HOSTS", "")
    assert build_config()["TRUSTED_HOSTS"] is None  # development: Flask checks nothing


def test_a_forged_host_header_is_refused(hosted):
    c = hosted.test_client()
    assert c.get("/login/", headers={"Host": HOST}).status_code == 200
    assert c.get("/login/", headers={"Host": "evil.example"}).status_code == 400


def test_login_never_redirects_to_another_site(hosted):
    c = hosted.test_client()
    page = c.get("/login/", headers={"Host": HOST}).get_data(as_text=True)
    r = c.post("/login/?next=https://evil.example/steal", headers={"Host": HOST},
               data={"username": "clerk", "password": helpers.PASSWORDS["clerk"], "csrf_token": csrf_token(page)})
    assert r.status_code == 302
    assert "evil.example" not in r.headers["Location"]


def test_behind_a_proxy_the_login_limit_counts_each_client_not_the_proxy(database, tmp_path):
    limited = make_app(database, tmp_path, JIEFEN_PROXY_COUNT=1, RATELIMIT_ENABLED=True,
                       AUTH_RATE_LIMIT="2 per minute", RATELIMIT_STORAGE_URI="memory://", WTF_CSRF_ENABLED=False)
    c = limited.test_client()

    def attempt(client_address):
        return c.post("/login/", data={"username": "admin", "password": "wrong"},
                      headers={"X-Forwarded-For": client_address}).status_code

    assert [attempt("203.0.113.7") for _ in range(3)][2] == 429
    assert attempt("198.51.100.9") != 429  # another client behind the same proxy is not blocked
