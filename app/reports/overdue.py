"""Cases overdue now, counted in SQL from the facts the deadline engine reads.

The engine (:mod:`app.lifecycle.deadlines`), which the case list's "overdue" chip and My work
use, runs in Python case by case: plugin rules may start from intake dates or events, count
hours or working days. A report cannot loop over every open case, so this module counts
**the core's five periods** in one bounded SQL statement, from the same stored facts and in
the same way as the engine:

- pre-filing mediation (``core.pre_filing_mediation``, pre-filing track): from the first time
  the case entered ``mediation_accepted``;
- court-entrusted mediation (``core.court_mediation``, 15 or 7 days by procedure): from the
  mediator's acceptance of the offer (timeline action ``accept_offer``);
- the joint application for judicial confirmation: from a written agreement's day of effect
  until the application (``JudicialConfirmation.applied_on``);
- the court's acceptance: from ``applied_on`` until ``accepted_on``;
- the court's review: from ``accepted_on`` until ``decided_on``.

Each length is the dated setting in force on the period's first day (else the declared
default), plus the agreed extensions and the closed suspensions recorded on the timeline;
a period suspended now is not overdue. A last day on a weekend or holiday moves to the next
working day (Civil Code art. 203): a period is overdue when its unmoved last day is on or
before the last working day before today — the same answer as moving the day forward, with
the holiday calendar read once. A period stops running in the states the engine stops it in.

The periods a dispute type **declares** (``DisputeType.deadlines``: a labour mediation window,
a traffic application window) are counted the same way when they run in calendar days from a
date the case stores (registration, an intake date, a step of the lifecycle), with their own
``finished_in`` and ``met_on``. Not counted: periods in working days, hours, months or years
(medical's 30 working days, which replaces the pre-filing period for that type), periods
counted from an event the staff record, and periods a plugin's ``deadlines`` hook returns from
the case's data (a police-mediation period, a protection order). So this count can be lower
than the case list's "overdue" chip for cases of those kinds; pages showing it say so
(:data:`OVERDUE_NOTE`).
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    String,
    and_,
    case as sql_case,
    cast,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import ColumnElement, Select

from app.extensions import db, jiefen
from app.lifecycle import core_rules as core
from app.lifecycle.deadline_facts import EXTENDED, RESUMED, SUSPENDED
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.lifecycle import TimelineEvent
from app.models.outcome import Agreement, JudicialConfirmation
from app.models.setting import Setting
from app.reports.days import court_day_of, day_literal, days_from
from app.services import holidays
from app.services.clock import today as clock_today

log = logging.getLogger(__name__)
EPOCH = dt.date(2000, 1, 1)

OVERDUE_NOTE = _l("Overdue now counts the mediation and judicial-confirmation periods and the periods a dispute "
                  "type declares in calendar days, with extensions, suspensions and holidays; periods in working "
                  "days or hours and those that depend on a case's own data are on the case page and in the "
                  "case list.")

# Open states in which each period still runs (FINISHED_IN of app/lifecycle/core_rules.py).
MEDIATION_RUNNING = tuple(sorted(OPEN_STATES - core.FINISHED_IN[core.PRE_FILING]))
APPLICATION_RUNNING = tuple(sorted(OPEN_STATES - core.FINISHED_IN[core.CONFIRMATION_APPLICATION]))
COURT_RUNNING = tuple(sorted(OPEN_STATES - core.FINISHED_IN[core.CONFIRMATION_ACCEPTANCE]))
CONFIRMATION_CODES = (core.CONFIRMATION_APPLICATION, core.CONFIRMATION_ACCEPTANCE, core.CONFIRMATION_REVIEW)
# The core's own tracks for each period, before any plugin replaces it.
CORE_TRACKS = {
    core.PRE_FILING: ("pre_filing",),
    core.COURT_MEDIATION: ("court_entrusted",),
    **{code: ("pre_filing", "court_entrusted") for code in CONFIRMATION_CODES},
}


def last_working_day_before(day: dt.date) -> dt.date:
    """The last working day strictly before ``day`` (the court's holiday calendar)."""
    calendar = holidays.current()
    found = day - dt.timedelta(days=1)
    for _ in range(60):  # the longest holiday run is a week or so; never loop for ever
        if calendar.is_workday(found):
            return found
        found -= dt.timedelta(days=1)
    return found


def excluded_types() -> dict[tuple[str, str], tuple[str, ...]]:
    """``{(core period, track): dispute types}`` whose rules do not include that core period on
    that track (a plugin replaces it), asked once per type and track from the dispatcher as the
    engine asks it (:meth:`~app.plugins.dispatch.Dispatcher.case_deadline_rules`)."""
    from app.lifecycle.deadlines import _without_replaced
    from app.plugins.case_view import CaseView

    dispatcher = jiefen().dispatcher
    out: dict[tuple[str, str], list[str]] = {}
    for code, tracks in CORE_TRACKS.items():
        for track in tracks:
            out[(code, track)] = []
    for dispute_type in sorted(jiefen().registry.dispute_types):
        for track in ("pre_filing", "court_entrusted"):
            try:
                rules = _without_replaced(dispatcher.case_deadline_rules(
                    CaseView(id=None, dispute_type=dispute_type, track=track, status="in_mediation")))
            except Exception:  # a plugin hook that cannot read a bare case: keep the core's periods
                log.exception("deadline rules of %s on %s could not be probed", dispute_type, track)
                continue
            codes = {r.code for r in rules}
            for code, tracks in CORE_TRACKS.items():
                if track in tracks and code not in codes:
                    out[(code, track)].append(dispute_type)
    return {key: tuple(types) for key, types in out.items()}


def _period_rows(scope_clause: ColumnElement) -> tuple[Select, list[str]]:
    """One row per running period of the open cases in scope (the core's, and those the types
    declare that SQL can count): case id, rule code, first day, and the key of the dated setting
    that gives its length; with the keys used."""
    excluded = excluded_types()
    declared = declared_periods(scope_clause)

    def track_clause(code: str) -> ColumnElement:
        return or_(*[and_(Case.track == track, Case.dispute_type.not_in(excluded[(code, track)]))
                     for track in CORE_TRACKS[code]])

    first_accepted = start_day("mediation_accepted_on")
    file_received = start_day("file_received_on")
    pre_filing = (
        select(Case.id.label("case_id"), literal(core.PRE_FILING, String).label("code"),
               first_accepted.label("first_day"), literal(core.PREFILING_DAYS, String).label("key"))
        .where(scope_clause, Case.status.in_(MEDIATION_RUNNING), track_clause(core.PRE_FILING))
    )
    court = (
        select(Case.id, literal(core.COURT_MEDIATION, String), file_received,
               sql_case((Case.procedure == "simplified", literal(core.COURT_SIMPLIFIED_DAYS, String)),
                        else_=literal(core.COURT_ORDINARY_DAYS, String)))
        .where(scope_clause, Case.status.in_(MEDIATION_RUNNING), track_clause(core.COURT_MEDIATION))
    )
    no_application = ~select(JudicialConfirmation.id).where(JudicialConfirmation.case_id == Case.id).exists()
    application = (
        select(Case.id, literal(core.CONFIRMATION_APPLICATION, String), Agreement.effective_on,
               literal(core.CONFIRMATION_DAYS, String))
        .join(Agreement, Agreement.case_id == Case.id)
        .where(scope_clause, Case.status.in_(APPLICATION_RUNNING), track_clause(core.CONFIRMATION_APPLICATION),
               Agreement.form != "oral", Agreement.effective_on.is_not(None), no_application)
    )
    written = ~select(Agreement.id).where(Agreement.case_id == Case.id, Agreement.form == "oral").exists()
    acceptance = (
        select(Case.id, literal(core.CONFIRMATION_ACCEPTANCE, String), JudicialConfirmation.applied_on,
               literal(core.CONFIRMATION_ACCEPTANCE_DAYS, String))
        .join(JudicialConfirmation, JudicialConfirmation.case_id == Case.id)
        .where(scope_clause, Case.status.in_(COURT_RUNNING), track_clause(core.CONFIRMATION_ACCEPTANCE),
               JudicialConfirmation.accepted_on.is_(None), written)
    )
    review = (
        select(Case.id, literal(core.CONFIRMATION_REVIEW, String), JudicialConfirmation.accepted_on,
               literal(core.CONFIRMATION_REVIEW_DAYS, String))
        .join(JudicialConfirmation, JudicialConfirmation.case_id == Case.id)
        .where(scope_clause, Case.status.in_(COURT_RUNNING), track_clause(core.CONFIRMATION_REVIEW),
               JudicialConfirmation.accepted_on.is_not(None), JudicialConfirmation.decided_on.is_(None), written)
    )
    keys = [core.PREFILING_DAYS, core.COURT_ORDINARY_DAYS, core.COURT_SIMPLIFIED_DAYS, core.CONFIRMATION_DAYS,
            core.CONFIRMATION_ACCEPTANCE_DAYS, core.CONFIRMATION_REVIEW_DAYS, *[key for _branch, key in declared]]
    return union_all(pre_filing, court, application, acceptance, review, *[branch for branch, _key in declared]), keys


# Lifecycle starts (app/lifecycle/deadline_facts.py LIFECYCLE_STARTS) read from the timeline:
# the first time the case entered a state, or took an action.
TIMELINE_STARTS = {
    "mediation_accepted_on": ("to_state", "mediation_accepted"),
    "mediation_started_on": ("to_state", "in_mediation"),
    "agreement_reached_on": ("to_state", "agreement_reached"),
    "file_received_on": ("action", "accept_offer"),
}
INTAKE_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _first_timeline(column: str, value: str) -> ColumnElement:
    return (select(func.min(TimelineEvent.at))
            .where(TimelineEvent.case_id == Case.id, getattr(TimelineEvent, column) == value).scalar_subquery())


def start_day(name: str) -> Optional[ColumnElement]:
    """The first day of a period that starts from ``name`` (a rule's ``starts_from`` or
    ``met_on``), as the engine reads it (``_start`` of app/lifecycle/deadlines.py), correlated
    to ``Case``; ``None`` for a start this module cannot read in SQL (an event the staff record)."""
    if name == "created_at":
        return court_day_of(Case.created_at)
    if name in TIMELINE_STARTS:
        return court_day_of(_first_timeline(*TIMELINE_STARTS[name]))
    if name == "agreement_effective_on":  # a written agreement's day of effect; an oral one starts none
        return (select(Agreement.effective_on)
                .where(Agreement.case_id == Case.id, Agreement.form != "oral").scalar_subquery())
    if name == "confirmation_applied_on":  # the day entered on the application, else the step's day
        entered = (select(JudicialConfirmation.applied_on)
                   .where(JudicialConfirmation.case_id == Case.id).scalar_subquery())
        return func.coalesce(entered, court_day_of(_first_timeline("to_state", "judicial_confirmation")))
    if name == "confirmation_accepted_on":
        return (select(JudicialConfirmation.accepted_on)
                .where(JudicialConfirmation.case_id == Case.id).scalar_subquery())
    if name.startswith("intake."):
        text = Case.intake_data[name[len("intake."):]].as_string()
        if db.engine.dialect.name == "postgresql":
            # An ISO day only (the form stores nothing else); anything else starts no period.
            return sql_case((text.regexp_match(INTAKE_DATE), cast(text, Date)), else_=null())
        return func.date(text)
    return None


def declared_periods(scope_clause: ColumnElement) -> list[tuple[Select, str]]:
    """``[(rows, setting key)]`` for the periods the enabled dispute types declare that run in
    calendar days from a start SQL can read: one branch of :func:`_period_rows` each."""
    from app.lifecycle.deadlines import _finished_states, setting_unit

    dispatcher = jiefen().dispatcher
    out = []
    for dispute_type in dispatcher.enabled_types():
        replaced = {r.replaces for r in dispute_type.deadlines if r.replaces}
        for rule in dispute_type.deadlines:
            if rule.code in replaced or rule.working_days or setting_unit(rule.setting_key) != "days":
                continue
            first = start_day(rule.starts_from)
            met = start_day(rule.met_on) if rule.met_on else None
            if first is None or (rule.met_on and met is None):
                continue
            clauses = [scope_clause, Case.dispute_type == dispute_type.code,
                       Case.status.in_(sorted(OPEN_STATES - _finished_states(rule)))]
            if rule.tracks:
                clauses.append(Case.track.in_(rule.tracks))
            if met is not None:
                clauses.append(met.is_(None))
            out.append((select(Case.id, literal(rule.code, String), first, literal(rule.setting_key, String))
                        .where(*clauses), rule.setting_key))
    return out


def _length(period, keys: list[str]) -> ColumnElement:
    """The setting in force on the period's first day (the newest row not after it), else the
    declared default from its first day of validity; NULL when none was in force yet."""
    stored = (select(cast(Setting.value, Numeric)).where(Setting.key == period.c.key,
                                                        Setting.valid_from <= period.c.first_day)
              .order_by(Setting.valid_from.desc()).limit(1).scalar_subquery())
    declared = jiefen().registry.settings
    defaults = []
    for key in keys:
        if key in declared:
            default = declared[key][1]
            defaults.append((and_(period.c.key == key, period.c.first_day >= day_literal(default.valid_from)),
                             literal(int(Decimal(str(default.value))), Integer)))
    fallback = sql_case(*defaults, else_=null()) if defaults else null()
    return func.coalesce(stored, fallback)


def _deadline_steps(period, action: str, field: str, on_or_before: Optional[dt.date] = None):
    """The WHERE clauses of the timeline steps ``action`` on this period (``data.rule`` names
    it), those recorded for a day not after ``on_or_before`` when given."""
    rule = TimelineEvent.data["rule"].as_string()
    clauses = [TimelineEvent.case_id == period.c.case_id, TimelineEvent.kind == "deadline",
               TimelineEvent.action == action, rule == period.c.code]
    if on_or_before is not None:
        clauses.append(TimelineEvent.data[field].as_string() <= on_or_before.isoformat())
    return clauses


# Built statements, by what they depend on (see overdue_case_ids): building one takes longer
# than running it on a few thousand cases.
_BUILT: "OrderedDict[tuple, Select]" = OrderedDict()
_BUILT_SIZE = 64
_BUILT_LOCK = threading.Lock()


def overdue_case_ids(scope_clause: ColumnElement, on: Optional[dt.date] = None) -> Select:
    """``SELECT case_id`` of the cases in ``scope_clause`` with a period overdue on ``on`` (today
    by default; the periods of the module docstring): one statement, to count or to join
    (``Case.id.in_(…)``). The statement is kept for the same app, database, switched-off plugins,
    scope, day and last working day (an administrator's holiday change gives a new one)."""
    on = on or clock_today()
    last_workday = last_working_day_before(on)
    try:
        scope_sql = str(scope_clause.compile(db.engine, compile_kwargs={"literal_binds": True}))
    except (CompileError, NotImplementedError):  # a clause with values SQL cannot inline: build anew
        return _build(scope_clause, on, last_workday)
    key = (id(current_app._get_current_object()), db.engine.dialect.name,
           jiefen().dispatcher.disabled_plugins(), scope_sql, on, last_workday)
    with _BUILT_LOCK:
        built = _BUILT.get(key)
    if built is None:
        built = _build(scope_clause, on, last_workday)
        with _BUILT_LOCK:
            _BUILT[key] = built
            while len(_BUILT) > _BUILT_SIZE:
                _BUILT.popitem(last=False)
    return built


def _build(scope_clause: ColumnElement, on: dt.date, last_workday: dt.date) -> Select:
    """The statement of :func:`overdue_case_ids`."""
    threshold = day_literal(last_workday)
    # Materialised: each period's first day (a correlated lookup) is computed once, not per use.
    rows, keys = _period_rows(scope_clause)
    period = rows.cte("period").prefix_with("MATERIALIZED")
    extended = (select(func.coalesce(func.sum(TimelineEvent.data["days"].as_integer()), 0))
                .where(*_deadline_steps(period, EXTENDED, "days"), TimelineEvent.data["days"].as_integer() > 0)
                .scalar_subquery())
    # Suspensions pair with the next resumption (app/lifecycle/deadline_facts.py): while one is
    # open the period stands still; closed ones add the days between the two.

    def steps(action: str, what):
        return select(what).where(*_deadline_steps(period, action, "on", on)).scalar_subquery()

    # Days of the recorded ``on`` dates, as day numbers: their differences are the days between.
    as_days = func.coalesce(func.sum(days_from(TimelineEvent.data["on"].as_string(), day_literal(EPOCH))), 0)
    suspended_n = steps(SUSPENDED, func.count(TimelineEvent.id))
    resumed_n = steps(RESUMED, func.count(TimelineEvent.id))
    suspended_days = steps(RESUMED, as_days) - steps(SUSPENDED, as_days)
    length = _length(period, keys)
    elapsed = days_from(threshold, period.c.first_day)
    # Cheapest test first: extensions and suspensions only lengthen a period, so a period not
    # past its plain length is dropped before its timeline steps are read (most are running).
    late = and_(
        period.c.first_day.is_not(None),
        elapsed >= length,
        not_(suspended_n > resumed_n),
        elapsed >= length + extended + suspended_days,
    )
    return select(period.c.case_id).where(late).distinct()


def overdue_count(scope_clause: ColumnElement, on: Optional[dt.date] = None) -> int:
    """How many cases in scope have a period overdue on ``on`` (today by default; see the module
    docstring)."""
    ids = overdue_case_ids(scope_clause, on).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0
