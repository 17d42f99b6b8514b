"""Build the plugin manager and collect what plugins declare, once, inside ``create_app``."""
from __future__ import annotations

import importlib.metadata
import logging
import os
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from app.plugins import hookspecs
from app.plugins.types import (
    AgreementTemplate,
    DisputeType,
    IntakeField,
    LinkagePartner,
    PluginInfo,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
)

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "jiefen.plugins"
CORE_PLUGIN = "core"


class PluginError(RuntimeError):
    """A plugin set that Jiefen refuses to start with."""


@dataclass
class PluginRegistry:
    """Everything the plugins declared at start-up, whether enabled or not."""

    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    dispute_types: dict[str, DisputeType] = field(default_factory=dict)
    type_owner: dict[str, str] = field(default_factory=dict)
    intake_fields: dict[str, tuple[IntakeField, ...]] = field(default_factory=dict)
    samples: dict[str, dict] = field(default_factory=dict)
    templates: dict[str, tuple[AgreementTemplate, ...]] = field(default_factory=dict)
    partners: dict[str, tuple[LinkagePartner, ...]] = field(default_factory=dict)
    settings: dict[str, tuple[str, SettingDefault]] = field(default_factory=dict)
    linkage_mechanisms: dict[str, type] = field(default_factory=dict)
    mechanism_owner: dict[str, str] = field(default_factory=dict)
    views: list[tuple[str, ViewSpec]] = field(default_factory=list)
    translation_dirs: list[str] = field(default_factory=list)
    # Early-warning rules (plugin name, WarningRule), checked at start-up, run by the scan.
    warning_rules: list[tuple[str, Any]] = field(default_factory=list)

    def field_specs(self, dispute_type: str) -> tuple[IntakeField, ...]:
        """The intake declarations of a type (empty for an unknown type)."""
        return self.intake_fields.get(dispute_type, ())


def excluded_plugins(value: Optional[str] = None) -> list[str]:
    """Plugin names listed in ``JIEFEN_PLUGINS_EXCLUDE`` (comma or blank separated)."""
    raw = os.environ.get("JIEFEN_PLUGINS_EXCLUDE", "") if value is None else value
    return [n for n in raw.replace(",", " ").split() if n]


