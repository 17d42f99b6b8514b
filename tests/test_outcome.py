"""The outcome of a mediation: the stored agreement with its signatures, the DOCX of it,
and judicial confirmation — through the service, the web pages and the API, on SQLite and
PostgreSQL."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pytest
from sqlalchemy import select

from app.plugins import SettingDefault, _, hookimpl
from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app

TERM_PAY = "被申请人赔偿申请人医疗费及财产损失共计人民币19300.50元"
TERM_WAIVE = "申请人放弃其他诉讼请求"
COMMITTEE = "香洲街道人民调解委员会"


@pytest.fixture(scope="module")
def oapp(database, tmp_path_factory):
    """An app with the outcome views, the core rules and the visit settings."""
    app = make_migrated_app(database, tmp_path_factory.mktemp("outcome"))
    yield app
    with app.app_context():
        from app.extensions import db

        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(oapp):
    """Places to register cases in; every row is removed after the test."""
    with oapp.app_context():
        places = helpers.create_places()
    yield places
    with oapp.app_context():
        helpers.wipe_case_data()


def day(offset: int) -> dt.date:
    """Today (court time) plus ``offset`` days."""
    from app.services.settings import today

    return today() + dt.timedelta(days=offset)


def new_case(app, places, dispute_type="traffic", state="in_mediation", agent=False) -> int:
    """A registered case put straight into ``state`` with a mediator (and an agent if asked)."""
    from app.extensions import db
    from app.models import Case, Mediator, Party

    payload = helpers.traffic_payload(places)
    if dispute_type != "traffic":
        payload["dispute_type"] = dispute_type
        payload["intake"] = app.extensions["jiefen"].registry.samples[dispute_type]
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        case = db.session.get(Case, r.get_json()["id"])
        mediator = Mediator(name="陈调解", specialties=[dispute_type])
        db.session.add(mediator)
        db.session.flush()
        case.status, case.mediator_id = state, mediator.id
        if agent:
            db.session.add(Party(case_id=case.id, role="agent", kind="person", name="代理人张律师"))
        db.session.commit()
        return case.id


def admin():
    from app.extensions import appbuilder

    return appbuilder.sm.find_user(username="admin")


def save(app, case_id, drafted_on=None, terms=None, template="compensation", version=None):
    """Store an agreement through the service (English messages)."""
    from app.extensions import db
    from app.lifecycle.outcome import save_agreement
    from app.models import Case

    with app.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        terms = terms if terms is not None else [(TERM_PAY, "银行转账", day(20)), (TERM_WAIVE, "", None)]
        agreement = save_agreement(case, admin(), template, COMMITTEE, "陈调解", terms,
                                   expected_version=version, drafted_on=drafted_on or day(-2))
        return agreement.id


def sign_all(app, case_id, days):
    """Sign every line, the n-th on ``days[n]``; returns the agreement's effective date."""
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of, sign, signatures_of
    from app.models import Case

    with app.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        for signature, on in zip(signatures_of(agreement_of(case)), days, strict=True):
            sign(case, signature.id, on, "signature", admin())
        return agreement_of(case).effective_on


def timeline(app, case_id) -> list[str]:
    from app.extensions import db
    from app.models import TimelineEvent

    with app.app_context():
        return list(db.session.scalars(select(TimelineEvent.action).where(TimelineEvent.case_id == case_id)
                                       .order_by(TimelineEvent.id)))


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def refused(call) -> str:
    from app.lifecycle.workflow import TransitionRefused

    with pytest.raises(TransitionRefused) as exc:
        call()
    return " ".join(str(r) for r in exc.value.reasons)


# -- the agreement -------------------------------------------------------------------------
def test_saving_from_mediation_reaches_the_agreement_with_a_line_per_signer(oapp, world):
    from app.extensions import db
    from app.models import Agreement, Case

    case_id = new_case(oapp, world, agent=True)
    save(oapp, case_id)
    with oapp.app_context():
        case = db.session.get(Case, case_id)
        agreement = db.session.scalars(select(Agreement).where(Agreement.case_id == case_id)).one()
        assert case.status == "agreement_reached"
        assert [t.text for t in agreement.terms] == [TERM_PAY, TERM_WAIVE]
        assert agreement.terms[0].due_on == day(20) and agreement.effective_on is None
        roles = sorted((s.signer_role, s.party_id is None) for s in agreement.signatures)
        assert roles == [("mediator", True), ("party", False), ("party", False)]  # the agent does not sign
    assert timeline(oapp, case_id)[-2:] == ["reach_agreement", "agreement_saved"]


