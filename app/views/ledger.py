"""The dispute ledger (Statistics → 纠纷台账): the page ``/reports/ledger``, its workbook
``/reports/ledger.xlsx`` and ``GET /api/v1/reports/ledger``.

All three open the same :class:`~app.reports.ledger.Ledger` from the same arguments
(``period``, ``area``, ``type``, ``group_by``) within the reader's report scope, so they hold
the same cases and figures. Administrators, Leadership, clerks and judges read ledgers (a
centre's clerk: its area; the court: the district); a partner agency has none (403). An area
outside the scope answers 404 exactly like an area that does not exist. A period, type or
grouping that names nothing answers 400 with the reason in the reader's language: on the page
inside the layout with the other choices kept, on the API as ``{"message", "field"}``.
"""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.api_limits import MAX_PAGE
from app.audit import record_access
from app.extensions import db, jiefen
from app.models.area import Area
from app.reports.ledger import (GROUPS, OVERDUE_NOTE, LedgerForbidden, LedgerNotFound, LedgerProblem, money_text,
                                open_ledger, success_rate_text, summary, town_map)
from app.reports.ledger_rows import RowBuilder, count_rows, days_note, headers, page_rows
from app.reports.ledger_xlsx import download_name, ledger_title, success_rate_note, summary_columns, write_ledger
from app.reports.periods import month_period, quarter_period, year_period
from app.reports.scope import report_scope
from app.services.clock import today as court_today
from app.services.scope import current_user_obj
from app.services.xlsx_stream import remove_quietly, temp_xlsx_path, xlsx_response

PERMISSION = "Ledger"
PAGE_SIZE = 50  # rows per page on screen
API_PAGE_SIZE = 50  # the API's default; at most FAB_API_MAX_PAGE_SIZE
ARGS = ("period", "area", "type", "group_by")


def _typed() -> dict:
    """The ledger's arguments as sent, trimmed and bounded (kept in the form after a refusal)."""
    return {name: (request.args.get(name) or "").strip()[:40] for name in ARGS}


