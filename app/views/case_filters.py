"""The case list's quick filters (我的案件, 即将到期, 已超期, 待分流, 调解中, 已办结, 高风险), its area,
type and period selects, and its one search box (case number or party name).

The filters come from the query string and are applied as one FAB base filter, after the
request's scope, so every count and every row stays inside what the user may see. Counts
by state come from one grouped query; "due soon" and "overdue" come from the deadline
engine, run once per request over the open cases in scope (see :func:`deadline_flags`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from flask import g, has_request_context, request
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case as sql_case, func, or_, select, true

from app.extensions import db
from app.lifecycle.machine import OPEN_STATES, TERMINAL
from app.models.case import Case
from app.services.scope import _mediated_by, current_user_obj, request_scope

# Quick filters: key, label, and the states they cover (None: not a state filter).
DIVERSION_STATES = ("registered", "screening")
MEDIATION_STATES = ("mediation_accepted", "assigned", "scheduled", "in_mediation")
QUICK = [
    ("all", _l("All"), None),
    ("mine", _l("My cases"), None),
    ("due_soon", _l("Due soon"), None),
    ("overdue", _l("Overdue"), None),
    ("diversion", _l("Awaiting diversion"), DIVERSION_STATES),
    ("mediating", _l("In mediation"), MEDIATION_STATES),
    ("finished", _l("Finished"), tuple(TERMINAL)),
    ("high_risk", _l("High risk"), None),  # rated high (风险研判, app/lifecycle/risk.py)
]
QUICK_KEYS = {key for key, _label, _states in QUICK}
PERIODS = [
    ("30d", _l("Last 30 days"), 30),
    ("90d", _l("Last 90 days"), 90),
    ("365d", _l("Last 12 months"), 365),
]
SEARCH_MAX = 40  # characters of the search box that count
# The deadline engine runs in Python over the open cases in scope (about 0.1 ms a case);
# past this many, the "due soon" and "overdue" counts say they were cut (the newest cases
# are counted). A user's result is reused for FLAGS_TTL seconds: deadlines move by the day,
# and paging through a list must not recount every open case on each page.
DEADLINE_SCAN_LIMIT = 2000
FLAGS_TTL = 30
_FLAGS_CACHE: dict = {}
_FLAGS_CACHE_SIZE = 256


@dataclass(frozen=True)
class ListArgs:
    """What the case list was asked for, read once from the query string (bad values
    are ignored, never an error)."""

    quick: str = "all"
    area: Optional[int] = None
    dispute_type: str = ""
    period: str = ""
    q: str = ""

    def params(self, **changes) -> dict:
        """The query string of this list with ``changes`` (empty values left out)."""
        values = {"qf": self.quick, "area": self.area, "type": self.dispute_type, "period": self.period,
                  "q": self.q}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", "all")}


def list_args() -> ListArgs:
    """The case list's arguments of this request."""
    args = request.args
    quick = args.get("qf", "all")
    area = args.get("area", "")
    period = args.get("period", "")
    return ListArgs(
        quick=quick if quick in QUICK_KEYS else "all",
        area=int(area) if area.isascii() and area.isdigit() and len(area) < 10 else None,
        dispute_type=args.get("type", "")[:32],
        period=period if period in {p for p, _l, _d in PERIODS} else "",
        q=" ".join(args.get("q", "").split())[:SEARCH_MAX],
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def dimension_clause(args: ListArgs):
    """Area (with the areas below it), type, registration period and search: the filters
    the quick-filter counts respect."""
    from app.models.party import Party
    from app.services.areas import descendant_ids
    from app.services.settings import court_zone, today

    clauses = []
    if args.area is not None:
        clauses.append(Case.area_id.in_(descendant_ids([args.area])))
    if args.dispute_type:
        clauses.append(Case.dispute_type == args.dispute_type)
    if args.period:
        days = next(d for p, _l, d in PERIODS if p == args.period)
        start = dt.datetime.combine(today() - dt.timedelta(days=days), dt.time(), tzinfo=court_zone())
        clauses.append(Case.created_at >= start.astimezone(dt.timezone.utc))
    if args.q:
        pattern = _like(args.q)
        named = select(Party.case_id).where(Party.name.like(pattern, escape="\\"))
        clauses.append(or_(Case.case_no.like(pattern, escape="\\"), Case.id.in_(named)))
    return and_(true(), *clauses)


def mine_clause(user):
    """Cases the user is responsible for, mediates or has been offered."""
    if user is None or getattr(user, "id", None) is None:
        return Case.id.is_(None)
    return or_(Case.responsible_staff_id == user.id, _mediated_by(user.id))


def _scoped(clause):
    scope = request_scope()
    return clause if scope is None else and_(scope, clause)


def deadline_flags(args: ListArgs) -> dict:
    """``{"overdue": ids, "due_soon": ids, "cut": bool}`` for the open cases in scope that
    match the list's other filters: one pass of the deadline engine (a handful of queries
    however many cases), at most :data:`DEADLINE_SCAN_LIMIT` cases. A case with an overdue
    period counts as overdue only. Computed once per request, and reused by the same user
    for :data:`FLAGS_TTL` seconds while no open case of the selection has changed."""
    import time

    from flask import current_app

    cache = g.setdefault("_jiefen_case_list_cache", {}) if has_request_context() else {}
    if args in cache:
        return cache[args]
    where = _scoped(and_(Case.status.in_(OPEN_STATES), dimension_clause(args)))
    # Any change to a case (a step, a consent, an extension…) bumps its changed_at: a reused
    # result is only ever one for the same open cases as they stand now.
    seen = tuple(db.session.execute(select(func.count(Case.id), func.max(Case.changed_at)).where(where)).one())
    user = current_user_obj()
    key = (id(current_app._get_current_object()), getattr(user, "id", None), args, seen)
    now = time.monotonic()
    hit = _FLAGS_CACHE.get(key)
    if hit is not None and hit[0] > now:
        cache[args] = hit[1]
        return hit[1]
    from app.lifecycle.deadlines import deadlines_for_cases

    query = select(Case).where(where).order_by(Case.id.desc()).limit(DEADLINE_SCAN_LIMIT + 1)
    cases = list(db.session.scalars(query))
    cut = len(cases) > DEADLINE_SCAN_LIMIT
    overdue, soon = set(), set()
    for case_id, deadlines in deadlines_for_cases(cases[:DEADLINE_SCAN_LIMIT]).items():
        states = {d.status for d in deadlines}
        if "overdue" in states:
            overdue.add(case_id)
        elif "due_soon" in states:
            soon.add(case_id)
    result = {"overdue": overdue, "due_soon": soon, "cut": cut}
    if len(_FLAGS_CACHE) >= _FLAGS_CACHE_SIZE:
        for old in [k for k, (expires, _r) in _FLAGS_CACHE.items() if expires <= now] or list(_FLAGS_CACHE)[:1]:
            _FLAGS_CACHE.pop(old, None)
    _FLAGS_CACHE[key] = (now + FLAGS_TTL, result)
    cache[args] = result
    return result


def quick_counts(args: ListArgs) -> dict:
    """``{quick key: count}`` for the chips: one grouped query (by state, with the user's
    own cases summed alongside) plus the deadline pass."""
    user = current_user_obj()
    rows = db.session.execute(
        select(Case.status, func.count(Case.id), func.sum(sql_case((mine_clause(user), 1), else_=0)),
               func.sum(sql_case((Case.risk_level == "high", 1), else_=0)))
        .where(_scoped(dimension_clause(args)))
        .group_by(Case.status)
    ).all()
    by_state = {status: n for status, n, _mine, _high in rows}
    counts = {"all": sum(by_state.values()), "mine": sum(int(m or 0) for _s, _n, m, _h in rows),
              "high_risk": sum(int(h or 0) for _s, _n, _m, h in rows)}
    for key, _label, states in QUICK:
        if states is not None:
            counts[key] = sum(by_state.get(s, 0) for s in states)
    flags = deadline_flags(args)
    counts["overdue"], counts["due_soon"] = len(flags["overdue"]), len(flags["due_soon"])
    counts["cut"] = flags["cut"]
    return counts


def quick_clause(args: ListArgs):
    """The WHERE clause of the list for the chosen quick filter and the other filters."""
    clause = dimension_clause(args)
    states = next((s for k, _l, s in QUICK if k == args.quick), None)
    if states is not None:
        clause = and_(clause, Case.status.in_(states))
    elif args.quick == "mine":
        clause = and_(clause, mine_clause(current_user_obj()))
    elif args.quick == "high_risk":
        clause = and_(clause, Case.risk_level == "high")
    elif args.quick in ("overdue", "due_soon"):
        ids = deadline_flags(args)[args.quick]
        clause = and_(clause, Case.id.in_(sorted(ids)) if ids else Case.id.is_(None))
    return clause


class CaseListFilter(BaseFilter):
    """The list's quick filter, selects and search box, read from the query string. Applies
    on list pages only (a case's own page never depends on how the list was filtered)."""

    name = "Case list filters"
    arg_name = "caselist"

    def apply(self, query, value):
        if not has_request_context() or not (request.endpoint or "").endswith(".list"):
            return query
        return query.filter(quick_clause(list_args()))


# Use as: base_filters = [SCOPE, LIST_FILTERS]
LIST_FILTERS = ["id", CaseListFilter, None]


def list_choices() -> dict:
    """The selects above the list: the district and its towns/streets, the enabled types,
    the periods."""
    from app.extensions import jiefen
    from app.models.area import Area

    areas = db.session.execute(select(Area.id, Area.name).where(Area.level.in_(("district", "town")))
                               .order_by(Area.id).limit(200)).all()
    types = [(t.code, t.label) for t in jiefen().dispatcher.enabled_types()]
    return {"areas": areas, "types": types, "periods": [(p, label) for p, label, _d in PERIODS]}


def install_case_list_helpers(app) -> None:
    """Expose the list's helpers to templates."""
    app.jinja_env.globals.update(
        case_list_args=list_args, case_quick_counts=quick_counts, case_quick_filters=QUICK,
        case_deadline_flags=deadline_flags, case_list_choices=list_choices,
    )
