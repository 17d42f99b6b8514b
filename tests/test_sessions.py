"""Appointments and mediation sessions: the first appointment schedules the case, the first
session starts mediation, online modes need the parties' consent, caucus notes reach only the
case's mediator — through the service, the web pages and the API, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.services.clock import now as clock_now
from tests import helpers
from tests.fixtures import csrf_token, make_app

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "sessions-Pa55-word"
MEDIATOR, OTHER = "ses-med", "ses-other"  # the case's mediator; a user of another centre
CAUCUS = "申请人私下表示可接受八千元"  # what only the mediator may read


def build_web(database, tmp_path):
    """An app with the session views, and logins for a mediator and another centre's clerk."""
    web = make_app(database, tmp_path)
    with web.app_context():
        sm = web.appbuilder.sm
        for username in (MEDIATOR, OTHER):
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name=username, last_name="Test",
                            email=f"{username}@jiefen.invalid", role=sm.find_role("Clerk"), password=PASSWORD)
    return web


@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """The session views' app (after ``app``, which migrates the database)."""
    return build_web(database, tmp_path_factory.mktemp("sessions"))


def login(web, username):
    c = web.test_client()
    page = c.get("/login/").get_data(as_text=True)
    r = c.post("/login/", data={"username": username, "password": helpers.PASSWORDS.get(username, PASSWORD),
                                "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    c.get("/lang/en")  # the language stays in the session (?_l_= lasts one request)
    return c


_BEARERS: dict = {}


def bearer(web, username):
    if username not in _BEARERS:
        r = web.test_client().post("/api/v1/security/login", json={
            "username": username, "password": helpers.PASSWORDS.get(username, PASSWORD), "provider": "db"})
        assert r.status_code == 200
        _BEARERS[username] = {"Authorization": f"Bearer {r.get_json()['access_token']}"}
    return _BEARERS[username]


def api(web, username, url, body=None, method="post"):
    return getattr(web.test_client(), method)(f"{url}?_l_=en", json=body, headers=bearer(web, username))


def uid(web, username):
    with web.app_context():
        return web.appbuilder.sm.find_user(username=username).id


def build_world(web, places):
    """A second centre elsewhere, memberships, and a mediator who is also a user."""
    from app.extensions import db
    from app.models import Area, Mediator, Membership, Organization

    with web.app_context():
        district = db.session.get(Area, places["district"])
        far = Area(name="凤山街道", level="town", parent=district)
        other = Organization(name="凤山街道综治中心", kind="governance_centre", area=far)
        db.session.add_all([far, other])
        db.session.flush()
        db.session.add_all([Membership(user_id=uid(web, MEDIATOR), organization_id=places["centre"]),
                            Membership(user_id=uid(web, OTHER), organization_id=other.id)])
        mediator = Mediator(name="陈海燕", specialties=["traffic"], user_id=uid(web, MEDIATOR))
        db.session.add(mediator)
        db.session.commit()
        return {**places, "mediator": mediator.id, "other_centre": other.id}


@pytest.fixture
def world(web, places):
    """Two centres, the mediator, their memberships."""
    return build_world(web, places)


def new_case(web, world, state="assigned"):
    """Registered by the clerk through the API, then placed in ``state`` with the mediator."""
    from app.extensions import db
    from app.models import Case

    r = api(web, "clerk", "/api/v1/case/", helpers.traffic_payload(world))
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    with web.app_context():
        case = db.session.get(Case, case_id)
        case.status = state
        case.mediator_id = world["mediator"]
        db.session.commit()
    return case_id


def consent_online(web, case_id, decisions=None):
    """Every party's (or the given parties') answer on online mediation."""
    from app.extensions import db
    from app.models import Case, Consent

    with web.app_context():
        case = db.session.get(Case, case_id)
        for p in case.parties:
            decision = (decisions or {}).get(p.name, "given")
            db.session.add(Consent(case_id=case_id, party_id=p.id, subject="online", decision=decision, channel="phone"))
        db.session.commit()


def case_row(web, case_id):
    from app.extensions import db
    from app.models import Case

    with web.app_context():
        case = db.session.get(Case, case_id)
        return {"status": case.status, "version": case.version}


def timeline(web, case_id):
    from app.extensions import db
    from app.models import TimelineEvent

    with web.app_context():
        return [(e.kind, e.action, e.note or "", e.data) for e in db.session.scalars(
            select(TimelineEvent).where(TimelineEvent.case_id == case_id).order_by(TimelineEvent.id))]


def china_today() -> dt.date:
    """Today in China time, where the app counts days."""
    return dt.datetime.now(SHANGHAI).date()


def local(days=1, hour=9):
    day = china_today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 30))


