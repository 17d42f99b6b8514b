"""Small building blocks for a dispute type's advice rules.

Advice rules read a case's intake answers (stored as text: ISO dates, amounts as decimal
text) and dated settings, and say what a clerk should know. Several types count the same
things — a limitation period of some years from a day, an amount in a message — and the law
counts them one way, so each is written once here rather than once per plugin.

A period's last day is never counted here: :func:`period_end` asks the deadline engine
(:func:`app.lifecycle.deadlines.last_day`), so that advice about a window and the deadline on
the same case page always name the same day, holidays included.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

# Numbers one statute fixes for every dispute type are one core setting each (domain rule:
# one rule, one setting): a plugin reads them through these names and declares no copy, so an
# administrator's dated change reaches every type at once.
AGE_OF_MAJORITY = "core.full_age_years"
"""Dated setting of the age of majority, in years (民法典 第17条); declared by the core."""
ORDINARY_LIMITATION = "core.limitation_years"
"""Dated setting of the ordinary limitation period, in years (民法典 第188条); declared by the
core. Read it on the day a period began, as :func:`years_period` does."""


def intake_date(value: Any) -> Optional[dt.date]:
    """The date an intake answer holds (ISO text or a date), or ``None`` when it is absent or
    unreadable: advice about a half-filled case says less, it never fails."""
    if isinstance(value, dt.date):
        return value
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def intake_decimal(value: Any) -> Optional[Decimal]:
    """The exact amount an intake answer holds, or ``None`` when it is absent or unreadable."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def add_years(day: dt.date, years: int) -> dt.date:
    """The corresponding day ``years`` later (Civil Code art. 202); a 29 February with no
    counterpart gives 28 February. This is the calendar step only: the last day of a period
    of years, moved off a holiday, is :func:`period_end`."""
    from app.lifecycle.deadlines import add_months  # the engine's step, not a second one

    return add_months(day, 12 * years)


def period_end(start: dt.date, length: int, unit: str = "days") -> dt.date:
    """The last day of a period of ``length`` ``unit`` (``days``, ``working days``, ``months``
    or ``years``) from the day ``start``, counted exactly as the deadline engine counts it.

    The start day is not counted (Civil Code art. 201); a period of months or years ends on
    the corresponding day, or the month's last day (art. 202); and a last day that is a
    statutory holiday, or a weekend that is no make-up working day, moves to the first working
    day after it (art. 203), in the court's holiday calendar — an administrator's entered
    years included. A window is open while ``today() <= period_end(...)``. Needs an
    application context (the calendar reads the entered holidays), as every advice rule has.
    """
    # Imported here: importing the plugin API must load no model (the engine reads the database).
    from app.lifecycle.deadlines import last_day

    return last_day(start, int(length), unit)[0]


def format_money(amount: Decimal) -> str:
    """An amount of yuan as a message shows it: thousands separated, two decimals."""
    return f"{amount:,.2f}"


def format_multiple(value: Decimal) -> str:
    """A multiple or rate read from a setting, without trailing zeros (``4``, ``1.5``)."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class YearsPeriod:
    """A period of whole years counted from ``start``, as it stands on ``today``."""

    start: dt.date
    years: int
    ends: dt.date
    today: dt.date
    warning_days: int

    @property
    def days_left(self) -> int:
        """Days from today to the last day of the period (negative once it has ended)."""
        return (self.ends - self.today).days

    @property
    def expired(self) -> bool:
        """True once the last day of the period has passed."""
        return self.today > self.ends

    @property
    def near(self) -> bool:
        """True while the period runs and ends within the warning window."""
        return not self.expired and self.days_left <= self.warning_days


def years_period(start: dt.date, years_key: str, warning_key: str, today: dt.date) -> YearsPeriod:
    """The period of ``years_key`` years counted from ``start`` (a limitation period), with
    the warning window of ``warning_key`` days. It ends on :func:`period_end`'s day: a
    limitation period whose last day is a holiday runs to the next working day (art. 203).

    The length is the setting in force on ``start`` — the law of the day the period began —
    and the warning window the one in force ``today``. Raises
    :class:`~app.plugins.types.SettingMissing` (a ``LookupError``) when either has no value
    on its day, e.g. a start before the first dated row: the caller says the period must be
    checked by hand.
    """
    from app.services.settings import setting_decimal

    years = int(setting_decimal(years_key, on=start))
    warning_days = int(setting_decimal(warning_key, on=today))
    return YearsPeriod(start, years, period_end(start, years, "years"), today, warning_days)
