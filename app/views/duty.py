"""The judges' duty roster (法官值班): month calendar, booking, the plan's annex (the guidance
log is in :mod:`app.views.guidance`)."""
from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_skeleton, get_day_names
from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional as Opt, ValidationError

from app.errors import database_error
from app.extensions import appbuilder, db
from app.intake.fields import LocalisedDateField
from app.models.duty import SPANS
from app.services.annex import ANNEX_FORMATS, annex_file
from app.services.org_scope import request_organizations
from app.services.duty import (
    DutyConflict,
    DutyRefused,
    add_pattern,
    add_shift,
    annex_rows,
    calendar as month_calendar,
    duty_centres,
    local_today,
    person_name,
    remove_pattern_from,
    remove_shift,
)
from app.views.keys import is_valid_pk

JUDGE_ROLE = "Judge"
REQUIRED = _l("This field is required.")
END_BEFORE_START = _l("The last day is before the first day.")
JUDGES = "Judges"
JUDGES_LABEL = _l("Judges")


def _optional_int(value):
    return int(value) if value not in (None, "") else None


def _end_not_before(start_field: str):
    def check(form, field):
        start = form[start_field].data
        if field.data and start and field.data < start:
            raise ValidationError(END_BEFORE_START)

    return check


class ShiftForm(FlaskForm):
    """One day of duty, or the same weekday every week until a date."""

    judge = SelectField(_l("Judge"), coerce=_optional_int, validators=[InputRequired(message=REQUIRED)])
    centre = SelectField(_l("Centre"), coerce=_optional_int, validators=[InputRequired(message=REQUIRED)])
    day = LocalisedDateField(_l("Date"), format="%Y-%m-%d", validators=[InputRequired(message=REQUIRED)])
    span = SelectField(
        _l("Half day"), choices=lambda: [(k, str(v)) for k, v in SPANS.items()], validators=[DataRequired(message=REQUIRED)]
    )
    repeat_until = LocalisedDateField(
        _l("Repeat every week until"),
        format="%Y-%m-%d",
        validators=[Opt(), _end_not_before("day")],
        description=_l("Leave empty for a single day."),
    )
    note = StringField(_l("Note"), validators=[Opt(), Length(max=200)])


class RemoveShiftForm(FlaskForm):
    """Remove one half day, or a weekly duty from that day on."""

    shift = HiddenField(validators=[DataRequired()])
    pattern = HiddenField()
    day = HiddenField()
    centre = HiddenField()
    judge = HiddenField()


