"""Referrals to partner agencies: sending the minimum, the partner's answer, scope and the outbox."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select, update

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app

PASSWORD = "referral-Pa55-word"
PARTNER_USERS = ("ref_partner_a", "ref_partner_b")
SENDER = "ref_sender"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def rapp(database, tmp_path_factory):
    """An app with the referral views, a Partner role and its users."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("referrals"))
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("Partner")  # from the role matrix (app/roles.py)
        for username in PARTNER_USERS + (SENDER,):
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name=username, last_name="测试",
                            email=f"{username}@jiefen.invalid",
                            role=role if username != SENDER else sm.find_role("Clerk"), password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(rapp):
    """A court division (the sender's), agencies A (in platform) and B (webhook), memberships, a case."""
    from app.extensions import db
    from app.models import Membership, Organization

    with rapp.app_context():
        places = helpers.create_places()
        court = Organization(name="城区法院立案庭", kind="case_filing_division")
        a = Organization(name="城区交警大队", kind="partner_agency")
        b = Organization(name="城区司法局", kind="partner_agency", linkage_mechanism="webhook",
                         linkage_settings={"url": "https://partner.invalid/hook"})
        gone = Organization(name="已撤销的机构", kind="partner_agency", active=False)
        db.session.add_all([court, a, b, gone])
        db.session.flush()
        sm = rapp.appbuilder.sm
        users = {u: sm.find_user(username=u).id for u in PARTNER_USERS + (SENDER,)}
        db.session.add_all([
            Membership(user_id=users[SENDER], organization_id=court.id),
            Membership(user_id=users["ref_partner_a"], organization_id=a.id),
            Membership(user_id=users["ref_partner_b"], organization_id=b.id),
        ])
        db.session.commit()
        ids = {"a": a.id, "b": b.id, "gone": gone.id, "court": court.id, **places, **users}
    token = helpers.api_token(rapp.test_client(), "admin")
    r = rapp.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                                headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    ids["case"] = r.get_json()["id"]
    yield ids
    with rapp.app_context():
        helpers.wipe_case_data()


def login(app, username):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return client


_TOKENS: dict = {}


def bearer(app, username):
    key = (id(app), username)
    if key not in _TOKENS:
        r = app.test_client().post("/api/v1/security/login",
                                   json={"username": username, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        _TOKENS[key] = r.get_json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[key]}"}


def court_today(app) -> dt.date:
    from app.services.settings import today

    with app.app_context():
        return today()


SHARED = ["title", "area", "parties.name", "parties.role", "intake.accident_date", "intake.accident_place"]


def send_api(app, world, partner="a", **changes):
    body = {"partner_id": world[partner], "kind": "entrust", "purpose": "请协助核实事故责任认定",
            "legal_basis": "《道路交通安全法》第七十四条", "shared_fields": SHARED,
            "due_on": (court_today(app) + dt.timedelta(days=7)).isoformat()}
    body.update(changes)
    return app.test_client().post(f"/api/v1/case/{world['case']}/referrals?_l_=en", json=body, headers=bearer(app, SENDER))


def referral_row(app, rid):
    from app.extensions import db
    from app.models.referral import Referral

    with app.app_context():
        db.session.expire_all()
        r = db.session.get(Referral, rid)
        return {"status": r.status, "reject_reason": r.reject_reason, "responded_at": r.responded_at,
                "closed_at": r.closed_at, "mechanism": r.mechanism, "response_text": r.response_text}


def timeline(app, case_id):
    from app.extensions import db
    from app.models.lifecycle import TimelineEvent

    with app.app_context():
        rows = db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case_id,
                                                              TimelineEvent.kind == "referral")
                                  .order_by(TimelineEvent.id))
        return [(e.action, e.data.get("referral_id")) for e in rows]


