"""Test this example from its checkout, with nothing but Jiefen installed.

The plugin testing kit's fixtures (``jiefen``, ``client_as``, ``make_case``…) come with Jiefen
(its ``pytest11`` entry point). This conftest only makes ``jiefen_file_drop`` importable without
installing it and, in that case, registers it in the kit's app directly under its entry-point
name; once ``pip install -e examples/file_drop`` has run, the entry point is used as in
production.
"""
import sys
from pathlib import Path

import pytest

DIST = Path(__file__).resolve().parent.parent
if str(DIST) not in sys.path:
    sys.path.insert(0, str(DIST))


@pytest.fixture(scope="session")
def jiefen_app(jiefen_app_factory):
    """The kit's app with ``file_drop`` registered (directly, unless pip already installed it)."""
    from jiefen_file_drop import plugin

    return jiefen_app_factory(plugins=[("file_drop", plugin)])


@pytest.fixture
def drop(tmp_path):
    """The partner's drop folder."""
    folder = tmp_path / "exchange" / "police"
    folder.mkdir(parents=True)
    return folder
