"""Evaluation (考评): ``GET /api/v1/reports/evaluation?period=2026-Q4&level=centre`` and the page
``/reports/evaluation`` with the period and level pickers and the ranked table.

Scope (:mod:`app.reports.scope`): administrators, Leadership and the court's bodies read the
district; a centre reads its own rows (its body and the mediators and judges' sessions under
it); a partner and everyone else are refused (403), whatever their role.
"""
from __future__ import annotations

from typing import Optional

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from app.reports.evaluation import (
    DEFAULT_PAGE_SIZE,
    LEVEL_LABELS,
    MAX_PAGE_SIZE,
    MEASURE_LABELS,
    LevelError,
    level_message,
    evaluate,
    parse_level,
    staff_view,
)
from app.reports.evaluation_sql import LEVELS
from app.reports.evaluation_table import cells, columns
from app.reports.overdue import OVERDUE_NOTE
from app.reports.periods import PeriodError, month_period, parse_period, quarter_period, year_period
from app.reports.scope import report_scope
from app.services.clock import today
from app.services.scope import current_user_obj

PERMISSION = "Evaluation"
STATISTICS = "Statistics"
STATISTICS_LABEL = _l("Statistics")
REFUSED = _l("Evaluation is read by the district's leadership, the court's departments and the centres.")
BAD_PAGE = _l("The page must be a whole number from 0.")


def allowed_levels(scope) -> list[str]:
    """The levels a reader may ask for: a centre ranks no court department."""
    return [lvl for lvl in LEVELS if scope.is_district or lvl != "department"]


def recent_periods(day) -> list:
    """Periods offered by the picker: this and the last seven quarters, the last twelve
    months, this and the last two years."""
    found, quarter, year = [], (day.month - 1) // 3 + 1, day.year
    for _ in range(8):
        found.append(quarter_period(year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    year, month = day.year, day.month
    for _ in range(12):
        found.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    found += [year_period(day.year - i) for i in range(3)]
    return found


def _page_args():
    """``(page, size)`` from the query string; ``ValueError`` with a message when malformed."""
    raw_page, raw_size = request.args.get("page", "0"), request.args.get("page_size", str(DEFAULT_PAGE_SIZE))
    if not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7):
        raise ValueError(str(BAD_PAGE))
    if not (raw_size.isascii() and raw_size.isdigit() and 0 < int(raw_size) <= MAX_PAGE_SIZE):
        raise ValueError(gettext("The page size must be a whole number from 1 to %(n)d.", n=MAX_PAGE_SIZE))
    return int(raw_page), int(raw_size)


def run(period_text: Optional[str], level_text: Optional[str], scope):
    """The evaluation (or the staff view) the reader asked for. Raises ``PeriodError`` or
    ``LevelError`` (messages in the reader's language); a level outside the reader's scope is
    refused like an unknown one."""
    day = today()
    period = parse_period(period_text, day)
    level = parse_level(level_text)
    if level not in allowed_levels(scope):
        raise LevelError(level_message(allowed_levels(scope)))
    if level == "staff":
        return staff_view(period, scope, day)
    return evaluate(period, level, scope, day)


class EvaluationForm(FlaskForm):
    """The pickers (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    period = StringField(_l("Period covered"), description=_l("A month (2026-11), a quarter (2026-Q4) or a year (2026)."))
    level = SelectField(_l("Level"), choices=[], validate_choice=False)


class EvaluationView(BaseView):
    """``/reports/evaluation``: the ranked table of a period and level."""

    route_base = "/reports"
    default_view = "evaluation"
    class_permission_name = PERMISSION
    base_permissions = ["can_read"]
    method_permission_name = {"evaluation": "read"}

    @expose("/evaluation")
    @has_access
    def evaluation(self):
        """The pickers, the ranked table, the weights in force; bad input is answered on the
        page with what was typed."""
        scope = report_scope(current_user_obj())
        if scope.kind not in ("district", "centre"):
            abort(403, description=str(REFUSED))
        form = EvaluationForm(formdata=request.args)
        form.level.choices = [(code, str(LEVEL_LABELS[code])) for code in allowed_levels(scope)]
        if not form.period.data:
            form.period.data = quarter_period(today().year, (today().month - 1) // 3 + 1).code
        if not form.level.data:
            form.level.data = "centre"
        result, status, page, size = None, 200, 0, DEFAULT_PAGE_SIZE
        try:
            page, size = _page_args()
            result = run(form.period.data, form.level.data, scope)
        except PeriodError as exc:
            form.period.errors = [str(exc)]
            status = 400
        except LevelError as exc:
            form.level.errors = [str(exc)]
            status = 400
        except ValueError as exc:
            form.period.errors = [str(exc)]
            status = 400
        data = result.as_json(page, size) if result is not None else None
        return self.render_template(
            "jiefen/evaluation.html", form=form, data=data, scope=scope, periods=recent_periods(today()),
            columns=columns(data["level"]) if data and data["level"] != "staff" else [],
            cells=cells, measure_labels=MEASURE_LABELS, size=size, overdue_note=OVERDUE_NOTE,
        ), status


class EvaluationApi(BaseApi):
    """``GET /api/v1/reports/evaluation``."""

    route_base = "/api/v1/reports"
    resource_name = "reports"
    class_permission_name = PERMISSION
    base_permissions = ["can_read"]
    method_permission_name = {"evaluation": "read"}
    openapi_spec_tag = "Reports"

    @expose("/evaluation", methods=["GET"])
    @protect()
    @safe
    def evaluation(self):
        """Measures, weighted score and rank of every unit of a level for a period; with
        ``level=staff`` each court staff member's open and closed cases.
        ---
        get:
          parameters:
          - in: query
            name: period
            schema:
              type: string
            description: 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year); this month when empty
          - in: query
            name: level
            schema:
              type: string
              enum: [department, centre, mediator, judge, staff]
            description: what is ranked; centre when empty
          - in: query
            name: page
            schema:
              type: integer
              minimum: 0
          - in: query
            name: page_size
            schema:
              type: integer
              minimum: 1
              maximum: 200
          responses:
            200:
              description: the ranking (rows of one page), the weights in force on the period's last day
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      period:
                        type: object
                      level:
                        type: string
                      weights:
                        type: array
                        items:
                          type: object
                      total:
                        type: integer
                      rows:
                        type: array
                        items:
                          type: object
            400:
              description: the period, level or page is not one the API knows
        """
        scope = report_scope(current_user_obj())
        if scope.kind not in ("district", "centre"):
            return self.response(403, message=str(REFUSED))
        try:
            page, size = _page_args()
            result = run(request.args.get("period"), request.args.get("level"), scope)
        except (PeriodError, LevelError, ValueError) as exc:
            return self.response_400(message=str(exc))
        return self.response(200, **result.as_json(page, size))


def register_evaluation_views(appbuilder) -> None:
    """The evaluation page (Statistics › Evaluation), its API, and the bulletins."""
    from app.views.bulletins import register_bulletin_views

    appbuilder.add_view(EvaluationView, "Evaluation", label=_l("Evaluation"), icon="fa-trophy",
                        category=STATISTICS, category_label=STATISTICS_LABEL, category_icon="fa-bar-chart")
    appbuilder.add_api(EvaluationApi)
    register_bulletin_views(appbuilder)
