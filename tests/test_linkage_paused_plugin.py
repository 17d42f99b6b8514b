"""While an administrator has switched a plugin off, its linkage mechanism is paused both ways:
a partner's callback through it is answered like a callback for a partner Jiefen does not know
(the plugin's code is not run, nothing is stored, nothing tells the caller the plugin exists),
and the outbox worker reads the plugins' switches once a pass, not once a message."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select

from app.linkage.webhook import WebhookMechanism, signed_headers
from app.plugins import hookimpl
from tests import helpers
from tests.fixtures import make_migrated_app
from tests.linkage_journey import add_partner, admin, refer, set_channel, switch_plugin

SECRET = "court-hook-shared-secret-0123456789"
CALLS: list[str] = []


class CourtHook(WebhookMechanism):
    """A plugin's signed webhook that takes callbacks and notes when its code runs."""

    name = "court_hook"
    label = "Court hook"

    def verify(self, request_headers, body, partner) -> bool:
        CALLS.append("verify")
        return super().verify(request_headers, body, partner)

    def receive(self, request_headers, body, partner) -> dict:
        CALLS.append("receive")
        return super().receive(request_headers, body, partner)


class CourtHookPlugin:
    @hookimpl
    def register_linkage_mechanisms(self):
        return [CourtHook]


class Relay(WebhookMechanism):
    """Two more mechanisms of a second plugin, so a pass sees several owners."""

    name = "relay_a"
    label = "Relay A"


class RelayB(WebhookMechanism):
    name = "relay_b"
    label = "Relay B"


class RelayPlugin:
    @hookimpl
    def register_linkage_mechanisms(self):
        return [Relay, RelayB]


@pytest.fixture
def hook_app(database, tmp_path):
    app = make_migrated_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("court_hook", CourtHookPlugin()),
                                                                      ("relay", RelayPlugin())],
                            JIEFEN_WEBHOOK_SECRETS={"court": SECRET},
                            JIEFEN_WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
    yield app
    with app.app_context():
        from app.extensions import db

        helpers.wipe_case_data()
        db.session.remove()


def give_code(app, org_id: int, code: str) -> None:
    """The partner's callback address (an organisation's code has no page; the seed sets it)."""
    from app.extensions import db
    from app.models.organization import Organization

    with app.app_context():
        db.session.get(Organization, org_id).code = code
        db.session.commit()


def callback(app, code: str, referral_id: int, nonce: str):
    body = json.dumps({"referral_id": referral_id, "decision": "accepted", "text": "已受理"},
                      ensure_ascii=False).encode()
    headers = signed_headers(SECRET.encode(), body, nonce)
    return app.test_client().post(f"/api/v1/linkage/inbound/{code}", data=body, headers=headers)


def stored(app, referral_id: int):
    from app.extensions import db
    from app.models.referral import InboundNonce, Referral

    with app.app_context():
        db.session.expire_all()
        nonces = db.session.scalars(select(InboundNonce.nonce)).all()
        return db.session.get(Referral, referral_id).status, len(nonces)


def test_a_callback_through_a_disabled_plugins_mechanism_is_answered_like_an_unknown_partner(hook_app):
    browser = admin(hook_app)
    court = add_partner(browser, "城区人民法院立案庭")
    assert set_channel(browser, court, "court_hook", url="http://127.0.0.1:9/hook",
                       secret_ref="court").status_code == 302
    give_code(hook_app, court, "district-court")
    referral_id = refer(hook_app, court)
    before = stored(hook_app, referral_id)

    switch_plugin(browser, "court_hook", enabled=False)
    CALLS.clear()
    paused = callback(hook_app, "district-court", referral_id, "nonce-paused-1")
    unknown = callback(hook_app, "no-such-partner", referral_id, "nonce-paused-2")
    assert (paused.status_code, paused.get_json()) == (unknown.status_code, unknown.get_json()) \
        == (404, {"error": "unknown_partner"})
    assert CALLS == []  # neither verify nor receive of the switched-off plugin ran
    assert stored(hook_app, referral_id) == before  # no nonce, no decision

    switch_plugin(browser, "court_hook", enabled=True)
    answered = callback(hook_app, "district-court", referral_id, "nonce-paused-1")
    assert answered.status_code == 202, answered.get_data(as_text=True)
    assert CALLS == ["verify", "receive"]
    assert stored(hook_app, referral_id)[0] == "accepted"


def refer_many(app, partner_ids: list[int]) -> None:
    """Register one case and refer it to each partner in turn, through the API."""
    import datetime as dt

    from app.services.clock import today

    with app.app_context():
        places = helpers.create_places()
    api = app.test_client()
    auth = {"Authorization": f"Bearer {helpers.api_token(api, 'admin')}"}
    r = api.post("/api/v1/case/", json=helpers.traffic_payload(places), headers=auth)
    assert r.status_code == 201, r.get_data(as_text=True)
    case_id = r.get_json()["id"]
    for n, partner_id in enumerate(partner_ids):
        r = api.post(f"/api/v1/case/{case_id}/referrals", headers=auth, json={
            "partner_id": partner_id, "kind": "link", "purpose": f"请协助调取材料（第{n + 1}项）",
            "legal_basis": "《人民调解法》第5条", "shared_fields": ["title"],
            "due_on": (today() + dt.timedelta(days=30)).isoformat()})
        assert r.status_code == 201, r.get_data(as_text=True)


def plugin_state_queries(app):
    """A list that grows by one for every query of the plugins' switches."""
    from app.extensions import db

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if "plugin_state" in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    return seen, lambda: event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("messages", [3, 9])
def test_a_worker_pass_reads_the_plugin_switches_once_whatever_the_messages(hook_app, messages):
    from app.linkage.outbox import deliver_due

    browser = admin(hook_app)
    partners = []
    for name, mechanism in (("城区交警大队", "court_hook"), ("城区司法所", "relay_a"), ("城区公证处", "relay_b")):
        org = add_partner(browser, name)
        # port 9 (discard) refuses the connection: every message is tried and waits to retry
        assert set_channel(browser, org, mechanism, url="http://127.0.0.1:9/hook",
                           secret_ref="court").status_code == 302
        partners.append(org)
    refer_many(hook_app, [partners[n % len(partners)] for n in range(messages)])
    switch_plugin(browser, "relay", enabled=False)  # relay_a and relay_b pause

    seen, stop = plugin_state_queries(hook_app)
    try:
        with hook_app.app_context():
            counts = deliver_due()
    finally:
        stop()
    assert counts["retry"] == messages - 2 * (messages // 3)  # only court_hook's rows were tried
    assert len(seen) == 1, seen
