"""Linkage mechanisms: signed webhooks through the outbox against a real HTTP server on
127.0.0.1, signed partner callbacks, e-mail against a real SMTP server (aiosmtpd), and the
outbox worker command and admin page."""
from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app

pytestmark = pytest.mark.server

SECRET = "partner-one-shared-secret-0123456789"
TIMEOUT = 0.3  # seconds the worker waits for a partner
MAX_ATTEMPTS = 3


# --- a partner's HTTP server -------------------------------------------------------------

class Partner:
    """A ThreadingHTTPServer that records requests and answers from a script of (status,
    delay) pairs; when the script runs out it answers 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, float]] = []
        partner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                partner.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, delay = partner.script.pop(0) if partner.script else (200, 0)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the worker gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jiefen/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def partner_server():
    server = Partner()
    yield server
    server.close()


@pytest.fixture
def partner(partner_server):
    partner_server.requests.clear()
    partner_server.script.clear()
    return partner_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the app -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lapp(database, tmp_path_factory):
    """An app with the linkage pieces wired the way the lead will wire them."""
    smtp_port = free_port()
    app = make_migrated_app(
        database,
        tmp_path_factory.mktemp("linkage"),
        JIEFEN_WEBHOOK_SECRETS={"partner1": SECRET},
        # the partner's test server listens on loopback, which webhooks may reach only when trusted
        JIEFEN_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        JIEFEN_WEBHOOK_TIMEOUT=TIMEOUT,
        JIEFEN_OUTBOX_MAX_ATTEMPTS=MAX_ATTEMPTS,
        JIEFEN_SMTP_HOST="127.0.0.1",
        JIEFEN_SMTP_PORT=smtp_port,
        JIEFEN_SMTP_FROM="解纷平台 <jiefen@court.invalid>",
        JIEFEN_SMTP_TIMEOUT=2,
    )
    yield app  # the inbound blueprint, the outbox CLI and admin page are wired by create_app
    with app.app_context():
        from app.extensions import db

        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(lapp, partner_server):
    """A case, a webhook partner, an e-mail partner and an in-platform one."""
    from app.extensions import db
    from app.models import Case
    from app.models.organization import Organization

    with lapp.app_context():
        case = Case(case_no="测试解字第1号", dispute_type="traffic", title="林晓明与黄丽娟交通事故纠纷")
        hook = Organization(kind="partner_agency", name="城区交警大队", code="traffic-police",
                            linkage_mechanism="webhook",
                            linkage_settings={"url": partner_server.url, "secret_ref": "partner1"})
        mail = Organization(kind="partner_agency", name="城区司法所", code="justice-office",
                            linkage_mechanism="email", linkage_settings={"address": "sifasuo@partner.invalid"})
        inplat = Organization(kind="partner_agency", name="保险行业调解中心", code="insurers")
        db.session.add_all([case, hook, mail, inplat])
        db.session.commit()
        ids = {"case": case.id, "hook": hook.id, "mail": mail.id, "inplat": inplat.id}
    yield ids
    with lapp.app_context():
        helpers.wipe_case_data()


PAYLOAD = {
    "title": "林晓明与黄丽娟交通事故纠纷",
    "kind": "link",
    "purpose": "请协助调取事故认定书及现场图",
    "legal_basis": "《道路交通安全法》第73条",
    "due_on": "2026-12-10",
    "fields": [{"label": "事故日期", "value": "2026-09-18"}, {"label": "事故地点", "value": "通港路与香城路交叉口"}],
}


def refer(app, world, partner_key="hook", mechanism=None, commit=True) -> tuple[int, int | None]:
    """A referral plus its outbox row, in one transaction."""
    from app.extensions import db
    from app.linkage.outbox import enqueue
    from app.models.organization import Organization
    from app.models.referral import Referral

    with app.app_context():
        partner = db.session.get(Organization, world[partner_key])
        ref = Referral(case_id=world["case"], partner_id=partner.id, kind="link",
                       purpose=PAYLOAD["purpose"], legal_basis=PAYLOAD["legal_basis"],
                       shared_fields=["title", "intake.accident_date"], due_on=dt.date(2026, 12, 10),
                       mechanism=mechanism or partner.linkage_mechanism)
        db.session.add(ref)
        msg = enqueue(db.session, ref, "referral.sent", PAYLOAD)
        db.session.flush()
        ids = (ref.id, msg.id if msg else None)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()
        return ids


def row(app, message_id):
    from app.extensions import db
    from app.models.referral import OutboxMessage

    with app.app_context():
        m = db.session.get(OutboxMessage, message_id)
        db.session.expunge(m)
        return m


def deliver(app, now=None):
    from app.linkage.outbox import deliver_due

    with app.app_context():
        return deliver_due(now=now)


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# --- outbox and webhook delivery ---------------------------------------------------------

def test_the_core_registers_the_built_in_mechanisms_through_register_linkage_mechanisms(lapp):
    """In-platform, webhook and e-mail come from the core plugin's register_linkage_mechanisms hook."""
    assert {"in_platform", "webhook", "email"} <= set(lapp.extensions["jiefen"].registry.linkage_mechanisms)


