"""Evaluation (评价督导): the measures of every department, centre, mediator and judge on duty
for a period, a weighted score and the ranking; and the cases-per-staff view.

The measures come from :mod:`app.reports.evaluation_sql` (SQL GROUP BY per level), the weights
from the dated settings in force on the period's last day
(:mod:`app.reports.evaluation_weights`). Each measure becomes a component between 0 and 1:

=====================  ====================================================================
cases_handled          cases handled ÷ the most any unit in the table handled
success_rate           agreements reached ÷ mediations concluded (:mod:`app.reports.outcomes`)
duration               reference days ÷ median days to close, at most 1 (reference: the
                       dated setting ``core.evaluation.duration_reference_days``)
overdue                1 − cases overdue and still open ÷ cases handled
satisfaction           average return-visit satisfaction ÷ 5
referral_timeliness    referrals answered by their due day ÷ those whose answer is decided
guidance               guidance sessions ÷ the most any unit in the table had
=====================  ====================================================================

Components are computed from the exact figures (the API rounds rates to one decimal).
The score is ``100 × Σ weight × component ÷ Σ weight`` over the components a unit has (a
unit with no concluded mediation is neither rewarded nor punished for a success rate); a unit
with none has no score and ranks last. Units with equal scores (to one decimal) share a rank.
Two components (cases handled, guidance) compare the units shown, so they depend on the
reader's scope: a centre's own table is ranked among its own rows.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import appbuilder, db
from app.models.mediator import Mediator
from app.models.organization import COURT_KINDS, Organization
from app.names import person_name
from app.reports import evaluation_sql as q
from app.reports.outcomes import success_rate
from app.reports.evaluation_weights import WEIGHTED, WeightBook, settings_on
from app.reports.periods import Period
from app.reports.scope import ReportScope

LEVEL_LABELS = {
    "department": _l("Court departments"),
    "centre": _l("Centres and committees"),
    "mediator": _l("Mediators"),
    "judge": _l("Judges on duty"),
    "staff": _l("Cases per court staff member"),
}
MEASURE_LABELS = {
    "cases_handled": _l("Cases handled"),
    "success_rate": _l("Mediation success rate"),
    "duration": _l("Median days to close"),
    "overdue": _l("Cases overdue and still open"),
    "satisfaction": _l("Return-visit satisfaction"),
    "referral_timeliness": _l("Referrals answered on time"),
    "guidance": _l("Guidance sessions"),
}
SATISFACTION_SCALE = 5
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


class LevelError(ValueError):
    """A level the reader asked for that does not exist; the message is in their language."""


def level_message(allowed) -> str:
    """"Choose the level: …" naming the levels allowed as people read them (the API's
    documentation lists their codes)."""
    return gettext("Choose the level: %(levels)s.", levels=gettext(", ").join(str(LEVEL_LABELS[c]) for c in allowed))


def parse_level(text: Optional[str], staff: bool = True) -> str:
    """The level code; ``centre`` when empty. Raises :class:`LevelError`."""
    text = (text or "").strip().lower() or "centre"
    allowed = q.LEVELS if staff else q.RANKED_LEVELS
    if text not in allowed:
        raise LevelError(level_message(allowed))
    return text


@dataclass
class Row:
    """One unit of the table: its figures, components, score and rank."""

    id: int
    name: str
    organization: str = ""  # a mediator's body
    figures: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)
    score: Optional[float] = None
    rank: Optional[int] = None

    def as_json(self) -> dict:
        """The row as the API sends it: codes and numbers; rates in percent with one decimal
        (as the dashboard's), the satisfaction average with one decimal, the median in days."""
        f = self.figures
        out = {
            "rank": self.rank, "id": self.id, "name": self.name, "organization": self.organization,
            "score": self.score,
            "cases_handled": f.get("cases_handled", 0), "resolved": f.get("resolved", 0),
            "concluded": f.get("concluded", 0), "reached": f.get("reached", 0),
            "success_rate": success_rate(f.get("reached", 0), f.get("concluded", 0)),
            "median_days": _round(f.get("median_days"), 1),
            "overdue": f.get("overdue", 0),
            "visits_done": f.get("visits_done", 0), "visits_rated": f.get("visits_rated", 0),
            "satisfaction": _round(f.get("satisfaction"), 1),
            "referrals_judged": f.get("referrals_judged", 0), "referrals_on_time": f.get("referrals_on_time", 0),
            "referral_timeliness": success_rate(f.get("referrals_on_time", 0), f.get("referrals_judged", 0)),
            "guidance_sessions": f.get("guidance_sessions", 0),
        }
        if "shifts" in f:
            out["shifts"] = f["shifts"]
        return out


def _round(value, places: int):
    return None if value is None else round(float(value), places)


@dataclass
class Evaluation:
    """A level's table for a period, ranked, with the weights that made the scores."""

    period: Period
    level: str
    scope: ReportScope
    book: WeightBook
    rows: list[Row]

    def weights_json(self) -> list[dict]:
        """The weights in force on the period's last day, with since when and their source."""
        return [{"measure": w.measure, "label": str(MEASURE_LABELS[w.measure]), "weight": float(w.value),
                 "valid_from": w.valid_from.isoformat() if w.valid_from else None, "source": w.source}
                for w in self.book.weights]

    def as_json(self, page: int = 0, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """The evaluation as the API answers it; ``rows`` is one page of the ranking."""
        start = page * page_size
        return {
            "period": period_json(self.period),
            "level": self.level, "level_label": str(LEVEL_LABELS[self.level]),
            "scope": {"kind": self.scope.kind, "label": str(self.scope.label)},
            "weights": self.weights_json(), "weights_on": self.book.day.isoformat(),
            "duration_reference_days": float(self.book.duration_reference),
            "total": len(self.rows), "page": page, "page_size": page_size,
            "rows": [r.as_json() for r in self.rows[start:start + page_size]],
        }

    def top(self, count: int) -> list[Row]:
        """The best ``count`` units that have a score."""
        return [r for r in self.rows if r.score is not None][:count]

    def bottom(self, count: int) -> list[Row]:
        """The last ``count`` units with a score, worst first, never one of :meth:`top`."""
        scored = [r for r in self.rows if r.score is not None]
        best = {r.id for r in self.top(count)}
        return [r for r in reversed(scored) if r.id not in best][:count]


def period_json(period: Period) -> dict:
    """A period as the API names it."""
    return {"code": period.code, "kind": period.kind, "label": str(period.label),
            "first": period.first.isoformat(), "last": period.last.isoformat()}


# -- the units of each level ---------------------------------------------------------------

def _org_names(ids, where) -> dict[int, tuple[str, str]]:
    query = select(Organization.id, Organization.name).where(or_(Organization.id.in_(sorted(ids)), where))
    return {i: (name, "") for i, name in db.session.execute(query)}


def units(level: str, frame: q.Frame, active_keys: set) -> dict[int, tuple[str, str]]:
    """``{id: (name, organisation)}`` of the level's units: every active one the reader may
    rank (so a unit that did nothing still shows), and any other that had figures."""
    bodies = frame.own_bodies
    ids = set(active_keys)
    if level in ("centre", "department"):
        kinds = Organization.kind.in_(sorted(COURT_KINDS)) if level == "department" else \
            Organization.kind.not_in(sorted(COURT_KINDS) + [q.PARTNER])
        listed = Organization.active.is_(True) & kinds
        if bodies is not None:
            if level == "department":
                return {}
            listed = listed & Organization.id.in_(sorted(bodies))
        return _org_names(ids, listed)
    if level == "mediator":
        listed = Mediator.status == "active"
        if bodies is not None:
            listed = listed & Mediator.organization_id.in_(sorted(bodies))
        query = (select(Mediator.id, Mediator.name, Organization.name)
                 .outerjoin(Organization, Organization.id == Mediator.organization_id)
                 .where(or_(Mediator.id.in_(sorted(ids)), listed)))
        return {i: (name, org or "") for i, name, org in db.session.execute(query)}
    # judges and staff: people, named as people write their names
    user = appbuilder.sm.user_model
    query = select(user.id, user.first_name, user.last_name).where(user.id.in_(sorted(ids)))
    return {i: (person_name(first, last), "") for i, first, last in db.session.execute(query)}


# -- scoring ---------------------------------------------------------------------------------

def components(row: Row, most: dict, book: WeightBook) -> dict:
    """The row's components between 0 and 1 (``None`` where the unit has no figure)."""
    f = row.figures
    handled = f.get("cases_handled", 0)
    median = f.get("median_days")
    reference = float(book.duration_reference)
    concluded, judged = f.get("concluded", 0), f.get("referrals_judged", 0)
    return {
        "cases_handled": handled / most["cases_handled"] if most["cases_handled"] else None,
        "success_rate": f.get("reached", 0) / concluded if concluded else None,
        "duration": None if median is None else (1.0 if median <= reference else reference / median),
        "overdue": max(0.0, 1 - f.get("overdue", 0) / handled) if handled else None,
        "satisfaction": None if f.get("satisfaction") is None else f["satisfaction"] / SATISFACTION_SCALE,
        "referral_timeliness": f.get("referrals_on_time", 0) / judged if judged else None,
        "guidance": f.get("guidance_sessions", 0) / most["guidance"] if most["guidance"] else None,
    }


def score(parts: dict, book: WeightBook) -> Optional[float]:
    """``100 × Σ weight × component ÷ Σ weight`` over the components present, one decimal."""
    total = weighed = Decimal(0)
    for measure in WEIGHTED:
        value, weight = parts.get(measure), book.of(measure)
        if value is None or weight <= 0:
            continue
        total += weight
        weighed += weight * Decimal(str(value))
    if total == 0:
        return None
    return float((100 * weighed / total).quantize(Decimal("0.1")))


def rank(rows: list[Row]) -> list[Row]:
    """Best score first, units without a score last, names in order within a tie; equal
    scores share a rank (1, 2, 2, 4)."""
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name, r.id))
    previous, place = object(), 0
    for index, row in enumerate(rows, start=1):
        if row.score is None:
            row.rank = None
            continue
        if row.score != previous:
            place, previous = index, row.score
        row.rank = place
    return rows


