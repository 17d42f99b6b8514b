"""A refused API token answers like the rest of the API — ``{"message"}`` in the reader's
language — whether it is missing, garbled, expired or of the wrong kind."""
from __future__ import annotations

import datetime as dt

import pytest

from tests import helpers


def _expired_token(app) -> str:
    from flask_jwt_extended import create_access_token

    with app.test_request_context():
        user = app.appbuilder.sm.find_user(username="clerk")
        return create_access_token(identity=str(user.id), expires_delta=dt.timedelta(seconds=-5))


def _refresh_token(app) -> str:
    r = app.test_client().post("/api/v1/security/login", json={
        "username": "clerk", "password": helpers.PASSWORDS["clerk"], "provider": "db", "refresh": True})
    return r.get_json()["refresh_token"]


@pytest.mark.parametrize("kind", ["expired", "garbled", "refresh-as-access"])
def test_a_refused_token_answers_with_a_chinese_message(app, kind):
    token = {"expired": lambda: _expired_token(app), "garbled": lambda: "not.a.token",
             "refresh-as-access": lambda: _refresh_token(app)}[kind]()
    r = app.test_client().get("/api/v1/case/", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (401, 422), r.get_data(as_text=True)
    body = r.get_json()
    assert "msg" not in body and body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body  # zh_CN by default


def test_the_same_answer_is_english_for_an_english_reader(app):
    r = app.test_client().get("/api/v1/case/?_l_=en", headers={"Authorization": "Bearer not.a.token"})
    assert r.status_code == 422 and r.get_json()["message"].startswith("The sign-in token")
