"""The "Plugins" admin page: see installed plugins and switch them on or off."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.extensions import db, jiefen
from app.plugins.manager import CORE_PLUGIN


class PluginAdminView(BaseView):
    """Administrators enable and disable dispute-type plugins, without a restart."""

    route_base = "/admin/plugins"
    default_view = "index"
    # Not "Plugins": that is the menu entry's name, and FAB's sync would fight over it.
    class_permission_name = "PluginAdmin"
    method_permission_name = {"index": "list", "toggle": "edit"}

    @expose("/")
    @has_access
    def index(self):
        """Every loaded plugin with its version, types and state."""
        state = jiefen()
        disabled = state.dispatcher.disabled_plugins()
        rows = [
            {
                "info": info,
                "enabled": name not in disabled,
                "types": [state.registry.dispute_types[c] for c in info.dispute_types],
            }
            for name, info in sorted(state.registry.plugins.items())
            if name != CORE_PLUGIN  # always on: not the administrator's to switch
        ]
        return self.render_template("jiefen/plugins.html", rows=rows, title=_l("Plugins"))

    @expose("/<name>/toggle", methods=["POST"])
    @has_access
    def toggle(self, name):
        """Switch plugin ``name`` to the state posted in ``enabled`` (``1`` or ``0``)."""
        state = jiefen()
        if name not in state.registry.plugins or name == CORE_PLUGIN:
            abort(404)
        enabled = request.form.get("enabled") == "1"
        state.dispatcher.set_enabled(name, enabled, actor_id=getattr(g.user, "id", None))
        db.session.commit()
        shown = _plugin_name(state, name)
        if enabled:
            flash(gettext("Plugin %(name)s enabled.", name=shown), "success")
        else:
            flash(gettext("Plugin %(name)s disabled: its existing cases stay readable.", name=shown), "warning")
        return redirect(url_for(".index"))


def _plugin_name(state, name: str) -> str:
    """A plugin as the administrator knows it: its dispute types (交通事故纠纷), not its
    package name (``traffic``), which stays on the table for whoever installs plugins."""
    types = state.registry.plugins[name].dispute_types
    return "、".join(str(state.dispatcher.type_label(code)) for code in types) or name
