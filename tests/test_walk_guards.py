"""Guards the walk through the application found missing (issue 10, item 7): a session before
its appointment, closing with a return visit still planned, a police-mediation deadline on a
case that never went to police mediation, partner lists without case numbers, a partner's
"return" labelled as a court's 驳回, no favicon, the respondent row turning into an applicant
after a refused intake, and an organisation that could not give its landline."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from sqlalchemy import func, select

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_outcome import oapp  # noqa: F401  (the outcome tests' app, shared)
from tests.test_return_visits import effective, record, visits
from tests.test_sessions import MEDIATOR, api, build_web, build_world, case_row, login, new_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORGANISATION_CODE = "91350100M000100Y43"  # a unified social credit code with a valid check character


def china_today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def at_today(hour: int, minute: int) -> str:
    """A moment of today in China time, with its offset, as an API client sends it."""
    return dt.datetime.combine(china_today(), dt.time(hour, minute), SHANGHAI).isoformat()


def zh(client):
    """Switch a signed-in browser to Chinese for the rest of its session."""
    client.get("/lang/zh_CN")
    return client


# -- a session is held at or after its appointment ------------------------------------------------
@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """The session pages' app (after ``app``, which migrates the database)."""
    return build_web(database, tmp_path_factory.mktemp("walk_guards"))


@pytest.fixture
def world(web, places):
    return build_world(web, places)


def session_count(web, case_id) -> int:
    from app.extensions import db
    from app.models import MediationSession

    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(MediationSession)
                                 .where(MediationSession.case_id == case_id))


def test_session_cannot_be_recorded_before_its_appointment(web, world):
    case_id = new_case(web, world)
    late = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", {
        "starts_at": at_today(23, 59), "mode": "offline", "place": "调解室一",
        "version": case_row(web, case_id)["version"]})
    assert late.status_code == 201, late.get_json()
    appointment = late.get_json()["id"]

    c = zh(login(web, MEDIATOR))
    form = c.get(f"/case/{case_id}/session?appointment={appointment}").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/session", data={
        "csrf_token": csrf_token(form), "held_at": f"{china_today().isoformat()}T00:00", "mode": "offline",
        "appointment_id": str(appointment), "minutes": "双方当事人到场，陈述事故经过"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "早于预约的开始时间" in html and f"{china_today().isoformat()} 23:59" in html
    assert "双方当事人到场，陈述事故经过" in html  # what was typed is kept
    assert session_count(web, case_id) == 0 and case_row(web, case_id)["status"] == "scheduled"

    # the API gives the same verdict, also for a session that names no appointment
    body = {"held_at": at_today(0, 0), "mode": "offline", "minutes": "笔录"}
    for extra in ({"appointment_id": appointment}, {}):
        r = api(web, "clerk", f"/api/v1/case/{case_id}/sessions", {**body, **extra})
        assert r.status_code == 422 and any("before its appointment" in m for m in r.get_json()["message"]["session"])
    assert session_count(web, case_id) == 0


def test_a_session_from_its_appointments_start_is_recorded(web, world):
    case_id = new_case(web, world)
    made = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", {
        "starts_at": at_today(0, 0), "mode": "offline", "place": "调解室一",
        "version": case_row(web, case_id)["version"]}).get_json()["id"]
    # the form offers the appointment's own time once it has come
    page = login(web, MEDIATOR).get(f"/case/{case_id}/session?appointment={made}").get_data(as_text=True)
    assert f'value="{china_today().isoformat()}T00:00"' in page
    r = api(web, "clerk", f"/api/v1/case/{case_id}/sessions",
            {"held_at": at_today(0, 0), "mode": "offline", "minutes": "笔录", "appointment_id": made})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "in_mediation"


# -- closing waits for the planned return visits ---------------------------------------------------
@pytest.fixture
def outcome_places(oapp):  # noqa: F811
    with oapp.app_context():
        places = helpers.create_places()
    yield places
    with oapp.app_context():
        helpers.wipe_case_data()


def outcome_api(app, path, body):
    token = helpers.api_token(app.test_client(), "admin")
    return app.test_client().post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def status_of(app, case_id) -> dict:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        case = db.session.get(Case, case_id)
        return {"status": case.status, "version": case.version}


