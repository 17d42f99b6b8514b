"""Jiefen's security manager: FAB's, with permission checks cached per request.

A stock FAB page runs one permission query per menu item and per button (fab-notes.md);
here a user's grants are read once per request and checked in memory.
"""
from __future__ import annotations

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import current_user

_G_KEY = "_jiefen_permissions"


class JiefenSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager with a per-request permission cache."""

    def _permissions_of(self, user) -> frozenset:
        cache = g.setdefault(_G_KEY, {}) if has_request_context() else {}
        key = getattr(user, "id", None)
        if key not in cache:
            cache[key] = frozenset(self.get_user_permissions(user))
        return cache[key]

    def register_views(self):
        """FAB's views, plus the login rate limit on the API login too (FAB limits only
        the web form, leaving ``/api/v1/security/login`` open to password guessing)."""
        super().register_views()
        if not self.is_auth_limited:
            return
        for view in self.appbuilder.baseviews:
            if isinstance(view, self.security_api) and view.blueprint is not None:
                self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """True if one of the user's roles grants ``permission_name`` on ``view_name``."""
        roles = self.get_user_roles(user)
        if any(
            role.name in self.builtin_roles
            and self._has_access_builtin_roles(role, permission_name, view_name)
            for role in roles
        ):
            return True
        return (permission_name, view_name) in self._permissions_of(user)


class GuardedActionsMixin:
    """FAB's ``action`` routes check access only after looking the action up: an unknown
    name gives a 500, and an anonymous caller is not sent to the login page. Check first."""

    def _guard_action(self, name):
        if not current_user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.__class__.__name__ + ".login"))
        if not name or name not in self.actions:
            abort(404)
        return None

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        """Run a single-record action, once the caller and the action are known."""
        return self._guard_action(name) or super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        """Run a multi-record action, once the caller and the action are known."""
        return self._guard_action(request.form.get("action")) or super().action_post()


def _guarded(view_cls):
    return type(view_cls.__name__, (GuardedActionsMixin, view_cls), {})


JiefenSecurityManager.userdbmodelview = _guarded(SecurityManager.userdbmodelview)
JiefenSecurityManager.rolemodelview = _guarded(SecurityManager.rolemodelview)
JiefenSecurityManager.groupmodelview = _guarded(SecurityManager.groupmodelview)
JiefenSecurityManager.permissionmodelview = _guarded(SecurityManager.permissionmodelview)
JiefenSecurityManager.viewmenumodelview = _guarded(SecurityManager.viewmenumodelview)
JiefenSecurityManager.permissionviewmodelview = _guarded(SecurityManager.permissionviewmodelview)
