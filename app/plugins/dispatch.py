"""The one place that decides which plugins are active, and which plugin hears a hook.

Administrators switch plugins in the database; every web worker reads that state once per
request, so a change takes effect on the next request without a restart. Behaviour hooks
are called only for enabled plugins, so no plugin ever checks its own state.

Hooks about a case are **type-scoped**: they reach the plugin that owns the case's dispute
type, plus the plugins that own no type at all (the core's rules, a cross-cutting plugin),
never the owner of another type. So no plugin tests the type code, and a type's declared
rules and advice are read from its :class:`~app.plugins.types.DisputeType` here too.
"""
from __future__ import annotations

from typing import Any, Optional

import pluggy
from flask import g, has_request_context
from sqlalchemy import select

from app.models.plugin_state import PluginState
from app.models.types import utcnow
from app.plugins.case_view import CaseView
from app.plugins.manager import CORE_PLUGIN, PluginRegistry
from app.plugins.types import Advice, DeadlineRule, DisputeType

_G_KEY = "_jiefen_disabled_plugins"


def declared_rules(registry: PluginRegistry, case) -> list[DeadlineRule]:
    """The deadline rules ``case``'s type declares, narrowed to the case's track."""
    dtype = registry.dispute_types.get(case.dispute_type)
    if dtype is None:
        return []
    return [r for r in dtype.deadlines if not r.tracks or case.track in r.tracks]


class Dispatcher:
    """Knows the loaded plugins, their declarations, and which are enabled now."""

    def __init__(self, pm: pluggy.PluginManager, registry: PluginRegistry, session_factory):
        self.pm = pm
        self.registry = registry
        self._session = session_factory
        self._scoped: dict[tuple, Any] = {}

    # -- state ---------------------------------------------------------------------------
    def disabled_plugins(self) -> frozenset[str]:
        """Names of loaded plugins an administrator has disabled (read once per request)."""
        if has_request_context() and _G_KEY in g:
            return g.get(_G_KEY)
        rows = self._session().execute(
            select(PluginState.name).where(PluginState.enabled.is_(False))
        )
        disabled = frozenset(
            name for (name,) in rows if name in self.registry.plugins and name != CORE_PLUGIN
        )
        if has_request_context():
            setattr(g, _G_KEY, disabled)
        return disabled

    def is_enabled(self, name: str) -> bool:
        """True if plugin ``name`` is loaded and not disabled."""
        return name in self.registry.plugins and name not in self.disabled_plugins()

    def set_enabled(self, name: str, enabled: bool, actor_id: Optional[int] = None) -> None:
        """Switch a plugin on or off; committed by the caller's transaction."""
        if name not in self.registry.plugins or name == CORE_PLUGIN:
            raise KeyError(name)  # the core cannot be switched off
        session = self._session()
        state = session.get(PluginState, name) or PluginState(name=name)
        state.enabled = enabled
        state.changed_at = utcnow()
        state.changed_by_fk = actor_id
        session.add(state)
        if has_request_context():
            g.pop(_G_KEY, None)

    # -- dispute types -------------------------------------------------------------------
    def owner_of(self, dispute_type: str) -> Optional[str]:
        """The plugin that owns ``dispute_type``, enabled or not."""
        return self.registry.type_owner.get(dispute_type)

    def is_type_enabled(self, dispute_type: str) -> bool:
        """True if new cases of ``dispute_type`` may be registered now."""
        owner = self.owner_of(dispute_type)
        return owner is not None and self.is_enabled(owner)

    def enabled_types(self) -> list[DisputeType]:
        """Dispute types open for new cases, in menu order."""
        types = [t for c, t in self.registry.dispute_types.items() if self.is_type_enabled(c)]
        return sorted(types, key=lambda t: (t.order, t.code))

    def type_label(self, dispute_type: str) -> Any:
        """The label of a type, or its code when no loaded plugin owns it any more."""
        dtype = self.registry.dispute_types.get(dispute_type)
        return dtype.label if dtype else dispute_type

    # -- behaviour hooks -----------------------------------------------------------------
    def hook(self, name: str):
        """A caller for hook ``name`` that skips disabled plugins."""
        disabled = self.disabled_plugins()
        if not disabled:
            return getattr(self.pm.hook, name)
        plugins = [self.pm.get_plugin(n) for n in disabled]
        return self.pm.subset_hook_caller(name, remove_plugins=[p for p in plugins if p])

    def collect(self, name: str, **kwargs) -> list:
        """Call hook ``name`` on enabled plugins and flatten their list results."""
        out: list = []
        for result in self.hook(name)(**kwargs):
            if result:
                out.extend(result)
        return out

    # -- type-scoped behaviour -----------------------------------------------------------
    def _case_caller(self, name: str, dispute_type: str):
        """Hook ``name`` as heard for a case of ``dispute_type``: by its enabled owner and by
        the enabled plugins that own no dispute type."""
        disabled = self.disabled_plugins()
        key = (name, dispute_type, disabled)
        caller = self._scoped.get(key)
        if caller is None:
            owner = self.owner_of(dispute_type)
            others = {o for o in self.registry.type_owner.values() if o != owner}
            removed = [self.pm.get_plugin(n) for n in sorted(others | disabled)]
            caller = self.pm.subset_hook_caller(name, remove_plugins=[p for p in removed if p])
            self._scoped[key] = caller
        return caller

    def call_for_case(self, name: str, case, **kwargs) -> list:
        """Call behaviour hook ``name`` about ``case`` (type-scoped, see the module) with the
        read-only view of the case; the list of the plugins' non-``None`` results."""
        view = CaseView.of(case)
        return [r for r in self._case_caller(name, view.dispute_type)(case=view, **kwargs) if r is not None]

    def case_deadline_rules(self, case) -> list[DeadlineRule]:
        """Every deadline rule of ``case``: its type's declared ones and what the scoped
        ``deadlines`` hooks return (the core's included), each narrowed to its ``tracks``."""
        view = CaseView.of(case)
        rules = declared_rules(self.registry, view) if self.is_type_enabled(view.dispute_type) else []
        for result in self.call_for_case("deadlines", view):
            rules.extend(r for r in result if not r.tracks or view.track in r.tracks)
        return rules

    def case_advice(self, case) -> list[Advice]:
        """Screening advice for ``case``: its type's declared advice rules and what the
        scoped ``diversion_advice`` hooks return (the core's included)."""
        view = CaseView.of(case)
        advice: list[Advice] = []
        dtype = self.registry.dispute_types.get(view.dispute_type)
        if dtype is not None and self.is_type_enabled(view.dispute_type):
            for rule in dtype.advice:
                advice.extend(rule(view) or [])
        for result in self.call_for_case("diversion_advice", view):
            advice.extend(result)
        return advice

    def warning_rules(self) -> list[tuple[str, Any]]:
        """``(plugin, WarningRule)`` of every enabled plugin, in declaration order."""
        return [(name, rule) for name, rule in self.registry.warning_rules if self.is_enabled(name)]

    def partners_of(self, dispute_type: str) -> list:
        """The default partner agencies of ``dispute_type`` while its plugin is enabled."""
        if not self.is_type_enabled(dispute_type):
            return []
        return list(self.registry.partners.get(dispute_type, ()))
