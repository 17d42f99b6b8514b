"""Test fixtures: a real database (SQLite file, or PostgreSQL when
``JIEFEN_TEST_DATABASE_URL`` is set), migrated with Alembic exactly as in production."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.plugins.testing import appdb, csrf_token  # noqa: F401  (csrf_token: one copy, the kit's)
from app.plugins.testing.appdb import database_url_under_test
from tests import helpers

PG_URL = database_url_under_test()


@pytest.fixture(scope="session")
def database(jiefen_database):
    """A database URL plus engine options, private to this test session: the plugin testing
    kit's (``app.plugins.testing``), so the core's tests and the plugins' share one."""
    return jiefen_database


def make_app(database, tmp_path: Path, **overrides):
    """A Jiefen app on the test database (no migration run)."""
    return appdb.make_app(database, tmp_path, **overrides)


def make_migrated_app(database, tmp_path: Path, **overrides):
    """A Jiefen app whose database is migrated, permissions synced, users created."""
    app = appdb.make_migrated_app(database, tmp_path, **overrides)
    with app.app_context():
        helpers.create_users()
    return app


@pytest.fixture(scope="session")
def app(jiefen_app):
    """The session's app (the kit's), on a freshly migrated database with users and areas."""
    with jiefen_app.app_context():
        helpers.create_users()
    return jiefen_app


@pytest.fixture(autouse=True)
def clean_data(request):
    """Each test starts with no cases, areas or plugin switches (users stay)."""
    yield
    if "app" not in request.fixturenames:
        return
    appdb.wipe(request.getfixturevalue("app"))


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
