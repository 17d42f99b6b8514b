"""Test fixtures: a real database (SQLite file, or PostgreSQL when
``JIEFEN_TEST_DATABASE_URL`` is set), migrated with Alembic exactly as in production."""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import helpers

PG_URL = os.environ.get("JIEFEN_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A database URL plus engine options, private to this test session.

    On PostgreSQL the suite creates its own schema and drops it at the end; it fails,
    never skips, when the server cannot be reached.
    """
    if not PG_URL:
        path = tmp_path_factory.mktemp("db") / "jiefen-test.db"
        yield {"url": f"sqlite:///{path}", "options": {}, "kind": "sqlite"}
        return
    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"jf_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:  # fails loudly when PostgreSQL is down
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    options = {
        "pool_pre_ping": True,
        "connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"},
    }
    try:
        yield {"url": url, "options": options, "kind": "postgresql", "schema": schema}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(database, tmp_path: Path, **overrides):
    """A Jiefen app on the test database (no migration run)."""
    from app import create_app
    from app.config import engine_options

    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database["url"],
        "SQLALCHEMY_ENGINE_OPTIONS": {**engine_options(database["url"]), **database["options"]},
        "JIEFEN_INSTANCE_PATH": str(tmp_path),
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "FAB_API_SWAGGER_UI": True,
        "JIEFEN_PLUGINS_EXCLUDE": "",
    }
    config.update(overrides)
    return create_app(config)


def make_migrated_app(database, tmp_path: Path, **overrides):
    """A Jiefen app whose database is migrated, permissions synced, users created."""
    app = make_app(database, tmp_path, **overrides)
    with app.app_context():
        from flask_migrate import upgrade

        from app.seed import sync_permissions

        upgrade()
        sync_permissions()
        helpers.create_users()
    return app


@pytest.fixture(scope="session")
def app(database, tmp_path_factory):
    """The session's app, on a freshly migrated database with users and areas."""
    app = make_migrated_app(database, tmp_path_factory.mktemp("instance"))
    yield app
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_data(request):
    """Each test starts with no cases, areas or plugin switches (users stay)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        helpers.wipe_case_data()
    # administrators' replacement templates live in the instance folder
    shutil.rmtree(Path(app.config["JIEFEN_INSTANCE_PATH"]) / "agreement_templates", ignore_errors=True)


@pytest.fixture
def places(app):
    """Two areas and a centre, as the intake form needs."""
    with app.app_context():
        return helpers.create_places()


@pytest.fixture
def client(app):
    """An anonymous browser."""
    return app.test_client()


@pytest.fixture
def admin_client(app):
    """A browser signed in as the administrator."""
    c = app.test_client()
    helpers.login(c, "admin")
    return c


@pytest.fixture
def clerk_client(app):
    """A browser signed in as a window clerk (role Clerk)."""
    c = app.test_client()
    helpers.login(c, "clerk")
    return c


@pytest.fixture
def clerk_token(app):
    """A JWT for the clerk from FAB's API login."""
    return helpers.api_token(app.test_client(), "clerk")


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)
