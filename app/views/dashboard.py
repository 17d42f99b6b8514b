"""The dashboard (``/dashboard/``, Statistics → Dashboard) and its figures as JSON
(``GET /api/v1/reports/summary?from=…&to=…``): the same :func:`app.reports.summary.summary`
for both, over the reader's report scope (:func:`app.reports.scope.report_scope`).

- Administrators, Leadership and the court's bodies (judges, the court's clerks) see the
  district; a centre's clerk sees the centre's area.
- A partner agency calling the API gets its own referral figures only (``scope.kind`` is
  ``partner`` and every case section is ``null``); it has no dashboard page.
- A range that is no range (a bad date, the end before the start, more than three years)
  answers 400 with the reason in the reader's language, on the page inside the layout with
  what was typed kept, and nothing is counted.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.reports.overdue import OVERDUE_NOTE
from app.reports.periods import PeriodError, parse_range
from app.reports.scope import report_scope
from app.reports.summary import summary
from app.services.clock import today as clock_today
from app.services.scope import current_user_obj

ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")



def _typed(name: str) -> str:
    """What the reader typed for ``from``/``to``, trimmed and bounded (shown back on error)."""
    return (request.args.get(name) or "").strip()[:40]


def is_day(text: str) -> bool:
    """True when ``text`` is a day the date picker can show (YYYY-MM-DD)."""
    if not ISO_DAY.match(text):
        return False
    try:
        return dt.date.fromisoformat(text) is not None
    except ValueError:
        return False


def quick_ranges(today: dt.date) -> list[tuple[str, object, dt.date, dt.date]]:
    """The quick choices above the range: this month, this quarter, this year (so far)."""
    quarter_month = 3 * ((today.month - 1) // 3) + 1
    return [
        ("month", _l("This month"), today.replace(day=1), today),
        ("quarter", _l("This quarter"), dt.date(today.year, quarter_month, 1), today),
        ("year", _l("This year"), dt.date(today.year, 1, 1), today),
    ]


def chart_data(figures: dict) -> dict:
    """What the page's script draws (``app/static/dashboard.js``), read from a JSON block: the
    same numbers as the tables under the charts, with the series names in the reader's language."""
    return {
        "labels": {"cases": gettext("Cases registered"), "previous": gettext("Previous range"),
                   "visits": gettext("Return visits")},
        "months": [m["month"] for m in figures["by_month"]],
        "month_counts": [m["count"] for m in figures["by_month"]],
        "types": [t["label"] for t in figures["by_type"]],
        "type_counts": [t["count"] for t in figures["by_type"]],
        "type_previous": [t["previous"] for t in figures["by_type"]],
        "areas": [a["name"] for a in figures["by_area"]],
        "area_counts": [a["count"] for a in figures["by_area"]],
        "area_previous": [a["previous"] for a in figures["by_area"]],
        "scores": [gettext("Score %(score)d", score=s["score"]) for s in figures["visits"]["distribution"]],
        "score_counts": [s["count"] for s in figures["visits"]["distribution"]],
    }


class DashboardView(BaseView):
    """``/dashboard/``: KPI tiles, charts with their tables, a range picker."""

    route_base = "/dashboard"
    default_view = "index"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def index(self):
        """The figures of the reader's scope for the chosen range (this year so far by default)."""
        today = clock_today()
        typed = {"from": _typed("from"), "to": _typed("to")}
        # A typed value the date picker cannot hold is shown back in a text box, as typed.
        pickers = {name: not value or is_day(value) for name, value in typed.items()}
        scope = report_scope(g.user)
        try:
            period = parse_range(typed["from"] or None, typed["to"] or None, today)
        except PeriodError as exc:
            return self.render_template("jiefen/dashboard.html", error=str(exc), typed=typed, pickers=pickers,
                                        figures=None,
                                        period=None, scope=scope, quick=quick_ranges(today), chart=None,
                                        overdue_note=OVERDUE_NOTE), 400
        figures = summary(scope, period, today)
        return self.render_template("jiefen/dashboard.html", error=None, typed=typed, pickers=pickers,
                                    figures=figures,
                                    period=period, scope=scope, quick=quick_ranges(today),
                                    chart=chart_data(figures) if figures["cases"] is not None else None,
                                    overdue_note=OVERDUE_NOTE)


class ReportSummaryApi(BaseApi):
    """``GET /api/v1/reports/summary``: the dashboard's figures as JSON."""

    route_base = "/api/v1/reports"
    resource_name = "reports"
    class_permission_name = "ReportSummary"
    method_permission_name = {"summary": "read"}
    base_permissions = ["can_read"]
    openapi_spec_tag = "Reports"
    allow_browser_login = True

    @expose("/summary", methods=["GET"])
    @protect()
    @safe
    def summary(self):
        """The dashboard's figures for a date range, within the caller's scope. A partner
        agency gets its own referral figures only (the case sections are null).
        ---
        get:
          parameters:
          - in: query
            name: from
            description: First day (YYYY-MM-DD, China time); default 1 January of this year.
            schema:
              type: string
              format: date
          - in: query
            name: to
            description: Last day, inclusive (YYYY-MM-DD); default today. At most three years.
            schema:
              type: string
              format: date
          responses:
            200:
              description: >-
                range, previous_range, scope, as_of; cases (total, previous, change_pct), by_type,
                by_area (towns/streets), by_month, mediation (concluded, reached, failed,
                success_rate in percent), resolution (resolved, median_days), overdue (count,
                note), referrals per partner (sent, answered, on_time, overdue, median_hours,
                average_hours), visits (done, average_satisfaction, distribution,
                terms_performed_rate), confirmations (applied, confirmed, rejected, pending)
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      result:
                        type: object
            400:
              description: The dates are no range; the reason in the caller's language
        """
        today = clock_today()
        try:
            period = parse_range(request.args.get("from") or None, request.args.get("to") or None, today)
        except PeriodError as exc:
            return self.response_400(message=str(exc))
        return self.response(200, result=summary(report_scope(current_user_obj()), period, today))


def register_dashboard_views(appbuilder) -> None:
    """The dashboard, first entry of the Statistics menu, and its API."""
    appbuilder.add_view(DashboardView, "Dashboard", label=_l("Dashboard"), icon="fa-dashboard",
                        category="Statistics", category_label=_l("Statistics"), category_icon="fa-bar-chart")
    appbuilder.add_api(ReportSummaryApi)