class AnnexForm(FlaskForm):
    """The period the annex covers (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    starts_on = LocalisedDateField(_l("From"), format="%Y-%m-%d", validators=[InputRequired(message=REQUIRED)])
    ends_on = LocalisedDateField(
        _l("To"), format="%Y-%m-%d", validators=[InputRequired(message=REQUIRED), _end_not_before("starts_on")]
    )


def judge_choices() -> list[tuple[int, str]]:
    """Active users with the role Judge; every active user while nobody has that role yet."""
    sm = appbuilder.sm
    user_model = sm.user_model
    query = select(user_model).where(user_model.active.is_(True)).order_by(user_model.first_name, user_model.last_name)
    role = sm.find_role(JUDGE_ROLE)
    users = []
    if role is not None:
        # FAB 5 also grants roles through groups.
        has_role = user_model.roles.any(id=role.id) | user_model.groups.any(sm.group_model.roles.any(id=role.id))
        users = db.session.scalars(query.where(has_role)).all()
    if not users:
        users = db.session.scalars(query).all()
    return [(u.id, person_name(u.first_name, u.last_name)) for u in users]


def _month_arg(text):
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if match and 1900 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
        return dt.date(int(match[1]), int(match[2]), 1)
    return None


def _id_arg(text):
    return int(text) if text and is_valid_pk(text) else None


def _calendar_url(month: dt.date, centre=None, judge=None) -> str:
    args = {"month": f"{month:%Y-%m}"}
    if centre:
        args["centre"] = centre
    if judge:
        args["judge"] = judge
    return url_for("DutyRosterView.calendar", **args)


class DutyRosterView(BaseView):
    """Which judge is on duty at which centre, by month; booking and the annex list."""

    route_base = "/duty"
    default_view = "calendar"
    class_permission_name = "DutyRoster"
    method_permission_name = {"calendar": "list", "annex": "list", "add": "edit", "remove": "edit"}

    @expose("/")
    @has_access
    def calendar(self):
        """The month grid, for every centre or one centre or one judge."""
        month = _month_arg(request.args.get("month"))
        if request.args.get("month") and month is None:
            flash(gettext("Choose a month as YYYY-MM."), "warning")
        month = month or local_today().replace(day=1)
        centre_id, judge_id = _id_arg(request.args.get("centre")), _id_arg(request.args.get("judge"))
        # Only the centres the user acts for: another body's roster is neither shown nor offered.
        within = request_organizations()
        grid = month_calendar(month, centre_id=centre_id, judge_id=judge_id, within=within)
        locale = get_locale() or "zh_CN"
        return self.render_template(
            "jiefen/duty_calendar.html",
            grid=grid,
            title=format_skeleton("yMMMM", month, locale=locale),
            weekdays=[get_day_names("abbreviated", locale=locale)[i] for i in range(7)],
            centres=duty_centres(within),
            judges=judge_choices(),
            centre_id=centre_id,
            judge_id=judge_id,
            person_name=person_name,
            today=local_today(),
            previous_url=_calendar_url(grid.previous, centre_id, judge_id),
            next_url=_calendar_url(grid.next, centre_id, judge_id),
            can_edit=appbuilder.sm.has_access("can_edit", self.class_permission_name),
        )

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """Book a judge; clashes are listed and the form keeps what was typed."""
        form = ShiftForm()
        within = request_organizations()
        form.judge.choices = [("", "—")] + judge_choices()
        # A centre the user does not act for is not a choice, so a forged id fails validation.
        form.centre.choices = [("", "—")] + duty_centres(within)
        conflicts = []
        if request.method == "GET":
            form.day.data = _date_arg(request.args.get("day"))
            form.centre.data = _id_arg(request.args.get("centre"))
            form.judge.data = _id_arg(request.args.get("judge"))
        elif form.validate_on_submit():
            try:
                if form.repeat_until.data:
                    _pattern, shifts = add_pattern(
                        form.judge.data, form.centre.data, form.day.data.weekday(), form.span.data,
                        form.day.data, form.repeat_until.data, note=form.note.data, within=within,
                    )
                    message = gettext(
                        "Weekly duty added: %(count)s dates from %(start)s to %(end)s.",
                        count=len({s.day for s in shifts}),
                        start=form.day.data.isoformat(),
                        end=form.repeat_until.data.isoformat(),
                    )
                else:
                    add_shift(
                        form.judge.data, form.centre.data, form.day.data, form.span.data, note=form.note.data,
                        within=within,
                    )
                    message = gettext("Duty added on %(date)s.", date=form.day.data.isoformat())
            except DutyConflict as exc:
                conflicts = exc.conflicts
            except DutyRefused as exc:
                flash(str(exc), "danger")
            except SQLAlchemyError as exc:
                flash(database_error(exc)[1], "danger")
            else:
                flash(message, "success")
                return redirect(_calendar_url(form.day.data.replace(day=1), centre=form.centre.data))
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
        return self.render_template("jiefen/duty_add.html", form=form, conflicts=conflicts)

    @expose("/remove", methods=["POST"])
    @has_access
    def remove(self):
        """Remove a half day, or with ``pattern`` set, the weekly duty from that day on."""
        form = RemoveShiftForm()
        if not form.validate_on_submit() or not is_valid_pk(form.shift.data):
            abort(400)
        within = request_organizations()  # another body's shift reads as missing: 404
        try:
            if form.pattern.data:
                day = _date_arg(form.day.data)
                if not is_valid_pk(form.pattern.data) or day is None:
                    abort(400)
                removed = remove_pattern_from(int(form.pattern.data), day, within=within)
                flash(gettext("Weekly duty ended: %(count)s half days removed; earlier ones are kept.", count=removed), "success")
            else:
                shift = remove_shift(int(form.shift.data), within=within)
                day = shift.day
                flash(gettext("Duty removed."), "success")
        except LookupError:
            abort(404)
        return redirect(_calendar_url(day.replace(day=1), _id_arg(form.centre.data), _id_arg(form.judge.data)))

    @expose("/annex")
    @has_access
    def annex(self):
        """The period form; with ``format`` the annex as an Excel or Word download."""
        submitted = "starts_on" in request.args
        form = AnnexForm(formdata=request.args if submitted else None)
        if not submitted:
            today = local_today()
            form.starts_on.data, form.ends_on.data = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
        rows = None
        if submitted and form.validate():
            period = (form.starts_on.data, form.ends_on.data)
            rows = annex_rows(*period, within=request_organizations())
            kind = request.args.get("format")
            if kind in ANNEX_FORMATS:
                data, mimetype, disposition = annex_file(rows, period, kind)
                return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})
        elif submitted:
            flash(gettext("Please correct the fields marked in red."), "danger")
        return self.render_template(
            "jiefen/duty_annex.html", form=form, rows=rows, spans=SPANS,
            weekdays=get_day_names("wide", locale=get_locale() or "zh_CN"),
        )


def _date_arg(text):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def register_duty_views(appbuilder) -> None:
    """Add the duty roster and the guidance log under the "Judges" menu."""
    from app.views.guidance import GuidanceLogView

    appbuilder.add_view(
        DutyRosterView,
        "Duty roster",
        label=_l("Duty roster"),
        icon="fa-calendar",
        category=JUDGES,
        category_label=JUDGES_LABEL,
        category_icon="fa-gavel",
    )
    appbuilder.add_view(
        GuidanceLogView,
        "Guidance and consultations",
        label=_l("Guidance and consultations"),
        icon="fa-comments",
        category=JUDGES,
        category_label=JUDGES_LABEL,
    )
