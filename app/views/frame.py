"""The page frame every page shares: the side menu grouped by task, the breadcrumb and the
user's organisation in the top bar (templates in ``app/templates/appbuilder/``).

FAB builds its menu from the categories views are registered under ("Cases", "Security",
…). The frame regroups them by the tasks people come for, in a fixed order, without
changing how views register; FAB's own visibility filter (``is_menu_visible``) still decides
which entries a user sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g, request
from flask_babel import lazy_gettext as _l

# The task groups, in the order of the side menu: key, label, icon.
GROUPS = [
    ("work", _l("My workbench"), "fa-tasks"),
    ("cases", _l("Cases"), "fa-folder-open"),
    ("mediation", _l("Mediation"), "fa-handshake-o"),
    ("judges", _l("Judges"), "fa-gavel"),
    ("partners", _l("Partner agencies"), "fa-share-alt"),
    ("statistics", _l("Statistics"), "fa-bar-chart"),
    ("warning", _l("Screening and warning"), "fa-bell"),
    ("system", _l("System administration"), "fa-cogs"),
]
# FAB category name → task group. A category not listed keeps a group of its own, after these.
CATEGORY_GROUPS = {
    "My work": "work",
    "Cases": "cases",
    "Mediation": "mediation",
    "Judges": "judges",
    "Partner": "partners",
    "Statistics": "statistics",
    "Warning": "warning",
    "Security": "system",
}
# Entries that answer "how many": wherever they are registered, they belong under statistics.
STATISTICS_ENTRIES = frozenset({"Partner statistics", "User's Statistics"})
# Entries that open their group, wherever they were registered: statistics start at the dashboard.
FIRST_ENTRIES = frozenset({"Dashboard"})


@dataclass
class MenuGroup:
    """One task group of the side menu: its FAB menu items, in registration order."""

    key: str
    label: object
    icon: str
    items: list = field(default_factory=list)


def side_menu(menu) -> list[MenuGroup]:
    """FAB's menu regrouped by task; separators dropped. Visibility is left to the template,
    which applies FAB's ``is_menu_visible`` filter to every item."""
    groups = {key: MenuGroup(key, label, icon) for key, label, icon in GROUPS}
    extra: list[MenuGroup] = []
    for top in menu.get_list():
        children = [c for c in top.childs if c and c.name != "-"] if top.childs else [top]
        for item in children:
            key = "statistics" if item.name in STATISTICS_ENTRIES else CATEGORY_GROUPS.get(top.name)
            if key is None:
                group = next((x for x in extra if x.key == top.name), None)
                if group is None:
                    group = MenuGroup(top.name, top.label, top.icon or "fa-folder")
                    extra.append(group)
            else:
                group = groups[key]
            group.items.append(item)
    for group in groups.values():  # an entry that opens its group goes first, the rest keep their order
        group.items.sort(key=lambda item: item.name not in FIRST_ENTRIES)
    return [g for g in list(groups.values()) + extra if g.items]


def _item_url(item) -> str:
    try:
        return item.get_url() or ""
    except Exception:  # a menu link to an endpoint of a disabled blueprint
        return ""


def active_item(groups: list[MenuGroup]):
    """``(group, item)`` of the menu entry the current page belongs to, or ``(None, None)``.

    The exact URL wins; otherwise the entry whose route base is the longest prefix of the
    path (``/case/show/7`` belongs to "All cases" at ``/case/list/``)."""
    path = request.path
    best, best_len = (None, None), 0
    for group in groups:
        for item in group.items:
            url = _item_url(item).split("?", 1)[0]
            if not url or url == "#":
                continue
            if url == path:
                return group, item
            base = url[: -len("list/")] if url.endswith("/list/") else url
            if base != "/" and path.startswith(base) and len(base) > best_len:
                best, best_len = (group, item), len(base)
    return best


def user_organization(user):
    """The organisation the user works for (name shown in the top bar), once per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if "_jiefen_user_org" not in g:
        from sqlalchemy import select

        from app.extensions import db
        from app.models.membership import Membership

        membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
        g._jiefen_user_org = membership.organization if membership else None
    return g._jiefen_user_org


def current_language(languages) -> str:
    """The key of ``LANGUAGES`` the page is shown in (Babel reads zh_CN as zh_Hans_CN)."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is None:
        return ""
    for code in languages:
        if code == str(locale) or code.split("_")[0] == locale.language:
            return code
    return ""


def install_frame_helpers(app) -> None:
    """Expose the frame's helpers to every template."""
    app.jinja_env.globals.update(
        side_menu=side_menu, active_menu_item=active_item, user_organization=user_organization,
        current_language=current_language,
    )
