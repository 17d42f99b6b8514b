"""The evaluation's weights (考评权重) as dated settings an administrator edits.

Each measure of :mod:`app.reports.evaluation` weighs in the score with the value of
``core.evaluation.weight.<measure>`` in force on the **last day of the period** evaluated: a
weight changed from 2026-10-01 applies to 2026-Q4 and later periods, never to 2026-Q3. The
settings are declared by the core (``app.lifecycle.core_rules.register_settings``), hence the
``core.`` prefix every core setting carries (``app.plugins.checks.setting_problems``), and are
entered on the "Dated settings" page like every other figure, with the text that decided them
(the court's evaluation rules) as their source.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db, jiefen
from app.models.setting import Setting
from app.plugins.types import SettingDefault

PREFIX = "core.evaluation."
WEIGHT_PREFIX = PREFIX + "weight."
# The median duration that earns the full duration score; twice as long earns half.
DURATION_REFERENCE = PREFIX + "duration_reference_days"
# How many units a bulletin names as the best and as those to improve.
BULLETIN_RANKED = PREFIX + "bulletin_ranked_count"

SOURCE = "本院矛盾纠纷多元化解工作考评办法（考评权重由本院确定，非法定数值，管理员按考评办法录入）"

# measure code → (label, default weight). The order is the order of the table's columns.
WEIGHTED = {
    "cases_handled": (_l("Weight of cases handled in the evaluation score"), 10),
    "success_rate": (_l("Weight of the mediation success rate in the evaluation score"), 30),
    "duration": (_l("Weight of the median duration in the evaluation score"), 10),
    "overdue": (_l("Weight of cases not overdue in the evaluation score"), 20),
    "satisfaction": (_l("Weight of return-visit satisfaction in the evaluation score"), 15),
    "referral_timeliness": (_l("Weight of referral timeliness in the evaluation score"), 10),
    "guidance": (_l("Weight of guidance sessions in the evaluation score"), 5),
}


def weight_key(measure: str) -> str:
    """The dated setting holding ``measure``'s weight."""
    return WEIGHT_PREFIX + measure


def evaluation_settings() -> list[SettingDefault]:
    """The settings the core declares for the evaluation (weights, duration reference, how
    many units a bulletin names)."""
    found = [SettingDefault(weight_key(code), weight, label, source=SOURCE, unit="points")
             for code, (label, weight) in WEIGHTED.items()]
    found += [
        SettingDefault(DURATION_REFERENCE, 30,
                       _l("Median days to close a case that earns the full duration score in the evaluation"),
                       source=SOURCE, unit="days"),
        SettingDefault(BULLETIN_RANKED, 3,
                       _l("How many units a bulletin names as the best and as those to improve"),
                       source=SOURCE, unit="units"),
    ]
    return found


@dataclass(frozen=True)
class Weight:
    """One weight as it stood on a day: the value, since when, and why."""

    measure: str
    value: Decimal
    valid_from: dt.date
    source: str

    @property
    def key(self) -> str:
        """The dated setting's key."""
        return weight_key(self.measure)


@dataclass(frozen=True)
class WeightBook:
    """The weights, the duration reference and the bulletin's count in force on ``day``."""

    day: dt.date
    weights: tuple[Weight, ...]
    duration_reference: Decimal
    ranked_count: int

    def of(self, measure: str) -> Decimal:
        """The weight of ``measure`` (0 when none is in force)."""
        return next((w.value for w in self.weights if w.measure == measure), Decimal(0))


def _number(text: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return Decimal(0)
    # A weight below zero would reward failure: read as none.
    return value if value.is_finite() and value >= 0 else Decimal(0)


def settings_on(day: dt.date) -> WeightBook:
    """The evaluation settings in force on ``day``: the newest row of each key not after it
    (one query for all of them), else the declared default — as ``setting_value`` reads one."""
    declared = {key: default for key, (_plugin, default) in jiefen().registry.settings.items()
                if key.startswith(PREFIX)}
    rows = db.session.execute(
        select(Setting.key, Setting.value, Setting.valid_from, Setting.source)
        .where(Setting.key.like(PREFIX + "%"), Setting.valid_from <= day)
        .order_by(Setting.key, Setting.valid_from.desc(), Setting.id.desc())
    )
    current: dict[str, tuple] = {}
    for key, value, valid_from, source in rows:
        current.setdefault(key, (value, valid_from, source or ""))
    for key, default in declared.items():
        if key not in current and default.valid_from <= day:
            current[key] = (str(default.value), default.valid_from, default.source)
    weights = []
    for code in WEIGHTED:
        value, valid_from, source = current.get(weight_key(code), ("0", None, ""))
        weights.append(Weight(code, _number(value), valid_from, source))
    reference = _number(current.get(DURATION_REFERENCE, ("30",))[0]) or Decimal(30)
    ranked = int(_number(current.get(BULLETIN_RANKED, ("3",))[0])) or 3
    return WeightBook(day, tuple(weights), reference, ranked)
