"""Security baseline: every route classified, CSRF on, cookie flags, no SQL in errors."""
from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from tests import helpers
from tests.fixtures import make_app

# Endpoints anyone may call: signing in and out, the language switch, static files,
# the health check, the favicon, and FAB's redirect helper.
PUBLIC_ENDPOINTS = {
    "static",
    "appbuilder.static",
    "AuthDBView.login",
    "AuthDBView.logout",
    "LocaleView.index",
    "UtilView.back",
    "SecurityApi.login",
    "health.check",
    "favicon.icon",  # browsers ask for /favicon.ico on every page, the login page included
    "linkage_inbound.receive",  # partners' callbacks: authenticated by HMAC signature
}
REFUSED = {302, 401, 403}


@pytest.fixture(scope="module")
def inventory_app(database, tmp_path_factory, app):
    # CSRF off here so that what refuses a POST is the access check, not the token.
    return make_app(database, tmp_path_factory.mktemp("inv"), WTF_CSRF_ENABLED=False)


def _url(rule) -> str:
    values = {}
    for arg in rule.arguments:
        conv = rule._converters[arg].__class__.__name__
        values[arg] = 1 if conv == "IntegerConverter" else "1"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_is_public_by_design_or_refuses_anonymous_callers(inventory_app):
    client = inventory_app.test_client()
    unclassified = []
    for rule in inventory_app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method)
            if r.status_code == 302 and "/login" not in r.headers.get("Location", ""):
                unclassified.append(f"{method} {rule.rule} ({rule.endpoint}) redirects elsewhere")
            elif r.status_code not in REFUSED:
                unclassified.append(f"{method} {rule.rule} ({rule.endpoint}) -> {r.status_code}")
    assert not unclassified, "routes neither public nor refusing anonymous callers:\n" + "\n".join(unclassified)


