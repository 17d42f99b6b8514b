"""The wall between plugins and the core: a plugin — its code, its tests, an example in its own
distribution — reaches the core only through the plugin API (``app.plugins``) and, in its
tests, the plugin testing kit (``app.plugins.testing``). So a third-party plugin needs no
Jiefen checkout to be written or tested, and the core may change behind the API."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][\w.]*)", re.M)
PLUGIN_API = {"app.plugins"}
TEST_API = PLUGIN_API | {"app.plugins.testing"}


def plugin_files():
    """Every Python file under plugins/ and examples/, tests and conftests included."""
    for top in ("plugins", "examples"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def is_test(path: Path, root: Path = ROOT) -> bool:
    """A test module or a conftest: it may use the testing kit as well."""
    parts = path.relative_to(root).parts
    return "tests" in parts or path.name == "conftest.py"


def core_imports(path: Path, root: Path = ROOT) -> list[tuple[str, str]]:
    """``(module imported, what the wall allows)`` for every import of the core or of Jiefen's
    own tests in ``path`` that the wall refuses."""
    allowed = TEST_API if is_test(path, root) else PLUGIN_API
    refused = []
    for m in IMPORT.finditer(path.read_text(encoding="utf-8")):
        module = m.group(1)
        top = module.split(".")[0]
        if top == "tests" or (top == "app" and module not in allowed):
            refused.append((module, ", ".join(sorted(allowed))))
    return refused


def test_the_wall_covers_plugin_tests_and_examples():
    files = [p.relative_to(ROOT).as_posix() for p in plugin_files()]
    assert any(f.startswith("plugins/") and "/tests/" in f for f in files)
    assert any(f.startswith("examples/") and "/tests/" in f for f in files)
    assert any(f.startswith("examples/") and f.endswith("conftest.py") for f in files)


@pytest.mark.parametrize("path", list(plugin_files()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_plugins_and_examples_import_only_the_plugin_api(path):
    refused = core_imports(path)
    assert not refused, "\n".join(f"{path.relative_to(ROOT)} imports {m}; allowed: {a}" for m, a in refused)


def test_the_wall_refuses_the_core_and_jiefens_tests(tmp_path):
    """The wall itself: what it lets through and what it stops."""
    test = tmp_path / "tests" / "test_x.py"
    test.parent.mkdir()
    test.write_text("from app.plugins.testing import PluginKit\nfrom app.plugins import Advice\n"
                    "    from app.services.intake import intake_form\nfrom tests import helpers\nimport app\n")
    code = tmp_path / "plugin.py"
    code.write_text("from app.plugins import hookimpl\nfrom app.plugins.testing import PluginKit\n")
    assert [m for m, _ in core_imports(test, tmp_path)] == ["app.services.intake", "tests", "app"]
    assert [m for m, _ in core_imports(code, tmp_path)] == ["app.plugins.testing"]
