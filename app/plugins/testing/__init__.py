"""The plugin testing kit: test a Jiefen plugin with nothing but Jiefen installed.

Jiefen registers this module as a pytest plugin (entry point ``pytest11``/``jiefen``), so every
project in a virtualenv with Jiefen gets its fixtures without a conftest:

* ``jiefen`` — a :class:`PluginKit` on a migrated app (SQLite temp file, or a schema of its own
  on ``JIEFEN_TEST_DATABASE_URL``); what a test creates is wiped afterwards;
* ``client_as(role)`` — a browser signed in as a user with a role of ``app/roles.py``;
* ``make_case(dispute_type, **intake_changes)`` — a case registered through the intake API;
* ``check_plugin_contract(name)`` — the contract checks every plugin must pass;
* ``jiefen_app``, ``jiefen_app_factory``, ``jiefen_database`` — the pieces underneath.

Plugins and their tests import only :mod:`app.plugins` and this module (``docs/testing.md``).
"""
import pytest

# The checks are plain asserts: have pytest explain them when they fail.
pytest.register_assert_rewrite("app.plugins.testing.contract", "app.plugins.testing.kit", "app.plugins.testing.linkage")

from app.plugins.testing.contract import CONTRACT_CHECKS, bad_inputs, retranslated_words, run_contract  # noqa: E402
from app.plugins.testing.fixtures import (  # noqa: E402  (pytest finds fixtures by name here)
    check_plugin_contract,
    client_as,
    jiefen,
    jiefen_app,
    jiefen_app_factory,
    jiefen_database,
    make_case,
)
from app.plugins.testing.kit import KitCase, PluginKit, case_view, csrf_token  # noqa: E402

__all__ = [
    "CONTRACT_CHECKS",
    "KitCase",
    "PluginKit",
    "bad_inputs",
    "case_view",
    "check_plugin_contract",
    "client_as",
    "csrf_token",
    "jiefen",
    "jiefen_app",
    "jiefen_app_factory",
    "jiefen_database",
    "make_case",
    "retranslated_words",
    "run_contract",
]
