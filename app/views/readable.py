"""Values on Flask-AppBuilder's list, show and form pages as people read them.

FAB prints a cell with ``{{ value }}``: ``None``, ``True``, ``[]`` and "晓东 许" reach the
page as they are, an empty choice in a select reads ``__None``, and pages without a title
of their own read "Add Setting". ``make_views_readable`` goes over every CRUD view once,
after all views are registered (FAB's own security views and every plugin's included), and
fills what the view did not say itself: a formatter per shown column, readable options and
the empty choice's text in selects, and titles in the reader's language.
"""
from __future__ import annotations

import datetime as dt

from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.security.sqla.models import PermissionView, User
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup
from wtforms.fields.core import UnboundField

from app.names import EMPTY, person_name
from app.templating import local_time
from app.views.permission_labels import permission_label

_FAB_TITLE_PREFIXES = {"add_title": "Add ", "edit_title": "Edit ", "show_title": "Show "}
_TITLES = {
    "add_title": lambda what: _l("Add: %(what)s", what=what),
    "edit_title": lambda what: _l("Edit: %(what)s", what=what),
    "show_title": lambda what: _l("Details: %(what)s", what=what),
}


def display_value(value):
    """One value as a reader sees it: — when empty, 是/否 for booleans, lists joined with
    、, users by ``person_name``, times in China time to the minute; anything else as it is."""
    if value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value):
        return EMPTY
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, User):
        return person_name(value)
    if isinstance(value, PermissionView):
        return permission_label(value)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(display_value(v)) for v in value)
    if isinstance(value, dt.datetime):  # stored in UTC (naive on SQLite): shown in China time
        return local_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _readable(formatter):
    """A view's own formatter, with an empty result shown as —."""

    def show(value):
        shown = formatter(value)
        return EMPTY if shown is None or shown == "" or shown == "None" else shown

    return show


def _shown_columns(view) -> set:
    columns = set(getattr(view, "list_columns", None) or []) | set(getattr(view, "show_columns", None) or [])
    for _title, spec in getattr(view, "show_fieldsets", None) or []:
        columns |= set(spec.get("fields", []))
    return columns


def _fill_formatters(view) -> None:
    own = dict(view.formatters_columns or {})
    formatters = {name: _readable(f) for name, f in own.items()}
    for column in _shown_columns(view) - set(own):
        formatters[column] = display_value
    view.formatters_columns = formatters  # per view: FAB's class attribute is shared


def _fill_labels(view) -> None:
    # FAB makes a label from the column name ("Groups", "Role") when the view gives none:
    # look it up in the catalogue when the page is drawn (app/fab_strings.py lists them).
    view.label_columns = {
        column: _l(label) if type(label) is str else label for column, label in (view.label_columns or {}).items()
    }


def _fill_titles(view) -> None:
    list_title = getattr(view, "list_title", None)
    if not list_title or (isinstance(list_title, str) and list_title.startswith("List ")):
        return  # no title of its own to build from; FAB's security views have theirs
    for attribute, prefix in _FAB_TITLE_PREFIXES.items():
        title = getattr(view, attribute, None)
        if isinstance(title, str) and title.startswith(prefix):  # FAB's English default
            setattr(view, attribute, _TITLES[attribute](list_title))


def choice_label(obj) -> str:
    """A related record as an option of a select: users by name, permissions readably."""
    return str(display_value(obj))


def _fill_form(form) -> None:
    for attribute in vars(form).values():
        if not isinstance(attribute, UnboundField):
            continue
        # Labels FAB made from a column name when it built the form ("Role", "Groups").
        if attribute.args and type(attribute.args[0]) is str:
            attribute.args = (_l(attribute.args[0]), *attribute.args[1:])
        if type(attribute.kwargs.get("label")) is str:
            attribute.kwargs["label"] = _l(attribute.kwargs["label"])
        if not (isinstance(attribute.field_class, type)
                and issubclass(attribute.field_class, (QuerySelectField, QuerySelectMultipleField))):
            continue
        if attribute.kwargs.get("get_label") is None:  # FAB's default: the record's repr
            attribute.kwargs["get_label"] = choice_label
        if attribute.kwargs.get("allow_blank") and not attribute.kwargs.get("blank_text"):
            # WTForms shows the value when the label is empty: "__None".
            attribute.kwargs["blank_text"] = EMPTY


def _fill_forms(view) -> None:
    for name in ("add_form", "edit_form", "search_form"):
        form = getattr(view, name, None)
        if form is not None:
            _fill_form(form)


def make_views_readable(appbuilder) -> None:
    """Give every registered CRUD view readable cells, empty choices and titles."""
    for view in appbuilder.baseviews:
        if not hasattr(view, "datamodel") or not hasattr(view, "formatters_columns"):
            continue
        _fill_formatters(view)
        _fill_labels(view)
        _fill_titles(view)
        _fill_forms(view)