def test_case_cannot_be_closed_while_a_return_visit_is_planned(oapp, outcome_places):  # noqa: F811
    from tests.test_outcome import TERM_PAY, day

    case_id = effective(oapp, outcome_places, [(TERM_PAY, "银行转账", day(-1))], signed_on=day(-2))
    (first, first_day, *_), (second, second_day, *_) = visits(oapp, case_id)
    r = outcome_api(oapp, f"/api/v1/case/{case_id}/transition",
                    {"action": "start_performance", "version": status_of(oapp, case_id)["version"]})
    assert r.status_code == 200, r.get_json()

    # the web says which visits wait and what to do, in Chinese, and nothing changes
    c = oapp.test_client()
    helpers.login(c, "admin")
    zh(c)
    page = c.get(f"/case/{case_id}/do/close").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/do/close", data={"csrf_token": csrf_token(page), "note": "履行完毕，结案",
                                                 "version": status_of(oapp, case_id)["version"]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "回访" in html and first_day.isoformat() in html and second_day.isoformat() in html
    assert "取消" in html and "履行完毕，结案" in html
    assert status_of(oapp, case_id)["status"] == "performing"

    # the API agrees; once the first visit is recorded only the second is named
    record(oapp, first)
    r = outcome_api(oapp, f"/api/v1/case/{case_id}/transition?_l_=en",
                    {"action": "close", "note": "结案", "version": status_of(oapp, case_id)["version"]})
    assert r.status_code == 422
    (reason,) = r.get_json()["message"]["action"]
    assert second_day.isoformat() in reason and first_day.isoformat() not in reason

    # cancelling needs the reason; then the case closes
    visit_page = c.get(f"/case/{case_id}/visits/{second}").get_data(as_text=True)
    assert f"/case/{case_id}/visits/{second}/cancel" in visit_page
    r = c.post(f"/case/{case_id}/visits/{second}/cancel", data={"csrf_token": csrf_token(visit_page), "reason": " "})
    assert r.status_code == 422 and second in [v[0] for v in visits(oapp, case_id)]
    r = c.post(f"/case/{case_id}/visits/{second}/cancel",
               data={"csrf_token": csrf_token(visit_page), "reason": "款项已全部付清，双方同意不再回访"})
    assert r.status_code == 302
    assert [v[0] for v in visits(oapp, case_id)] == [first]
    r = outcome_api(oapp, f"/api/v1/case/{case_id}/transition",
                    {"action": "close", "note": "结案", "version": status_of(oapp, case_id)["version"]})
    assert r.status_code == 200, r.get_json()
    assert status_of(oapp, case_id)["status"] == "closed"
    shown = c.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "款项已全部付清，双方同意不再回访" in shown and second_day.isoformat() in shown


def test_a_planned_visit_is_cancelled_through_the_api_with_a_reason(oapp, outcome_places):  # noqa: F811
    case_id = effective(oapp, outcome_places)
    other = effective(oapp, outcome_places)
    first = visits(oapp, case_id)[0][0]
    base = f"/api/v1/case/{case_id}/visits/{first}/cancel?_l_=en"
    r = outcome_api(oapp, base, {"reason": ""})
    assert r.status_code == 422 and "Give the reason" in r.get_json()["message"]["visit"][0]
    assert outcome_api(oapp, f"/api/v1/case/{other}/visits/{first}/cancel", {"reason": "x"}).status_code == 404
    r = outcome_api(oapp, base, {"reason": "当事人已迁居外地，无法联系"})
    assert r.status_code == 200, r.get_json()
    assert first not in [v[0] for v in visits(oapp, case_id)]
    assert outcome_api(oapp, base, {"reason": "再次"}).status_code == 404


# -- the police mediation period belongs to cases that went to police mediation ---------------------
def test_police_mediation_deadline_only_when_the_case_went_to_police_mediation(app):
    from plugins.traffic import plugin

    def codes(intake):
        return {r.code for r in plugin.deadlines(case=SimpleNamespace(dispute_type="traffic", intake_data=intake))}

    never = {"determination_date": "2026-09-25"}
    assert "traffic.police_mediation_period" not in codes(never)
    went = {**never, "police_mediation_on": "2026-09-28"}
    assert "traffic.police_mediation_period" in codes(went)
    (rule,) = [r for r in plugin.deadlines(case=SimpleNamespace(dispute_type="traffic", intake_data=went))
               if r.code == "traffic.police_mediation_period"]
    # the event its consequence names, recorded on the case (issue 12), never mediation here
    assert rule.starts_from.startswith("event.")


