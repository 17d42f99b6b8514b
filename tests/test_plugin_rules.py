"""The building blocks of advice rules in the plugin API (app/plugins/rules.py): the law counts
a period of years and reads an intake answer one way for every dispute type."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.plugins import (
    SettingMissing,
    add_years,
    format_money,
    format_multiple,
    intake_date,
    intake_decimal,
    years_period,
)

D = dt.date
# The ordinary limitation period (民法典 第188条): 3 years from 2017-10-01, warned 90 days ahead.
YEARS, WARNING = "debt.limitation_years", "debt.limitation_warning_days"


@pytest.mark.parametrize("start, years, ends", [
    (D(2025, 12, 11), 3, D(2028, 12, 11)),
    (D(2024, 2, 29), 3, D(2027, 2, 28)),  # no 29 February in 2027: the month's last day
    (D(2024, 2, 29), 4, D(2028, 2, 29)),
])
def test_a_period_of_years_ends_on_the_corresponding_day(start, years, ends):
    assert add_years(start, years) == ends


@pytest.mark.parametrize("stored, day", [
    ("2026-09-15", D(2026, 9, 15)),
    (D(2026, 9, 15), D(2026, 9, 15)),
    ("", None),
    (None, None),
    ("15/09/2026", None),  # an answer the advice cannot read says nothing, it never fails
])
def test_intake_dates_are_read_from_their_stored_text(stored, day):
    assert intake_date(stored) == day


@pytest.mark.parametrize("stored, amount", [
    ("80000.00", Decimal("80000.00")),
    (168, Decimal(168)),
    ("", None),
    (None, None),
    ("八万", None),
])
def test_intake_amounts_are_read_exactly(stored, amount):
    assert intake_decimal(stored) == amount


def test_amounts_and_multiples_read_as_a_message_shows_them():
    assert format_money(Decimal("9600")) == "9,600.00"
    assert format_money(Decimal("1680.5")) == "1,680.50"
    assert format_multiple(Decimal("4.00")) == "4" and format_multiple(Decimal("1.50")) == "1.5"


def test_a_limitation_period_near_its_end_is_within_the_warning_window(app):
    with app.app_context():
        period = years_period(D(2025, 12, 11), YEARS, WARNING, today=D(2028, 10, 1))
    assert (period.years, period.ends, period.days_left) == (3, D(2028, 12, 11), 71)
    assert period.near and not period.expired


def test_the_last_day_of_the_period_still_counts_and_the_next_does_not(app):
    with app.app_context():
        last = years_period(D(2025, 12, 11), YEARS, WARNING, today=D(2028, 12, 11))
        after = years_period(D(2025, 12, 11), YEARS, WARNING, today=D(2028, 12, 12))
    assert last.near and not last.expired and last.days_left == 0
    assert after.expired and not after.near and after.days_left == -1


def test_a_period_far_from_its_end_is_neither_near_nor_expired(app):
    with app.app_context():
        period = years_period(D(2025, 12, 11), YEARS, WARNING, today=D(2026, 12, 11))
    assert not period.near and not period.expired


def test_the_length_in_force_on_the_start_day_applies(app):
    """A later row changes periods that start from its day on, not the ones already running."""
    from app.extensions import db
    from app.models import Setting

    with app.app_context():
        db.session.add(Setting(key=YEARS, value="5", valid_from=D(2026, 1, 1), source="test"))
        db.session.commit()
        before = years_period(D(2025, 12, 11), YEARS, WARNING, today=D(2026, 6, 1))
        after = years_period(D(2026, 1, 2), YEARS, WARNING, today=D(2026, 6, 1))
    assert (before.years, after.years) == (3, 5)


def test_a_start_before_any_recorded_length_asks_for_a_check_by_hand(app):
    """Before 2017-10-01 the General Principles' 2-year period applied: no row, no guess."""
    with app.app_context(), pytest.raises(SettingMissing):
        years_period(D(2016, 5, 1), YEARS, WARNING, today=D(2026, 6, 1))
