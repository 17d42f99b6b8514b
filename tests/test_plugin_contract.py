"""The plugin contract itself: every hook documented and tested; start-up refuses bad sets."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from app.plugins import hookimpl, hookspecs
from app.plugins.manager import PluginError, build_plugin_manager, collect_registry
from app.plugins.types import DisputeType

ROOT = Path(__file__).resolve().parent.parent
HOOKS = [n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(f, "jiefen_spec")]


def test_contract_has_hooks():
    assert {"register_dispute_types", "intake_fields", "on_transition", "translation_directories"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_referenced_by_a_test(hook):
    """datasette's meta-test: a hook no test mentions is a hook nobody checks. The contract
    checks of the plugin testing kit are tests too (every plugin's tests run them)."""
    others = [
        p
        for p in [*(ROOT / "tests").rglob("test_*.py"), *(ROOT / "plugins").rglob("test_*.py"),
                  *(ROOT / "examples").rglob("test_*.py"), *(ROOT / "app" / "plugins" / "testing").rglob("*.py")]
        if p.name != "test_plugin_contract.py"
    ]
    text = "\n".join(p.read_text(encoding="utf-8") for p in others)
    assert re.search(rf"\b{hook}\b", text), f"no test mentions hook {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook):
    """Each hook has a docstring, and docs/plugins.md shows it with its signature."""
    fn = getattr(hookspecs, hook)
    assert (fn.__doc__ or "").strip(), f"hook {hook} has no docstring"
    signature = f"{hook}({', '.join(inspect.signature(fn).parameters)})"
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    assert signature in docs, f"docs/plugins.md does not show {signature}"


class Misspelt:
    @hookimpl
    def intake_feilds(self, dispute_type):  # the typo is the point
        return []


def test_misspelt_hook_fails_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError, match="intake_feilds"):
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("misspelt", Misspelt())])


class SecondTrafficOwner:
    @hookimpl
    def register_dispute_types(self):
        return [DisputeType(code="traffic", label="Traffic again")]


def test_two_owners_of_one_type_fail_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError, match="claimed by both"):
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-second", SecondTrafficOwner())])


def test_built_in_plugins_come_through_the_entry_point_group():
    pm = build_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert "traffic" in names
    dists = {dist.project_name for _, dist in pm.list_plugin_distinfo()}
    assert "jiefen" in dists  # registered by pyproject.toml, not by a core import


def test_excluded_plugin_is_never_loaded():
    pm = build_plugin_manager(exclude=["traffic"])
    assert pm.get_plugin("traffic") is None
    assert "traffic" not in collect_registry(pm).dispute_types


def test_core_never_imports_a_plugin_package():
    for path in (ROOT / "app").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+plugins\b", text, re.M), path


class FromTheFuture:
    @hookimpl
    def plugin_metadata(self):
        from app.plugins import PluginMetadata

        return PluginMetadata(version="3.0", requires_core=">=2.0")


def test_plugin_for_another_core_version_fails_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError, match="needs Jiefen >=2.0"):
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("future", FromTheFuture())])


class SecondOwnerOfASetting:
    @hookimpl
    def register_settings(self):
        from app.plugins import SettingDefault

        return [SettingDefault("traffic.police_mediation_application_days", 5, "x", source="x")]


def test_two_plugins_declaring_one_setting_fail_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError, match="declared by both"):
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-setting", SecondOwnerOfASetting())])


def test_the_core_rules_cannot_be_excluded_or_switched_off(app, admin_client):
    pm = build_plugin_manager(exclude=["core"])
    assert pm.get_plugin("core") is not None  # JIEFEN_PLUGINS_EXCLUDE cannot remove it
    with app.app_context():
        with pytest.raises(KeyError):
            app.extensions["jiefen"].dispatcher.set_enabled("core", False)
    assert admin_client.post("/admin/plugins/core/toggle", data={"enabled": "0"}).status_code in (400, 404)
    assert "core" not in admin_client.get("/admin/plugins/").get_data(as_text=True).split("<tbody>")[1]
