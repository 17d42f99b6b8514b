"""Permissions as an administrator reads them on the role pages: 案件：查看, not
"can show on Case" or "menu access on traffic.cases".

FAB names a permission by its internal action (``can_show``) and the view or menu entry it
guards (a class name, a menu key). The menu already knows each entry's label in the
reader's language; the actions and FAB's own menu-less views are named here.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l

ACTIONS = {
    "can_list": _l("list"),
    "can_show": _l("view details"),
    "can_add": _l("add"),
    "can_edit": _l("edit"),
    "can_delete": _l("delete"),
    "can_download": _l("download"),
    "can_get": _l("read"),
    "can_read": _l("read"),
    "can_write": _l("write"),
    "can_put": _l("change"),
    "can_post": _l("create"),
    "can_info": _l("describe"),
    "can_index": _l("open"),
    "can_assign": _l("assign"),
    "can_handle": _l("acknowledge and resolve"),  # alerts (app/views/alerts.py)
    "can_done": _l("report own follow-ups done"),  # joint analysis meetings (app/views/meetings.py)
    "can_report": _l("report on own tasks"),  # screening campaigns (app/views/screening.py)
    "can_rate": _l("rate risk"),  # a case's risk (app/views/risk.py)
    "can_link": _l("link"),
    "can_resend": _l("send again"),
    "can_respond": _l("respond"),
    "can_transition": _l("move along the lifecycle"),
    "can_this_form_get": _l("open the form"),
    "can_this_form_post": _l("submit the form"),
    "can_userinfo": _l("own account details"),
    "copyrole": _l("copy a role"),
    "menu_access": _l("menu entry"),
    "resetmypassword": _l("change own password"),
    "resetpasswords": _l("reset passwords"),
    "userinfoedit": _l("edit own details"),
}

# FAB's views that have no menu entry to take a label from.
VIEWS = {
    "AuthDBView": _l("Sign-in"),
    "LocaleView": _l("Language switch"),
    "UtilView": _l("Utilities"),
    "MenuApi": _l("Menu (API)"),
    "OpenApi": _l("API description"),
    "SwaggerView": _l("API documentation"),
    "SecurityApi": _l("Sign-in (API)"),
    "ResetMyPasswordView": _l("Change own password"),
    "ResetPasswordView": _l("Reset a user's password"),
    "UserInfoEditView": _l("Own account details"),
    "HomeView": _l("Start page"),
    "Security": _l("Security"),
}


def _menu_labels() -> dict:
    """Menu key or guarded view name → the label shown in the menu (built once per app:
    the labels are lazy, translated when shown)."""
    cached = current_app.extensions.get("jiefen_view_labels")
    if cached is not None:
        return cached
    labels: dict = {}

    def walk(items):
        for item in items:
            if item.name and item.name != "-" and item.label:
                labels.setdefault(item.name, item.label)
                view = item.baseview
                if view is not None:
                    labels.setdefault(getattr(view, "class_permission_name", None) or type(view).__name__, item.label)
            walk(item.childs)

    walk(current_app.appbuilder.menu.get_list())
    for view in current_app.appbuilder.baseviews:  # views reached from a page, not the menu
        name = getattr(view, "class_permission_name", None) or type(view).__name__
        title = getattr(view, "list_title", None) or getattr(view, "title", None)
        if title is not None and not isinstance(title, str):  # a translated (lazy) title
            labels.setdefault(name, title)
    current_app.extensions["jiefen_view_labels"] = labels
    return labels


def view_label(name: str) -> str:
    """The label of a guarded view or menu entry in the reader's language."""
    label = VIEWS.get(name) or _menu_labels().get(name)
    if label:
        return str(label)
    plugin, dot, _entry = name.partition(".")
    if dot:  # "<plugin>.<entry>": a menu entry of a plugin this app no longer loads
        return gettext("a menu entry of the plugin %(plugin)s, which is not installed", plugin=plugin)
    return name


def permission_label(permission_view) -> str:
    """A FAB ``PermissionView`` as 视图：操作 in the reader's language."""
    action = permission_view.permission.name if permission_view.permission else ""
    view = permission_view.view_menu.name if permission_view.view_menu else ""
    return gettext("%(view)s: %(action)s", view=view_label(view), action=str(ACTIONS.get(action, action)))
