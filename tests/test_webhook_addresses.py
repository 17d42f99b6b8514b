"""A partner's webhook URL cannot make the server call itself, the cloud's metadata service or
the internal network: loopback, link-local and private addresses are refused after DNS
resolution — when the settings are saved and again at every delivery — unless the operator
trusts the host (``JIEFEN_WEBHOOK_ALLOWED_HOSTS``) (issue 11, finding 10)."""
from __future__ import annotations

import time
from contextlib import contextmanager

import pytest

from tests.fixtures import csrf_token
from tests.test_linkage import deliver, lapp, partner, partner_server, refer, row, world  # noqa: F401

pytestmark = pytest.mark.server

REFUSED = {
    "127.0.0.1": "本机回环",
    "169.254.169.254": "链路本地",
    "10.0.0.1": "内网",
}


@contextmanager
def allowed_hosts(app, value: str):
    """The app's allow-list set to ``value`` for the duration (it is read at each check)."""
    before = app.config.get("JIEFEN_WEBHOOK_ALLOWED_HOSTS", "")
    app.config["JIEFEN_WEBHOOK_ALLOWED_HOSTS"] = value
    try:
        yield
    finally:
        app.config["JIEFEN_WEBHOOK_ALLOWED_HOSTS"] = before


@pytest.fixture
def admin(lapp):  # noqa: F811
    from tests import helpers

    client = lapp.test_client()
    helpers.login(client, "admin")
    return client


def save_url(client, org_id: int, url: str):
    page = client.get(f"/admin/linkage/{org_id}").get_data(as_text=True)
    return client.post(f"/admin/linkage/{org_id}", data={
        "csrf_token": csrf_token(page), "mechanism": "webhook", "webhook.url": url, "webhook.secret_ref": "partner1"})


def stored_url(app, org_id: int) -> str:
    from app.extensions import db
    from app.models.organization import Organization

    with app.app_context():
        db.session.expire_all()
        return (db.session.get(Organization, org_id).linkage_settings or {}).get("url", "")


def point_partner_at(app, org_id: int, url: str) -> None:
    """The partner's stored URL, as saved before this check existed (or before its name moved)."""
    from app.extensions import db
    from app.models.organization import Organization

    with app.app_context():
        org = db.session.get(Organization, org_id)
        org.linkage_settings = {"url": url, "secret_ref": "partner1"}
        db.session.commit()


@pytest.mark.parametrize("address", list(REFUSED))
def test_a_webhook_to_an_internal_address_is_refused_when_saved(lapp, world, admin, address):  # noqa: F811
    before = stored_url(lapp, world["hook"])
    with allowed_hosts(lapp, ""):
        r = save_url(admin, world["hook"], f"http://{address}/hook")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f"指向 {address}" in html and REFUSED[address] in html and "JIEFEN_WEBHOOK_ALLOWED_HOSTS" in html
    assert f'value="http://{address}/hook"' in html  # what was typed is kept
    assert stored_url(lapp, world["hook"]) == before  # nothing stored


def test_a_name_that_resolves_to_loopback_is_refused_when_saved(lapp, world, admin):  # noqa: F811
    with allowed_hosts(lapp, ""):
        r = save_url(admin, world["hook"], "http://localhost:8080/hook")
    assert r.status_code == 422 and "localhost 指向 127.0.0.1" in r.get_data(as_text=True)


def test_a_trusted_loopback_address_is_accepted_when_saved(lapp, world, admin, partner):  # noqa: F811
    with allowed_hosts(lapp, "hook.police.lan, 127.0.0.0/8"):
        r = save_url(admin, world["hook"], partner.url)
    assert r.status_code == 302 and stored_url(lapp, world["hook"]) == partner.url


@pytest.mark.parametrize("address", list(REFUSED))
def test_a_delivery_to_an_internal_address_fails_with_the_reason(lapp, world, partner, address):  # noqa: F811
    port = partner.url.split(":")[2].split("/")[0]
    point_partner_at(lapp, world["hook"], f"http://{address}:{port}/jiefen/hook")
    _, msg_id = refer(lapp, world)
    started = time.monotonic()
    with allowed_hosts(lapp, ""):
        counts = deliver(lapp)
    assert time.monotonic() - started < 2  # refused before any connection, not timed out
    assert counts["dead"] == 1 and counts["errors"] == 0  # a clear failure, not a crash
    message = row(lapp, msg_id)
    assert message.status == "dead"
    assert f"resolves to {address}" in message.last_error and "JIEFEN_WEBHOOK_ALLOWED_HOSTS" in message.last_error
    assert partner.requests == []


def test_a_name_that_now_resolves_to_loopback_is_refused_at_delivery(lapp, world, partner):  # noqa: F811
    """DNS may change after the settings were saved: every delivery resolves and checks again."""
    point_partner_at(lapp, world["hook"], partner.url.replace("127.0.0.1", "localhost"))
    _, msg_id = refer(lapp, world)
    with allowed_hosts(lapp, "127.0.0.2"):
        assert deliver(lapp)["dead"] == 1
    assert "localhost resolves to 127.0.0.1" in row(lapp, msg_id).last_error
    assert partner.requests == []


def test_a_trusted_host_is_delivered_to(lapp, world, partner):  # noqa: F811
    point_partner_at(lapp, world["hook"], partner.url.replace("127.0.0.1", "localhost"))
    refer(lapp, world)
    with allowed_hosts(lapp, "LOCALHOST"):
        assert deliver(lapp)["delivered"] == 1
    assert len(partner.requests) == 1


@pytest.mark.parametrize("address,kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("10.0.0.1", "private"),
    ("192.168.1.20", "private"), ("172.16.5.4", "private"), ("fd00::1", "private"), ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"), ("100.64.0.1", "not public"), ("93.184.216.34", None), ("2001:4860::8888", None),
])
def test_every_kind_of_internal_address_is_named(address, kind):
    import ipaddress

    from app.linkage.address_guard import non_public_kind

    assert non_public_kind(ipaddress.ip_address(address)) == kind
