"""The dispute ledger (纠纷台账): which cases a ledger holds, and its summary table.

A ledger is the cases **registered** in a period (``created_at`` within the period's China-time
days: a month, a quarter, a year, or two days ``2025-01-01..2026-12-31``) that the reader's scope allows, optionally narrowed to an area (and the areas below it)
and to one dispute type. Its rows are in :mod:`app.reports.ledger_rows`, its workbook in
:mod:`app.reports.ledger_xlsx`; the page, the API and the command line all start from
:func:`open_ledger`, so they hold the same cases and the same numbers.

The summary counts, per group (town/street, dispute type, intake channel, handling organisation
or mediator), in SQL ``GROUP BY`` (two statements; the total line adds the group lines up):

- **registered**: the ledger's cases;
- **closed** (办结): those that have ended (``closed_at`` is set when a case reaches a final
  state: closed, withdrawn, merged or transferred);
- **agreements**: those whose mediation reached an agreement (written or oral: the agreement
  is stored with the step to ``agreement_reached``);
- **success rate**: agreements ÷ mediations concluded, a percentage with one decimal, with the reports' one definition of a
  concluded mediation (:mod:`app.reports.outcomes`: the case entered ``agreement_reached`` or
  ``mediation_failed``), here over the ledger's cases whenever their mediation concluded;
  withdrawn, merged and open cases without either step are in neither number;
- **agreed amount**: the sum of the agreements' amounts (协议金额);
- **overdue**: cases with a period overdue now, counted in SQL as the dashboard counts them
  (:func:`app.reports.overdue.overdue_case_ids`, whose limits :data:`OVERDUE_NOTE` states).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Optional

from flask_babel import gettext, lazy_gettext as _l, lazy_pgettext
from sqlalchemy import and_, case as when, func, or_, select
from sqlalchemy.sql import ColumnElement

from app.extensions import db, jiefen
from app.models.area import Area
from app.models.case import CASE_CHANNELS, Case
from app.models.mediator import Mediator
from app.models.organization import Organization
from app.models.outcome import Agreement
from app.models.lifecycle import TimelineEvent
from app.reports.outcomes import FAILED, success_rate
from app.reports.overdue import OVERDUE_NOTE, overdue_case_ids
from app.reports.periods import Period, PeriodError, parse_period, parse_range
from app.reports.scope import ReportScope, report_scope
from app.services.clock import today as court_today
from app.views.keys import is_valid_pk

GROUPS = {
    "area": lazy_pgettext("ledger", "Town / street"),
    "type": _l("Dispute type"),
    "channel": _l("Intake channel"),
    "organisation": _l("Organisation"),
    "mediator": _l("Mediator"),
}
DEFAULT_GROUP = "area"
EMPTY = "—"
__all__ = ["OVERDUE_NOTE", "open_ledger", "summary"]


class LedgerProblem(ValueError):
    """An argument names no period, type or grouping; ``message`` is in the reader's language."""

    def __init__(self, message: str, field_name: str):
        super().__init__(message)
        self.message, self.field = message, field_name


class LedgerNotFound(LookupError):
    """The area asked for does not exist or is outside the reader's scope (answer 404)."""


class LedgerForbidden(PermissionError):
    """The reader has no ledger at all (a partner agency: its own referral ledger only)."""


@dataclass(frozen=True)
class Ledger:
    """One ledger as asked for: the period, the reader's scope narrowed by the area, the type
    and the grouping of its summary; ``today`` is the court's day it is read on."""

    period: Period
    scope: ReportScope
    area: Optional[Area]
    dispute_type: Optional[str]
    group_by: str
    today: dt.date
    args: dict = field(default_factory=dict)

    def where(self) -> list[ColumnElement]:
        """The WHERE clauses of the ledger's cases."""
        clauses = [self.scope.case_clause(), Case.created_at >= self.period.start_utc,
                   Case.created_at < self.period.end_utc]
        if self.dispute_type:
            clauses.append(Case.dispute_type == self.dispute_type)
        return clauses

    @property
    def scope_label(self) -> str:
        """Whose ledger it is: the district, the centre's name, or the area asked for."""
        return self.scope.label

    @property
    def type_label(self) -> str:
        """The dispute type asked for, in the reader's language ("" for every type)."""
        return str(jiefen().dispatcher.type_label(self.dispute_type)) if self.dispute_type else ""

    def query_args(self) -> dict:
        """The arguments that name this ledger again (for links and the download)."""
        out = {"period": self.period.code, "group_by": self.group_by}
        if self.area is not None:
            out["area"] = self.area.id
        if self.dispute_type:
            out["type"] = self.dispute_type
        return out