def test_saving_is_refused_outside_mediation_and_without_terms(oapp, world):
    registered = new_case(oapp, world, state="registered")
    assert "is now “Registered”" in refused(lambda: save(oapp, registered))
    case_id = new_case(oapp, world)
    message = refused(lambda: save(oapp, case_id, terms=[("  ", "", None)]))
    assert "Term 1: write what is agreed." in message
    assert "Choose one of the agreement templates" in refused(lambda: save(oapp, case_id, template="nope"))
    assert "dated in the future" in refused(lambda: save(oapp, case_id, drafted_on=day(1)))
    assert timeline(oapp, case_id) == ["register"]  # nothing was written


def test_stored_docx_has_the_parties_and_every_term(oapp, world):
    case_id = new_case(oapp, world)
    save(oapp, case_id)
    c = oapp.test_client()
    helpers.login(c, "admin")
    r = c.get(f"/case/{case_id}/agreement/stored.docx")
    assert r.status_code == 200 and r.mimetype.endswith("wordprocessingml.document")
    text = docx_text(r.data)
    due = day(20)
    title = "道路交通事故损害赔偿人民调解协议书"
    for expected in ("林晓明", "黄丽娟", TERM_PAY, TERM_WAIVE, COMMITTEE, "陈调解", title,
                     f"{due.year}年{due.month}月{due.day}日"):
        assert expected in text, expected
    assert "{{" not in text
    other = new_case(oapp, world)  # no agreement yet
    assert c.get(f"/case/{other}/agreement/stored.docx").status_code == 404


def test_terms_can_be_revised_until_the_first_signature(oapp, world):
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of, sign, signatures_of
    from app.lifecycle.workflow import StaleCase
    from app.models import Case

    case_id = new_case(oapp, world)
    first = save(oapp, case_id)
    with oapp.app_context():
        version = db.session.get(Case, case_id).version
    assert save(oapp, case_id, terms=[("一次性赔偿人民币18000元", "现金", None)], version=version) == first
    with pytest.raises(StaleCase):
        save(oapp, case_id, version=version)  # the revision moved the version on
    with oapp.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        assert [t.text for t in agreement_of(case).terms] == ["一次性赔偿人民币18000元"]
        sign(case, signatures_of(agreement_of(case))[0].id, day(-1), "thumbprint", admin())
    message = refused(lambda: save(oapp, case_id))
    assert "already been signed by 林晓明" in message and "can no longer change" in message
    assert timeline(oapp, case_id)[-3:] == ["agreement_saved", "agreement_revised", "agreement_signed"]


def test_the_agreement_takes_effect_on_the_last_signature(oapp, world):
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of
    from app.models import Case, ReturnVisit

    case_id = new_case(oapp, world)
    save(oapp, case_id, drafted_on=day(-10))
    assert sign_all(oapp, case_id, [day(-3), day(-1), day(-5)]) == day(-1)  # the last, not the latest line
    with oapp.app_context():
        assert agreement_of(db.session.get(Case, case_id)).effective_on == day(-1)
        assert db.session.scalar(select(ReturnVisit.id).where(ReturnVisit.case_id == case_id).limit(1))
    assert timeline(oapp, case_id)[-3:] == ["agreement_signed", "agreement_effective", "visits_scheduled"]


def test_signatures_are_checked(oapp, world):
    from app.extensions import db
    from app.lifecycle.outcome import NotInCase, agreement_of, sign, signatures_of
    from app.models import Case

    case_id = new_case(oapp, world)
    other_id = new_case(oapp, world)
    save(oapp, case_id, drafted_on=day(-5))
    save(oapp, other_id)
    with oapp.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        line = signatures_of(agreement_of(case))[0].id
        foreign = signatures_of(agreement_of(db.session.get(Case, other_id)))[0].id
        assert "in the future" in refused(lambda: sign(case, line, day(1), "signature", None))
        assert "earlier than the agreement" in refused(lambda: sign(case, line, day(-6), "signature", None))
        assert "signature, seal or thumbprint" in refused(lambda: sign(case, line, day(-1), "fingerpaint", None))
        with pytest.raises(NotInCase):
            sign(case, foreign, day(-1), "seal", None)
        sign(case, line, day(-1), "seal", None)
        assert "林晓明 has already signed." in refused(lambda: sign(case, line, day(-1), "seal", None))


# -- judicial confirmation -----------------------------------------------------------------
def effective_case(app, places, signed_on, dispute_type="traffic", template="compensation"):
    case_id = new_case(app, places, dispute_type)
    save(app, case_id, drafted_on=signed_on, template=template)
    sign_all(app, case_id, [signed_on] * 3)
    return case_id