def evaluate(period: Period, level: str, scope: ReportScope, today: dt.date) -> Evaluation:
    """The ranked table of ``level``'s units for ``period`` within ``scope``."""
    frame = q.Frame(period, scope, today, q.own_bodies(scope))
    att = q.Attribution(level, frame)
    figures = q.case_measures(att)
    for key, n in q.guidance_counts(level, frame).items():
        figures.setdefault(key, {})["guidance_sessions"] = n
    if level == "judge":
        for key, n in q.shift_counts(frame).items():
            figures.setdefault(key, {})["shifts"] = n
    book = settings_on(period.last)
    names = units(level, frame, set(figures))
    rows = []
    for key, (name, organization) in names.items():
        f = dict(figures.get(key, {}))
        if level == "judge":
            f.setdefault("shifts", 0)
        rows.append(Row(key, name, organization, f))
    most = {"cases_handled": max((r.figures.get("cases_handled", 0) for r in rows), default=0),
            "guidance": max((r.figures.get("guidance_sessions", 0) for r in rows), default=0)}
    for row in rows:
        row.components = components(row, most, book)
        row.score = score(row.components, book)
    return Evaluation(period, level, scope, book, rank(rows))


@dataclass
class StaffView:
    """Each court staff member's open cases and cases closed in the period, and the open
    cases nobody is responsible for."""

    period: Period
    scope: ReportScope
    rows: list[dict]
    unassigned_open: int

    def as_json(self, page: int = 0, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """The view as the API answers it; ``rows`` is one page, most open cases first."""
        start = page * page_size
        return {"period": period_json(self.period), "level": q.STAFF_LEVEL,
                "level_label": str(LEVEL_LABELS[q.STAFF_LEVEL]),
                "scope": {"kind": self.scope.kind, "label": str(self.scope.label)},
                "unassigned_open": self.unassigned_open, "total": len(self.rows), "page": page,
                "page_size": page_size, "rows": self.rows[start:start + page_size]}


def staff_view(period: Period, scope: ReportScope, today: dt.date) -> StaffView:
    """The cases-per-staff view of ``period`` within ``scope``."""
    frame = q.Frame(period, scope, today, q.own_bodies(scope))
    counts, nobody = q.staff_counts(frame)
    names = units(q.STAFF_LEVEL, frame, set(counts))
    rows = [{"id": key, "name": names.get(key, ("—", ""))[0], "open_cases": o, "closed_cases": c}
            for key, (o, c) in counts.items()]
    rows.sort(key=lambda r: (-r["open_cases"], -r["closed_cases"], r["name"], r["id"]))
    return StaffView(period, scope, rows, nobody)
