"""The case lifecycle's state machine: every action from every state, the guards, plugin
vetoes, stale edits, and the timeline — through the service, the web pages and the API."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.lifecycle.machine import ACTIONS
from app.models.case import CASE_STATES
from tests import helpers
from tests.fixtures import csrf_token

STATES = list(CASE_STATES)
COMBOS = [(state, name) for state in STATES for name in ACTIONS]


def new_case(app, places, dispute_type="traffic", intake=None):
    payload = helpers.traffic_payload(places)
    if dispute_type != "traffic":
        payload["dispute_type"] = dispute_type
        payload["intake"] = intake or app.extensions["jiefen"].registry.samples[dispute_type]
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def consent_all(case, decision="given"):
    from app.extensions import db
    from app.models import Consent

    for p in case.parties:
        db.session.add(Consent(case_id=case.id, party_id=p.id, subject="mediation", decision=decision, channel="window"))
    db.session.commit()


def put_in_state(app, case_id, state, court_says="confirmed"):
    """Place a case in ``state`` directly (the journeys walk the real road), with what that
    state implies: a mediator once assigned, an agreement in effect once reached, the
    court's answer once confirmation was applied for."""
    import datetime as dt

    from app.extensions import db
    from app.models import Agreement, Case, JudicialConfirmation, Mediator

    case = db.session.get(Case, case_id)
    case.status = state
    if state in ("agreement_reached", "judicial_confirmation", "performing"):
        db.session.add(Agreement(case_id=case.id, template_code="compensation", committee="委员会",
                                 mediator_name="调解员", drafted_on=dt.date(2026, 10, 1),
                                 effective_on=dt.date(2026, 10, 2)))
    if state == "judicial_confirmation":
        db.session.add(JudicialConfirmation(case_id=case.id, applied_on=dt.date(2026, 10, 3), result=court_says))
    if state in ("assigned", "scheduled", "in_mediation"):
        mediator = Mediator(name="测试调解员", specialties=["traffic"])
        db.session.add(mediator)
        db.session.flush()
        case.mediator_id = mediator.id
    db.session.commit()
    return case


def data_for(name, other_case_no):
    action = ACTIONS[name]
    data = {}
    if action.needs_track:
        data["track"] = "small_claims"
    if action.needs_case_no:
        data["case_no"] = other_case_no
    return data


@pytest.mark.parametrize("state,name", COMBOS, ids=[f"{s}-{a}" for s, a in COMBOS])
def test_every_action_from_every_state(app, places, state, name):
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Case, TimelineEvent
    from app.lifecycle.workflow import TransitionRefused

    action = ACTIONS[name]
    case_id = new_case(app, places)
    other_id = new_case(app, places)
    with app.test_request_context():
        admin = app.appbuilder.sm.find_user(username="admin")
        case = put_in_state(app, case_id, state, court_says="rejected" if name == "transfer" else "confirmed")
        consent_all(case, "refused" if name == "refuse_mediation" else "given")
        other_no = db.session.get(Case, other_id).case_no
        if state not in action.sources:
            with pytest.raises(TransitionRefused) as refused:
                perform(case, name, admin, note="理由", data=data_for(name, other_no))
            assert "is not possible" in str(refused.value.reasons[0]) or "不能" in str(refused.value.reasons[0]) \
                or CASE_STATES[state] is not None
            assert db.session.get(Case, case_id).status == state  # nothing changed
            return
        perform(case, name, admin, note="理由", data=data_for(name, other_no))
        case = db.session.get(Case, case_id)
        assert case.status == action.target
        last = db.session.scalars(
            select(TimelineEvent).where(TimelineEvent.case_id == case_id).order_by(TimelineEvent.id.desc())
        ).first()
        assert (last.action, last.from_state, last.to_state) == (name, state, action.target)


def test_refusal_names_the_state_and_what_is_possible(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "registered")
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "reach_agreement", None)
    message = str(refused.value.reasons[0])
    assert "Registered" in message and "Agreement reached" in message and "Start screening" in message


def test_mediation_needs_every_partys_consent(app, places):
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Consent
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "screening")
        applicant = case.parties[0]
        db.session.add(Consent(case_id=case.id, party_id=applicant.id, subject="mediation", decision="given", channel="window"))
        db.session.commit()
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "accept_mediation", None)
        assert "黄丽娟" in str(refused.value.reasons[0])
        with pytest.raises(TransitionRefused):
            perform(case, "refuse_mediation", None, note="被申请人拒绝")  # nobody refused yet


