"""Passwords people type: at least ten characters, not a common one, not the username
(issue 11, finding 15: a one-character password was accepted)."""
from __future__ import annotations

import pytest

from tests import helpers
from tests.fixtures import csrf_token


def _role_id(app, name: str) -> str:
    with app.app_context():
        return str(app.appbuilder.sm.find_role(name).id)


def _add_user(app, client, username: str, password: str):
    page = client.get("/users/add").get_data(as_text=True)
    return client.post("/users/add?_l_=en", data={
        "csrf_token": csrf_token(page), "first_name": "芳", "last_name": "王", "username": username,
        "email": f"{username}@jiefen.invalid", "active": "y", "roles": _role_id(app, "Clerk"),
        "password": password, "conf_password": password})


def _exists(app, username: str) -> bool:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username) is not None


@pytest.mark.parametrize("password,why", [
    ("a", "at least 10 characters"),
    ("Short-9", "at least 10 characters"),
    ("qwertyuiop", "most common"),
    ("PASSWORD123", "most common"),  # the list is compared without regard to case
    ("pw_policy_same", "may not be the username"),
])
def test_the_administrator_cannot_give_a_weak_password(app, admin_client, password, why):
    r = _add_user(app, admin_client, "pw_policy_same", password)
    assert r.status_code == 200 and why in r.get_data(as_text=True)
    assert not _exists(app, "pw_policy_same")


def test_a_long_uncommon_password_is_accepted(app, admin_client):
    r = _add_user(app, admin_client, "pw_policy_good", "香洲-窗口-2026-lamp")
    assert r.status_code == 302 and _exists(app, "pw_policy_good")


def test_the_refusal_reads_in_chinese(app, admin_client):
    page = admin_client.get("/users/add").get_data(as_text=True)
    r = admin_client.post("/users/add?_l_=zh_CN", data={
        "csrf_token": csrf_token(page), "first_name": "芳", "last_name": "王", "username": "pw_policy_zh",
        "email": "pw_policy_zh@jiefen.invalid", "active": "y", "roles": _role_id(app, "Clerk"),
        "password": "1", "conf_password": "1"})
    assert "密码至少" in r.get_data(as_text=True) and not _exists(app, "pw_policy_zh")


def test_a_user_cannot_change_their_own_password_to_a_weak_one(app, clerk_client):
    page = clerk_client.get("/resetmypassword/form").get_data(as_text=True)
    r = clerk_client.post("/resetmypassword/form?_l_=en", data={
        "csrf_token": csrf_token(page), "password": "clerk", "conf_password": "clerk"})
    assert "at least 10 characters" in r.get_data(as_text=True)
    page = clerk_client.get("/resetmypassword/form").get_data(as_text=True)
    r = clerk_client.post("/resetmypassword/form?_l_=en", data={
        "csrf_token": csrf_token(page), "password": "1234567890", "conf_password": "1234567890"})
    assert "most common" in r.get_data(as_text=True)
    # the clerk's own password still opens the door (nothing was changed)
    helpers.login(app.test_client(), "clerk")


def test_resetting_a_users_password_to_their_username_is_refused(app, admin_client):
    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username="pw_policy_reset1"):
            sm.add_user(username="pw_policy_reset1", first_name="芳", last_name="王",
                        email="pw_policy_reset1@jiefen.invalid", role=sm.find_role("Clerk"), password="x-Pa55-word-ok")
        pk = sm.find_user(username="pw_policy_reset1").id
    page = admin_client.get(f"/resetpassword/form?pk={pk}").get_data(as_text=True)
    r = admin_client.post(f"/resetpassword/form?pk={pk}&_l_=en", data={
        "csrf_token": csrf_token(page), "password": "pw_policy_reset1", "conf_password": "pw_policy_reset1"})
    assert "may not be the username" in r.get_data(as_text=True)
