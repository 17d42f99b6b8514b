"""Working days and statutory holidays: the one place that says whether a day is worked.

The State Council publishes each year's holidays and make-up working days (调休) late in the
year before. The ``chinese_calendar`` package carries the years it knew when it was released;
an administrator enters a newer year from the notice (app/views/holidays_admin.py). For a year
with rows entered here, those rows are the whole schedule and take precedence over the package;
a year known to neither is guessed Monday–Friday, and every answer drawn from such a guess says
so (a deadline shows ``holiday_calendar_missing``).

A :class:`HolidayCalendar` reads a year's rows once, however many days are asked about; the
functions below share one per request (or per application context outside a request).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import chinese_calendar
from flask import g, has_app_context
from sqlalchemy import select

from app.extensions import db
from app.models.holiday import HOLIDAY, MAKE_UP_WORKDAY, HolidayDay

_G_KEY = "_jiefen_holiday_calendar"


def _library_workday(day: dt.date) -> Optional[bool]:
    """The package's answer, or ``None`` for a year it does not carry."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the schedule is published a year at a time
        return None


class HolidayCalendar:
    """The working-day calendar, reading each year's entered rows at most once."""

    def __init__(self):
        self._years: dict[int, dict[dt.date, str]] = {}

    def entered(self, year: int) -> dict[dt.date, str]:
        """``{day: kind}`` an administrator entered for ``year`` (empty when none)."""
        if year not in self._years:
            # The years around it too, in the same query: a page's deadlines straddle a new
            # year for weeks, and its statement count must not depend on which years they touch.
            first, last = year - 1, year + 2
            rows = db.session.execute(select(HolidayDay.day, HolidayDay.kind).where(
                HolidayDay.day.between(dt.date(first, 1, 1), dt.date(last, 12, 31))))
            for known in range(first, last + 1):
                self._years.setdefault(known, {})
            for day, kind in rows:
                self._years[day.year][day] = kind
        return self._years[year]

    def workday(self, day: dt.date) -> tuple[bool, bool]:
        """``(is a working day, guessed)``: guessed when neither the entered rows nor the
        package cover the day's year and Monday–Friday stood in."""
        entered = self.entered(day.year)
        if entered:
            kind = entered.get(day)
            if kind == HOLIDAY:
                return False, False
            if kind == MAKE_UP_WORKDAY:
                return True, False
            return day.weekday() < 5, False
        known = _library_workday(day)
        if known is None:
            return day.weekday() < 5, True
        return known, False

    def is_workday(self, day: dt.date) -> bool:
        """True when ``day`` is worked (a weekday that is no holiday, or a make-up day)."""
        return self.workday(day)[0]

    def is_holiday(self, day: dt.date) -> bool:
        """True when ``day`` is a day off: a statutory holiday or a weekend not made up."""
        return not self.workday(day)[0]

    def covers(self, year: int) -> bool:
        """True when ``year``'s schedule is known (entered, or carried by the package)."""
        return bool(self.entered(year)) or _library_workday(dt.date(year, 1, 1)) is not None

    def next_workday(self, day: dt.date) -> tuple[dt.date, bool]:
        """``day`` itself when worked, else the first working day after it (Civil Code
        art. 203), and whether a guess was involved."""
        guessed = False
        while True:
            working, guess = self.workday(day)
            guessed |= guess
            if working:
                return day, guessed
            day += dt.timedelta(days=1)

    def add_working_days(self, start: dt.date, count: int) -> tuple[dt.date, bool]:
        """The ``count``-th working day after ``start``, and whether a guess was involved."""
        day, counted, guessed = start, 0, False
        while counted < count:
            day += dt.timedelta(days=1)
            working, guess = self.workday(day)
            guessed |= guess
            counted += working
        return day, guessed


def current() -> HolidayCalendar:
    """The calendar shared by the current request (a fresh one outside any app context)."""
    if not has_app_context():
        return HolidayCalendar()
    found = g.get(_G_KEY)
    if found is None:
        found = HolidayCalendar()
        setattr(g, _G_KEY, found)
    return found


def is_workday(day: dt.date) -> bool:
    """True when ``day`` is a working day in the court's holiday calendar."""
    return current().is_workday(day)


def is_holiday(day: dt.date) -> bool:
    """True when ``day`` is a statutory holiday or a weekend day that is not made up."""
    return current().is_holiday(day)


def year_covered(year: int) -> bool:
    """True when ``year``'s holiday schedule is known (entered or in the package)."""
    return current().covers(year)