def appointment_body(web, case_id, **changes):
    body = {"starts_at": local().isoformat(), "mode": "offline", "place": "香洲街道综治中心调解室",
            "participants": ["林晓明", "黄丽娟"], "version": case_row(web, case_id)["version"]}
    body.update(changes)
    return body


# -- appointments ---------------------------------------------------------------------------
def test_first_appointment_on_the_web_schedules_the_case(web, world):
    case_id = new_case(web, world)
    c = login(web, "clerk")
    form = c.get(f"/case/{case_id}/appointment")
    assert form.status_code == 200
    r = c.post(f"/case/{case_id}/appointment", data={
        "csrf_token": csrf_token(form.get_data(as_text=True)), "version": case_row(web, case_id)["version"],
        "starts_at": local().strftime("%Y-%m-%dT%H:%M"), "mode": "offline", "place": "调解室一",
        "participants": "林晓明\n黄丽娟、陈海燕", "note": "请双方携带身份证"})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert case_row(web, case_id)["status"] == "scheduled"
    entries = timeline(web, case_id)
    assert [(k, a) for k, a, _n, _d in entries[-2:]] == [("transition", "schedule"), ("session", "appointment")]
    page = c.get(f"/case/show/{case_id}").get_data(as_text=True)
    assert "Appointment made" in page  # the case's own timeline shows the move
    records = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert "调解室一" in records and "林晓明、黄丽娟、陈海燕" in records

    # a second appointment adds a row, keeps the state and moves the version
    before = case_row(web, case_id)["version"]
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id, place="调解室二"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["status"] == "scheduled" and r.get_json()["version"] == before + 1
    assert [a for _k, a, _n, _d in timeline(web, case_id)].count("schedule") == 1


def test_offline_without_a_place_is_refused_and_the_form_keeps_the_text(web, world):
    case_id = new_case(web, world)
    c = login(web, "clerk")
    form = c.get(f"/case/{case_id}/appointment").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/appointment", data={
        "csrf_token": csrf_token(form), "version": case_row(web, case_id)["version"],
        "starts_at": local().strftime("%Y-%m-%dT%H:%M"), "mode": "offline", "place": " ",
        "participants": "林晓明", "note": "下午两点前到"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "needs a place" in html and "下午两点前到" in html
    assert case_row(web, case_id)["status"] == "assigned"
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id, place=""))
    assert r.status_code == 422 and "needs a place" in r.get_json()["message"]["appointment"][0]
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id, mode="video", place=""))
    assert r.status_code == 422 and any("room number or link" in m for m in r.get_json()["message"]["appointment"])


def test_online_needs_every_partys_consent_to_online_mediation(web, world):
    case_id = new_case(web, world)
    body = appointment_body(web, case_id, mode="online", place="", online_room="https://court.invalid/room/88")
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", body)
    assert r.status_code == 422 and "林晓明、黄丽娟" in r.get_json()["message"]["appointment"][0]
    consent_online(web, case_id, {"黄丽娟": "refused"})
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", body)
    assert r.status_code == 422
    message = r.get_json()["message"]["appointment"][0]
    assert "黄丽娟" in message and "林晓明" not in message
    assert case_row(web, case_id)["status"] == "assigned"
    consent_online(web, case_id)  # she changed her mind: the latest answer counts
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", body)
    assert r.status_code == 201 and r.get_json()["status"] == "scheduled"


def test_a_past_start_is_refused_but_earlier_today_is_allowed(web, world):
    case_id = new_case(web, world)
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments",
            appointment_body(web, case_id, starts_at=local(days=-1).isoformat()))
    assert r.status_code == 422 and "past" in r.get_json()["message"]["appointment"][0]
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments",
            appointment_body(web, case_id, starts_at=f"{china_today().isoformat()}T00:00:00+08:00"))
    assert r.status_code == 201, r.get_json()
    for bad in ("next tuesday", None, 20261001):
        r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id, starts_at=bad))
        assert r.status_code == 422


def test_stale_and_out_of_scope_appointments(web, world):
    case_id = new_case(web, world)
    stale = case_row(web, case_id)["version"] - 1
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id, version=stale))
    assert r.status_code == 409 and case_row(web, case_id)["status"] == "assigned"
    c = login(web, "clerk")
    form = c.get(f"/case/{case_id}/appointment").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/appointment", data={
        "csrf_token": csrf_token(form), "version": stale, "starts_at": local().strftime("%Y-%m-%dT%H:%M"),
        "mode": "offline", "place": "调解室三", "note": "第二次"})
    assert r.status_code == 409 and "调解室三" in r.get_data(as_text=True)
    for user in (OTHER,):
        assert api(web, user, f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id)).status_code == 404
        assert api(web, user, f"/api/v1/case/{case_id}/sessions", {"mode": "offline"}).status_code == 404
        other = login(web, user)
        for url in (f"/case/{case_id}/appointment", f"/case/{case_id}/session", f"/case/{case_id}/sessions"):
            assert other.get(url).status_code == 404
    assert api(web, "clerk", "/api/v1/case/99999999/appointments", {}).status_code == 404