def test_police_mediation_cannot_precede_the_determination(app, places, clerk_token):
    payload = helpers.traffic_payload(places, police_mediation_on="2026-09-20")  # determination: 09-25
    r = app.test_client().post("/api/v1/case/?_l_=en", json=payload, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 422 and "before their accident determination" in str(r.get_json()["message"])
    payload = helpers.traffic_payload(places, police_mediation_on="2026-09-28")
    r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()


# -- partner pages: the case number, and 退回 ----------------------------------------------------------
PARTNER = "walk_partner"
PARTNER_PASSWORD = "walk-partner-Pa55"


@pytest.fixture
def referral(app, places):
    """A case referred by the administrator to the traffic police brigade, whose officer is a user."""
    from app.extensions import db
    from app.models import Membership, Organization

    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username=PARTNER):
            sm.add_user(username=PARTNER, first_name="晓东", last_name="许", email="walk_partner@jiefen.invalid",
                        role=sm.find_role("Partner"), password=PARTNER_PASSWORD)
        brigade = Organization(name="城区交警大队", kind="partner_agency")
        db.session.add(brigade)
        db.session.flush()
        db.session.add(Membership(user_id=sm.find_user(username=PARTNER).id, organization_id=brigade.id))
        db.session.commit()
        brigade_id = brigade.id
    token = helpers.api_token(app.test_client(), "admin")
    headers = {"Authorization": f"Bearer {token}"}
    made = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places), headers=headers)
    assert made.status_code == 201, made.get_json()
    case_id = made.get_json()["id"]
    sent = app.test_client().post(f"/api/v1/case/{case_id}/referrals", headers=headers, json={
        "partner_id": brigade_id, "kind": "entrust", "purpose": "请协助核实事故责任认定",
        "legal_basis": "《道路交通安全法》第七十四条", "shared_fields": ["title", "intake.accident_date"],
        "due_on": (china_today() + dt.timedelta(days=7)).isoformat()})
    assert sent.status_code == 201, sent.get_json()
    with app.app_context():
        from app.models import Case

        case_no = db.session.get(Case, case_id).case_no
    return {"case": case_id, "case_no": case_no, "id": sent.get_json()["result"]["id"]}


