"""Ending sessions (issue 11, finding 8): logout, a new password (one's own or set by the
administrator), a change of roles and deactivation end every session and token of the user at
the next request — a copied cookie, the access token and the refresh token alike — while a
fresh login works; sessions end after the idle and the absolute timeout.

And the fault "a session or CSRF token expiring during a long minutes entry": the minutes a
mediator typed come back in the form after signing in again, and nothing is half-saved."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import func, select

from tests.fixtures import csrf_token
from tests.test_sessions import MEDIATOR, build_world, new_case, web  # noqa: F401 (fixtures)

PASSWORD = "session-end-Pa55-word"
NEW_PASSWORD = "Kai-ting-2026-lantern"
MINUTES = "调解员：请申请人陈述诉求。\n申请人林晓明：要求赔偿医疗费一万二千五百元及误工费。\n被申请人黄丽娟：同意承担七成责任。"


# -- users and logins ---------------------------------------------------------------------

def _user(app, username: str) -> int:
    """A window clerk of this test's own (ending the shared users' sessions would end the
    tokens other tests keep)."""
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username=username, first_name="晓明", last_name="林", email=f"{username}@jiefen.invalid",
                               role=sm.find_role("Clerk"), password=PASSWORD)
        return user.id


def _sign_in(app, username: str, password: str = PASSWORD, client=None, next_path: str = ""):
    """Sign in through the login form; the answer of the POST."""
    client = client or app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    url = f"/login/?next={next_path}" if next_path else "/login/"
    return client, client.post(url, data={"username": username, "password": password, "csrf_token": csrf_token(page)})


def _browser(app, username: str, password: str = PASSWORD):
    client, r = _sign_in(app, username, password)
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return client


def _copy_of_cookie(app, browser):
    """Another browser holding a copy of ``browser``'s session cookie."""
    copy = app.test_client()
    copy.set_cookie("session", browser.get_cookie("session").value)
    return copy


def _tokens(app, username: str, password: str = PASSWORD) -> dict:
    r = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": True})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _api_list(app, access_token: str):
    return app.test_client().get("/api/v1/case/", headers={"Authorization": f"Bearer {access_token}"})


def _refresh(app, refresh_token: str):
    return app.test_client().post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh_token}"})


def _signed_in_page(client):
    return client.get("/case/list/")


def _sent_to_login(r) -> bool:
    return r.status_code in (302, 303) and "/login/" in r.headers["Location"]


# -- the five ways to end every session ---------------------------------------------------------

def _log_out(app, admin_client, browser, username):
    browser.get("/logout/")


