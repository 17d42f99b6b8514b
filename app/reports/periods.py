"""Report periods as people name them: a month (``2026-11``), a quarter (``2026-Q4``), a year
(``2026``), or two days (``from``/``to``), each in China time."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext

from app.services.clock import court_zone

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
YEAR = re.compile(r"^(\d{4})$")
# A report reaches back to the courts' first online platforms and no further ahead than next
# year: a mistyped "20261" is refused instead of scanning an empty millennium.
FIRST_YEAR, LAST_YEAR_AHEAD = 2000, 1
LONGEST_RANGE_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period the reader typed that names no period; the message is in their language."""


@dataclass(frozen=True)
class Period:
    """Days ``first`` to ``last`` inclusive, in China time; ``code`` as it was asked for."""

    code: str
    kind: str  # month | quarter | year | range
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        """The period in the reader's language (``2026年11月``, ``2026年第四季度``…)."""
        if self.kind == "month":
            return gettext("%(year)d-%(month)02d", year=self.first.year, month=self.first.month)
        if self.kind == "quarter":
            return gettext("Q%(quarter)d %(year)d", quarter=(self.first.month - 1) // 3 + 1,
                           year=self.first.year)
        if self.kind == "year":
            return gettext("Year %(year)d", year=self.first.year)
        return gettext("%(first)s to %(last)s", first=self.first.isoformat(), last=self.last.isoformat())

    @property
    def start_utc(self) -> dt.datetime:
        """The first instant of the period (China midnight), in UTC, for timestamp columns."""
        return _midnight_utc(self.first)

    @property
    def end_utc(self) -> dt.datetime:
        """The first instant after the period, in UTC (exclusive bound)."""
        return _midnight_utc(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.last - self.first).days + 1

    def months(self) -> list[str]:
        """``YYYY-MM`` of every month the period touches, in order (for trends)."""
        keys, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            keys.append(f"{year:04d}-{month:02d}")
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        return keys

    def previous(self) -> "Period":
        """The period of the same length just before (last month, last quarter, last year)."""
        if self.kind == "month":
            day = self.first - dt.timedelta(days=1)
            return month_period(day.year, day.month)
        if self.kind == "quarter":
            day = self.first - dt.timedelta(days=1)
            return quarter_period(day.year, (day.month - 1) // 3 + 1)
        if self.kind == "year":
            return year_period(self.first.year - 1)
        last = self.first - dt.timedelta(days=1)
        first = last - dt.timedelta(days=self.days - 1)
        return Period(f"{first.isoformat()}..{last.isoformat()}", "range", first, last)


def _midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=court_zone()).astimezone(dt.timezone.utc)


def month_period(year: int, month: int) -> Period:
    """The calendar month."""
    last = calendar.monthrange(year, month)[1]
    return Period(f"{year:04d}-{month:02d}", "month", dt.date(year, month, 1), dt.date(year, month, last))


def quarter_period(year: int, quarter: int) -> Period:
    """The calendar quarter (1–4)."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return Period(f"{year:04d}-Q{quarter}", "quarter", dt.date(year, first_month, 1),
                  dt.date(year, last_month, calendar.monthrange(year, last_month)[1]))


def year_period(year: int) -> Period:
    """The calendar year."""
    return Period(f"{year:04d}", "year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def _check_year(year: int, today: dt.date) -> None:
    if not FIRST_YEAR <= year <= today.year + LAST_YEAR_AHEAD:
        raise PeriodError(gettext("Choose a year from %(first)d to %(last)d.", first=FIRST_YEAR,
                                  last=today.year + LAST_YEAR_AHEAD))


def parse_period(text: Optional[str], today: dt.date) -> Period:
    """``2026-11``, ``2026-Q4`` or ``2026``; empty means this month. Raises :class:`PeriodError`."""
    text = (text or "").strip()
    if not text:
        return month_period(today.year, today.month)
    if m := MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        _check_year(year, today)
        if not 1 <= month <= 12:
            raise PeriodError(gettext("A month is 01 to 12."))
        return month_period(year, month)
    if m := QUARTER.match(text):
        _check_year(int(m[1]), today)
        return quarter_period(int(m[1]), int(m[2]))
    if m := YEAR.match(text):
        _check_year(int(m[1]), today)
        return year_period(int(m[1]))
    raise PeriodError(gettext("Give the period as a month (2026-11), a quarter (2026-Q4) or a year (2026)."))


def parse_range(first: Optional[str], last: Optional[str], today: dt.date) -> Period:
    """Days ``from``–``to`` (ISO dates, inclusive); either missing means this year so far.
    Raises :class:`PeriodError`."""
    try:
        start = dt.date.fromisoformat(first) if first else dt.date(today.year, 1, 1)
        end = dt.date.fromisoformat(last) if last else today
    except ValueError:
        raise PeriodError(gettext("Give dates as YYYY-MM-DD.")) from None
    _check_year(start.year, today)
    _check_year(end.year, today)
    if end < start:
        raise PeriodError(gettext("The end date is before the start date."))
    if (end - start).days + 1 > LONGEST_RANGE_DAYS:
        raise PeriodError(gettext("Choose at most three years."))
    return Period(f"{start.isoformat()}..{end.isoformat()}", "range", start, end)
