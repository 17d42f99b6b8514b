"""`flask --app app check-deploy`: a production configuration passes; each unsafe setting
alone makes it exit 1 with one line naming the setting, in the operator's language."""
from __future__ import annotations

import pytest

from tests.fixtures import make_app

GOOD = {
    "SECRET_KEY": "k" * 48,
    "DEBUG": False,
    "FAB_API_SWAGGER_UI": False,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "JIEFEN_BEHIND_TLS": True,
    "JIEFEN_BEHIND_PROXY": True,
    "JIEFEN_PROXY_COUNT": 1,
    "JIEFEN_WORKERS": "4",
    "TRUSTED_HOSTS": ["jiefen.court.lan"],
}


@pytest.fixture(autouse=True)
def no_worker_hints(monkeypatch):
    """The machine's own environment must not decide the worker count."""
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)


def run(database, tmp_path, **changes):
    """check-deploy on an app with the good configuration plus ``changes``."""
    app = make_app(database, tmp_path, **{**GOOD, **changes})
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    return result.exit_code, result.output.splitlines()


def problems(lines):
    return [line for line in lines if line.startswith("问题")]


def test_a_production_configuration_passes(database, tmp_path):
    code, lines = run(database, tmp_path)
    assert code == 0, lines
    assert not problems(lines)
    assert sum(line.startswith("OK ") for line in lines) == 7
    assert "密钥" in "\n".join(lines)  # the operator's language, zh_CN by default


def test_one_worker_may_keep_rate_limit_counters_in_memory(database, tmp_path):
    code, lines = run(database, tmp_path, RATELIMIT_STORAGE_URI="memory://", JIEFEN_WORKERS="1")
    assert code == 0, lines


@pytest.mark.parametrize("changes, named", [
    ({"SECRET_KEY": "short-key"}, "JIEFEN_SECRET_KEY"),
    ({"FAB_API_SWAGGER_UI": True}, "FAB_API_SWAGGER_UI"),
    ({"RATELIMIT_ENABLED": False}, "JIEFEN_RATELIMIT"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "JIEFEN_RATELIMIT_STORAGE"),
    ({"RATELIMIT_STORAGE_URI": "memory://", "JIEFEN_WORKERS": ""}, "JIEFEN_WORKERS"),
    ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
    ({"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE"),
    ({"JIEFEN_PROXY_COUNT": 0}, "JIEFEN_PROXY_COUNT"),
    ({"TRUSTED_HOSTS": None}, "JIEFEN_TRUSTED_HOSTS"),
], ids=["short-secret", "swagger", "no-rate-limit", "memory-several-workers",
        "memory-unknown-workers", "session-cookie", "remember-cookie", "no-proxy-count", "no-trusted-hosts"])
def test_each_unsafe_setting_alone_is_refused(database, tmp_path, changes, named):
    code, lines = run(database, tmp_path, **changes)
    assert code == 1
    found = problems(lines)
    assert len(found) == 1 and named in found[0], lines


def test_debug_mode_is_refused(database, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask --debug` and production's environment set
    code, lines = run(database, tmp_path)
    assert code == 1
    assert len(problems(lines)) == 1 and "FLASK_DEBUG" in problems(lines)[0]


def test_a_secret_generated_into_the_instance_folder_is_refused(database, tmp_path):
    from app.config import secret_key

    generated = secret_key(tmp_path)  # what build_config does without JIEFEN_SECRET_KEY: 64 characters
    code, lines = run(database, tmp_path, SECRET_KEY=generated)
    assert code == 1
    assert len(problems(lines)) == 1 and "JIEFEN_SECRET_KEY" in problems(lines)[0]


def test_gunicorn_worker_count_comes_from_its_environment(database, tmp_path, monkeypatch):
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--bind 127.0.0.1:8000 --workers 3")
    code, lines = run(database, tmp_path, RATELIMIT_STORAGE_URI="memory://", JIEFEN_WORKERS="")
    assert code == 1 and "3" in problems(lines)[0]
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    code, lines = run(database, tmp_path, RATELIMIT_STORAGE_URI="memory://", JIEFEN_WORKERS="")
    assert code == 0, lines


def test_cookies_and_proxy_are_not_checked_when_not_behind_tls_or_a_proxy(database, tmp_path):
    code, lines = run(database, tmp_path, JIEFEN_BEHIND_TLS=False, JIEFEN_BEHIND_PROXY=False,
                      SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False, JIEFEN_PROXY_COUNT=0)
    assert code == 0, lines
