"""The example mechanism in examples/sms_gateway, installed through its entry point, delivers
a referral notice through the outbox to a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import helpers
from tests.fixtures import make_migrated_app
from tests.plugin_install import EXAMPLES, installed


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            received.append((dict(self.headers), json.loads(self.rfile.read(length))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms", received
    server.shutdown()


def test_a_plugin_mechanism_delivers_through_the_outbox(database, tmp_path, gateway):
    url, received = gateway
    with installed("jiefen-sms-gateway", "0.1.0", "sms_gateway = jiefen_sms.plugin", EXAMPLES / "sms_gateway"):
        app = make_migrated_app(database, tmp_path)
        assert app.extensions["jiefen"].registry.mechanism_owner["sms_gateway"] == "sms_gateway"
        # its own catalogues: the administrator's page names it in Chinese by default, in English on request
        admin = app.test_client()
        helpers.login(admin, "admin")
        with app.app_context():
            from app.extensions import db
            from app.models import Organization

            db.session.add(Organization(name="城区应急管理局", kind="partner_agency", linkage_mechanism="sms_gateway",
                                        linkage_settings={}))
            db.session.commit()
        assert "短信通知联动单位值班手机" in admin.get("/admin/linkage/").get_data(as_text=True)
        english = admin.get("/admin/linkage/?_l_=en").get_data(as_text=True)
        assert "duty phone" in english, english[english.find("linkage-channels"):][:800]
        with app.app_context():
            import datetime as dt

            from app.extensions import db
            from app.linkage.outbox import deliver_due, enqueue
            from app.models import Case, Organization, OutboxMessage, Referral

            places = helpers.create_places()
            partner = Organization(name="城区交警大队", kind="partner_agency", linkage_mechanism="sms_gateway",
                                   linkage_settings={"gateway_url": url, "mobile": "13800000000"}, dispute_types=[])
            db.session.add(partner)
            db.session.commit()
            token = helpers.api_token(app.test_client(), "admin")
            case_id = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                                             headers={"Authorization": f"Bearer {token}"}).get_json()["id"]
            referral = Referral(case_id=case_id, partner_id=partner.id, purpose="核实事故认定", legal_basis="道路交通安全法",
                                shared_fields=["title"], due_on=dt.date(2030, 1, 1), mechanism="sms_gateway")
            db.session.add(referral)
            db.session.flush()
            enqueue(db.session, referral, "referral_sent", {"referral_id": referral.id, "due_on": "2030-01-01",
                                                            "partner_id": partner.id})
            db.session.commit()
            counts = deliver_due()
            assert counts["delivered"] == 1
            assert db.session.query(OutboxMessage).one().status == "delivered"
            headers, body = received[0]
            assert body["to"] == "13800000000" and "联动转办" in body["text"]
            assert "林晓明" not in body["text"]  # no personal data in an SMS
            assert headers.get("Idempotency-Key")
            # the sender withdraws: the duty phone is told to stop
            from app.lifecycle.referrals import closing_payload

            referral.status = "withdrawn"
            enqueue(db.session, referral, "referral_withdrawn", closing_payload(referral, "referral_withdrawn", ""))
            db.session.commit()
            assert deliver_due()["delivered"] == 1
            assert "已由发送方撤回" in received[1][1]["text"]
            helpers.wipe_case_data()
            db.session.remove()