def test_outbox_row_commits_and_rolls_back_with_the_referral(lapp, world):
    from app.extensions import db
    from app.models.referral import OutboxMessage, Referral

    refer(lapp, world, commit=False)
    with lapp.app_context():
        assert db.session.scalars(select(Referral)).all() == []
        assert db.session.scalars(select(OutboxMessage)).all() == []
    _, msg_id = refer(lapp, world)
    m = row(lapp, msg_id)
    assert m.status == "pending" and m.attempts == 0 and len(m.idempotency_key) == 32


def test_in_platform_partner_needs_no_delivery(lapp, world):
    _, msg_id = refer(lapp, world, "inplat")
    assert msg_id is None


def test_good_delivery_is_signed_and_marked_delivered(lapp, world, partner):
    from app.linkage.webhook import verify_signature

    ref_id, msg_id = refer(lapp, world)
    assert deliver(lapp) == {"delivered": 1, "retry": 0, "dead": 0, "errors": 0}
    assert len(partner.requests) == 1
    req = partner.requests[0]
    m = row(lapp, msg_id)
    assert req["path"] == "/jiefen/hook"
    assert req["headers"]["Idempotency-Key"] == m.idempotency_key
    assert req["headers"]["X-Jiefen-Signature"].startswith("sha256=")
    assert verify_signature(req["headers"], req["body"], SECRET.encode())
    assert not verify_signature(req["headers"], req["body"] + b" ", SECRET.encode())
    doc = json.loads(req["body"])
    assert doc["referral_id"] == ref_id and doc["event"] == "referral.sent"
    assert doc["payload"]["purpose"] == PAYLOAD["purpose"]
    assert m.status == "delivered" and m.attempts == 1 and m.delivered_at and m.last_error is None
    # nothing left to do
    assert deliver(lapp)["delivered"] == 0 and len(partner.requests) == 1


def test_case_data_is_never_delivered_once_the_referral_is_closed(lapp, world, partner):
    """A referral withdrawn (or rejected) while its delivery waits: the shared data stays home,
    now and on an administrator's re-send; the notice of the withdrawal itself still goes."""
    from app.extensions import db
    from app.lifecycle.referrals import closing_payload
    from app.linkage.outbox import enqueue, resend
    from app.models.referral import Referral

    ref_id, sent_id = refer(lapp, world, commit=True)  # its payload names the case
    with lapp.app_context():
        ref = db.session.get(Referral, ref_id)
        ref.status = "withdrawn"
        notice = enqueue(db.session, ref, "referral_withdrawn", closing_payload(ref, "referral_withdrawn", ""))
        db.session.commit()
        notice_id = notice.id
    counts = deliver(lapp)
    assert counts["dead"] == 1 and row(lapp, sent_id).status == "dead"
    assert "closed before delivery" in row(lapp, sent_id).last_error
    assert row(lapp, notice_id).status == "delivered"
    bodies = [json.loads(r["body"]) for r in partner.requests]
    assert [b["event"] for b in bodies] == ["referral_withdrawn"] and "林晓明" not in str(bodies)
    with lapp.app_context():
        assert resend(sent_id)
    deliver(lapp)
    assert row(lapp, sent_id).status == "dead" and "林晓明" not in str([r["body"] for r in partner.requests])


