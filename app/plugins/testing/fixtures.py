"""The kit's pytest fixtures, registered in every project that has Jiefen installed (the
``pytest11`` entry point ``jiefen`` in Jiefen's ``pyproject.toml``).

Names start with ``jiefen`` (or are the kit's verbs, ``client_as``, ``make_case``) so that they
never shadow a project's own ``app`` or ``client`` fixtures.
"""
from __future__ import annotations

from typing import Any, Callable

import pytest

from app.plugins.testing import appdb
from app.plugins.testing.kit import PluginKit


@pytest.fixture(scope="session")
def jiefen_database(tmp_path_factory):
    """The session's database: ``{"url", "options", "kind"}`` (a temporary SQLite file, or a
    schema of its own on ``JIEFEN_TEST_DATABASE_URL``, dropped at the end)."""
    with appdb.private_database(tmp_path_factory.mktemp("db")) as database:
        yield database


@pytest.fixture(scope="session")
def jiefen_app_factory(jiefen_database, tmp_path_factory) -> Callable[..., Any]:
    """Build a migrated Jiefen app on the session's database: ``factory(plugins=[(name,
    module)], **config)``. ``plugins`` registers plugins tested from a checkout (ignored for
    one installed through its entry point). Apps are built once per set of arguments."""
    built: dict = {}

    def factory(plugins=(), **config):
        extra = appdb.not_installed(plugins)
        key = (tuple((n, id(m)) for n, m in extra), repr(sorted(config.items())))
        if key not in built:
            if extra:
                config["JIEFEN_EXTRA_PLUGINS"] = extra
            built[key] = appdb.make_migrated_app(jiefen_database, tmp_path_factory.mktemp("instance"), **config)
        return built[key]

    yield factory
    for app in built.values():
        appdb.dispose(app)


@pytest.fixture(scope="session")
def jiefen_app(jiefen_app_factory):
    """The session's Jiefen app, with every installed plugin. A plugin tested from a checkout
    overrides this fixture in its ``conftest.py`` to register itself:
    ``return jiefen_app_factory(plugins=[("name", plugin_module)])``."""
    return jiefen_app_factory()


@pytest.fixture
def jiefen(jiefen_app):
    """A :class:`~app.plugins.testing.PluginKit` on ``jiefen_app``; every case, place,
    setting row and plugin switch the test made is wiped afterwards (users stay)."""
    kit = PluginKit(jiefen_app)
    yield kit
    appdb.wipe(jiefen_app)


@pytest.fixture
def client_as(jiefen):
    """``client_as(role, lang=None)``: a browser signed in as a user with ``role``."""
    return jiefen.client_as


@pytest.fixture
def make_case(jiefen):
    """``make_case(dispute_type, payload=None, role="Clerk", **intake_changes)``: a case
    registered through the intake API (see :meth:`PluginKit.make_case`)."""
    return jiefen.make_case


@pytest.fixture
def check_plugin_contract(jiefen):
    """``check_plugin_contract(name, only=None)``: run the plugin contract on ``name``."""
    return jiefen.check_contract
