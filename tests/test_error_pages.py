"""Every error answers in the reader's language, inside the app's layout, with a way back;
the API keeps its JSON ``{"message": …}``."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest, Conflict, MethodNotAllowed, TooManyRequests

from tests import helpers
from tests.fixtures import make_app
from tests.untranslated import untranslated_in

CODES = (400, 403, 404, 405, 409, 413, 429, 500)
# What the page says, per language (titles from app/errors.py).
TITLES = {
    "zh": {400: "请求无法处理", 403: "您没有访问此页面的权限", 404: "页面不存在", 405: "无法以此方式使用该页面",
           409: "修改未能保存", 413: "上传内容过大", 429: "操作过于频繁", 500: "系统内部出错"},
    "en": {400: "The request could not be processed", 403: "You do not have access to this page",
           404: "Page not found", 405: "This page cannot be used this way", 409: "The change could not be saved",
           413: "The upload is too large", 429: "Too many attempts", 500: "Something went wrong on our side"},
}
WAY_HOME = {"zh": "回到我的工作台", "en": "Back to my work"}
WAY_BACK = {"zh": "返回上一页", "en": "Back to the previous page"}


def _raise(code: int):
    """What goes wrong in real life for each code, raised where a view would raise it."""
    if code == 400:
        raise BadRequest()
    if code == 405:
        raise MethodNotAllowed(valid_methods=["POST"])
    if code == 409:
        raise IntegrityError("INSERT INTO cases (case_no) VALUES (?)", ("x",), Exception("UNIQUE constraint failed"))
    if code == 429:
        raise TooManyRequests(retry_after=60)
    if code == 500:
        raise RuntimeError("a bug with a secret in it: SELECT * FROM ab_user")
    from flask import abort

    abort(code)


@pytest.fixture(scope="module")
def failing_app(app, database, tmp_path_factory):
    """An app on the test database with routes that fail with each code, web and API."""
    failing = make_app(database, tmp_path_factory.mktemp("errors"), MAX_CONTENT_LENGTH=1024)
    failing.add_url_rule("/broken/<int:code>", "broken", lambda code: _raise(code), methods=["GET", "POST"])
    failing.add_url_rule("/api/v1/broken/<int:code>", "api_broken", lambda code: _raise(code), methods=["GET", "POST"])
    failing.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the broken routes take POST without a form
    yield failing
    with failing.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


def _signed_in(app, lang: str):
    client = app.test_client()
    helpers.login(client, "admin")
    client.get(f"/lang/{'zh_CN' if lang == 'zh' else 'en'}")
    return client


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("code", CODES)
def test_every_error_page_is_in_the_readers_language_inside_the_layout(failing_app, code, lang):
    client = _signed_in(failing_app, lang)
    r = client.get(f"/broken/{code}", headers={"Referer": "http://localhost/case/list/"})
    html = r.get_data(as_text=True)
    assert r.status_code == code and r.mimetype == "text/html"
    assert TITLES[lang][code] in html
    assert "/logout" in html, "the error page lost the app's layout (menu, account)"
    assert WAY_HOME[lang] in html and WAY_BACK[lang] in html and 'href="/case/list/"' in html
    assert "SELECT" not in html and "Traceback" not in html and "UNIQUE" not in html
    if lang == "zh":
        assert untranslated_in(html) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("code", CODES)
def test_api_errors_stay_json_with_a_message(failing_app, code, lang):
    r = failing_app.test_client().post(f"/api/v1/broken/{code}?_l_={'zh_CN' if lang == 'zh' else 'en'}")
    assert r.status_code == code and r.mimetype == "application/json"
    body = r.get_json()
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"]
    assert "SELECT" not in body["message"] and "UNIQUE" not in body["message"]
    if lang == "zh":
        assert not untranslated_in(f"<p>{body['message']}</p>"), body


def test_retry_after_and_allow_headers_survive_the_error_page(failing_app):
    client = _signed_in(failing_app, "zh")
    assert client.get("/broken/429").headers.get("Retry-After") == "60"
    assert "POST" in client.get("/broken/405").headers.get("Allow", "")


def test_a_missing_case_answers_the_chinese_404_page(admin_client):
    r = admin_client.get("/case/show/99999999")
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "页面不存在" in html and "回到我的工作台" in html and "/logout" in html


def test_fab_own_404_for_a_missing_user_is_the_app_page(admin_client):
    r = admin_client.get("/users/show/99999999")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_an_unknown_address_answers_the_404_page_in_english_too(admin_client):
    admin_client.get("/lang/en")
    r = admin_client.get("/no/such/page")
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "Page not found" in html and "Back to my work" in html


def test_a_signed_in_user_without_access_gets_the_403_page(clerk_client):
    r = clerk_client.get("/admin/plugins/")
    html = r.get_data(as_text=True)
    assert r.status_code == 403
    assert "您没有访问此页面的权限" in html and "请联系系统管理员" in html and "/logout" in html


def test_an_anonymous_visitor_is_still_sent_to_the_login_page(client):
    r = client.get("/admin/plugins/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_form_without_its_token_answers_400_in_chinese(admin_client):
    r = admin_client.post("/admin/plugins/traffic/toggle", data={"enabled": "0"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "请求无法处理" in html and "表单已过期" in html
    assert "CSRF" not in html


def test_get_on_a_post_only_address_answers_405_in_chinese(admin_client):
    r = admin_client.get("/admin/plugins/traffic/toggle")
    assert r.status_code == 405 and "无法以此方式使用该页面" in r.get_data(as_text=True)


def test_an_oversized_upload_answers_413_in_chinese(failing_app):
    client = _signed_in(failing_app, "zh")
    r = client.post("/broken/404", data={"file": "x" * 5000})
    assert r.status_code == 413 and "上传内容过大" in r.get_data(as_text=True)


def test_another_sites_referrer_is_not_offered_as_the_way_back(admin_client):
    html = admin_client.get("/no/such/page", headers={"Referer": "https://evil.example/"}).get_data(as_text=True)
    assert "evil.example" not in html and "回到我的工作台" in html


def test_the_error_page_stays_plain_when_the_layout_cannot_be_drawn(failing_app, monkeypatch):
    """A database outage breaks the menu too: the answer is still a page in Chinese."""
    client = _signed_in(failing_app, "zh")
    real = failing_app.jinja_env.get_template

    def no_layout(name, *args, **kwargs):
        if name == "jiefen/error.html":
            raise RuntimeError("database down")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(failing_app.jinja_env, "get_template", no_layout)
    r = client.get("/broken/500")
    html = r.get_data(as_text=True)
    assert r.status_code == 500 and "系统内部出错" in html and "回到我的工作台" in html


def test_no_error_shows_the_words_werkzeug_writes(failing_app):
    """Werkzeug's own pages ("Not Found", "The requested URL was not found") never reach a reader."""
    client = _signed_in(failing_app, "en")
    for code in CODES:
        html = client.get(f"/broken/{code}").get_data(as_text=True)
        assert "The requested URL" not in html and "<title>404 Not Found" not in html


def test_a_views_own_translated_reason_is_shown_instead_of_the_general_one(failing_app):
    from app.errors import _http_message

    with failing_app.test_request_context("/case/show/1"):
        own = Conflict(description="案件已被他人更新，请刷新后重试。")
        assert _http_message(own) == "案件已被他人更新，请刷新后重试。"
        assert _http_message(Conflict()) != Conflict.description  # Werkzeug's English is never shown


def test_an_anonymous_visitor_of_an_unknown_address_gets_the_chinese_404_page(client):
    r = client.get("/no/such/page")
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "页面不存在" in html and untranslated_in(html) == []