def test_partner_500_then_success_backs_off_between(lapp, world, partner):
    _, msg_id = refer(lapp, world)
    partner.script = [(500, 0)]
    now = dt.datetime.now(dt.UTC)
    assert deliver(lapp, now)["retry"] == 1
    m = row(lapp, msg_id)
    assert m.status == "pending" and m.attempts == 1 and "HTTP 500" in m.last_error
    assert aware(m.next_attempt_at) - now == dt.timedelta(seconds=30)
    # not due before the back-off has passed
    assert deliver(lapp, now + dt.timedelta(seconds=29))["delivered"] == 0
    assert len(partner.requests) == 1
    assert deliver(lapp, now + dt.timedelta(seconds=31))["delivered"] == 1
    m = row(lapp, msg_id)
    assert m.status == "delivered" and m.attempts == 2
    # the retry carried the same idempotency key
    keys = {r["headers"]["Idempotency-Key"] for r in partner.requests}
    assert keys == {m.idempotency_key} and len(partner.requests) == 2


def test_timeout_schedules_a_retry_and_returns_promptly(lapp, world, partner):
    _, msg_id = refer(lapp, world)
    partner.script = [(200, 1.0)]  # answers after the worker stopped waiting
    started = time.monotonic()
    counts = deliver(lapp)
    assert time.monotonic() - started < TIMEOUT + 0.6
    assert counts["retry"] == 1
    m = row(lapp, msg_id)
    assert m.status == "pending" and m.attempts == 1 and "no answer within" in m.last_error


def test_unreachable_partner_is_retried(lapp, world):
    from app.extensions import db
    from app.models.organization import Organization

    with lapp.app_context():
        org = db.session.get(Organization, world["hook"])
        org.linkage_settings = {"url": f"http://127.0.0.1:{free_port()}/gone", "secret_ref": "partner1"}
        db.session.commit()
    _, msg_id = refer(lapp, world)
    assert deliver(lapp)["retry"] == 1
    assert "cannot reach" in row(lapp, msg_id).last_error


def test_partner_refusal_4xx_goes_straight_to_dead(lapp, world, partner):
    _, msg_id = refer(lapp, world)
    partner.script = [(400, 0)]
    assert deliver(lapp)["dead"] == 1
    m = row(lapp, msg_id)
    assert m.status == "dead" and m.attempts == 1


