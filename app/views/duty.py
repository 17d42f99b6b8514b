"""The judges' duty roster (法官值班): month calendar, booking, the plan's annex, guidance log."""
from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_skeleton, get_day_names
from flask import Response, abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional as Opt, ValidationError

from app.errors import database_error
from app.extensions import appbuilder, db
from app.intake.fields import LocalisedDateField, not_in_future
from app.models.case import Case
from app.models.duty import GUIDANCE_KINDS, SPANS, DutyShift, GuidanceLog
from app.services.annex import ANNEX_FORMATS, annex_file
from app.services.duty import (
    DUTY_CENTRE_KINDS,
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
from app.templating import local_time
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
        grid = month_calendar(month, centre_id=centre_id, judge_id=judge_id)
        locale = get_locale() or "zh_CN"
        return self.render_template(
            "jiefen/duty_calendar.html",
            grid=grid,
            title=format_skeleton("yMMMM", month, locale=locale),
            weekdays=[get_day_names("abbreviated", locale=locale)[i] for i in range(7)],
            centres=duty_centres(),
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
        form.judge.choices = [("", "—")] + judge_choices()
        form.centre.choices = [("", "—")] + duty_centres()
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
                        form.day.data, form.repeat_until.data, note=form.note.data,
                    )
                    message = gettext(
                        "Weekly duty added: %(count)s dates from %(start)s to %(end)s.",
                        count=len({s.day for s in shifts}),
                        start=form.day.data.isoformat(),
                        end=form.repeat_until.data.isoformat(),
                    )
                else:
                    add_shift(form.judge.data, form.centre.data, form.day.data, form.span.data, note=form.note.data)
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
        try:
            if form.pattern.data:
                day = _date_arg(form.day.data)
                if not is_valid_pk(form.pattern.data) or day is None:
                    abort(400)
                removed = remove_pattern_from(int(form.pattern.data), day)
                flash(gettext("Weekly duty ended: %(count)s half days removed; earlier ones are kept.", count=removed), "success")
            else:
                shift = remove_shift(int(form.shift.data))
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
            rows = annex_rows(*period)
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


def known_case_no(form, field):
    """A case number must name a registered case."""
    number = (field.data or "").strip()
    if number and db.session.scalar(select(Case.id).where(Case.case_no == number)) is None:
        raise ValidationError(_l("No case has the number %(no)s.", no=number))


GUIDANCE_LABELS = {
    "day": _l("Date"), "kind": _l("Kind"), "topic": _l("Topic"), "notes": _l("Notes"), "judge": _l("Judge"),
    "centre": _l("Centre"), "case_no": _l("Case number"), "case.case_no": _l("Case number"),
    "mediators": _l("Mediators guided"), "created_at": _l("Recorded at"),
}


def _guidance_fields():
    return {
        "kind": SelectField(
            _l("Kind"),
            choices=lambda: [(k, str(v)) for k, v in GUIDANCE_KINDS.items()],
            validators=[DataRequired(message=REQUIRED)],
        ),
        "day": LocalisedDateField(
            _l("Date"), format="%Y-%m-%d", default=local_today, validators=[InputRequired(message=REQUIRED), not_in_future]
        ),
        # Typed, not chosen from a list: a select over every case loads them all on each request.
        "case_no": StringField(
            _l("Case number"),
            validators=[Opt(), Length(max=40), known_case_no],
            description=_l("Optional: the number of the case it was about, as printed on its documents."),
        ),
        "notes": TextAreaField(_l("Notes"), validators=[Opt(), Length(max=4000)]),
    }


class GuidanceInterface(SQLAInterface):
    """Loads each entry's case number with the page (FAB's list would load it row by row)
    and offers centres and mediators by name (FAB reuses this class for their choices)."""

    def query(self, filters=None, order_column="", order_direction="", *args, **kwargs):
        """FAB's query; related models' choices come sorted by name."""
        if self.obj is not GuidanceLog and not order_column and hasattr(self.obj, "name"):
            order_column, order_direction = "name", "asc"
        return super().query(filters, order_column, order_direction, *args, **kwargs)

    def apply_all(self, query, *args, **kwargs):
        """FAB's filters, order and page, plus the case joined in the same statement."""
        query = super().apply_all(query, *args, **kwargs)
        if self.obj is not GuidanceLog:
            return query
        return query.options(joinedload(GuidanceLog.case).load_only(Case.case_no).lazyload("*"))


class GuidanceLogView(ModelView):
    """What judges on duty did: mediators guided and legal consultations given."""

    datamodel = GuidanceInterface(GuidanceLog)
    route_base = "/duty/guidance"
    class_permission_name = "GuidanceLog"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Guidance and consultations")
    show_title = _l("Guidance or consultation")
    add_title = _l("Record guidance or a consultation")
    edit_title = _l("Edit guidance or consultation")
    list_columns = ["day", "kind", "topic", "judge", "centre", "case.case_no"]
    show_columns = ["day", "kind", "topic", "notes", "judge", "centre", "case.case_no", "mediators", "created_at"]
    add_columns = ["day", "centre", "kind", "topic", "case_no", "mediators", "notes"]
    edit_columns = add_columns
    # Topics and notes may name parties: only dates, kinds and places are searchable.
    search_columns = ["day", "kind", "centre"]
    order_columns = ["day", "kind"]
    base_order = ("day", "desc")
    page_size = 25
    label_columns = GUIDANCE_LABELS
    formatters_columns = {
        "kind": lambda code: GUIDANCE_KINDS.get(code, code),
        "judge": lambda user: person_name(user.first_name, user.last_name) if user else "",
        "mediators": lambda people: "、".join(m.name for m in people or []),
        "created_at": local_time,
    }
    add_form_extra_fields = _guidance_fields()
    edit_form_extra_fields = _guidance_fields()
    add_form_query_rel_fields = {
        "centre": [["kind", FilterInFunction, lambda: DUTY_CENTRE_KINDS], ["active", FilterEqual, True]],
        "mediators": [["status", FilterEqual, "active"]],
    }
    edit_form_query_rel_fields = add_form_query_rel_fields
    search_form_query_rel_fields = {"centre": add_form_query_rel_fields["centre"]}

    def prefill_form(self, form, pk):
        """Show the linked case by its number."""
        item = self.datamodel.get(pk)
        form.case_no.data = item.case.case_no if item is not None and item.case else ""

    def pre_add(self, item):
        """The judge is whoever is signed in, whatever the form carried."""
        item.judge_id = g.user.id
        self._link(item)

    def pre_update(self, item):
        """Only the judge who recorded an entry (or an administrator) changes it."""
        sm = appbuilder.sm
        if item.judge_id != g.user.id and not any(r.name == sm.auth_role_admin for r in sm.get_user_roles(g.user)):
            raise ValueError(gettext("Only the judge who recorded this entry may change it."))
        self._link(item)

    def _link(self, item):
        number = (getattr(item, "case_no", None) or "").strip()
        with db.session.no_autoflush:
            item.case = db.session.scalar(select(Case).where(Case.case_no == number)) if number else None
            item.topic = (item.topic or "").strip()
            centre_id = item.centre.id if item.centre is not None else item.centre_id
            # Attach the entry to the judge's shift that day at that centre, when there was one.
            item.shift_id = db.session.scalar(
                select(DutyShift.id)
                .where(DutyShift.judge_id == item.judge_id, DutyShift.day == item.day, DutyShift.centre_id == centre_id)
                .order_by(DutyShift.half)
                .limit(1)
            )


def register_duty_views(appbuilder) -> None:
    """Add the duty roster and the guidance log under the "Judges" menu."""
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
