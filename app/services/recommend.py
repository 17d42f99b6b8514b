"""Which mediators suit a case: specialty, area served and workload, with the reasons shown.

The weights below are product judgement agreed with the centres, not law: change them
freely, and the golden tests in ``tests/test_recommendation.py`` with them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext, ngettext
from sqlalchemy import select

from app.extensions import db, jiefen
from app.models.mediator import MEDIATOR_STATUS, Mediator
from app.services.areas import ancestors as area_ancestors
from app.services.mediators import local_today, register_is_current, workloads

# Knowing the kind of dispute matters most: a specialist with a full desk still beats a
# generalist with an empty one (the largest workload penalty stays below this).
SPECIALTY_WEIGHT = 50
# Serving the very village or street of the dispute means knowing the parties and the place.
AREA_EXACT_WEIGHT = 30
# Serving an area that contains the case's area (the street of a village, or the whole
# district) helps less, and less again for each level further up.
AREA_ANCESTOR_WEIGHT = 15
AREA_STEP_DISCOUNT = 5
# Spread the work: each open case costs a little, up to a cap so that a busy specialist is
# never ranked below someone without the specialty.
WORKLOAD_PENALTY = 3
WORKLOAD_CAP = 10


@dataclass(frozen=True)
class Recommendation:
    """An eligible mediator, their score and why they rank where they do."""

    mediator: Mediator
    score: int
    workload: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class NotEligible:
    """A mediator who cannot take the case on that day, and why."""

    mediator: Mediator
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendations:
    """Every mediator of the pool: the eligible ones best first, then the others by name."""

    eligible: list[Recommendation]
    not_eligible: list[NotEligible]

    def top(self, n: int = 5) -> list[Recommendation]:
        """The ``n`` best eligible mediators."""
        return self.eligible[:n]


def recommend(case, on: Optional[dt.date] = None) -> Recommendations:
    """Rank every mediator of the pool for ``case`` as of ``on`` (default: today, local time).

    The same few statements whatever the pool's size: mediators, their areas (selectin),
    workloads, and the case area's parents when no mediator's areas brought them along.
    """
    on = on or local_today()
    # Ordered here, not by the database: collations differ and the order must not.
    pool = sorted(db.session.scalars(select(Mediator)).all(), key=lambda m: (m.name, m.id))
    eligible, not_eligible = [], []
    for mediator in pool:
        refusals = _refusals(mediator, on)
        if refusals:
            not_eligible.append(NotEligible(mediator, tuple(refusals)))
        else:
            eligible.append(mediator)
    loads = workloads(m.id for m in eligible)
    ancestors = area_ancestors(case.area)
    type_label = jiefen().dispatcher.type_label(case.dispute_type)
    ranked = []
    for mediator in eligible:
        score, reasons = 0, []
        if case.dispute_type in (mediator.specialties or []):
            score += SPECIALTY_WEIGHT
            reasons.append(gettext("Specialty: %(type)s", type=type_label))
        area_score, area_reason = _area_match(mediator, case.area, ancestors)
        if area_reason:
            score += area_score
            reasons.append(area_reason)
        load = loads.get(mediator.id, 0)
        score -= WORKLOAD_PENALTY * min(load, WORKLOAD_CAP)
        reasons.append(ngettext("%(num)s open case", "%(num)s open cases", load))
        ranked.append(Recommendation(mediator, score, load, tuple(reasons)))
    ranked.sort(key=lambda r: (-r.score, r.workload, r.mediator.name, r.mediator.id))
    return Recommendations(eligible=ranked, not_eligible=not_eligible)


def _refusals(mediator, on: dt.date) -> list[str]:
    reasons = []
    if mediator.status != "active":
        label = str(MEDIATOR_STATUS.get(mediator.status, mediator.status))
        reasons.append(_with_reason(label, mediator.status_reason))
    if not register_is_current(mediator, on):
        if mediator.register_expires_on and mediator.register_expires_on < on:
            expired = mediator.register_expires_on.isoformat()
            reasons.append(gettext("Register expired on %(date)s", date=expired))
        else:
            reasons.append(
                gettext("On the register only from %(date)s", date=mediator.register_entered_on.isoformat())
            )
    return reasons


def _with_reason(label: str, reason: Optional[str]) -> str:
    return gettext("%(status)s: %(reason)s", status=label, reason=reason) if reason else label


def _area_match(mediator, area, ancestors) -> tuple[int, Optional[str]]:
    if area is None:
        return 0, None
    served = {a.id for a in mediator.areas}
    if area.id in served:
        return AREA_EXACT_WEIGHT, gettext("Serves %(area)s", area=area.name)
    for steps, ancestor in enumerate(ancestors):
        if ancestor.id in served:
            score = max(AREA_ANCESTOR_WEIGHT - AREA_STEP_DISCOUNT * steps, 0)
            if ancestor.level == "district":
                return score, gettext("Serves the whole district (%(area)s)", area=ancestor.name)
            return score, gettext(
                "Serves %(area)s, which includes %(case_area)s", area=ancestor.name, case_area=area.name
            )
    return 0, None