def test_cancelling_an_appointment_needs_a_reason(web, world):
    from app.extensions import db
    from app.models import Appointment

    case_id = new_case(web, world)
    made = api(web, "clerk", f"/api/v1/case/{case_id}/appointments", appointment_body(web, case_id)).get_json()["id"]
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/appointment/{made}/cancel", data={"csrf_token": csrf_token(page), "note": ""})
    assert r.status_code == 422 and "Give the reason" in r.get_data(as_text=True)
    r = c.post(f"/case/{case_id}/appointment/{made}/cancel", data={"csrf_token": csrf_token(page), "note": "被申请人住院"})
    assert r.status_code == 302
    with web.app_context():
        assert db.session.get(Appointment, made).status == "cancelled"
    assert timeline(web, case_id)[-1][1:3] == ("appointment_cancelled", "被申请人住院")
    r = c.post(f"/case/{case_id}/appointment/{made}/cancel", data={"csrf_token": csrf_token(page), "note": "再次"})
    assert r.status_code == 422  # only a planned appointment can be cancelled
    r = c.post(f"/case/{case_id}/appointment/{made}/cancel", data={"note": "no token"})
    assert r.status_code == 400


# -- sessions -------------------------------------------------------------------------------
def test_first_session_starts_mediation_and_holds_the_appointment(web, world):
    from app.extensions import db
    from app.models import Appointment, MediationSession

    case_id = new_case(web, world)
    # the appointment began at midnight today (China time), so the session is held after it
    midnight = dt.datetime.combine(china_today(), dt.time(0, 0), SHANGHAI)
    made = api(web, "clerk", f"/api/v1/case/{case_id}/appointments",
               appointment_body(web, case_id, starts_at=midnight.isoformat())).get_json()["id"]
    c = login(web, MEDIATOR)
    form = c.get(f"/case/{case_id}/session?appointment={made}").get_data(as_text=True)
    assert "caucus_notes" in form  # the case's mediator may keep caucus notes
    held = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    r = c.post(f"/case/{case_id}/session", data={
        "csrf_token": csrf_token(form), "held_at": held, "mode": "offline", "appointment_id": str(made),
        "minutes": "双方陈述事故经过，对责任比例无异议。", "caucus_notes": CAUCUS})
    assert r.status_code == 302, r.get_data(as_text=True)
    assert case_row(web, case_id)["status"] == "in_mediation"
    with web.app_context():
        assert db.session.get(Appointment, made).status == "held"
        session = db.session.scalars(select(MediationSession).where(MediationSession.case_id == case_id)).one()
        assert session.caucus_notes == CAUCUS and session.mediator_id == world["mediator"]
    entries = timeline(web, case_id)
    assert [(k, a) for k, a, _n, _d in entries[-2:]] == [("transition", "start_mediation"), ("session", "session")]
    assert CAUCUS not in repr(entries)

    # a second session by the clerk: rows and timeline only, no caucus notes allowed
    r = api(web, "clerk", f"/api/v1/case/{case_id}/sessions",
            {"held_at": clock_now().isoformat(), "mode": "offline", "minutes": "第二次调解。", "caucus_notes": "偷看"})
    assert r.status_code == 422 and "Only the case's mediator" in r.get_json()["message"]["session"][0]
    r = api(web, "clerk", f"/api/v1/case/{case_id}/sessions",
            {"held_at": clock_now().isoformat(), "mode": "offline", "minutes": "第二次调解。"})
    assert r.status_code == 201 and r.get_json()["status"] == "in_mediation"
    assert [a for _k, a, _n, _d in timeline(web, case_id)].count("start_mediation") == 1


def test_caucus_notes_reach_only_the_cases_mediator(web, world):
    case_id = new_case(web, world, "scheduled")
    r = api(web, MEDIATOR, f"/api/v1/case/{case_id}/sessions",
            {"held_at": clock_now().isoformat(), "mode": "offline", "minutes": "公开笔录内容", "caucus_notes": CAUCUS})
    assert r.status_code == 201, r.get_json()
    assert CAUCUS not in r.get_data(as_text=True)
    mediator_page = login(web, MEDIATOR).get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert CAUCUS in mediator_page and "公开笔录内容" in mediator_page
    for user in ("clerk", "admin"):  # the admin sees every case, but is not its mediator
        c = login(web, user)
        page = c.get(f"/case/{case_id}/sessions")
        assert page.status_code == 200 and "公开笔录内容" in page.get_data(as_text=True)
        assert CAUCUS not in page.get_data(as_text=True)
        assert CAUCUS not in c.get(f"/case/show/{case_id}").get_data(as_text=True)
        shown = api(web, user, f"/api/v1/case/{case_id}", method="get")
        assert shown.status_code == 200 and CAUCUS not in shown.get_data(as_text=True)
    assert CAUCUS not in repr(timeline(web, case_id))


