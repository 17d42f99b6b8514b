""""Overdue now" on the dashboard: one SQL statement (app/reports/overdue.py) that must agree
with the deadline engine the case list and My work use, for every period it counts — a last
day on a weekend or holiday, agreed extensions, suspensions, dated settings, oral agreements,
court-entrusted procedures, a type's declared window — and leave out, as its note says, the
periods it cannot count (medical's 30 working days)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.dashboard_world import TODAY, seed

COUNTED_BY_SQL = {"c7", "c9", "c10", "o11", "o16", "o17", "o18"}


def case_names(world: dict) -> dict:
    """``{case id: "c7"}`` for the data set's cases."""
    return {v: k for k, v in world.items() if k[0] in "co" and k[1:].isdigit()}


@pytest.fixture
def world(app, jiefen):
    jiefen.username("Clerk")
    with app.app_context():
        return seed()


def sql_overdue(app, jiefen, world, day, clause=None):
    from sqlalchemy import true

    from app.extensions import db
    from app.reports.overdue import overdue_case_ids

    names = case_names(world)
    with jiefen.on_day(day), app.test_request_context():
        return {names[i] for i in db.session.scalars(overdue_case_ids(true() if clause is None else clause(), day))}


def engine_overdue(app, jiefen, world, day, skip=("medical.",)):
    """The engine's verdict, as the case list counts it, leaving out the codes SQL does not count."""
    from sqlalchemy import select

    from app.extensions import db
    from app.lifecycle.deadlines import deadlines_for_cases
    from app.lifecycle.machine import OPEN_STATES
    from app.models.case import Case

    names = case_names(world)
    with jiefen.on_day(day), app.test_request_context():
        cases = list(db.session.scalars(select(Case).where(Case.status.in_(OPEN_STATES))))
        return {names[cid] for cid, found in deadlines_for_cases(cases).items()
                if any(d.status == "overdue" and not d.code.startswith(skip) for d in found)}


def test_overdue_now_counts_what_the_deadline_engine_counts(app, jiefen, world):
    assert sql_overdue(app, jiefen, world, TODAY) == COUNTED_BY_SQL
    assert engine_overdue(app, jiefen, world, TODAY) == COUNTED_BY_SQL
    # the medical period in working days is the engine's only, as the dashboard's note says
    assert engine_overdue(app, jiefen, world, TODAY, skip=()) == COUNTED_BY_SQL | {"o19"}


@pytest.mark.parametrize("day", ["2026-06-16", "2026-06-19", "2026-06-22", "2026-06-23", "2026-07-01",
                                 "2026-07-02", "2026-05-19", "2026-05-21"])
def test_sql_and_engine_agree_day_after_day(app, jiefen, world, day):
    # Dragon Boat Festival (19–21 June 2026), weekends and the end of each period
    day = dt.date.fromisoformat(day)
    assert sql_overdue(app, jiefen, world, day) == engine_overdue(app, jiefen, world, day)


def test_a_last_day_on_a_saturday_becomes_overdue_after_monday(app, jiefen, world):
    # o12: 30 days from 14 May end on Saturday 13 June, moved to Monday 15 June
    assert "o12" not in sql_overdue(app, jiefen, world, TODAY)
    assert "o12" in sql_overdue(app, jiefen, world, dt.date(2026, 6, 16))


def test_extensions_and_suspensions_lengthen_the_period(app, jiefen, world):
    # o13: extended by 30 days to 30 June; o14: 15 days suspended, due today; o15: suspended now
    today = sql_overdue(app, jiefen, world, TODAY)
    assert not {"o13", "o14", "o15"} & today
    assert {"o14"} <= sql_overdue(app, jiefen, world, dt.date(2026, 6, 16))
    later = sql_overdue(app, jiefen, world, dt.date(2026, 7, 1))
    assert "o13" in later and "o15" not in later


def test_the_length_in_force_on_the_first_day_counts(app, jiefen, world):
    # 20 days from 15 May on: o17 (from 20 May) was due 9 June, c5 (from 2 June) is due 22 June
    found = sql_overdue(app, jiefen, world, TODAY)
    assert "o17" in found and "c5" not in found and "c7" in found  # c7 began under the 30 days


def test_an_oral_agreement_has_no_confirmation_period(app, jiefen, world):
    assert "o20" not in sql_overdue(app, jiefen, world, dt.date(2026, 12, 31))


def test_a_centre_counts_only_its_areas_overdue_cases(app, jiefen, world):
    from app.extensions import appbuilder
    from app.reports.scope import report_scope

    def centre():
        return report_scope(appbuilder.sm.find_user(username="kit_clerk")).case_clause()

    assert sql_overdue(app, jiefen, world, TODAY, centre) == {"c7", "c9", "o11", "o16", "o18"}


def test_a_disabled_type_keeps_the_core_periods(app, jiefen, world):
    # With the medical plugin off, its cases count the core's 30 calendar days again (engine too).
    jiefen.set_enabled("medical", False)
    try:
        found = sql_overdue(app, jiefen, world, TODAY)
        assert "o19" in found and found == engine_overdue(app, jiefen, world, TODAY)
    finally:
        jiefen.set_enabled("medical", True)