def test_reasons_are_required_where_the_timeline_must_keep_one(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "screening")
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "withdraw", None, note="  ")
    assert "Give the reason" in str(refused.value.reasons[0])


def test_labour_case_refused_mediation_cannot_go_to_court_before_arbitration(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places, "labour")
    with app.test_request_context():
        case = put_in_state(app, case_id, "screening")
        consent_all(case, "refused")
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "refuse_mediation", None, note="用人单位不同意调解")
    assert refused.value.reasons  # the labour plugin's veto: arbitration first


@pytest.mark.parametrize("court_says,allowed", [("pending", False), ("rejected", False), ("confirmed", True)])
def test_performance_waits_for_the_courts_confirmation(app, places, court_says, allowed):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "judicial_confirmation", court_says=court_says)
        if allowed:
            assert perform(case, "start_performance", None).status == "performing"
        else:
            with pytest.raises(TransitionRefused):
                perform(case, "start_performance", None)


def test_performance_needs_an_agreement_in_effect(app, places):
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Agreement
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "agreement_reached")
        db.session.query(Agreement).filter_by(case_id=case_id).update({"effective_on": None})
        db.session.commit()
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "start_performance", None)
    assert "every party and the mediator must sign" in str(refused.value.reasons[0])


def test_failed_labour_mediation_goes_to_arbitration_not_court(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places, "labour")
    with app.test_request_context():
        case = put_in_state(app, case_id, "mediation_failed")
        with pytest.raises(TransitionRefused):
            perform(case, "transfer", None, note="调解不成", data={"track": "ordinary"})
        assert perform(case, "transfer", None, note="调解不成", data={"track": "arbitration"}).status == "transferred"


def test_merge_needs_another_open_case(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "screening")
        with pytest.raises(TransitionRefused):
            perform(case, "merge", None, note="重复登记", data={"case_no": case.case_no})
        with pytest.raises(TransitionRefused):
            perform(case, "merge", None, note="重复登记", data={"case_no": "（2099）不存在第1号"})


# -- through the API -----------------------------------------------------------------------
def api(app, path, body, user="clerk"):
    token = helpers.api_token(app.test_client(), user)
    return app.test_client().post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_api_moves_a_case_and_refuses_a_stale_version(app, places):
    from app.extensions import db
    from app.models import Case

    case_id = new_case(app, places)
    with app.app_context():
        version = db.session.get(Case, case_id).version
    r = api(app, f"/api/v1/case/{case_id}/transition?_l_=en", {"action": "start_screening", "version": version}, "admin")
    assert r.status_code == 200 and r.get_json()["status"] == "screening"
    stale = api(app, f"/api/v1/case/{case_id}/transition?_l_=en", {"action": "withdraw", "version": version, "note": "撤回"}, "admin")
    assert stale.status_code == 409 and "Someone else changed this case" in stale.get_json()["message"]
    with app.app_context():
        assert db.session.get(Case, case_id).status == "screening"  # the newer state stays
    now = version + 1  # what the case reads after the one change
    refused = api(app, f"/api/v1/case/{case_id}/transition?_l_=en", {"action": "close", "version": now}, "admin")
    assert refused.status_code == 422 and "is not possible" in refused.get_json()["message"]["action"][0]
    own = api(app, f"/api/v1/case/{case_id}/transition?_l_=en", {"action": "reach_agreement", "version": now}, "admin")
    assert own.status_code == 422 and f"/api/v1/case/{case_id}/agreement" in own.get_json()["message"]["action"][0]
    for action, endpoint in (("schedule", "appointments"), ("start_mediation", "sessions")):  # one way each
        own = api(app, f"/api/v1/case/{case_id}/transition?_l_=en", {"action": action, "version": now}, "admin")
        assert own.status_code == 422 and f"/api/v1/case/{case_id}/{endpoint}" in own.get_json()["message"]["action"][0]
    assert api(app, f"/api/v1/case/{case_id}/transition", {"action": "fly", "version": now}, "admin").status_code == 422
    assert api(app, f"/api/v1/case/{case_id}/transition", {"version": 1}, "admin").status_code == 400
    assert api(app, "/api/v1/case/999999/transition", {"action": "withdraw"}, "admin").status_code == 404


