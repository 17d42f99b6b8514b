"""A disabled plugin's linkage mechanism pauses: its messages wait, nothing is sent, nothing
is retried away, and the worker delivers them once the plugin is enabled again. Run with the
SMS example mechanism against a real HTTP gateway on 127.0.0.1; pages in Chinese."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import request

from tests import helpers
from tests.fixtures import make_migrated_app
from tests.linkage_journey import add_partner, admin, outbox_rows, refer, run_worker, set_channel, switch_plugin
from tests.plugin_install import EXAMPLES, installed

pytestmark = pytest.mark.server


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0)))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_app(database, tmp_path):
    """Jiefen with the SMS example installed through its entry point."""
    with installed("jiefen-sms-gateway", "0.1.0", "sms_gateway = jiefen_sms.plugin", EXAMPLES / "sms_gateway"):
        # the gateway listens on loopback, which a url setting may name only when trusted
        app = make_migrated_app(database, tmp_path, JIEFEN_WEBHOOK_ALLOWED_HOSTS="127.0.0.1")
        yield app
        with app.app_context():
            from app.extensions import db

            helpers.wipe_case_data()
            db.session.remove()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_messages_of_a_disabled_plugins_mechanism_wait_and_go_out_when_it_is_enabled(sms_app, gateway):
    url, received = gateway
    browser = admin(sms_app)
    police = add_partner(browser, "城区交警大队")
    assert set_channel(browser, police, "sms_gateway", gateway_url=url, mobile="13800000000").status_code == 302
    assert "短信通知联动单位值班手机" in text(browser.get("/admin/linkage/"))

    switch_plugin(browser, "sms_gateway", enabled=False)
    # a new referral is still recorded, and its message queues
    referral_id = refer(sms_app, police)
    assert outbox_rows(sms_app) == [("pending", 0)]
    for _ in range(3):
        assert run_worker(sms_app) == {"delivered": 0, "retry": 0, "dead": 0, "errors": 0}
    assert received == [] and outbox_rows(sms_app) == [("pending", 0)]  # not tried, so never dead

    listing = text(browser.get("/admin/linkage/"))
    row = listing[listing.find(f'data-org="{police}"'):]
    row = row[:row.find("</tr>")]
    assert "插件「sms_gateway」已停用，消息暂停发送" in row
    assert "1 条暂停发送" in row and "办结" not in row  # the channel is not called complete
    partner_page = text(browser.get(f"/admin/linkage/{police}"))
    assert "插件「sms_gateway」已停用，消息暂停发送" in partner_page and "不会丢失" in partner_page
    outbox = text(browser.get("/admin/outbox/list/"))
    assert "暂停发送：插件「sms_gateway」已停用" in outbox
    assert "<td>pending</td>" not in outbox and "Paused" not in outbox
    # the mechanism and the event by name, not by code
    assert "<td>sms_gateway</td>" not in outbox and "<td>referral_sent</td>" not in outbox
    assert "短信通知联动单位值班手机" in outbox
    # a paused row is not tried: no next attempt time, only that it goes once the plugin is back
    paused_cell = outbox[outbox.find('class="outbox-next-paused"'):][:200]
    assert "插件启用后发送" in paused_cell
    with sms_app.app_context():
        from app.extensions import db
        from app.models.referral import OutboxMessage

        row_id = db.session.query(OutboxMessage.id).scalar()
    shown = text(browser.get(f"/admin/outbox/show/{row_id}"))
    assert "暂停发送：插件「sms_gateway」已停用" in shown and "插件启用后发送" in shown
    next_row = shown[shown.find("下次尝试时间"):][:300]
    assert "20" not in next_row.split("</tr>")[0]  # no date or time in the paused row's next attempt
    assert "Paused: plugin “sms_gateway” is disabled" in text(browser.get("/admin/outbox/list/?_l_=en"))

    listed = sms_app.test_cli_runner().invoke(args=["outbox", "list", "--status", "paused"]).output
    assert "plugin sms_gateway is disabled" in listed and " paused " in listed

    switch_plugin(browser, "sms_gateway", enabled=True)
    assert sms_app.test_cli_runner().invoke(args=["outbox", "list", "--status", "paused"]).output.count("\n") == 1
    assert run_worker(sms_app)["delivered"] == 1
    assert outbox_rows(sms_app) == [("delivered", 1)]
    assert received[0]["to"] == "13800000000" and f"第{referral_id}号" in received[0]["text"]
    listing = text(browser.get("/admin/linkage/"))
    row = listing[listing.find(f'data-org="{police}"'):]
    assert "已停用" not in row[:row.find("</tr>")]
    delivered = text(browser.get("/admin/outbox/list/"))
    assert "已送达" in delivered and "插件启用后发送" not in delivered


def test_the_builtin_mechanisms_never_pause(sms_app):
    """The core owns them and cannot be switched off; switching a plugin off pauses only its own."""
    browser = admin(sms_app)
    switch_plugin(browser, "sms_gateway", enabled=False)
    with sms_app.test_request_context():
        from app.linkage.outbox import paused_mechanisms

        assert paused_mechanisms() == {"sms_gateway": "sms_gateway"}


def test_a_mechanisms_own_required_check_speaks_the_readers_language(sms_app):
    from app.linkage.webhook import WebhookMechanism

    for lang, expected in (("zh", "请填写联动单位网络回调接口地址"), ("en", "Partner endpoint")):
        with sms_app.test_request_context(f"/?_l_={lang}"):
            problems = [str(p) for p in WebhookMechanism().validate_settings({"secret_ref": "police"})]
            assert len(problems) == 1 and problems[0].startswith(expected), problems
            assert "url: required" not in problems[0]


def test_bad_settings_of_built_in_and_plugin_mechanisms_read_in_chinese(sms_app):
    browser = admin(sms_app)
    police = add_partner(browser, "城区交警大队")
    r = set_channel(browser, police, "webhook", url="ftp://police.partner.invalid", secret_ref="police")
    assert r.status_code == 422
    assert "联动单位网络回调接口地址（https://…）：请填写以 http:// 或 https:// 开头的地址。" in text(r)
    r = set_channel(browser, police, "sms_gateway", gateway_url="http://127.0.0.1/sms", mobile="")
    assert r.status_code == 422 and "请填写值班手机号码。" in text(r)
