"""Jiefen's security manager: FAB's, with permission checks cached per request.

A stock FAB page runs one permission query per menu item and per button (fab-notes.md);
here a user's grants are read once per request and checked in memory.
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager

_G_KEY = "_jiefen_permissions"


class JiefenSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager with a per-request permission cache."""

    def _permissions_of(self, user) -> frozenset:
        cache = g.setdefault(_G_KEY, {}) if has_request_context() else {}
        key = getattr(user, "id", None)
        if key not in cache:
            cache[key] = frozenset(self.get_user_permissions(user))
        return cache[key]

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