def ledger_period(text: Optional[str], today: dt.date) -> Period:
    """A month (``2026-11``), a quarter (``2026-Q4``), a year (``2026``) or two days
    (``2025-01-01..2026-12-31``, at most three years); empty: this month. Raises
    :class:`~app.reports.periods.PeriodError`."""
    text = (text or "").strip()
    if ".." in text:
        first, _sep, last = text.partition("..")
        return parse_range(first.strip() or None, last.strip() or None, today)
    return parse_period(text, today)


def open_ledger(user, args: Mapping[str, str], scope: Optional[ReportScope] = None) -> Ledger:
    """The ledger ``user`` asks for with ``args`` (``period``, ``area``, ``type``, ``group_by``).

    ``scope`` replaces the user's own (the command line reads as the district). Raises
    :class:`LedgerForbidden` for a partner, :class:`LedgerProblem` for an argument that names
    nothing, :class:`LedgerNotFound` for an unknown area or one outside the scope.
    """
    scope = scope or report_scope(user)
    if scope.kind == "partner":
        raise LedgerForbidden()
    today = court_today()
    try:
        period = ledger_period(args.get("period"), today)
    except PeriodError as exc:
        raise LedgerProblem(str(exc), "period") from None
    group_by = (args.get("group_by") or DEFAULT_GROUP).strip()
    if group_by not in GROUPS:
        raise LedgerProblem(gettext("Group the summary by one of: %(choices)s.", choices="、".join(
            str(label) for label in GROUPS.values())), "group_by")
    dispute_type = (args.get("type") or "").strip() or None
    if dispute_type is not None and not jiefen().dispatcher.is_type_enabled(dispute_type):
        raise LedgerProblem(gettext("“%(code)s” is not a dispute type in use. Choose one from the list.",
                                    code=dispute_type[:40]), "type")
    area = None
    raw_area = (args.get("area") or "").strip()
    if raw_area:
        area = db.session.get(Area, int(raw_area)) if is_valid_pk(raw_area) else None
        if area is None:
            raise LedgerNotFound(raw_area)
        try:
            scope = scope.narrowed(area)
        except LookupError:
            raise LedgerNotFound(raw_area) from None
    return Ledger(period, scope, area, dispute_type, group_by, today,
                  {k: v for k, v in args.items() if k in ("period", "area", "type", "group_by")})


# --- the summary ---------------------------------------------------------------------------


def town_map() -> dict[int, tuple[int, str]]:
    """``{area id: (town id, town name)}`` for every area at or below a town/street; the district
    and areas outside any town map to themselves. One query: areas are few (a district has a
    few dozen towns and some hundreds of villages)."""
    rows = db.session.execute(select(Area.id, Area.parent_id, Area.level, Area.name)).all()
    by_id = {r.id: r for r in rows}
    out: dict[int, tuple[int, str]] = {}
    for row in rows:
        node, seen = row, set()
        while node is not None and node.level != "town" and node.id not in seen:
            seen.add(node.id)
            node = by_id.get(node.parent_id)
        town = node if node is not None and node.level == "town" else row
        out[row.id] = (town.id, town.name)
    return out


def _group_key(ledger: Ledger, towns: dict) -> ColumnElement:
    if ledger.group_by == "area":
        mapping = {area_id: town_id for area_id, (town_id, _name) in towns.items() if area_id != town_id}
        # The town above each case's area, computed in the database from the map (areas are few).
        return when(mapping, value=Case.area_id, else_=Case.area_id) if mapping else Case.area_id
    return {"type": Case.dispute_type, "channel": Case.channel, "organisation": Case.organization_id,
            "mediator": Case.mediator_id}[ledger.group_by]


def _entered(*states: str) -> ColumnElement:
    """The case's timeline records a move into one of ``states`` (correlated to ``Case``)."""
    return (select(TimelineEvent.id)
            .where(TimelineEvent.case_id == Case.id, TimelineEvent.to_state.in_(states)).exists())


def _concluded() -> ColumnElement:
    """1 when the case's mediation concluded (:mod:`app.reports.outcomes`: it entered
    ``agreement_reached`` or ``mediation_failed``), else 0.

    The agreement row is written in the same transaction as the step to ``agreement_reached``
    (:func:`app.lifecycle.outcome.save_agreement`, :func:`app.lifecycle.oral.record_oral_agreement`),
    and a case is closed only from ``performing`` (after an agreement) or ``mediation_failed``:
    so the timeline is read only for the few cases that ended otherwise without an agreement
    (transferred, withdrawn, merged), not probed for every case of a long ledger."""
    return when(
        (or_(Agreement.id.is_not(None), Case.status.in_((FAILED, "closed"))), 1),
        (and_(Case.status.in_(("transferred", "withdrawn", "merged")), _entered(FAILED)), 1),
        else_=0,
    )