def apply(app, case_id, applied_on):
    from app.extensions import db
    from app.lifecycle.confirmation import apply_confirmation
    from app.models import Case

    with app.test_request_context("/?_l_=en"):
        return apply_confirmation(db.session.get(Case, case_id), admin(), applied_on).id


# A Thursday whose day(-10), day(-7) and day(-15) are working days: the windows below end where
# 30 (or 3) days end, with no roll over a weekend (tests/test_confirmation_windows.py rolls them).
WORKING_WEEK = dt.date(2026, 12, 10)


def test_confirmation_is_refused_after_30_days_and_names_the_last_day(oapp, world, monkeypatch):
    from app.extensions import db
    from app.models import Case
    from tests.deadline_steps_world import freeze

    freeze(monkeypatch, WORKING_WEEK)
    late = effective_case(oapp, world, day(-40))
    message = refused(lambda: apply(oapp, late, day(-5)))
    assert "within 30 days" in message and f"the last day was {day(-10).isoformat()}" in message
    with oapp.app_context():
        assert db.session.get(Case, late).status == "agreement_reached"
    apply(oapp, late, day(-10))  # the last day itself is still in time


def test_confirmation_within_the_period_moves_the_case(oapp, world):
    from app.extensions import db
    from app.models import Case, JudicialConfirmation

    case_id = effective_case(oapp, world, day(-20))
    assert "before the agreement took effect" in refused(lambda: apply(oapp, case_id, day(-21)))
    apply(oapp, case_id, day(-1))
    with oapp.app_context():
        assert db.session.get(Case, case_id).status == "judicial_confirmation"
        row = db.session.scalars(select(JudicialConfirmation).where(JudicialConfirmation.case_id == case_id)).one()
        assert (row.applied_on, row.result) == (day(-1), "pending")
    assert timeline(oapp, case_id)[-2:] == ["apply_confirmation", "confirmation_applied"]


def test_confirmation_needs_an_agreement_in_effect(oapp, world):
    case_id = new_case(oapp, world)
    save(oapp, case_id)
    assert "not signed by 林晓明、黄丽娟、陈调解" in refused(lambda: apply(oapp, case_id, day(0)))


def test_a_family_agreement_on_personal_status_alone_is_not_sent_for_confirmation(oapp, world):
    # Term by term (tests/test_agreement_terms.py): a support term would be confirmable.
    case_id = new_case(oapp, world, "family")
    save(oapp, case_id, drafted_on=day(-3), template="family",
         terms=[("申请人与被申请人自愿离婚", "", None, "personal_status")])
    sign_all(oapp, case_id, [day(-3)] * 3)
    message = refused(lambda: apply(oapp, case_id, day(0)))
    assert "No term of this agreement can be confirmed" in message and "法释〔2011〕5号" in message


def test_the_courts_acceptance_and_decision(oapp, world, monkeypatch):
    from app.extensions import db
    from app.lifecycle.confirmation import record_confirmation
    from app.models import Case, TimelineEvent
    from tests.deadline_steps_world import freeze

    freeze(monkeypatch, WORKING_WEEK)
    case_id = effective_case(oapp, world, day(-20))
    apply(oapp, case_id, day(-10))
    with oapp.test_request_context("/?_l_=en"):
        case = db.session.get(Case, case_id)
        message = refused(lambda: record_confirmation(case, day(-11), "pending", None, actor=admin()))
        assert "before it was made" in message
        assert "give the day the court accepted it" in refused(
            lambda: record_confirmation(case, None, "confirmed", day(-1), actor=admin()))
        row, warning = record_confirmation(case, day(-5), "confirmed", day(-2), "当场履行", actor=admin())
        assert row.result == "confirmed" and "later than its 3 days" in warning and day(-7).isoformat() in warning
        note = db.session.scalars(select(TimelineEvent.note).where(TimelineEvent.case_id == case_id)
                                  .order_by(TimelineEvent.id.desc())).first()
        assert "later than its 3 days" in note
        _row, warning = record_confirmation(case, day(-8), "confirmed", day(-2), actor=admin())
        assert warning is None  # accepted within three days


# -- web -----------------------------------------------------------------------------------
def agreement_form(page: str, terms, **changes) -> dict:
    data = {"csrf_token": csrf_token(page), "template_code": "compensation", "committee": COMMITTEE,
            "mediator": "陈调解", "signed_on": day(-3).isoformat()}
    version = page.split('name="version"')[1].split('value="')[1].split('"')[0]
    data["version"] = version
    for i, (text, manner, due) in enumerate(terms):
        data.update({f"terms-{i}-text": text, f"terms-{i}-manner": manner, f"terms-{i}-due": due})
    data.update(changes)
    return data


