"""The "Dated settings" admin page: legal numbers with their sources, by date in force."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from app.extensions import jiefen
from app.models.setting import Setting
from app.services.setting_labels import setting_label


def _label(key):
    """The setting's name as people read it (its internal key is for the code)."""
    return setting_label(key)


class SettingModelView(ModelView):
    """Administrators add a new row when a figure changes; old rows keep past deadlines right."""

    datamodel = SQLAInterface(Setting)
    route_base = "/admin/settings"
    class_permission_name = "DatedSetting"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Dated settings")
    add_title = _l("Add a dated setting")
    edit_title = _l("Edit a dated setting")
    show_title = _l("Dated setting")
    list_columns = ["key", "value", "valid_from", "source", "needs_check"]
    show_columns = ["key", "value", "valid_from", "source", "needs_check", "note", "created_at"]
    add_columns = ["key", "value", "valid_from", "source", "needs_check", "note"]
    edit_columns = ["value", "source", "needs_check", "note"]
    search_columns = ["key", "valid_from", "needs_check"]
    order_columns = ["key", "valid_from"]
    base_order = ("key", "asc")
    # An unticked box is a valid answer (FAB would make a NOT NULL boolean "required").
    edit_form_extra_fields = {"needs_check": BooleanField(_l("To be confirmed against the official text"))}
    add_form_extra_fields = {
        "needs_check": BooleanField(_l("To be confirmed against the official text")),
        # Choices are read when the form is used: the keys plugins declared.
        "key": SelectField(
            _l("Setting"),
            validators=[DataRequired()],
            choices=lambda: [(k, setting_label(k)) for k in sorted(jiefen().registry.settings)],
        ),
    }
    label_columns = {
        "key": _l("Setting"),
        "value": _l("Value"),
        "valid_from": _l("In force from"),
        "source": _l("Legal source"),
        "needs_check": _l("To be confirmed against the official text"),
        "note": _l("Note"),
        "created_at": _l("Entered at"),
    }
    formatters_columns = {"key": _label}

    def pre_add(self, item):
        self._check_value(item)
        item.created_by_fk = getattr(g.user, "id", None)

    def pre_update(self, item):
        self._check_value(item)

    def _check_value(self, item):
        declared = jiefen().registry.settings.get(item.key)
        item.value = (item.value or "").strip()
        if declared and _is_number(str(declared[1].value)):
            if not _is_number(item.value) or Decimal(item.value) < 0:
                raise ValueError(gettext("This setting is a number: enter e.g. 30 or 3.45."))


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True