def test_public_allowlist_names_real_routes(inventory_app):
    endpoints = {r.endpoint for r in inventory_app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= endpoints


def test_health_check_answers_without_login(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_csrf_protect_is_initialised(app, clerk_client, places):
    assert "csrf" in app.extensions
    payload = helpers.traffic_payload(places)
    from app.intake.payload import flatten

    r = clerk_client.post("/case/intake/traffic", data=flatten(payload))  # no token
    assert r.status_code == 400


def test_cookie_flags(app):
    c = app.config
    assert c["SESSION_COOKIE_HTTPONLY"] and c["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert c["REMEMBER_COOKIE_HTTPONLY"] and c["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_cookies_are_secure_by_default(monkeypatch, tmp_path):
    from app.config import build_config

    monkeypatch.delenv("JIEFEN_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("JIEFEN_INSTANCE_PATH", str(tmp_path))
    cfg = build_config()
    assert cfg["SESSION_COOKIE_SECURE"] and cfg["REMEMBER_COOKIE_SECURE"]
    assert cfg["WTF_CSRF_ENABLED"] and cfg["AUTH_RATE_LIMITED"]
    assert not cfg["FAB_API_SWAGGER_UI"]


def test_session_cookie_is_httponly_and_samesite(client):
    r = client.get("/login/")
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_search_and_order_columns_are_explicit_and_hold_no_personal_data(app):
    personal = {"parties", "id_number", "mobile", "address", "intake_data", "description"}
    for view in app.appbuilder.baseviews:
        datamodel = getattr(view, "datamodel", None)
        if datamodel is None or not datamodel.obj.__module__.startswith("app.models"):
            continue
        for attr in ("search_columns", "order_columns"):
            cols = set(getattr(view, attr))
            assert cols, f"{view.__class__.__name__}.{attr} is empty"
            assert not cols & personal, f"{view.__class__.__name__}.{attr}: {cols & personal}"


def test_database_errors_never_show_sql(app, clerk_client, monkeypatch, places):
    """A unique violation answers 409 with a neutral sentence, not the statement."""
    from app.services import intake

    def explode(*a, **k):
        raise IntegrityError("INSERT INTO cases (case_no) VALUES (?)", ("（2026）1号",), Exception("UNIQUE constraint failed: cases.case_no"))

    monkeypatch.setattr(intake, "next_serial", explode)
    token = helpers.api_token(app.test_client(), "clerk")
    r = app.test_client().post(
        "/api/v1/case/?_l_=en", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert not re.search(r"INSERT|UNIQUE|cases\.case_no|VALUES", body)


def test_unknown_and_huge_ids_are_404_not_500(clerk_client, app):
    token = helpers.api_token(app.test_client(), "clerk")
    for url in ("/case/show/99999999", "/case/show/99999999999999999999999"):
        assert clerk_client.get(url).status_code == 404
    r = app.test_client().get("/api/v1/case/99999999999999999999", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 404


def test_clerk_cannot_reach_the_plugins_admin_page(clerk_client):
    assert clerk_client.get("/admin/plugins/").status_code in (302, 403)


def test_clerk_grants_match_the_role_matrix(app):
    from app.roles import role_grants, sync_roles

    with app.app_context():
        sm = app.appbuilder.sm
        sync_roles(sm)  # what `jiefen setup` runs at every deploy
        role = sm.find_role("Clerk")
        granted = {(pv.permission.name, pv.view_menu.name) for pv in role.permissions}
        assert granted == role_grants("Clerk")


def test_login_is_rate_limited_with_counters_in_redis(database, tmp_path):
    """Repeated password guesses get 429, counted in Redis so every worker agrees."""
    import uuid

    import redis

    r = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    r.ping()  # Redis is part of the platform: fail, don't skip, when it is down
    app = make_app(
        database,
        tmp_path,
        RATELIMIT_ENABLED=True,
        AUTH_RATE_LIMIT="3 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=f"jiefen-test-{uuid.uuid4().hex}",
        WTF_CSRF_ENABLED=False,
    )
    c = app.test_client()
    codes = [c.post("/login/", data={"username": "admin", "password": "wrong"}).status_code for _ in range(4)]
    assert codes[:3] != [429, 429, 429] and codes[3] == 429
    api = [
        c.post("/api/v1/security/login", json={"username": "admin", "password": "wrong", "provider": "db"}).status_code
        for _ in range(4)
    ]
    assert api[:3] == [401, 401, 401] and api[3] == 429  # the API login is limited too
    assert r.keys("*" + app.config["RATELIMIT_KEY_PREFIX"] + "*")


def test_unclear_on_off_setting_stops_start_up(monkeypatch, tmp_path):
    from app.config import build_config

    monkeypatch.setenv("JIEFEN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("JIEFEN_COOKIE_SECURE", "enabled")
    with pytest.raises(ValueError, match="JIEFEN_COOKIE_SECURE"):
        build_config()


def test_database_errors_in_logs_carry_no_parameters(app):
    with app.app_context():
        from app.extensions import db

        assert db.engine.hide_parameters


def test_pages_load_nothing_from_outside_hosts(admin_client, places):
    """Jiefen runs offline: no script, style, font or image from another host."""
    outside = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I)
    for url in ("/", "/case/list/", "/case/intake/", "/case/intake/traffic", "/admin/plugins/", "/login/"):
        html = admin_client.get(url).get_data(as_text=True)
        assert not outside.search(html), f"{url} refers to an outside host"


def test_database_failure_on_the_web_form_keeps_what_was_typed(app, clerk_client, monkeypatch, places):
    from sqlalchemy.exc import OperationalError

    from app.intake.payload import flatten
    from app.services import intake
    from tests.fixtures import csrf_token

    def down(*a, **k):
        raise OperationalError("UPDATE case_counter", {}, Exception("database is locked"))

    monkeypatch.setattr(intake, "next_serial", down)
    clerk_client.get("/lang/en")
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    data = flatten({k: v for k, v in helpers.traffic_payload(places).items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    r = clerk_client.post("/case/intake/traffic", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "林晓明与黄丽娟交通事故赔偿纠纷" in html and "粤NA6789" in html
    assert "The database is busy or unavailable" in html and "case_counter" not in html
