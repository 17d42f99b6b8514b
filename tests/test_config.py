"""Configuration from the environment, and what every database connection promises."""
from __future__ import annotations

import os
import stat

from sqlalchemy import text

from app.config import build_config, database_url, secret_key


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("JIEFEN_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 64
    assert secret_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("JIEFEN_SECRET_KEY", "from-the-environment")
    assert secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_database_defaults_to_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("JIEFEN_DATABASE_URL", raising=False)
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'jiefen.db'}"


def test_postgresql_url_uses_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("JIEFEN_DATABASE_URL", "postgresql://u@127.0.0.1/jiefen")
    assert database_url(tmp_path) == "postgresql+psycopg://u@127.0.0.1/jiefen"
    monkeypatch.setenv("JIEFEN_INSTANCE_PATH", str(tmp_path))
    cfg = build_config()
    assert cfg["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_sqlite_connections_enforce_foreign_keys_wal_and_busy_timeout(app, database):
    if database["kind"] != "sqlite":
        return
    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_create_app_builds_independent_apps(database, tmp_path):
    from tests.fixtures import make_app

    a = make_app(database, tmp_path / "a")
    b = make_app(database, tmp_path / "b")
    assert a.appbuilder is not b.appbuilder
    assert a.extensions["jiefen"].pm is not b.extensions["jiefen"].pm
