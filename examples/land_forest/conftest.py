"""Let pytest import ``jiefen_land_forest`` from this checkout, and give the plugin testing kit
(``app.plugins.testing``, a pytest plugin every Jiefen installation brings) an app with it.

Run from anywhere Jiefen is installed: ``pytest examples/land_forest/tests``.
"""
import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def jiefen_app(jiefen_app_factory):
    """The kit's app with this plugin registered (directly, unless pip already installed it)."""
    from jiefen_land_forest import plugin

    return jiefen_app_factory(plugins=[("land_forest", plugin)])
