"""The "Holiday calendar" admin page: a year's statutory holidays and make-up working days,
entered from the State Council's notice when the ``chinese_calendar`` package does not carry
the year yet. The entered days of a year replace the package's (app/services/holidays.py)."""
from __future__ import annotations

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.extensions import db
from app.intake.fields import LocalisedDateField
from app.models.holiday import HOLIDAY, MAKE_UP_WORKDAY, HolidayDay

KIND_LABELS = {HOLIDAY: _l("Statutory holiday"), MAKE_UP_WORKDAY: _l("Make-up working day")}
REQUIRED = _l("This field is required.")


def _kind_label(kind):
    """The kind of day as people read it."""
    return KIND_LABELS.get(kind, kind)


def _one_row_per_day(form, field):
    """A day is either off or worked: a second row for it would contradict the first."""
    if field.data is None:
        return
    found = db.session.scalar(select(HolidayDay.id).where(HolidayDay.day == field.data))
    if found is not None and str(found) != str(getattr(form, "_id", None)):
        raise ValidationError(_l("This day is already in the calendar: edit that entry instead."))


def _make_up_day_is_a_weekend(form, field):
    """A make-up working day is a Saturday or Sunday worked in exchange for a holiday."""
    day = form.day.data if hasattr(form, "day") else None
    if field.data == MAKE_UP_WORKDAY and day is not None and day.weekday() < 5:
        raise ValidationError(_l("A make-up working day is a Saturday or a Sunday; weekdays are worked anyway."))


def _fields() -> dict:
    """The form's fields (InputRequired on the day: DataRequired would replace the date's own
    parse error with "required")."""
    return {
        "day": LocalisedDateField(_l("Day"), format="%Y-%m-%d", widget=DatePickerWidget(), description=_l(
                                      "A year with any day entered here is read from this calendar alone: enter the "
                                      "whole notice, its holidays and its make-up working days."),
                                  validators=[InputRequired(message=REQUIRED), _one_row_per_day]),
        "kind": SelectField(_l("Kind of day"), choices=[(k, v) for k, v in KIND_LABELS.items()],
                            validators=[DataRequired(message=REQUIRED), _make_up_day_is_a_weekend]),
        "name": StringField(_l("Holiday"), description=_l("e.g. 春节 (Spring Festival)"),
                            validators=[Length(max=50, message=_l("At most 50 characters."))]),
    }


class HolidayCalendarView(ModelView):
    """Administrators enter each day of the notice; a year with any entry is read from here."""

    datamodel = SQLAInterface(HolidayDay)
    route_base = "/admin/holidays"
    class_permission_name = "HolidayCalendar"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Holiday calendar")
    add_title = _l("Add a day to the holiday calendar")
    edit_title = _l("Edit a day of the holiday calendar")
    show_title = _l("Day of the holiday calendar")
    list_columns = ["day", "kind", "name", "source"]
    show_columns = ["day", "kind", "name", "source", "created_at"]
    add_columns = edit_columns = ["day", "kind", "name", "source"]
    search_columns = ["day", "kind", "name"]
    order_columns = ["day"]
    base_order = ("day", "asc")
    page_size = 50  # a year's notice is some thirty days
    add_form_extra_fields = _fields()
    edit_form_extra_fields = _fields()
    label_columns = {
        "day": _l("Day"),
        "kind": _l("Kind of day"),
        "name": _l("Holiday"),
        "source": _l("Notice"),
        "created_at": _l("Entered at"),
    }
    description_columns = {"source": _l("The State Council's notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知")}
    formatters_columns = {"kind": _kind_label}

    def pre_add(self, item):
        item.name = (item.name or "").strip()
        item.source = (item.source or "").strip()
        item.created_by_fk = getattr(g.user, "id", None)

    def pre_update(self, item):
        item.name = (item.name or "").strip()
        item.source = (item.source or "").strip()


def register_holiday_views(appbuilder) -> None:
    """Add the holiday calendar beside the dated settings."""
    appbuilder.add_view(HolidayCalendarView, "Holiday calendar", label=_l("Holiday calendar"),
                        icon="fa-calendar-o", category="Security")
