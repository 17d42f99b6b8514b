"""The building blocks of advice rules in the plugin API (app/plugins/rules.py): the law counts
a period of years and reads an intake answer one way for every dispute type."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.plugins import (
    ORDINARY_LIMITATION,
    SettingMissing,
    add_years,
    court_day,
    format_money,
    format_multiple,
    intake_date,
    intake_decimal,
    period_end,
    years_period,
)

D = dt.date
# The ordinary limitation period (民法典 第188条): 3 years from 2017-10-01, warned 90 days ahead.
YEARS, WARNING = ORDINARY_LIMITATION, "debt.limitation_warning_days"


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


# -- the last day of a period, as the deadline engine counts it ------------------------------------
# domain-rules.md, "Counting periods": "A period whose last day is a **statutory holiday** ends on
# the first working day after the holiday (Civil Code art. 203)". 2026 (State Council notice):
# National Day off 1–7 October, Saturday 10 October worked.

@pytest.mark.parametrize("start, length, unit, ends", [
    # traffic row: "joint written application within **10 days** of the accident determination";
    # received 21 September, day 10 is 1 October: the window runs to Thursday 8 October.
    (D(2026, 9, 21), 10, "days", D(2026, 10, 8)),
    (D(2026, 9, 16), 15, "days", D(2026, 10, 8)),   # labour row: 15 days from the application
    (D(2026, 9, 30), 10, "days", D(2026, 10, 10)),  # a make-up Saturday is worked: no roll
    (D(2026, 11, 2), 10, "days", D(2026, 11, 12)),  # an ordinary Thursday stays
    (D(2026, 11, 26), 10, "days", D(2026, 12, 7)),  # a Sunday moves to Monday
    (D(2026, 9, 3), 1, "months", D(2026, 10, 8)),
    (D(2023, 10, 3), 3, "years", D(2026, 10, 8)),
])
def test_a_period_whose_last_day_is_a_holiday_ends_on_the_next_working_day(app, start, length, unit, ends):
    with app.app_context():
        assert period_end(start, length, unit) == ends


def test_the_advice_counts_a_period_exactly_as_the_deadline_engine_does(app):
    """One counting: every start of a 10-day window across National Day gives the engine's day."""
    from app.lifecycle.deadlines import last_day

    with app.app_context():
        for offset in range(40):
            start = D(2026, 9, 1) + dt.timedelta(days=offset)
            for length, unit in ((10, "days"), (30, "working days"), (1, "months"), (3, "years")):
                assert period_end(start, length, unit) == last_day(start, length, unit)[0]


def test_a_limitation_period_ending_on_a_holiday_runs_to_the_next_working_day(app):
    """3 years from 3 October 2023 end on Saturday 3 October 2026, in the National Day holiday:
    the period ends on Thursday 8 October (art. 203 applies to limitation periods too), so on
    that day the claim is not yet time-barred, and on the 9th it is."""
    with app.app_context():
        last = years_period(D(2023, 10, 3), YEARS, WARNING, today=D(2026, 10, 8))
        after = years_period(D(2023, 10, 3), YEARS, WARNING, today=D(2026, 10, 9))
    assert (last.ends, last.days_left, last.expired) == (D(2026, 10, 8), 0, False)
    assert last.near and after.expired


def test_a_stored_timestamp_falls_on_chinas_day(app):
    """02:00 on 1 October in Shanwei is 18:00 on 30 September in UTC, as the database keeps it."""
    stored = dt.datetime(2026, 9, 30, 18, 0)  # naive: SQLite hands UTC back without a zone
    with app.app_context():
        assert court_day(stored) == D(2026, 10, 1)
        assert court_day(stored.replace(tzinfo=dt.timezone.utc)) == D(2026, 10, 1)
        assert court_day(dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.timezone.utc)) == D(2026, 9, 30)