def build_plugin_manager(
    exclude: Iterable[str] = (), extra_plugins: Iterable[tuple[str, Any]] = ()
) -> pluggy.PluginManager:
    """A fresh manager with every installed ``jiefen.plugins`` entry point loaded.

    ``exclude`` names are blocked *before* loading, so an excluded plugin is never
    imported. ``extra_plugins`` (name, object) pairs are for tests that register a plugin
    object directly. A misspelt hook fails here (``check_pending``).
    """
    pm = pluggy.PluginManager("jiefen")
    pm.add_hookspecs(hookspecs)
    # The core's own rules (deadlines, small-claims advice, their settings) go through the
    # same hooks as any plugin, but cannot be excluded or switched off.
    from app.lifecycle import core_rules

    pm.register(core_rules, name=CORE_PLUGIN)
    for name in exclude:
        if name != CORE_PLUGIN:
            pm.set_blocked(name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for name, plugin in extra_plugins:
        if not pm.is_blocked(name):
            pm.register(plugin, name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {exc.plugin!r} implements an unknown hook: {exc}") from exc
    return pm


def call_plugin(pm: pluggy.PluginManager, name: str, hook: str, **kwargs) -> Any:
    """Call one hook of one plugin only, passing the arguments it accepts."""
    plugin = pm.get_plugin(name)
    for impl in getattr(pm.hook, hook).get_hookimpls():
        if impl.plugin is plugin:
            return impl.function(*[kwargs[a] for a in impl.argnames])
    return None


def _version_of(pm: pluggy.PluginManager, plugin: Any) -> str:
    version = getattr(plugin, "__version__", None)
    if version:
        return str(version)
    for p, dist in pm.list_plugin_distinfo():
        if p is plugin:
            return dist.version
    top = getattr(plugin, "__name__", "").split(".")[0]
    if not top:
        return "0"
    try:
        return importlib.metadata.version(top)
    except importlib.metadata.PackageNotFoundError:
        return "0"


def check_compatibility(name: str, meta: Optional[PluginMetadata], core_version: str) -> None:
    """Stop start-up when plugin ``name`` does not support the running core."""
    if meta is None or not meta.requires_core:
        return
    try:
        spec = SpecifierSet(meta.requires_core)
    except InvalidSpecifier:
        raise PluginError(f"plugin {name!r}: bad requires_core {meta.requires_core!r}") from None
    if not spec.contains(core_version, prereleases=True):
        raise PluginError(
            f"plugin {name!r} {meta.version} needs Jiefen {meta.requires_core}; "
            f"this is Jiefen {core_version}"
        )


def _collect_mechanisms(pm: pluggy.PluginManager, name: str, reg: PluginRegistry) -> None:
    """Add plugin ``name``'s linkage mechanisms; refuse nameless ones and two owners."""
    from app.linkage.mechanisms import Mechanism

    for cls in call_plugin(pm, name, "register_linkage_mechanisms") or []:
        mname = getattr(cls, "name", "")
        if not (isinstance(cls, type) and issubclass(cls, Mechanism) and mname):
            raise PluginError(f"plugin {name!r}: {cls!r} is not a named linkage Mechanism")
        if mname in reg.linkage_mechanisms:
            raise PluginError(
                f"linkage mechanism {mname!r} is registered by both {reg.mechanism_owner[mname]!r} and {name!r}"
            )
        reg.linkage_mechanisms[mname] = cls
        reg.mechanism_owner[mname] = name


def _declared(pm: pluggy.PluginManager, owner: str, hook: str, code: str, declared):
    """What the type declares, unless its owner implements the per-type hook ``hook``, which
    is then asked instead (for declarations that must be computed at start-up)."""
    found = call_plugin(pm, owner, hook, dispute_type=code)
    return declared if found is None else found


def _collect_type(pm: pluggy.PluginManager, owner: str, dtype: DisputeType, reg: PluginRegistry) -> None:
    """Intake fields, sample, templates and partners of one type, asked of its owner only."""
    code = dtype.code
    reg.intake_fields[code] = tuple(_declared(pm, owner, "intake_fields", code, dtype.fields) or ())
    sample = _declared(pm, owner, "sample_intake", code, dtype.sample)
    if sample is not None:
        reg.samples[code] = dict(sample)
    reg.templates[code] = tuple(_declared(pm, owner, "agreement_templates", code, dtype.templates) or ())
    reg.partners[code] = tuple(_declared(pm, owner, "linkage_partners", code, dtype.partners) or ())


def collect_registry(pm: pluggy.PluginManager, core_version: str = "") -> PluginRegistry:
    """Ask every loaded plugin for its declarations; refuse incompatible plugins, two
    owners of one dispute type, two declarations of one setting, and the declaration
    mistakes :mod:`app.plugins.checks` finds."""
    if not core_version:
        from app import __version__ as core_version
    reg = PluginRegistry()
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda p: p[0]):
        if plugin is None:  # blocked
            continue
        meta = call_plugin(pm, name, "plugin_metadata")
        check_compatibility(name, meta, core_version)
        types = call_plugin(pm, name, "register_dispute_types") or []
        for dtype in types:
            if dtype.code in reg.type_owner:
                raise PluginError(
                    f"dispute type {dtype.code!r} is claimed by both "
                    f"{reg.type_owner[dtype.code]!r} and {name!r}"
                )
            reg.type_owner[dtype.code] = name
            reg.dispute_types[dtype.code] = dtype
        reg.plugins[name] = PluginInfo(
            name=name,
            version=meta.version if meta else _version_of(pm, plugin),
            dispute_types=tuple(t.code for t in types),
            module=getattr(plugin, "__name__", type(plugin).__name__),
            requires_core=meta.requires_core if meta else "",
            description=meta.description if meta else "",
        )
        declared_settings = [s for t in types for s in t.settings]
        for setting in declared_settings + list(call_plugin(pm, name, "register_settings") or []):
            if setting.key in reg.settings:
                raise PluginError(
                    f"setting {setting.key!r} is declared by both "
                    f"{reg.settings[setting.key][0]!r} and {name!r}"
                )
            reg.settings[setting.key] = (name, setting)
        _collect_mechanisms(pm, name, reg)
        # A case list declared on a type lists that type unless it says otherwise.
        reg.views += [(name, spec if spec.dispute_type or spec.kind != "case_list" else replace(spec, dispute_type=t.code))
                      for t in types for spec in t.views]
        reg.views += [(name, spec) for spec in call_plugin(pm, name, "register_views") or []]
        reg.warning_rules += [(name, rule) for rule in call_plugin(pm, name, "warning_rules") or []]
        dirs = ([meta.translations] if meta and meta.translations else [])
        dirs += list(call_plugin(pm, name, "translation_directories") or [])
        reg.translation_dirs += [os.path.abspath(d) for d in dirs]
    for code, owner in reg.type_owner.items():
        _collect_type(pm, owner, reg.dispute_types[code], reg)
    # Declarations the core acts on later (deadlines, templates, views) are checked now.
    from app.plugins.checks import check_declarations

    check_declarations(pm, reg)
    return reg