def partner_login(app):
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    r = c.post("/login/", data={"username": PARTNER, "password": PARTNER_PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    return zh(c)


def test_partner_pages_show_the_case_number_and_a_return_reads_tui_hui(app, referral):
    c = partner_login(app)
    listing = c.get("/partner/referrals/").get_data(as_text=True)
    cells = lxml.html.fromstring(listing).xpath("//table[@id='partner-referrals']//td[@class='case-no']//text()")
    assert referral["case_no"] in [t.strip() for t in cells]
    page = c.get(f"/partner/referrals/{referral['id']}").get_data(as_text=True)
    assert referral["case_no"] in page
    assert "退回" in page and "驳回" not in page  # the button

    r = c.post(f"/partner/referrals/{referral['id']}/reject", data={
        "csrf_token": csrf_token(page), "reason": "not_competent", "note": "非本单位职责范围",
        "version": lxml.html.fromstring(page).xpath("//form[@id='reject-form']//input[@name='version']/@value")[0]})
    assert r.status_code == 302, r.get_data(as_text=True)
    for url in ("/partner/referrals/", f"/partner/referrals/{referral['id']}"):
        html = c.get(url).get_data(as_text=True)
        assert "退回" in html and "驳回" not in html, url

    # the sender reads the same word on the case page: status and timeline
    sender = app.test_client()
    helpers.login(sender, "admin")
    zh(sender)
    case_page = sender.get(f"/case/show/{referral['case']}").get_data(as_text=True)
    assert "退回" in case_page and "驳回" not in case_page


# -- the favicon ---------------------------------------------------------------------------------------
def test_favicon_is_served_from_the_apps_own_files(app):
    r = app.test_client().get("/favicon.ico")
    assert r.status_code == 200
    assert r.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert r.data[:4] == b"\x00\x00\x01\x00" and len(r.data) > 200  # an ICO header and its images


# -- a refused intake keeps the respondent row a respondent -------------------------------------------
def test_after_a_refused_intake_the_empty_respondent_row_stays_a_respondent(app, places, clerk_client):
    from app.intake.payload import flatten

    payload = helpers.traffic_payload(places)
    payload["parties"] = [dict(payload["parties"][0], id_number="441502199001011235")]  # a wrong check digit
    data = flatten(payload)
    # the browser also posts the spare respondent row, with only its role chosen
    data.update({"parties-1-kind": "person", "parties-1-role": "respondent", "parties-1-name": "",
                 "parties-1-id_number": "", "parties-1-mobile": "", "parties-1-address": ""})
    url = "/case/intake/traffic"
    data["csrf_token"] = csrf_token(clerk_client.get(url).get_data(as_text=True))
    r = clerk_client.post(url, data=data)
    html = r.get_data(as_text=True)
    assert "林晓明" in html  # the form came back with what was typed
    selects = [s for s in lxml.html.fromstring(html).xpath("//select")
               if s.get("name", "").startswith("parties-") and s.get("name").endswith("-role")]
    # the applicant typed, then the spare rows: the first offers the role still missing
    assert [s.xpath("option[@selected]/@value") for s in selects[:2]] == [["applicant"], ["respondent"]]


# -- an organisation may give a landline --------------------------------------------------------------
def organisation_payload(places, phone, kind="organization"):
    payload = helpers.traffic_payload(places)
    payload["parties"][1] = {"kind": kind, "role": "respondent", "name": "汕尾市城区某物流有限公司",
                             "id_number": ORGANISATION_CODE if kind == "organization" else helpers.VALID_ID_2,
                             "mobile": phone, "address": "汕尾市城区香洲街道"}
    return payload


def stored_phone(app, case_id) -> str:
    from app.extensions import db
    from app.models import Party

    with app.app_context():
        return db.session.scalars(select(Party.mobile).where(Party.case_id == case_id, Party.role == "respondent")).one()


@pytest.mark.parametrize("typed,kept", [("0660-3312345", "0660-3312345"), ("020-83123456", "020-83123456"),
                                        ("(0660) 3312345", "0660-3312345"), ("0660 3312345转12", "0660-3312345-12"),
                                        ("13926605678", "13926605678")])
def test_an_organisation_can_give_a_landline(app, places, clerk_token, typed, kept):
    r = app.test_client().post("/api/v1/case/", json=organisation_payload(places, typed),
                               headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()
    assert stored_phone(app, r.get_json()["id"]) == kept


def test_a_person_still_needs_a_mobile_and_web_and_api_agree(app, places, clerk_token, clerk_client):
    from app.intake.payload import flatten

    cases = [(organisation_payload(places, "0660-3312345", kind="person"), "11 digits and starts with 1"),
             (organisation_payload(places, "3312345"), "landline with its area code"),
             # Shanwei's numbers have 7 digits: an 8-digit one is a typing error, not a landline
             (organisation_payload(places, "0660-33123456"), "landline with its area code")]
    for payload, expected in cases:
        r = app.test_client().post("/api/v1/case/?_l_=en", json=payload,
                                   headers={"Authorization": f"Bearer {clerk_token}"})
        assert r.status_code == 422 and expected in str(r.get_json()["message"]), r.get_json()
        url = "/case/intake/traffic?_l_=en"
        data = flatten(payload)
        data["csrf_token"] = csrf_token(clerk_client.get(url).get_data(as_text=True))
        html = clerk_client.post(url, data=data).get_data(as_text=True)
        assert expected in html and payload["parties"][1]["mobile"] in html


def test_the_partners_list_is_paged(app, referral):
    from app.extensions import db
    from app.models.referral import Referral
    from app.views.referrals import PAGE_SIZE

    with app.app_context():
        sent = db.session.get(Referral, referral["id"])
        db.session.add_all([
            Referral(case_id=sent.case_id, partner_id=sent.partner_id, kind="link", purpose=f"第{n}次协查",
                     legal_basis=sent.legal_basis, shared_fields=["title"], due_on=sent.due_on)
            for n in range(PAGE_SIZE)])
        db.session.commit()
    c = partner_login(app)

    def rows(url):
        html = c.get(url).get_data(as_text=True)
        return lxml.html.fromstring(html).xpath("//table[@id='partner-referrals']/tbody/tr"), html

    first, html = rows("/partner/referrals/")
    assert len(first) == PAGE_SIZE and "partner-referrals-pager" in html and "第 1 页，共 2 页" in html
    second, _html = rows("/partner/referrals/?page=1")
    assert len(second) == 1
    assert len(rows("/partner/referrals/?page=99")[0]) == 1  # past the end: the last page
    assert len(rows("/partner/referrals/?page=-1")[0]) == PAGE_SIZE


def test_a_cancelled_visit_is_in_the_audit_log(oapp, outcome_places):  # noqa: F811
    from app.extensions import db
    from app.models.audit import AuditEvent

    case_id = effective(oapp, outcome_places)
    first = visits(oapp, case_id)[0][0]
    with oapp.app_context():
        mark = helpers.audit_mark()  # the log outlives earlier tests, whose row ids repeat
    r = outcome_api(oapp, f"/api/v1/case/{case_id}/visits/{first}/cancel", {"reason": "当事人已迁居外地"})
    assert r.status_code == 200, r.get_json()
    with oapp.app_context():
        logged = db.session.scalars(select(AuditEvent).where(
            AuditEvent.id > mark,
            AuditEvent.table_name == "return_visit", AuditEvent.row_id == first, AuditEvent.action == "delete")).all()
    assert len(logged) == 1 and logged[0].via == "api"