def test_dead_after_max_attempts_then_resend_from_admin_page(lapp, world, partner):
    _, msg_id = refer(lapp, world)
    partner.script = [(503, 0)] * MAX_ATTEMPTS
    now = dt.datetime.now(dt.UTC)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        deliver(lapp, now)
        m = row(lapp, msg_id)
        if m.status == "pending":
            waits.append(aware(m.next_attempt_at) - now)
            now = aware(m.next_attempt_at)
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    m = row(lapp, msg_id)
    assert m.status == "dead" and m.attempts == MAX_ATTEMPTS
    assert deliver(lapp, now + dt.timedelta(days=1)) == {"delivered": 0, "retry": 0, "dead": 0, "errors": 0}

    # shown to administrators, with the error
    admin = lapp.test_client()
    helpers.login(admin, "admin")
    page = admin.get("/admin/outbox/list/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "HTTP 503" in html
    # re-send is a POST with a CSRF token; a GET action is refused
    admin.get(f"/admin/outbox/action/resend/{msg_id}")
    assert row(lapp, msg_id).status == "dead"
    r = admin.post("/admin/outbox/action_post",
                   data={"action": "resend", "rowid": [str(msg_id)], "csrf_token": csrf_token(html)})
    assert r.status_code == 302
    m = row(lapp, msg_id)
    assert m.status == "pending" and m.attempts == 0
    assert deliver(lapp)["delivered"] == 1
    assert row(lapp, msg_id).status == "delivered"


def test_outbox_page_refuses_a_clerk(lapp, world):
    clerk = lapp.test_client()
    helpers.login(clerk, "clerk")
    r = clerk.get("/admin/outbox/list/")
    assert r.status_code in (302, 403)


def test_resend_only_moves_dead_rows(lapp, world, partner):
    from app.linkage.outbox import resend

    _, msg_id = refer(lapp, world)
    with lapp.app_context():
        assert resend(msg_id) is False  # pending
        assert resend(999999) is False


def test_worker_command(lapp, world, partner):
    _, msg_id = refer(lapp, world)
    runner = lapp.test_cli_runner()
    r = runner.invoke(args=["outbox", "run", "--once"])
    assert r.exit_code == 0, r.output
    assert "delivered=1" in r.output
    assert row(lapp, msg_id).status == "delivered"
    r = runner.invoke(args=["outbox", "list"])
    assert r.exit_code == 0 and "delivered" in r.output
    r = runner.invoke(args=["outbox", "resend", str(msg_id)])
    assert r.exit_code != 0 and "no dead outbox message" in r.output


def test_missing_secret_is_retried_not_lost(lapp, world, partner):
    from app.extensions import db
    from app.models.organization import Organization

    with lapp.app_context():
        org = db.session.get(Organization, world["hook"])
        org.linkage_settings = {"url": partner.url, "secret_ref": "nobody"}
        db.session.commit()
    _, msg_id = refer(lapp, world)
    assert deliver(lapp)["retry"] == 1
    assert partner.requests == []
    assert "secret" in row(lapp, msg_id).last_error


def test_non_http_urls_are_refused(lapp, world, partner):
    from app.extensions import db
    from app.models.organization import Organization

    with lapp.app_context():
        org = db.session.get(Organization, world["hook"])
        org.linkage_settings = {"url": "file:///etc/passwd", "secret_ref": "partner1"}
        db.session.commit()
    _, msg_id = refer(lapp, world)
    assert deliver(lapp)["dead"] == 1
    assert "http" in row(lapp, msg_id).last_error


# --- inbound callbacks -------------------------------------------------------------------

def callback(app, ref_id, *, secret=SECRET, nonce="nonce-0001", ts=None, code="traffic-police",
             body=None, sign_body=None):
    from app.linkage.webhook import signed_headers

    body = body if body is not None else json.dumps(
        {"referral_id": ref_id, "decision": "accepted", "text": "已受理"}, ensure_ascii=False).encode()
    headers = signed_headers(secret.encode(), sign_body if sign_body is not None else body, nonce, ts)
    return app.test_client().post(f"/api/v1/linkage/inbound/{code}?_l_=en", data=body, headers=headers)


def test_inbound_callback_good_bad_replayed_stale(lapp, world):
    ref_id, _ = refer(lapp, world)

    r = callback(lapp, ref_id)
    assert r.status_code == 202, r.get_data(as_text=True)
    assert r.get_json()["referral_status"] == "accepted"
    assert referral_state(lapp, ref_id)[0] == "accepted"

    # the same nonce again: a replay
    r = callback(lapp, ref_id)
    assert r.status_code == 409 and r.get_json()["error"] == "replay"
    # the same signed request under a fresh nonce: still a replay
    answer = json.dumps({"referral_id": ref_id, "decision": "answered", "text": "认定书已调取，见附件清单"},
                        ensure_ascii=False).encode()
    ts = int(time.time()) - 5  # another second than the first call, so another signature
    assert callback(lapp, ref_id, nonce="nonce-0002", ts=ts, body=answer).status_code == 202
    assert callback(lapp, ref_id, nonce="nonce-0003", ts=ts, body=answer).status_code == 409

    assert callback(lapp, ref_id, nonce="nonce-0004", secret="wrong-secret").status_code == 401
    body = json.dumps({"referral_id": ref_id, "decision": "rejected"}).encode()
    assert callback(lapp, ref_id, nonce="nonce-0005", body=body, sign_body=b"{}").status_code == 401
    stale = int(time.time()) - 301
    assert callback(lapp, ref_id, nonce="nonce-0006", ts=stale).status_code == 401
    future = int(time.time()) + 301
    assert callback(lapp, ref_id, nonce="nonce-0007", ts=future).status_code == 401
    # only the two authentic, fresh calls changed the referral, each on the timeline
    assert referral_state(lapp, ref_id) == ("answered", "认定书已调取，见附件清单")
    assert callback_timeline(lapp, ref_id) == [("referral_accepted", "webhook"), ("referral_answered", "webhook")]


def referral_state(app, ref_id):
    from app.extensions import db
    from app.models.referral import Referral

    with app.app_context():
        db.session.expire_all()
        ref = db.session.get(Referral, ref_id)
        return ref.status, ref.response_text


def callback_timeline(app, ref_id):
    from app.extensions import db
    from app.models.lifecycle import TimelineEvent

    with app.app_context():
        rows = db.session.scalars(select(TimelineEvent).where(TimelineEvent.kind == "referral").order_by(TimelineEvent.id))
        return [(e.action, e.data.get("via")) for e in rows if e.data.get("referral_id") == ref_id and e.actor_id is None]


@pytest.mark.parametrize("doc, reason", [
    ({"decision": "answered", "text": "已办结"}, "is now"),  # not accepted yet
    ({"decision": "rejected"}, "reason for rejecting"),
    ({"decision": "rejected", "reason": ["not_competent"]}, "reason for rejecting"),
    ({"decision": "maybe"}, "must be one of"),
])
def test_a_callback_the_referral_rules_refuse_stores_nothing(lapp, world, doc, reason):
    ref_id, _ = refer(lapp, world)
    body = json.dumps({"referral_id": ref_id, **doc}).encode()
    r = callback(lapp, ref_id, nonce="nonce-0300", body=body)
    assert r.status_code == 422 and reason in " ".join(r.get_json()["reasons"])
    assert referral_state(lapp, ref_id) == ("sent", None)
    # the refusal did not use the nonce up: the corrected call goes through under it
    good = json.dumps({"referral_id": ref_id, "decision": "rejected", "reason": "not_competent"}).encode()
    assert callback(lapp, ref_id, nonce="nonce-0300", body=good).status_code == 202
    assert referral_state(lapp, ref_id)[0] == "rejected"


def test_inbound_refuses_unsigned_unknown_and_foreign(lapp, world):
    client = lapp.test_client()
    ref_id, _ = refer(lapp, world)
    # no signature at all: 401 before any look-up (and no CSRF token needed for signed calls)
    assert client.post("/api/v1/linkage/inbound/traffic-police", json={"referral_id": ref_id}).status_code == 401
    assert callback(lapp, ref_id, code="no-such-partner").status_code == 404
    # an in-platform partner takes no callbacks
    assert callback(lapp, ref_id, code="insurers").status_code == 404
    # a referral sent to someone else
    other_ref, _ = refer(lapp, world, "mail")
    assert callback(lapp, other_ref, nonce="nonce-0100").status_code == 404
    assert callback(lapp, ref_id, nonce="nonce-0101", body=b"not json").status_code == 400
    assert callback(lapp, ref_id, nonce="bad nonce!").status_code == 400


def test_a_failure_while_recording_does_not_consume_the_nonce(lapp, world, monkeypatch):
    import app.linkage.inbound as inbound

    ref_id, _ = refer(lapp, world)

    def broken(*args):
        raise RuntimeError("referral service down")

    with monkeypatch.context() as m:
        m.setattr(inbound, "record_partner_answer", broken)
        ts = int(time.time())
        assert callback(lapp, ref_id, nonce="nonce-0200", ts=ts).status_code == 500
    assert referral_state(lapp, ref_id)[0] == "sent"
    assert callback(lapp, ref_id, nonce="nonce-0200", ts=ts).status_code == 202
    assert referral_state(lapp, ref_id)[0] == "accepted"


# --- e-mail ------------------------------------------------------------------------------

@pytest.fixture
def smtp(lapp):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("refuse"):
                return "550 5.1.1 no such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted"

    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=lapp.config["JIEFEN_SMTP_PORT"])
    controller.start()
    yield handler
    controller.stop()


