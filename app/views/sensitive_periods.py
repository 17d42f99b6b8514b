"""Security → Sensitive periods: the days an administrator marks as sensitive (the Spring
Festival, a major meeting, an anniversary), optionally for one area. While a period lasts, the
scan raises an alert for the open high-risk cases and group disputes in its area
(:func:`app.warnings.rules_watch.sensitive_periods`)."""
from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from app.models.warning import SensitivePeriod
from app.services.areas import path_label


def ends_after_start(form, field) -> None:
    """The last day is on or after the first."""
    starts = getattr(form, "starts_on", None)
    if field.data and starts is not None and starts.data and field.data < starts.data:
        raise ValidationError(_l("The last day cannot be before the first day."))


def not_blank(form, field) -> None:
    """A name of spaces is no name."""
    if field.data is not None and not str(field.data).strip():
        raise ValidationError(_l("Give the period a name."))


class SensitivePeriodView(ModelView):
    """A paged list of the periods, newest first, and their add and edit forms."""

    datamodel = SQLAInterface(SensitivePeriod)
    route_base = "/admin/sensitive-periods"
    class_permission_name = "SensitivePeriod"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Sensitive periods")
    add_title = _l("Add a sensitive period")
    edit_title = _l("Edit a sensitive period")
    show_title = _l("Sensitive period")
    list_columns = ["name", "starts_on", "ends_on", "area", "note"]
    show_columns = list_columns
    add_columns = list_columns
    edit_columns = list_columns
    search_columns = ["name", "starts_on", "ends_on", "area"]
    order_columns = ["name", "starts_on", "ends_on"]
    base_order = ("starts_on", "desc")
    page_size = 25
    label_columns = {
        "name": _l("Name of the period"),
        "starts_on": _l("First day"),
        "ends_on": _l("Last day"),
        "area": _l("Area"),
        "note": _l("Note"),
    }
    description_columns = {
        "name": _l("E.g. 2027 Spring Festival"),
        "area": _l("Leave empty for the whole district."),
        "note": _l("What makes the period sensitive, and what the centres should watch."),
    }
    validators_columns = {"ends_on": [ends_after_start], "name": [not_blank]}
    formatters_columns = {"area": path_label}

    def pre_add(self, item):
        item.name = (item.name or "").strip()

    def pre_update(self, item):
        item.name = (item.name or "").strip()