def _measures() -> list:
    return [
        func.count(Case.id).label("registered"),
        func.count(Case.closed_at).label("closed"),
        func.count(Agreement.id).label("agreements"),  # the agreement written with the step (see _concluded)
        func.coalesce(func.sum(_concluded()), 0).label("concluded"),
        func.sum(Agreement.amount).label("agreed_amount"),
    ]


def _figures(row, overdue: int = 0) -> dict:
    concluded = int(row.concluded or 0)
    agreements = int(row.agreements or 0)
    amount = Decimal(row.agreed_amount or 0).quantize(Decimal("0.01"))
    return {
        "registered": int(row.registered or 0), "closed": int(row.closed or 0), "agreements": agreements,
        "concluded": concluded, "success_rate": success_rate(agreements, concluded),
        "agreed_amount": amount, "overdue": overdue,
    }


def summary(ledger: Ledger, towns: Optional[dict] = None) -> dict:
    """``{"groups": [...], "total": {...}}``: the figures per group (largest first) and the total
    line, added up from the groups (they split the ledger's cases: each case has one town, type,
    channel, organisation and mediator, or none). Two GROUP BY statements: the counts over the
    ledger's cases, and the overdue ones — a few thousand ids joined to their cases, kept apart
    so the planner never walks every case in id order to merge them in."""
    towns = town_map() if towns is None else towns
    where = and_(*ledger.where())
    key = _group_key(ledger, towns).label("key")
    rows = db.session.execute(
        select(key, *_measures()).select_from(Case).outerjoin(Agreement, Agreement.case_id == Case.id)
        .where(where).group_by(key)
    ).all()
    overdue_ids = overdue_case_ids(where, ledger.today).subquery("overdue")
    overdue = dict(db.session.execute(
        select(key, func.count(Case.id)).select_from(overdue_ids).join(Case, Case.id == overdue_ids.c.case_id)
        .group_by(key)
    ).all())
    labels = _labels(ledger.group_by, [r.key for r in rows], towns)
    groups = [{"key": r.key, "label": labels.get(r.key, EMPTY), **_figures(r, int(overdue.get(r.key) or 0))}
              for r in rows]
    groups.sort(key=lambda g: (-g["registered"], str(g["label"])))
    return {"group_by": ledger.group_by, "group_label": str(GROUPS[ledger.group_by]), "groups": groups,
            "total": _total(groups)}


def _total(groups: list[dict]) -> dict:
    """The total line from the group lines (a few rows of counts, not the cases)."""
    counts = ("registered", "closed", "agreements", "concluded", "overdue")
    total = {name: sum(g[name] for g in groups) for name in counts}
    total["agreed_amount"] = sum((g["agreed_amount"] for g in groups), Decimal("0.00"))
    total["success_rate"] = success_rate(total["agreements"], total["concluded"])
    return {name: total[name] for name in ("registered", "closed", "agreements", "concluded", "success_rate",
                                           "agreed_amount", "overdue")}


def _labels(group_by: str, keys: list, towns: dict) -> dict:
    """Each group key in words: names for ids (one query for those shown), labels for codes."""
    present = [k for k in keys if k is not None]
    if group_by == "area":
        names = {town_id: name for town_id, name in towns.values()}
        out = {k: names.get(k, EMPTY) for k in present}
        out[None] = gettext("No area")
        return out
    if group_by == "type":
        dispatcher = jiefen().dispatcher
        return {k: str(dispatcher.type_label(k)) for k in present}
    if group_by == "channel":
        return {k: str(CASE_CHANNELS.get(k, k)) for k in present}
    model = Organization if group_by == "organisation" else Mediator
    out = dict(db.session.execute(select(model.id, model.name).where(model.id.in_(present))).all()) if present else {}
    out[None] = gettext("No organisation") if group_by == "organisation" else gettext("Not assigned")
    return out


def success_rate_text(rate: Optional[float]) -> str:
    """A success rate (a percentage, as :func:`app.reports.outcomes.success_rate` gives it) as
    people read it (``75.0%``), or ``—`` when no mediation has concluded."""
    return EMPTY if rate is None else f"{rate:.1f}%"


def money_text(amount) -> str:
    """Money as the pages show it: ``¥12,500.00``; ``—`` for none."""
    if amount is None:
        return EMPTY
    return f"¥{Decimal(amount):,.2f}"