def outbox(app):
    from app.extensions import db
    from app.models.referral import OutboxMessage

    with app.app_context():
        return [(m.referral_id, m.mechanism, m.event, m.payload, m.status)
                for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_whole_lifecycle_on_the_web(rapp, world):
    from app.extensions import db
    from app.models.mediation import Attachment
    from app.models.referral import Referral

    sender = login(rapp, SENDER)
    page = sender.get(f"/case/{world['case']}/refer?_l_=en").get_data(as_text=True)
    assert 'value="intake.accident_date"' in page and "城区交警大队" in page and "已撤销的机构" not in page
    due = (court_today(rapp) + dt.timedelta(days=5)).isoformat()
    r = sender.post(f"/case/{world['case']}/refer", data={
        "csrf_token": csrf_token(page), "partner": str(world["a"]), "kind": "assign", "purpose": "核实责任",
        "legal_basis": "《人民调解法》第十八条", "due_on": due, "fields": SHARED})
    assert r.status_code == 302, r.get_data(as_text=True)
    with rapp.app_context():
        rid = db.session.scalars(select(Referral.id)).one()
    assert referral_row(rapp, rid)["mechanism"] == "in_platform" and outbox(rapp) == []

    partner = login(rapp, "ref_partner_a")
    listing = partner.get("/partner/referrals/").get_data(as_text=True)
    assert f"/partner/referrals/{rid}" in listing
    show = partner.get(f"/partner/referrals/{rid}?_l_=en")
    html = show.get_data(as_text=True)
    assert show.status_code == 200
    # exactly the shared fields…
    for shown in ("林晓明与黄丽娟交通事故赔偿纠纷", "林晓明", "黄丽娟", "2026-09-18", "通港路与香城路交叉口", "香洲街道"):
        assert shown in html
    # …and nothing else of the case
    for hidden in (helpers.VALID_ID, helpers.VALID_ID_2, "13802661234", "汕尾市城区香洲街道通港路18号",
                   "汕公交认字", "申请人受伤", "12500.50", "粤N12345"):
        assert hidden not in html

    r = partner.post(f"/partner/referrals/{rid}/accept", data={"csrf_token": csrf_token(html)})
    assert r.status_code == 302 and referral_row(rapp, rid)["status"] == "accepted"
    html = partner.get(f"/partner/referrals/{rid}").get_data(as_text=True)
    r = partner.post(f"/partner/referrals/{rid}/answer", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(html), "text": "经核实，责任认定无误。",
        "files": [(io.BytesIO(PDF), "核实意见.pdf")]})
    assert r.status_code == 302, r.get_data(as_text=True)
    row = referral_row(rapp, rid)
    assert row["status"] == "answered" and row["responded_at"] is not None and row["response_text"] == "经核实，责任认定无误。"
    with rapp.app_context():
        att = db.session.scalars(select(Attachment)).one()
        assert att.referral_id == rid and att.case_id == world["case"] and att.kind == "document"
    assert "核实意见.pdf" in partner.get(f"/partner/referrals/{rid}").get_data(as_text=True)

    # the sender closes it
    case_page = sender.get(f"/case/{world['case']}/refer").get_data(as_text=True)
    r = sender.post(f"/case/referrals/{rid}/complete", data={"csrf_token": csrf_token(case_page)})
    assert r.status_code == 302
    row = referral_row(rapp, rid)
    assert row["status"] == "completed" and row["closed_at"] is not None
    assert timeline(rapp, world["case"]) == [
        ("referral_sent", rid), ("referral_accepted", rid), ("referral_answered", rid), ("referral_completed", rid)]

    stats = partner.get("/partner/statistics").get_data(as_text=True)
    assert 'data-status="completed">1<' in stats


