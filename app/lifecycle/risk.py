"""Risk assessment (风险研判): a centre rates a case low, medium or high risk, with its reasons.

A step of the centre's flow like assigning the responsible staff member: the case's version
guards it, a ``RiskAssessment`` row keeps every rating (who, when, why), the case's
``risk_level`` is the newest one, a timeline entry tells it and the audit log keeps the changed
column — all of it commits together or not at all.

The rating belongs to screening (registered, screening) but a case's risk changes while it is
handled (a party threatens to petition, a group forms), so it may be rated again at any
open state; a finished case keeps the rating it ended with.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.lifecycle.machine import OPEN_STATES
from app.lifecycle.tx import StaleCase, unit_of_work
from app.lifecycle.workflow import TransitionRefused, record
from app.models.case import Case
from app.models.screening import RISK_LEVELS, RiskAssessment

KIND = "risk"
ACTION = "rate_risk"
MAX_REASONS = 2000
# Where the rating is the expected step (the case page offers it as such); later it is a re-rating.
SCREENING_STATES = ("registered", "screening")
RISK_COLOURS = {"low": "green", "medium": "orange", "high": "red"}
TIMELINE_LABEL = _l("Risk assessed: %(level)s")


def may_rate(case: Case) -> bool:
    """True while the case is open: a finished case keeps its last rating."""
    return case.status in OPEN_STATES


def risk_label(level: Optional[str]) -> str:
    """The level in the reader's language, or ``—`` when the case was never rated."""
    return str(RISK_LEVELS[level]) if level in RISK_LEVELS else "—"


def risk_colour(level: Optional[str]) -> str:
    """The tag colour of a level (red high, orange medium, green low, grey not rated)."""
    return RISK_COLOURS.get(level, "grey")


def latest_rating(case: Case) -> Optional[RiskAssessment]:
    """The newest rating of ``case``, or ``None``."""
    query = (select(RiskAssessment).where(RiskAssessment.case_id == case.id)
             .order_by(RiskAssessment.rated_at.desc(), RiskAssessment.id.desc()).limit(1))
    return db.session.scalars(query).first()


def ratings(case: Case, limit: int = 20) -> list[RiskAssessment]:
    """The case's ratings, newest first (at most ``limit``)."""
    query = (select(RiskAssessment).where(RiskAssessment.case_id == case.id)
             .order_by(RiskAssessment.rated_at.desc(), RiskAssessment.id.desc()).limit(limit))
    return list(db.session.scalars(query))


def rate_risk(case: Case, actor, level, reasons, expected_version=None) -> RiskAssessment:
    """Rate ``case``: raises ``TransitionRefused`` with every problem (level, reasons, a finished
    case), or ``StaleCase`` when the case changed since ``expected_version``."""
    problems = []
    level = level.strip() if isinstance(level, str) else None
    text = reasons.strip() if isinstance(reasons, str) else ""
    if level not in RISK_LEVELS:
        problems.append(gettext("Choose the risk level: low, medium or high."))
    if not text:
        problems.append(gettext("Give the reasons for the rating; they are kept on the case's timeline."))
    elif len(text) > MAX_REASONS:
        problems.append(gettext("The reasons are too long (at most %(n)d characters).", n=MAX_REASONS))
    if not may_rate(case):
        problems.append(gettext("The case is finished: its risk is no longer rated."))
    try:
        if expected_version not in (None, "") and int(expected_version) != case.version:
            raise StaleCase()
    except (TypeError, ValueError):
        problems.append(gettext("The version must be a whole number."))
    if problems:
        raise TransitionRefused(problems)
    previous = case.risk_level
    with unit_of_work():
        rating = RiskAssessment(case_id=case.id, level=level, reasons=text, rated_by_id=getattr(actor, "id", None))
        db.session.add(rating)
        case.risk_level = level  # the version column makes a concurrent rating fail at the flush
        record(case, actor, KIND, ACTION, text, {"level": level, "from": previous})
    return rating


def describe(event) -> str:
    """The timeline's wording of a rating."""
    return str(TIMELINE_LABEL) % {"level": risk_label((event.data or {}).get("level"))}
