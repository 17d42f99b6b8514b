"""Install plugins for a test through a real ``jiefen.plugins`` entry point.

A ``*.dist-info`` folder with ``entry_points.txt`` on ``sys.path`` is exactly what pip leaves
behind, and what ``importlib.metadata`` (and so pluggy) discovers.
"""
from __future__ import annotations

import contextlib
import importlib
import re
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _examples() -> list[tuple[str, str, str, Path]]:
    """(distribution, version, entry-point lines, source folder) of each example plugin."""
    found = []
    for pyproject in sorted(EXAMPLES.glob("*/pyproject.toml")):
        meta = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        project = meta["project"]
        eps = project.get("entry-points", {}).get("jiefen.plugins", {})
        lines = "\n".join(f"{k} = {v}" for k, v in eps.items())
        found.append((project["name"], project["version"], lines, pyproject.parent))
    return found


EXAMPLE_PLUGINS = [
    line.split("=")[0].strip() for _d, _v, lines, _p in _examples() for line in lines.splitlines() if line
]


@contextlib.contextmanager
def installed(dist: str, version: str, entry_points: str, source: Path):
    """Make ``source`` importable and announce ``entry_points`` under ``jiefen.plugins``."""
    with tempfile.TemporaryDirectory() as site:
        info = Path(site) / f"{re.sub(r'[^A-Za-z0-9.]+', '_', dist)}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[jiefen.plugins]\n{entry_points}\n")
        sys.path[:0] = [site, str(source)]
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(site)
            sys.path.remove(str(source))
            importlib.invalidate_caches()


@contextlib.contextmanager
def installed_examples():
    """Every plugin under examples/, installed through its own entry points."""
    with contextlib.ExitStack() as stack:
        for dist, version, lines, source in _examples():
            stack.enter_context(installed(dist, version, lines, source))
        yield