def test_the_whole_outcome_on_the_web(oapp, world):
    case_id = new_case(oapp, world)
    c = oapp.test_client()
    helpers.login(c, "admin")
    c.get("/lang/en")
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "保险公司在交强险及商业险责任限额内赔付的部分" in page  # the template's suggested terms
    r = c.post(f"/case/{case_id}/agreement/save", data=agreement_form(page, [], mediator="王调解"))
    assert r.status_code == 422 and "Write at least one agreed term." in r.get_data(as_text=True)
    assert "王调解" in r.get_data(as_text=True)  # what was typed is kept
    r = c.post(f"/case/{case_id}/agreement/save",
               data=agreement_form(page, [(TERM_PAY, "银行转账", day(20).isoformat())]))
    assert r.status_code == 302
    page = form_page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "Not in effect until every party" in page and TERM_PAY in page
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of, signatures_of
    from app.models import Case

    with oapp.app_context():
        lines = [s.id for s in signatures_of(agreement_of(db.session.get(Case, case_id)))]
    r = c.post(f"/case/{case_id}/agreement/sign/{lines[0]}",
               data={"csrf_token": csrf_token(page), "signed_on": day(1).isoformat(), "method": "seal",
                     "version": case_version(oapp, case_id)})
    assert r.status_code == 422 and "in the future" in r.get_data(as_text=True)
    for line in lines:
        r = c.post(f"/case/{case_id}/agreement/sign/{line}",
                   data={"csrf_token": csrf_token(page), "signed_on": day(-1).isoformat(), "method": "signature",
                         "version": case_version(oapp, case_id)})
        assert r.status_code == 302
    page = c.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert f"In effect from {day(-1).isoformat()}" in page and 'id="agreement-form"' not in page
    r = c.post(f"/case/{case_id}/agreement/save", data=agreement_form(form_page, [("改过的条款", "", "")]))
    assert r.status_code == 422 and "can no longer change" in r.get_data(as_text=True)
    assert TERM_PAY in docx_text(c.get(f"/case/{case_id}/agreement/stored.docx").data)
    page = c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)
    assert f"the last day is {day(29).isoformat()}" in page
    r = c.post(f"/case/{case_id}/confirmation", data={"csrf_token": csrf_token(page), "step": "apply",
                                                      "applied_on": day(0).isoformat(),
                                                      "version": case_version(oapp, case_id)})
    assert r.status_code == 302
    page = c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/confirmation", data={"csrf_token": csrf_token(page), "step": "decide",
                                                      "accepted_on": day(0).isoformat(), "result": "confirmed",
                                                      "decided_on": day(0).isoformat(),
                                                      "version": case_version(oapp, case_id)})
    assert r.status_code == 302
    with oapp.app_context():
        assert db.session.get(Case, case_id).status == "judicial_confirmation"
    assert c.get(f"/case/{case_id}/visits/999999").status_code == 404


def test_web_confirmation_refused_late_shows_the_last_day(oapp, world, monkeypatch):
    from tests.deadline_steps_world import freeze

    freeze(monkeypatch, WORKING_WEEK)
    case_id = effective_case(oapp, world, day(-45))
    c = oapp.test_client()
    helpers.login(c, "admin")
    c.get("/lang/en")
    page = c.get(f"/case/{case_id}/confirmation").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/confirmation", data={"csrf_token": csrf_token(page), "step": "apply",
                                                      "applied_on": day(0).isoformat(),
                                                      "version": case_version(oapp, case_id)})
    assert r.status_code == 422 and f"the last day was {day(-15).isoformat()}" in r.get_data(as_text=True)


def test_out_of_scope_cases_read_as_missing(oapp, world):
    case_id = new_case(oapp, world)  # registered by the admin; the clerk belongs nowhere
    save(oapp, case_id)
    c = oapp.test_client()
    helpers.login(c, "clerk")
    for path in ("agreement/save", "agreement/stored.docx", "confirmation"):
        assert c.get(f"/case/{case_id}/{path}").status_code == 404, path
    assert api(oapp, f"/api/v1/case/{case_id}/agreement", {"terms": []}, "clerk").status_code == 404


# -- API -----------------------------------------------------------------------------------
def case_version(app, case_id) -> int:
    """The version a user reading the case now would send."""
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).version


