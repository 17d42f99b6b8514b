"""Per-app Jiefen state, kept in ``app.extensions["jiefen"]``."""
from __future__ import annotations

from dataclasses import dataclass, field

import pluggy

from app.plugins.dispatch import Dispatcher
from app.plugins.manager import PluginRegistry


@dataclass
class JiefenState:
    """What ``create_app`` built from the installed plugins."""

    pm: pluggy.PluginManager
    registry: PluginRegistry
    dispatcher: Dispatcher
    case_forms: dict = field(default_factory=dict)
    # blueprint name -> plugin name, for the disabled-plugin 404 guard
    guarded_blueprints: dict = field(default_factory=dict)
    login_required_blueprints: set = field(default_factory=set)