def _change_own_password(app, admin_client, browser, username):
    page = browser.get("/resetmypassword/form").get_data(as_text=True)
    r = browser.post("/resetmypassword/form", data={
        "csrf_token": csrf_token(page), "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)


def _admin_resets_password(app, admin_client, browser, username):
    pk = _user(app, username)
    page = admin_client.get(f"/resetpassword/form?pk={pk}").get_data(as_text=True)
    r = admin_client.post(f"/resetpassword/form?pk={pk}", data={
        "csrf_token": csrf_token(page), "password": NEW_PASSWORD, "conf_password": NEW_PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)


def _edit_user(app, admin_client, username, role: str, active: bool):
    pk = _user(app, username)
    with app.app_context():
        role_id = str(app.appbuilder.sm.find_role(role).id)
    page = admin_client.get(f"/users/edit/{pk}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "first_name": "晓明", "last_name": "林", "username": username,
            "email": f"{username}@jiefen.invalid", "roles": role_id}
    if active:
        data["active"] = "y"
    r = admin_client.post(f"/users/edit/{pk}", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)


def _change_roles(app, admin_client, browser, username):
    _edit_user(app, admin_client, username, "Judge", active=True)


def _deactivate(app, admin_client, browser, username):
    _edit_user(app, admin_client, username, "Clerk", active=False)


ENDINGS = {
    "logout": (_log_out, PASSWORD),
    "own_password_change": (_change_own_password, NEW_PASSWORD),
    "admin_password_reset": (_admin_resets_password, NEW_PASSWORD),
    "role_change": (_change_roles, PASSWORD),
    "deactivation": (_deactivate, None),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_old_cookie_access_and_refresh_tokens_are_refused_after(app, admin_client, ending):
    action, password_after = ENDINGS[ending]
    username = f"end-{ending}"
    _user(app, username)
    browser = _browser(app, username)
    copy = _copy_of_cookie(app, browser)
    tokens = _tokens(app, username)
    assert _signed_in_page(copy).status_code == 200
    assert _api_list(app, tokens["access_token"]).status_code == 200
    assert _refresh(app, tokens["refresh_token"]).status_code == 200

    action(app, admin_client, browser, username)

    after = _signed_in_page(copy)
    assert _sent_to_login(after), f"the copied cookie still works after {ending}"
    if ending == "own_password_change":  # the session the password was changed in goes on
        assert _signed_in_page(browser).status_code == 200
    else:
        assert _sent_to_login(_signed_in_page(browser))
    for r in (_api_list(app, tokens["access_token"]), _refresh(app, tokens["refresh_token"])):
        assert r.status_code == 401 and r.get_json()["message"], r.get_data(as_text=True)
    if password_after is None:  # deactivated: no new login either
        assert _sent_to_login(_sign_in(app, username)[1])
        assert app.test_client().post("/api/v1/security/login", json={
            "username": username, "password": PASSWORD, "provider": "db"}).status_code == 401
        return
    fresh = _browser(app, username, password_after)
    assert _signed_in_page(fresh).status_code == 200
    fresh_tokens = _tokens(app, username, password_after)
    assert _api_list(app, fresh_tokens["access_token"]).status_code in (200, 403)  # a judge may not list
    assert _refresh(app, fresh_tokens["refresh_token"]).status_code == 200


def test_a_refreshed_access_token_ends_with_the_refresh_token(app):
    username = "end-refreshed"
    _user(app, username)
    tokens = _tokens(app, username)
    refreshed = _refresh(app, tokens["refresh_token"]).get_json()["access_token"]
    assert _api_list(app, refreshed).status_code == 200
    _browser(app, username).get("/logout/")
    assert _api_list(app, refreshed).status_code == 401


def test_logging_out_one_browser_does_not_need_the_others_cookie(app):
    """Two browsers of one user: logging out in one ends the other's session too."""
    username = "end-two-browsers"
    _user(app, username)
    office, home = _browser(app, username), _browser(app, username)
    assert _signed_in_page(home).status_code == 200
    office.get("/logout/")
    assert _sent_to_login(_signed_in_page(home))


def test_an_unrelated_edit_of_the_user_keeps_their_sessions(app, admin_client):
    """Only password, activity and roles end sessions: correcting a name does not."""
    username = "end-renamed"
    _user(app, username)
    browser = _browser(app, username)
    _edit_user(app, admin_client, username, "Clerk", active=True)
    assert _signed_in_page(browser).status_code == 200


def test_a_role_added_in_code_ends_the_sessions_too(app):
    """The epoch moves on in a flush listener: a change made without FAB's forms counts too."""
    from app.extensions import db

    username = "end-role-in-code"
    _user(app, username)
    browser = _browser(app, username)
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        user.roles.append(sm.find_role("Judge"))
        db.session.commit()
    assert _sent_to_login(_signed_in_page(browser))


# -- idle and absolute timeouts -----------------------------------------------------------------

class Clock:
    """``app.services.clock.utc_now`` moved by hand."""

    def __init__(self, monkeypatch):
        from app.services import clock

        self.now = dt.datetime.now(dt.timezone.utc)
        monkeypatch.setattr(clock, "utc_now", lambda: self.now)

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


def test_a_session_ends_after_thirty_idle_minutes_with_a_chinese_message(app, monkeypatch):
    clock = Clock(monkeypatch)
    username = "end-idle"
    _user(app, username)
    browser = _browser(app, username)
    clock.advance(minutes=29)
    assert _signed_in_page(browser).status_code == 200  # activity: the idle clock starts again
    clock.advance(minutes=29)
    assert _signed_in_page(browser).status_code == 200
    clock.advance(minutes=31)
    r = _signed_in_page(browser)
    assert _sent_to_login(r) and "next=" in r.headers["Location"]
    page = browser.get(r.headers["Location"]).get_data(as_text=True)
    assert "30 分钟未操作" in page and "请重新登录" in page
    assert _sent_to_login(_signed_in_page(browser))  # signed out, not just warned
    assert _browser(app, username)  # and a fresh login works


def test_the_api_answers_401_json_to_an_idle_browser_session(app, monkeypatch):
    clock = Clock(monkeypatch)
    username = "end-idle-api"
    _user(app, username)
    browser = _browser(app, username)
    assert browser.get("/api/v1/case/").status_code == 200
    clock.advance(minutes=31)
    r = browser.get("/api/v1/case/")
    assert r.status_code == 401 and "重新登录" in r.get_json()["message"]


def test_a_session_ends_twelve_hours_after_login_however_busy(app, monkeypatch):
    clock = Clock(monkeypatch)
    username = "end-absolute"
    _user(app, username)
    browser = _browser(app, username)
    for _ in range(11 * 60 // 25):
        clock.advance(minutes=25)
        assert _signed_in_page(browser).status_code == 200
    clock.advance(hours=1, minutes=30)
    r = _signed_in_page(browser)
    assert _sent_to_login(r)
    assert "12 小时" in browser.get(r.headers["Location"]).get_data(as_text=True)


def test_timeouts_are_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "JIEFEN_SESSION_IDLE_MINUTES", 5)
    clock = Clock(monkeypatch)
    username = "end-configured"
    _user(app, username)
    browser = _browser(app, username)
    clock.advance(minutes=6)
    assert _sent_to_login(_signed_in_page(browser))


# -- the minutes typed during a long session survive an expired session or form -----------------

@pytest.fixture
def minutes_form(web, places):
    """The mediator's browser on the session form of an assigned case; ``(browser, url, case)``."""
    world = build_world(web, places)
    case_id = new_case(web, world, "scheduled")
    browser = _browser(web, MEDIATOR, "sessions-Pa55-word")
    url = f"/case/{case_id}/session"
    page = browser.get(url).get_data(as_text=True)
    return browser, url, case_id, page


def _held_at(page: str) -> str:
    return re.search(r'name="held_at"[^>]*value="([^"]+)"', page).group(1)


def _minutes_post(page: str) -> dict:
    return {"csrf_token": csrf_token(page), "held_at": _held_at(page), "mode": "offline",
            "appointment_id": "", "minutes": MINUTES, "caucus_notes": "申请人私下表示可接受八千元"}


def _sessions_of(web, case_id) -> int:
    from app.extensions import db
    from app.models import MediationSession

    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(MediationSession)
                                 .where(MediationSession.case_id == case_id))


def _drafts(web) -> int:
    from app.extensions import db
    from app.models import FormDraft

    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(FormDraft))


def test_minutes_typed_past_the_idle_timeout_come_back_after_signing_in(web, minutes_form, monkeypatch):
    browser, url, case_id, page = minutes_form
    clock = Clock(monkeypatch)
    clock.advance(minutes=45)  # a long hearing, typed without saving
    r = browser.post(url, data=_minutes_post(page))
    assert _sent_to_login(r) and _sessions_of(web, case_id) == 0  # nothing half-saved
    login_page = browser.get(r.headers["Location"]).get_data(as_text=True)
    assert "分钟未操作" in login_page and "您输入的内容已保存" in login_page
    browser, r = _sign_in(web, MEDIATOR, "sessions-Pa55-word", client=browser, next_path=url)
    assert r.status_code == 302 and r.headers["Location"].endswith(url)
    form = browser.get(url).get_data(as_text=True)
    assert "林晓明：要求赔偿医疗费一万二千五百元" in form and "之前输入的内容已恢复" in form
    assert "申请人私下表示可接受八千元" in form and _held_at(form) == _held_at(page)
    assert _drafts(web) == 0  # handed back once, then gone
    # the restored form records the session as typed
    r = browser.post(url, data=_minutes_post(form))
    assert r.status_code == 302 and _sessions_of(web, case_id) == 1


def test_minutes_posted_with_an_expired_form_token_come_back_in_the_form(web, minutes_form, monkeypatch):
    browser, url, case_id, page = minutes_form
    monkeypatch.setitem(web.config, "WTF_CSRF_TIME_LIMIT", 1)
    time.sleep(2.1)  # the form's CSRF token is now older than its life
    r = browser.post(url, data=_minutes_post(page))
    assert r.status_code == 302 and r.headers["Location"].endswith(url) and _sessions_of(web, case_id) == 0
    form = browser.get(url).get_data(as_text=True)
    assert "表单已过期" in form and "林晓明：要求赔偿医疗费一万二千五百元" in form


def test_minutes_survive_a_lost_session_cookie_and_reach_only_that_browser(web, minutes_form, monkeypatch):
    """The browser was restarted: its session cookie is gone, the page with the typed text is not."""
    browser, url, case_id, page = minutes_form
    browser.delete_cookie("session")
    r = browser.post(url, data=_minutes_post(page))
    assert _sent_to_login(r) and _sessions_of(web, case_id) == 0
    assert "您输入的内容已保存" in browser.get(r.headers["Location"]).get_data(as_text=True)
    other = _browser(web, MEDIATOR, "sessions-Pa55-word")  # the same mediator, another browser
    assert MINUTES[:10] not in other.get(url).get_data(as_text=True)
    _sign_in(web, MEDIATOR, "sessions-Pa55-word", client=browser, next_path=url)
    assert "林晓明：要求赔偿医疗费一万二千五百元" in browser.get(url).get_data(as_text=True)


def test_a_forged_post_without_any_form_of_ours_keeps_nothing(web, minutes_form):
    browser, url, case_id, page = minutes_form
    stranger = web.test_client()
    r = stranger.post(url, data={**_minutes_post(page), "csrf_token": "forged"})
    assert _sent_to_login(r) and _drafts(web) == 0 and _sessions_of(web, case_id) == 0