def api(app, path, body, user="admin"):
    token = helpers.api_token(app.test_client(), user)
    return app.test_client().post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_the_outcome_through_the_api(oapp, world):
    from app.extensions import db
    from app.models import Case

    case_id = new_case(oapp, world)
    with oapp.app_context():
        version = db.session.get(Case, case_id).version
    body = {"template_code": "compensation", "committee": COMMITTEE, "mediator_name": "陈调解",
            "drafted_on": day(-2).isoformat(), "version": version,
            "terms": [{"text": TERM_PAY, "manner": "银行转账", "due": day(20).isoformat()}]}
    bad = api(oapp, f"/api/v1/case/{case_id}/agreement?_l_=en", {**body, "terms": [{"text": "x", "due": "2026-02-30"}]})
    assert bad.status_code == 422 and "terms.0.due" in bad.get_json()["message"]
    assert api(oapp, f"/api/v1/case/{case_id}/agreement", {**body, "terms": "x"}).status_code == 400
    r = api(oapp, f"/api/v1/case/{case_id}/agreement", body)
    assert r.status_code == 200 and r.get_json()["status"] == "agreement_reached"
    stale = api(oapp, f"/api/v1/case/{case_id}/agreement?_l_=en", body)
    assert stale.status_code == 409
    agreement = r.get_json()["agreement"]
    assert [t["text"] for t in agreement["terms"]] == [TERM_PAY]
    lines = [s["id"] for s in agreement["signatures"]]
    assert [s["name"] for s in agreement["signatures"]] == ["林晓明", "黄丽娟", "陈调解"]
    refused_sign = api(oapp, f"/api/v1/case/{case_id}/agreement/signatures/{lines[0]}?_l_=en",
                       {"signed_on": day(-1).isoformat(), "method": "pen", "version": case_version(oapp, case_id)})
    assert refused_sign.status_code == 422 and refused_sign.get_json()["message"]["signature"]
    assert api(oapp, f"/api/v1/case/{case_id}/agreement/signatures/999999",
               {"signed_on": day(-1).isoformat(), "method": "seal", "version": 1}).status_code == 404
    for line in lines:
        r = api(oapp, f"/api/v1/case/{case_id}/agreement/signatures/{line}",
                {"signed_on": day(-1).isoformat(), "method": "seal", "version": case_version(oapp, case_id)})
        assert r.status_code == 200
    assert r.get_json()["agreement"]["effective_on"] == day(-1).isoformat()
    revise = api(oapp, f"/api/v1/case/{case_id}/agreement?_l_=en", {**body, "version": r.get_json()["version"]})
    assert revise.status_code == 422 and "can no longer change" in revise.get_json()["message"]["agreement"][0]
    r = api(oapp, f"/api/v1/case/{case_id}/confirmation", {"applied_on": day(0).isoformat(),
                                                           "version": case_version(oapp, case_id)})
    assert r.status_code == 200 and r.get_json()["status"] == "judicial_confirmation"
    r = api(oapp, f"/api/v1/case/{case_id}/confirmation?_l_=en",
            {"result": "confirmed", "accepted_on": day(-1).isoformat(), "decided_on": day(0).isoformat(),
             "version": case_version(oapp, case_id)})
    assert r.status_code == 422 and "before it was made" in r.get_json()["message"]["confirmation"][0]
    r = api(oapp, f"/api/v1/case/{case_id}/confirmation",
            {"result": "confirmed", "accepted_on": day(0).isoformat(), "decided_on": day(0).isoformat(),
             "version": case_version(oapp, case_id)})
    assert r.status_code == 200 and r.get_json()["result"] == "confirmed" and r.get_json()["warning"] is None
    assert api(oapp, "/api/v1/case/999999/confirmation", {"applied_on": day(0).isoformat(), "version": 1}).status_code == 404


def test_the_case_page_panel_shows_the_outcome(oapp, world):
    """The panel the lead includes in case_show.html (``{% include "jiefen/outcome_panel.html" %}``)."""
    from flask import g, render_template
    from flask_login import login_user

    from app.extensions import db
    from app.models import Case

    case_id = effective_case(oapp, world, day(-20))
    with oapp.test_request_context("/?_l_=en"):
        login_user(admin())
        g.user = admin()  # what FAB's before_request sets
        html = render_template("jiefen/outcome_panel.html", case=db.session.get(Case, case_id),
                               appbuilder=oapp.appbuilder)
    assert f"In effect from {day(-20).isoformat()}" in html
    assert f"Last day to apply for judicial confirmation: {day(10).isoformat()}" in html
    assert html.count("/visits/") == 2 and 'id="confirmation-link"' in html