def test_email_delivered_with_chinese_subject_and_shared_fields(lapp, world, smtp):
    from email import message_from_bytes, policy

    ref_id, msg_id = refer(lapp, world, "mail")
    assert deliver(lapp)["delivered"] == 1
    assert len(smtp.messages) == 1
    env = smtp.messages[0]
    assert env.rcpt_tos == ["sifasuo@partner.invalid"]
    mail = message_from_bytes(env.original_content, policy=policy.default)
    assert mail["Subject"] == f"【解纷】联动转办函：林晓明与黄丽娟交通事故纠纷（转办第{ref_id}号）"
    text = mail.get_body(("plain",)).get_content()
    assert "城区司法所" in text
    assert "转办事由：请协助调取事故认定书及现场图" in text
    assert "法律依据：《道路交通安全法》第73条" in text
    assert "答复期限：2026-12-10" in text
    assert "事故日期：2026-09-18" in text and "事故地点：通港路与香城路交叉口" in text
    m = row(lapp, msg_id)
    assert mail["X-Jiefen-Idempotency-Key"] == m.idempotency_key
    assert m.status == "delivered"


def test_email_tells_the_partner_a_referral_was_withdrawn(lapp, world, smtp):
    from email import message_from_bytes, policy

    from app.extensions import db
    from app.lifecycle.referrals import closing_payload
    from app.linkage.outbox import enqueue
    from app.models.referral import Referral

    ref_id, _ = refer(lapp, world, "mail", commit=True)
    with lapp.app_context():
        ref = db.session.get(Referral, ref_id)
        ref.status = "withdrawn"
        enqueue(db.session, ref, "referral_withdrawn", closing_payload(ref, "referral_withdrawn", "当事人已自行和解"))
        db.session.commit()
    counts = deliver(lapp)  # the letter with the case data never went out: only the withdrawal does
    assert (counts["delivered"], counts["dead"], len(smtp.messages)) == (1, 1, 1)
    mail = message_from_bytes(smtp.messages[-1].original_content, policy=policy.default)
    assert mail["Subject"] == f"【解纷】联动撤回转办（转办第{ref_id}号）"
    text = mail.get_body(("plain",)).get_content()
    assert "说明：当事人已自行和解" in text and "请停止办理" in text and "共享信息" not in text