def test_refused_send_shows_the_form_again_and_writes_nothing(rapp, world):
    from app.extensions import db
    from app.models.referral import Referral

    sender = login(rapp, SENDER)
    page = sender.get(f"/case/{world['case']}/refer").get_data(as_text=True)
    yesterday = (court_today(rapp) - dt.timedelta(days=1)).isoformat()
    r = sender.post(f"/case/{world['case']}/refer?_l_=en", data={
        "csrf_token": csrf_token(page), "partner": str(world["b"]), "kind": "link", "purpose": "请协助调查走访",
        "legal_basis": "", "due_on": yesterday, "fields": ["title", "parties.mobile"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "legal basis" in html and "in the past" in html
    assert "请协助调查走访" in html and 'value="parties.mobile" checked' in html
    for fields, message in (([], "at least one field"), (["parties.id_number"], "Unknown fields")):
        r = send_api(rapp, world, "b", shared_fields=fields)
        assert r.status_code == 422 and message in str(r.get_json())
    r = send_api(rapp, world, "b", shared_fields=[{"x": 1}, "title"])
    assert r.status_code == 422 and "Unknown fields" in str(r.get_json())
    for partner in ("gone", "court"):
        r = send_api(rapp, world, partner)
        assert r.status_code == 422 and "active partner agency" in str(r.get_json())
    with rapp.app_context():
        assert db.session.scalars(select(Referral)).first() is None
    assert outbox(rapp) == [] and timeline(rapp, world["case"]) == []


def test_a_partner_outside_the_platform_gets_an_outbox_message_with_the_referral(rapp, world):
    r = send_api(rapp, world, "b")
    assert r.status_code == 201, r.get_json()
    rid = r.get_json()["result"]["id"]
    assert referral_row(rapp, rid)["mechanism"] == "webhook"
    [(ref_id, mechanism, event, payload, status)] = outbox(rapp)
    assert (ref_id, mechanism, event, status) == (rid, "webhook", "referral_sent", "pending")
    assert payload["referral_id"] == rid and payload["case_id"] == world["case"]
    assert payload["shared"] == {
        "title": "林晓明与黄丽娟交通事故赔偿纠纷", "area": "香洲街道",
        "parties": [{"name": "林晓明", "role": "applicant"}, {"name": "黄丽娟", "role": "respondent"}],
        "intake": {"accident_date": "2026-09-18", "accident_place": "通港路与香城路交叉口"},
    }
    assert timeline(rapp, world["case"]) == [("referral_sent", rid)]


def test_the_partners_system_hears_of_a_withdrawal_without_the_case_data(rapp, world):
    rid = send_api(rapp, world, "b").get_json()["result"]["id"]
    r = rapp.test_client().post(f"/api/v1/case/{world['case']}/referrals/{rid}/withdraw",
                                json={"note": "当事人已自行和解"}, headers=bearer(rapp, SENDER))
    assert r.status_code == 200, r.get_json()
    sent, withdrawn = outbox(rapp)
    assert sent[2] == "referral_sent" and withdrawn[:3] == (rid, "webhook", "referral_withdrawn")
    notice = withdrawn[3]
    assert notice["status"] == "withdrawn" and notice["note"] == "当事人已自行和解" and "撤回" in notice["reply_hint"]
    assert "shared" not in notice and "林晓明" not in str(notice)


def test_malformed_values_are_refused_as_bad_input_not_errors(rapp, world):
    rid = send_api(rapp, world).get_json()["result"]["id"]
    c, partner = rapp.test_client(), bearer(rapp, "ref_partner_a")
    r = c.post(f"/api/v1/partner/referrals/{rid}/reject?_l_=en", json={"reason": ["not_competent"]}, headers=partner)
    assert r.status_code == 422 and "reason for rejecting" in str(r.get_json())
    r = send_api(rapp, world, kind={"entrust": 1})
    assert r.status_code == 422
    browser = login(rapp, "ref_partner_a")
    for url in ("/partner/referrals/%C2%B2", f"/partner/referrals/{rid}/documents/%C2%B2"):
        assert browser.get(url).status_code == 404, url
    assert login(rapp, SENDER).get("/case/show/%C2%B2").status_code == 404
    assert referral_row(rapp, rid)["status"] == "sent"


def test_reject_needs_a_reason_and_wrong_states_are_refused(rapp, world):
    rid = send_api(rapp, world).get_json()["result"]["id"]
    c = rapp.test_client()
    partner, sender = bearer(rapp, "ref_partner_a"), bearer(rapp, SENDER)
    base = f"/api/v1/partner/referrals/{rid}"
    close = f"/api/v1/case/{world['case']}/referrals/{rid}"
    assert c.post(f"{base}/reject", json={}, headers=partner).status_code == 422
    assert c.post(f"{base}/reject", json={"reason": "nonsense"}, headers=partner).status_code == 422
    assert c.post(f"{base}/reject", json={"reason": "other"}, headers=partner).status_code == 422
    web = login(rapp, "ref_partner_a")
    page = web.get(f"/partner/referrals/{rid}?_l_=en").get_data(as_text=True)
    r = web.post(f"/partner/referrals/{rid}/reject?_l_=en", data={"csrf_token": csrf_token(page), "reason": "",
                                                                   "note": "写了说明"})
    assert r.status_code == 422 and "Choose the reason" in r.get_data(as_text=True)
    assert "写了说明" in r.get_data(as_text=True)  # what was typed is shown again
    assert c.post(f"{base}/answer", json={"text": "太早"}, headers=partner).status_code == 422  # not accepted yet
    assert c.post(f"{close}/complete", json={}, headers=sender).status_code == 422  # not answered
    assert referral_row(rapp, rid)["status"] == "sent"
    assert c.post(f"{base}/accept", json={"version": 99}, headers=partner).status_code == 409  # stale
    assert c.post(f"{base}/accept", json={"version": "x"}, headers=partner).status_code == 409
    r = c.post(f"{base}/accept", json={"version": 1}, headers=partner)
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "accepted"
    assert c.post(f"{base}/accept", json={}, headers=partner).status_code == 422
    r = c.post(f"{base}/answer", json={"text": "  "}, headers=partner)
    assert r.status_code == 422
    r = c.post(f"{base}/reject", json={"reason": "not_competent", "note": "非本单位职责"}, headers=partner)
    assert r.status_code == 200
    row = referral_row(rapp, rid)
    assert row["status"] == "rejected" and row["reject_reason"] == "not_competent" and row["closed_at"] is not None
    assert c.post(f"{close}/withdraw", json={}, headers=sender).status_code == 422
    assert c.post(f"{base}/answer", json={"text": "x"}, headers=partner).status_code == 422
    # a rejected referral no longer shows the case's data
    assert c.get(base, headers=partner).get_json()["result"]["shared"] is None
    assert [a for a, _ in timeline(rapp, world["case"])] == ["referral_sent", "referral_accepted", "referral_rejected"]


def test_api_lifecycle_and_withdrawal(rapp, world):
    c = rapp.test_client()
    partner, sender = bearer(rapp, "ref_partner_a"), bearer(rapp, SENDER)
    rid = send_api(rapp, world).get_json()["result"]["id"]
    listed = c.get("/api/v1/partner/referrals/", headers=partner).get_json()["result"]
    assert [r["id"] for r in listed] == [rid] and "shared" not in listed[0]
    got = c.get(f"/api/v1/partner/referrals/{rid}", headers=partner).get_json()["result"]
    assert set(got["shared"]) == {"title", "area", "parties", "intake"}
    assert got["shared"]["parties"][0] == {"name": "林晓明", "role": "applicant"}
    assert c.post(f"/api/v1/partner/referrals/{rid}/accept", json={}, headers=partner).status_code == 200
    r = c.post(f"/api/v1/partner/referrals/{rid}/answer", json={"text": "已处理"}, headers=partner)
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "answered"
    r = c.post(f"/api/v1/case/{world['case']}/referrals/{rid}/complete", json={}, headers=sender)
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "completed"
    # withdrawal before an answer
    rid2 = send_api(rapp, world).get_json()["result"]["id"]
    r = c.post(f"/api/v1/case/{world['case']}/referrals/{rid2}/withdraw", json={"note": "当事人已和解"}, headers=sender)
    assert r.status_code == 200 and referral_row(rapp, rid2)["status"] == "withdrawn"
    assert c.post(f"/api/v1/partner/referrals/{rid2}/accept", json={}, headers=partner).status_code == 422
    listed = c.get(f"/api/v1/case/{world['case']}/referrals", headers=sender).get_json()["result"]
    assert {r["id"]: r["status"] for r in listed} == {rid: "completed", rid2: "withdrawn"}
    stats = c.get("/api/v1/partner/statistics", headers=partner).get_json()["result"]
    assert stats["by_status"]["completed"] == 1 and stats["by_status"]["withdrawn"] == 1 and stats["total"] == 2
    assert stats["average_days_to_answer"] is not None and stats["overdue"] == 0


def test_another_agencys_referral_is_not_found_everywhere(rapp, world):
    rid_b = send_api(rapp, world, "b").get_json()["result"]["id"]
    partner_a = login(rapp, "ref_partner_a")
    own = send_api(rapp, world, "a").get_json()["result"]["id"]
    token = csrf_token(partner_a.get(f"/partner/referrals/{own}").get_data(as_text=True))
    assert partner_a.get(f"/partner/referrals/{rid_b}").status_code == 404
    for step in ("accept", "reject", "answer"):
        assert partner_a.post(f"/partner/referrals/{rid_b}/{step}", data={"csrf_token": token,
                              "reason": "other", "note": "x", "text": "x"}).status_code == 404
    assert partner_a.get("/partner/referrals/99999999").status_code == 404
    assert partner_a.get("/partner/referrals/abc").status_code == 404
    assert f"/partner/referrals/{rid_b}" not in partner_a.get("/partner/referrals/").get_data(as_text=True)
    c, headers = rapp.test_client(), bearer(rapp, "ref_partner_a")
    assert c.get(f"/api/v1/partner/referrals/{rid_b}", headers=headers).status_code == 404
    for step, body in (("accept", {}), ("reject", {"reason": "other", "note": "x"}), ("answer", {"text": "x"})):
        assert c.post(f"/api/v1/partner/referrals/{rid_b}/{step}", json=body, headers=headers).status_code == 404
    assert referral_row(rapp, rid_b)["status"] == "sent"
    # the sender's staff are not the partner: they cannot answer, even through the lifecycle
    from app.extensions import db
    from app.lifecycle import referrals as lc
    from app.models.referral import Referral

    with rapp.app_context():
        sender = rapp.appbuilder.sm.find_user(username=SENDER)
        with pytest.raises(lc.ReferralRefused):
            lc.accept(db.session.get(Referral, own), sender)
        # and a partner cannot act for the sender
        partner = rapp.appbuilder.sm.find_user(username="ref_partner_a")
        with pytest.raises(lc.ReferralRefused):
            lc.withdraw(db.session.get(Referral, own), partner)


def test_partner_cannot_send_or_read_the_full_case(rapp, world):
    send_api(rapp, world, "a")
    c, headers = rapp.test_client(), bearer(rapp, "ref_partner_a")
    r = c.post(f"/api/v1/case/{world['case']}/referrals", json={}, headers=headers)
    assert r.status_code in (401, 403)
    partner = login(rapp, "ref_partner_a")
    r = partner.get(f"/case/show/{world['case']}")
    # The Partner role has no "can_show" on "Case": FAB refuses (403) before the scope is asked.
    assert r.status_code in (403, 404) and helpers.VALID_ID not in r.get_data(as_text=True)
    assert partner.get(f"/case/{world['case']}/refer").status_code in (403, 404)
    r = c.get(f"/api/v1/case/{world['case']}", headers=headers)
    assert r.status_code in (401, 403, 404)


def test_overdue_referrals_of_the_sender(rapp, world):
    from app.extensions import db
    from app.lifecycle.referrals import overdue_for
    from app.services.partner_reports import partner_statistics
    from app.models.referral import Referral

    late = send_api(rapp, world).get_json()["result"]["id"]
    answered = send_api(rapp, world).get_json()["result"]["id"]
    on_time = send_api(rapp, world).get_json()["result"]["id"]
    c, partner = rapp.test_client(), bearer(rapp, "ref_partner_a")
    c.post(f"/api/v1/partner/referrals/{answered}/accept", json={}, headers=partner)
    c.post(f"/api/v1/partner/referrals/{answered}/answer", json={"text": "已答复"}, headers=partner)
    past = court_today(rapp) - dt.timedelta(days=3)
    with rapp.app_context():
        db.session.execute(update(Referral).where(Referral.id.in_([late, answered])).values(due_on=past))
        db.session.commit()
        sm = rapp.appbuilder.sm
        assert [r.id for r in overdue_for(sm.find_user(username=SENDER))] == [late]
        assert overdue_for(sm.find_user(username="clerk")) == []
        stats = partner_statistics(world["a"])
        assert stats["overdue"] == 1 and stats["by_status"]["sent"] == 2 and stats["by_status"]["answered"] == 1
    assert on_time
    # the sender's My work lists it on its card (app/views/mywork_roles.py)
    html = login(rapp, SENDER).get("/mywork/").get_data(as_text=True)
    card = html.split('id="mywork-sent-overdue"', 1)[1].split("mywork-col", 1)[0]
    assert "城区交警大队" in card and past.isoformat() in card and card.count('class="mywork-item') == 1


def test_case_panel_lists_the_referrals(rapp, world):
    """The include for case_show.html renders with the two template globals it needs."""
    from flask import render_template_string

    from app.extensions import db
    from app.models.case import Case

    rid = send_api(rapp, world).get_json()["result"]["id"]
    with rapp.test_request_context("/"):
        html = render_template_string('{% include "jiefen/referral_case_panel.html" %}',
                                      case=db.session.get(Case, world["case"]))
    assert "城区交警大队" in html and f"/case/referrals/{rid}/withdraw" in html


NOT_OBJECTS = ([], "x", 3)


def test_a_body_that_is_not_a_json_object_is_refused_with_400_never_500(rapp, world):
    """Accepting, rejecting, answering, withdrawing and completing each read a JSON object;
    a list, a string or a number is answered 400 in Chinese and changes nothing. Sending no
    body at all still accepts (every field of accepting, withdrawing and completing is optional)."""
    rid = send_api(rapp, world).get_json()["result"]["id"]
    c = rapp.test_client()
    partner, sender = bearer(rapp, "ref_partner_a"), bearer(rapp, SENDER)
    base, close = f"/api/v1/partner/referrals/{rid}", f"/api/v1/case/{world['case']}/referrals/{rid}"
    for url, who in ((f"{base}/accept", partner), (f"{base}/reject", partner), (f"{base}/answer", partner),
                     (f"{close}/withdraw", sender), (f"{close}/complete", sender)):
        for body in NOT_OBJECTS:
            r = c.post(url, json=body, headers=who)
            assert r.status_code == 400, (url, body, r.status_code)
            assert "JSON" in r.get_json()["message"] and "Send" not in r.get_json()["message"], (url, body)
    assert referral_row(rapp, rid)["status"] == "sent"
    assert [a for a, _ in timeline(rapp, world["case"])] == ["referral_sent"]
    r = c.post(f"{base}/accept", headers=partner)
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "accepted"