def period_choices(today: dt.date) -> list[tuple[object, list]]:
    """The picker's periods, grouped: this and the last 23 months, this and the last 7
    quarters, this and the last 4 years (any other valid period can be typed in the URL)."""
    months, quarters = [], []
    year, month = today.year, today.month
    for _ in range(24):
        months.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(8):
        quarters.append(quarter_period(year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    years = [year_period(today.year - i) for i in range(5)]
    return [(_l("Month"), months), (_l("Quarter"), quarters), (_l("Year"), years)]


def area_choices(scope) -> list[tuple[int, str]]:
    """The areas the reader may narrow the ledger to, in tree order, indented by depth."""
    rows = db.session.execute(select(Area.id, Area.parent_id, Area.name).order_by(Area.name, Area.id)).all()
    allowed = None if scope.area_ids is None else set(scope.area_ids)
    if scope.kind not in ("district", "centre"):
        return []
    children: dict = {}
    ids = {r.id for r in rows}
    for r in rows:
        children.setdefault(r.parent_id if r.parent_id in ids else None, []).append(r)
    out: list[tuple[int, str]] = []

    def walk(parent, depth):
        for r in children.get(parent, []):
            if allowed is None or r.id in allowed:
                out.append((r.id, "　" * depth + r.name))
            walk(r.id, depth + 1)

    walk(None, 0)
    return out


def type_choices() -> list[tuple[str, str]]:
    """The dispute types of enabled plugins."""
    return [(t.code, str(t.label)) for t in jiefen().dispatcher.enabled_types()]


def _page_number(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


class LedgerView(BaseView):
    """``/reports/ledger`` (the page) and ``/reports/ledger.xlsx`` (the workbook)."""

    route_base = "/reports"
    default_view = "ledger"
    class_permission_name = PERMISSION
    base_permissions = ["can_read"]
    method_permission_name = {"ledger": "read", "download": "read"}

    def _open(self, typed: dict):
        try:
            return open_ledger(current_user_obj(), typed)
        except LedgerForbidden:
            abort(403)
        except LedgerNotFound:
            abort(404)

    def _page(self, typed, ledger=None, error=None, field=None, status=200):
        scope = ledger.scope if ledger is not None else report_scope(current_user_obj())
        periods = period_choices(court_today())
        listed = any(p.code == typed["period"] for _label, choices in periods for p in choices)
        context = dict(typed=typed, error=error, error_field=field, periods=periods, period_listed=listed,
                       areas=area_choices(report_scope(current_user_obj())), types=type_choices(), groups=GROUPS,
                       ledger=ledger, scope=scope, headers=headers(), overdue_note=OVERDUE_NOTE,
                       money=money_text, rate=success_rate_text, rate_note=success_rate_note())
        if ledger is not None:
            towns = town_map()
            total = count_rows(ledger)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(_page_number(request.args.get("page", "0")), pages - 1)
            figures = summary(ledger, towns)
            context.update(title=ledger_title(ledger), figures=figures, total=total, page=page,
                           summary_headers=[c.header for c in summary_columns(figures["group_label"])],
                           pages=pages, rows=page_rows(ledger, page, PAGE_SIZE, RowBuilder(ledger, towns)),
                           days_note=days_note(ledger.today), args=ledger.query_args())
        return self.render_template("jiefen/ledger.html", **context), status

    @expose("/ledger")
    @has_access
    def ledger(self):
        """The summary table and the rows of the ledger asked for, 50 rows a page."""
        typed = _typed()
        try:
            ledger = self._open(typed)
        except LedgerProblem as exc:
            return self._page(typed, error=exc.message, field=exc.field, status=400)
        if not typed["period"]:
            typed["period"] = ledger.period.code
        return self._page(typed, ledger)

    @expose("/ledger.xlsx")
    @has_access
    def download(self):
        """The whole ledger as a workbook, written to a temporary file and streamed from it."""
        typed = _typed()
        try:
            ledger = self._open(typed)
        except LedgerProblem as exc:
            return self._page(typed, error=exc.message, field=exc.field, status=400)
        path = temp_xlsx_path()
        try:
            rows = write_ledger(ledger, path)
        except BaseException:
            remove_quietly(path)
            raise
        record_access("cases", None, "export", {"report": "ledger", **ledger.query_args(), "rows": rows})
        return xlsx_response(path, download_name(ledger))


def ledger_json(ledger, page: int, page_size: int) -> dict:
    """The ledger as the API answers it: the period, the scope, the summary and one page of rows."""
    towns = town_map()
    figures = summary(ledger, towns)
    total = figures["total"]["registered"]

    def plain(group: dict) -> dict:
        out = dict(group)
        out["agreed_amount"] = f"{group['agreed_amount']:.2f}"
        return out

    return {
        "period": {"code": ledger.period.code, "kind": ledger.period.kind, "first": ledger.period.first.isoformat(),
                   "last": ledger.period.last.isoformat(), "label": ledger.period.label},
        "scope": {"kind": ledger.scope.kind, "label": ledger.scope_label},
        "area": {"id": ledger.area.id, "name": ledger.area.name} if ledger.area is not None else None,
        "type": ledger.dispute_type,
        "as_of": ledger.today.isoformat(),
        "summary": {"group_by": figures["group_by"], "group_label": figures["group_label"],
                    "groups": [plain(g) for g in figures["groups"]], "total": plain(figures["total"])},
        "notes": {"days": days_note(ledger.today), "success_rate": success_rate_note(), "overdue": str(OVERDUE_NOTE)},
        "count": total, "page": page, "page_size": page_size,
        "rows": [r.as_json() for r in page_rows(ledger, page, page_size, RowBuilder(ledger, towns))],
    }


class LedgerApi(BaseApi):
    """``GET /api/v1/reports/ledger``."""

    route_base = "/api/v1/reports"
    resource_name = "reports"
    class_permission_name = PERMISSION
    base_permissions = ["can_read"]
    method_permission_name = {"ledger": "read"}
    openapi_spec_tag = "Reports"
    allow_browser_login = True

    @expose("/ledger", methods=["GET"])
    @protect()
    @safe
    def ledger(self):
        """The dispute ledger of a period within the caller's scope: the summary table and one
        page of rows (the same numbers as the page and the workbook).
        ---
        get:
          parameters:
          - in: query
            name: period
            description: 2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year), China time; this month when empty.
            schema:
              type: string
          - in: query
            name: area
            description: An area id; its cases and those of the areas below it. Outside the caller's scope it answers 404.
            schema:
              type: integer
          - in: query
            name: type
            description: A dispute type code of an enabled plugin.
            schema:
              type: string
          - in: query
            name: group_by
            description: The summary's groups; area (town/street) when empty.
            schema:
              type: string
              enum: [area, type, channel, organisation, mediator]
          - in: query
            name: page
            description: The page of rows, from 0.
            schema:
              type: integer
              minimum: 0
          - in: query
            name: page_size
            description: Rows per page (50 when empty; at most the API's page size limit, 100).
            schema:
              type: integer
              minimum: 1
              maximum: 100
          responses:
            200:
              description: >-
                period (code, kind, first, last, label), scope (kind, label), area, type, as_of;
                summary (group_by, groups and total: registered, closed, agreements, concluded,
                success_rate in percent, agreed_amount as a string, overdue); notes; count (rows
                in all), page, page_size and rows (no, case_id, registered_on, case_no,
                dispute_type and its label, parties masked, town, organisation, mediator, track,
                procedure, status and its label, result and its label, agreed_amount, closed_on,
                days, days_until, return_visit, high_risk)
              content:
                application/json:
                  schema:
                    type: object
            400:
              description: A period, type, grouping or page that names nothing; the reason in the caller's language
            403:
              description: The caller's organisation has no ledger (a partner agency)
            404:
              description: No such area, or one outside the caller's scope
        """
        typed = _typed()
        limit = int(current_app.config.get("FAB_API_MAX_PAGE_SIZE", 100))
        raw_page, raw_size = request.args.get("page", "0"), request.args.get("page_size", str(API_PAGE_SIZE))
        if not (raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 8 and int(raw_page) <= MAX_PAGE):
            return self.response(400, message=gettext("“%(key)s” must be a whole number from 0 to %(max)d.",
                                                      key="page", max=MAX_PAGE), field="page")
        if not (raw_size.isascii() and raw_size.isdigit() and len(raw_size) < 5 and 1 <= int(raw_size) <= limit):
            return self.response(400, message=gettext("“%(key)s” must be a whole number from 1 to %(max)d.",
                                                      key="page_size", max=limit), field="page_size")
        try:
            ledger = open_ledger(current_user_obj(), typed)
        except LedgerForbidden:
            return self.response_403()
        except LedgerNotFound:
            return self.response_404()
        except LedgerProblem as exc:
            return self.response(400, message=exc.message, field=exc.field)
        return self.response(200, result=ledger_json(ledger, int(raw_page), int(raw_size)))


def register_ledger_views(appbuilder) -> None:
    """The ledger page (Statistics → Dispute ledger), its download and its API."""
    appbuilder.add_view(LedgerView, "Dispute ledger", label=_l("Dispute ledger"), icon="fa-table",
                        category="Statistics", category_label=_l("Statistics"), category_icon="fa-bar-chart")
    appbuilder.add_api(LedgerApi)