def test_email_refused_address_is_dead_and_down_server_retried(lapp, world, smtp):
    from app.extensions import db
    from app.models.organization import Organization

    with lapp.app_context():
        org = db.session.get(Organization, world["mail"])
        org.linkage_settings = {"address": "refuse@partner.invalid"}
        db.session.commit()
    _, msg_id = refer(lapp, world, "mail")
    assert deliver(lapp)["dead"] == 1
    assert "refused" in row(lapp, msg_id).last_error


def test_email_server_down_is_retried(lapp, world):
    _, msg_id = refer(lapp, world, "mail")  # no SMTP server listening
    assert deliver(lapp)["retry"] == 1
    assert row(lapp, msg_id).status == "pending"


def test_mechanisms_describe_their_settings(lapp):
    from app.linkage import get_mechanism, mechanism_classes

    with lapp.app_context():
        assert set(mechanism_classes()) >= {"in_platform", "webhook", "email"}
        hook = get_mechanism("webhook")
        assert [f.name for f in hook.settings_schema()] == ["url", "secret_ref"]
        assert [f.name for f in hook.settings_schema() if f.secret_ref] == ["secret_ref"]
        # a sentence in the reader's language (Chinese by default), naming the field by its label
        assert [str(p) for p in hook.validate_settings({"url": "https://x"})] == ["请填写共享密钥名称。"]
        assert [f.name for f in get_mechanism("email").settings_schema()] == ["address"]
        assert get_mechanism("nope") is None


def test_email_renders_the_referral_services_shared_view(lapp, world, smtp):
    """The payload shape of app.lifecycle.referrals.outbox_payload: labels come out in Chinese."""
    from email import message_from_bytes, policy

    from app.extensions import db
    from app.linkage.outbox import enqueue
    from app.models.referral import Referral

    with lapp.app_context():
        ref = db.session.scalars(select(Referral)).first()
        if ref is None:
            ref_id, _ = refer(lapp, world, "mail")
            ref = db.session.get(Referral, ref_id)
        payload = {"referral_id": ref.id, "kind": "entrust", "purpose": "请协助核实保险理赔情况",
                   "legal_basis": "人民调解法 第8条", "due_on": "2026-12-20",
                   "shared": {"title": "林晓明与黄丽娟交通事故纠纷",
                              "parties": [{"name": "林晓明", "role": "applicant"}],
                              "intake": {"accident_date": "2026-09-18"},
                              "documents": [{"id": 7, "name": "事故认定书.pdf", "size": 1024}]}}
        msg = enqueue(db.session, ref, "referral_sent", payload, mechanism="email")
        db.session.commit()
        msg_id = msg.id
    assert deliver(lapp)["delivered"] >= 1
    m = row(lapp, msg_id)
    assert m.status == "delivered"
    mail = message_from_bytes(smtp.messages[-1].original_content, policy=policy.default)
    assert mail["Subject"].startswith("【解纷】委托转办函：林晓明与黄丽娟交通事故纠纷")
    text = mail.get_body(("plain",)).get_content()
    assert "案件名称：林晓明与黄丽娟交通事故纠纷" in text
    assert "当事人1：姓名：林晓明" in text
    assert "2026-09-18" in text and "accident_date" not in text
    assert "附件：事故认定书.pdf（请登录平台下载）" in text
