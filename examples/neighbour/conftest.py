"""Test this plugin from its checkout, with nothing but Jiefen installed.

The plugin testing kit's fixtures (``jiefen``, ``client_as``, ``make_case``,
``check_plugin_contract``…) come with Jiefen (its ``pytest11`` entry point). This conftest only
makes ``jiefen_neighbour`` importable without installing it and, in that case, registers it in
the kit's app directly; once ``pip install -e examples/neighbour`` has run, the entry point is
used as in production.
"""
import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def jiefen_app(jiefen_app_factory):
    """The kit's app, with this plugin registered (directly, unless pip already installed it)."""
    from jiefen_neighbour import plugin

    return jiefen_app_factory(plugins=[("neighbour", plugin)])