def test_api_records_consent_and_the_timeline_shows_it(app, places):
    from app.extensions import db
    from app.models import Case

    case_id = new_case(app, places)
    with app.app_context():
        party_ids = [p.id for p in db.session.get(Case, case_id).parties]
    r = api(app, f"/api/v1/case/{case_id}/consent", {"subject": "mediation", "channel": "window",
                                                     "decisions": {str(party_ids[0]): "given", str(party_ids[1]): "given"}}, "admin")
    assert r.status_code == 201 and r.get_json()["recorded"] == 2
    bad = api(app, f"/api/v1/case/{case_id}/consent?_l_=en", {"subject": "mediation", "channel": "pigeon",
                                                              "decisions": {"999": "maybe"}}, "admin")
    assert bad.status_code == 422 and len(bad.get_json()["message"]["consent"]) >= 2
    token = helpers.api_token(app.test_client(), "admin")
    show = app.test_client().get(f"/api/v1/case/{case_id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    actions = [e["action"] for e in show["result"]["timeline_entries"]]
    assert actions == ["register", "mediation"]


def test_a_clerk_cannot_move_a_case_outside_their_scope(app, places):
    case_id = new_case(app, places)  # registered by the admin; the clerk belongs nowhere
    r = api(app, f"/api/v1/case/{case_id}/transition", {"action": "start_screening"}, "clerk")
    assert r.status_code == 404


# -- through the web pages ------------------------------------------------------------------
def test_clerk_walks_a_case_from_screening_to_refusal_on_the_web(app, clerk_client, places):
    from app.extensions import db
    from app.models import Case

    token = helpers.api_token(app.test_client(), "clerk")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"})
    case_id = r.get_json()["id"]
    clerk_client.get("/lang/en")
    page = clerk_client.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "Start screening" in page and "Record consent" in page
    form = clerk_client.get(f"/case/{case_id}/do/start_screening").get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Case, case_id).version
        party_ids = [p.id for p in db.session.get(Case, case_id).parties]
    r = clerk_client.post(f"/case/{case_id}/do/start_screening", data={"csrf_token": csrf_token(form), "version": version, "note": ""})
    assert r.status_code == 302
    # a refusal without a recorded refusal is explained, and the typed reason is kept
    form = clerk_client.get(f"/case/{case_id}/do/refuse_mediation").get_data(as_text=True)
    r = clerk_client.post(f"/case/{case_id}/do/refuse_mediation",
                          data={"csrf_token": csrf_token(form), "version": version + 1, "note": "被申请人坚持起诉"})
    assert r.status_code == 422
    assert "No party has refused mediation" in r.get_data(as_text=True) and "被申请人坚持起诉" in r.get_data(as_text=True)
    consent_page = clerk_client.get(f"/case/{case_id}/consent").get_data(as_text=True)
    r = clerk_client.post(f"/case/{case_id}/consent", data={"csrf_token": csrf_token(consent_page), "subject": "mediation",
                                                            "channel": "window", f"party-{party_ids[1]}": "refused"})
    assert r.status_code == 302
    r = clerk_client.post(f"/case/{case_id}/do/refuse_mediation",
                          data={"csrf_token": csrf_token(form), "version": version + 1, "note": "被申请人坚持起诉"})
    assert r.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "litigation_screening" and case.track == "litigation"
        assert case.screening_note == "被申请人坚持起诉"
    page = clerk_client.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "Mediation refused: screen for litigation" in page and "被申请人坚持起诉" in page  # timeline


def test_stale_web_form_is_refused_and_keeps_the_text(app, clerk_client, places):
    from app.extensions import db
    from app.models import Case

    token = helpers.api_token(app.test_client(), "clerk")
    case_id = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                                     headers={"Authorization": f"Bearer {token}"}).get_json()["id"]
    clerk_client.get("/lang/en")
    form = clerk_client.get(f"/case/{case_id}/do/withdraw").get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Case, case_id).version
    api(app, f"/api/v1/case/{case_id}/transition", {"action": "start_screening", "version": version}, "clerk")  # someone else first
    r = clerk_client.post(f"/case/{case_id}/do/withdraw", data={"csrf_token": csrf_token(form), "version": version, "note": "申请人撤回申请"})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Someone else changed this case" in html and "申请人撤回申请" in html
    with app.app_context():
        assert db.session.get(Case, case_id).status == "screening"


def test_transfer_after_a_refused_confirmation_still_needs_its_track(app, places):
    from app.lifecycle.workflow import perform
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(app, places)
    with app.test_request_context("/?_l_=en"):
        case = put_in_state(app, case_id, "judicial_confirmation", court_says="rejected")
        with pytest.raises(TransitionRefused) as refused:
            perform(case, "transfer", None, note="法院驳回确认申请", data={"track": ""})
    assert "Choose the track" in str(refused.value.reasons[0])