def test_a_session_is_refused_in_the_wrong_state(web, world):
    for state in ("assigned", "mediation_accepted", "closed"):
        case_id = new_case(web, world, state)
        body = {"held_at": clock_now().isoformat(), "mode": "offline", "minutes": "笔录"}
        r = api(web, "clerk", f"/api/v1/case/{case_id}/sessions", body)
        assert r.status_code == 422 and "once an appointment is made" in r.get_json()["message"]["session"][0]
        assert case_row(web, case_id)["status"] == state
    c = login(web, "clerk")
    form = c.get(f"/case/{case_id}/session").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/session", data={"csrf_token": csrf_token(form), "mode": "offline",
                                                  "held_at": clock_now().strftime("%Y-%m-%dT%H:%M"),
                                                  "minutes": "已结案后补记的笔录"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "once an appointment is made" in html and "已结案后补记的笔录" in html


def test_session_rules_future_online_and_foreign_appointment(web, world):
    case_id = new_case(web, world, "scheduled")
    other_case = new_case(web, world)
    foreign = api(web, "clerk", f"/api/v1/case/{other_case}/appointments",
                  appointment_body(web, other_case)).get_json()["id"]
    url = f"/api/v1/case/{case_id}/sessions"
    now = clock_now()
    cases = [
        ({"held_at": (now + dt.timedelta(days=2)).isoformat(), "mode": "offline", "minutes": "x"}, "once it has been held"),
        ({"held_at": now.isoformat(), "mode": "video", "minutes": "x"}, "consent to online mediation"),
        ({"held_at": now.isoformat(), "mode": "offline", "minutes": " "}, "Write the minutes"),
        ({"held_at": now.isoformat(), "mode": "offline", "minutes": "x", "appointment_id": foreign}, "no such appointment"),
        ({"held_at": now.isoformat(), "mode": "hologram", "minutes": "x"}, "Choose how"),
    ]
    for body, expected in cases:
        r = api(web, "clerk", url, body)
        assert r.status_code == 422 and any(expected in m for m in r.get_json()["message"]["session"]), (body, r.get_json())
    assert case_row(web, case_id)["status"] == "scheduled"
    assert api(web, "clerk", url, ["not", "an", "object"]).status_code == 400


def test_malformed_api_values_get_4xx_never_500(web, world):
    case_id = new_case(web, world, "scheduled")
    url = f"/api/v1/case/{case_id}"
    now = clock_now().isoformat()
    bodies = [
        ("appointments", {"starts_at": local().isoformat(), "mode": ["offline"], "place": "x"}),
        ("appointments", {"starts_at": "0001-01-01T00:00", "mode": "offline", "place": "x"}),
        ("appointments", {"starts_at": "9999-12-31T23:59:59", "mode": "offline", "place": "x"}),
        ("appointments", {"starts_at": local().isoformat(), "mode": "offline", "place": 7, "participants": "林晓明"}),
        ("appointments", {"starts_at": local().isoformat(), "mode": "offline", "place": "x", "version": {"v": 1}}),
        ("sessions", {"held_at": now, "mode": {"a": 1}, "minutes": "x"}),
        ("sessions", {"held_at": now, "mode": "offline", "minutes": ["x"], "appointment_id": True}),
        ("sessions", {"held_at": now, "mode": "offline", "minutes": "x", "appointment_id": 99999999999999999999999}),
        ("sessions", {"held_at": "0001-01-01T00:00+14:00", "mode": "offline", "minutes": "x"}),
    ]
    for path, body in bodies:
        r = api(web, "clerk", f"{url}/{path}", body)
        assert r.status_code in (409, 422), (path, body, r.status_code, r.get_json())
    r = web.test_client().post(f"{url}/sessions", data="{not json", headers=bearer(web, "clerk"),
                               content_type="application/json")
    assert r.status_code == 400
    assert case_row(web, case_id)["status"] == "scheduled"


def test_pages_render_in_chinese_and_escape_what_was_typed(web, world):
    case_id = new_case(web, world)
    xss = "<img src=x onerror=alert(1)>"
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments",
            appointment_body(web, case_id, place=xss, participants=[xss], note=xss))
    assert r.status_code == 201
    c = login(web, "clerk")
    c.get("/?_l_=zh_CN")
    for url in (f"/case/{case_id}/sessions", f"/case/{case_id}/appointment", f"/case/{case_id}/session"):
        page = c.get(url)
        assert page.status_code == 200, url
        assert xss not in page.get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
