"""Jiefen's security manager: FAB's, with permission checks cached per request.

A stock FAB page runs one permission query per menu item and per button (fab-notes.md);
here a user's grants are read once per request and checked in memory. Users are loaded as
``StaffUser`` (names written surname first for Chinese names), and FAB's user-statistics
chart is left out: it loads Google's chart library from the internet and stays blank offline.
"""
from __future__ import annotations

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.models.user import StaffUser

_G_KEY = "_jiefen_permissions"


class JiefenSecurityManager(SecurityManager):
    """FAB's SQLAlchemy security manager with a per-request permission cache."""

    user_model = StaffUser
    # FAB's chart views load Google's loader from gstatic.com: nothing may come from outside.
    userstatschartview = None

    def _permissions_of(self, user) -> frozenset:
        cache = g.setdefault(_G_KEY, {}) if has_request_context() else {}
        key = getattr(user, "id", None)
        if key not in cache:
            cache[key] = frozenset(self.get_user_permissions(user))
        return cache[key]

    def create_jwt_manager(self, app):
        """FAB's JWT manager, with tokens tied to the user's session epoch
        (``app/session_guard.py``): a token issued before a logout, a new password or a
        change of roles is refused, refresh tokens included."""
        from app.session_guard import install_jwt_epoch

        jwt_manager = super().create_jwt_manager(app)
        install_jwt_epoch(jwt_manager)
        return jwt_manager

    def on_user_logout(self, user) -> None:
        """Logging out ends every session and token of the user, not just this cookie."""
        from app.session_guard import end_every_session

        end_every_session(user.id)

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


# Views FAB registers by default that Jiefen leaves out; an older database still holds
# their permissions, which the role pages would list (in English) and grant to nobody.
REMOVED_VIEWS = ("UserStatsChartView", "User's Statistics")


def forget_removed_views(sm) -> int:
    """Take the permissions of ``REMOVED_VIEWS`` from every role and delete them; the number
    of permissions deleted. Idempotent: ``jiefen setup`` runs it at every deploy."""
    removed = 0
    for name in REMOVED_VIEWS:
        view = sm.find_view_menu(name)
        if view is None:
            continue
        for pv in sm.find_permissions_view_menu(view):
            for role in sm.session.query(sm.role_model).filter(sm.role_model.permissions.contains(pv)):
                sm.del_permission_role(role, pv)
            sm.del_permission_view_menu(pv.permission.name, name)
            removed += 1
        sm.del_view_menu(name)
    return removed


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


def _guarded(view_cls, **attributes):
    return type(view_cls.__name__, (GuardedActionsMixin, view_cls), attributes)


def _surname_first(columns: list) -> list:
    """FAB asks for the given name before the surname; Chinese forms ask 姓 before 名."""
    order = list(columns)
    if "first_name" in order and "last_name" in order:
        i, j = order.index("first_name"), order.index("last_name")
        if i < j:
            order[i], order[j] = order[j], order[i]
    return order


def _user_view(view_cls):
    attributes = {"datamodel": SQLAInterface(StaffUser)}
    for name in ("add_columns", "edit_columns", "list_columns"):
        attributes[name] = _surname_first(getattr(view_cls, name))
    for name in ("show_fieldsets", "user_show_fieldsets"):
        attributes[name] = [
            (title, {**spec, "fields": _surname_first(spec["fields"])}) for title, spec in getattr(view_cls, name)
        ]
    return _guarded(view_cls, **attributes)


JiefenSecurityManager.userdbmodelview = _user_view(SecurityManager.userdbmodelview)
# FAB's role widgets print cells raw ("[]", "can show on Case"); the standard ones apply
# the formatters (app/views/readable.py). FAB_ROLES (built-in roles they cater for) is unused.
JiefenSecurityManager.rolemodelview = _guarded(
    SecurityManager.rolemodelview, list_widget=ListWidget, show_widget=ShowWidget,
    label_columns={"name": _l("Name"), "permissions": _l("Permissions"), "user": _l("Users")},
)
JiefenSecurityManager.groupmodelview = _guarded(
    SecurityManager.groupmodelview,
    # FAB gives the group pages no column labels: they would read "Name", "Roles", "Users".
    label_columns={"name": _l("Name"), "label": _l("Label"), "description": _l("Description"),
                   "users": _l("Users"), "roles": _l("Roles")},
)
JiefenSecurityManager.permissionmodelview = _guarded(SecurityManager.permissionmodelview)
JiefenSecurityManager.viewmenumodelview = _guarded(SecurityManager.viewmenumodelview)
JiefenSecurityManager.permissionviewmodelview = _guarded(SecurityManager.permissionviewmodelview)
