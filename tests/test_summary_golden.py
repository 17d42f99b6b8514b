"""The dashboard's figures (app/reports/summary.py) against a fixed data set counted by hand
(tests/dashboard_world.py): cases by type, town and month with the previous range, the success
rate, the median days to resolution, return visits, judicial confirmations and the partners'
response times — for the district, a centre and a partner. Run on SQLite and PostgreSQL: the
medians and China-time months must agree on both."""
from __future__ import annotations

import pytest

from tests.dashboard_world import CENTRE_A, DISTRICT, FROM, TO, TODAY, seed


@pytest.fixture
def world(app, jiefen):
    for role in ("Clerk", "Judge", "Partner", "Leadership"):
        jiefen.username(role)
    with app.app_context():
        return seed()


def figures_for(app, jiefen, username=None, scope=None, first=FROM, last=TO):
    """``summary()`` as the user ``username`` reads it (or for ``scope``), on the fixed day."""
    from app.extensions import appbuilder
    from app.reports.periods import parse_range
    from app.reports.scope import report_scope
    from app.reports.summary import summary

    with jiefen.on_day(TODAY), app.test_request_context("/?_l_=en"):
        if scope is None:
            scope = report_scope(appbuilder.sm.find_user(username=username))
        return summary(scope, parse_range(first, last, TODAY), TODAY)


def by_name(rows, world, key="area_id"):
    names = {world[k]: k for k in ("A", "B")}
    return {names.get(r[key]): (r["count"], r["previous"]) for r in rows}


def check(found: dict, expected: dict, world: dict) -> None:
    assert found["cases"] == expected["cases"]
    assert {r["code"]: (r["count"], r["previous"]) for r in found["by_type"]} == expected["by_type"]
    assert by_name(found["by_area"], world) == expected["by_area"]
    assert [(m["month"], m["count"]) for m in found["by_month"]] == expected["by_month"]
    assert found["mediation"] == expected["mediation"]
    assert found["resolution"] == expected["resolution"]
    assert found["overdue"]["count"] == expected["overdue"]
    visits = dict(found["visits"], distribution={d["score"]: d["count"] for d in found["visits"]["distribution"]})
    assert visits == expected["visits"]
    assert found["confirmations"] == expected["confirmations"]
    partners = {world["P1"]: "P1", world["P2"]: "P2"}
    assert {partners[r["partner_id"]]: (r["sent"], r["answered"], r["on_time"], r["overdue"], r["median_hours"],
                                        r["average_hours"]) for r in found["referrals"]} == expected["referrals"]


def test_leadership_reads_the_districts_figures_as_counted_by_hand(app, jiefen, world):
    found = figures_for(app, jiefen, "kit_leadership")
    assert found["scope"]["kind"] == "district"
    assert found["range"] == {"from": "2026-04-01", "to": "2026-06-15", "days": 76}
    assert found["previous_range"] == {"from": "2026-01-15", "to": "2026-03-31"}
    check(found, DISTRICT, world)
    # the most cases first, the district's own cases last
    assert [r["area_id"] for r in found["by_area"]] == [world["A"], world["B"], None]
    assert found["referrals"][0]["partner"] == "城区交警大队"


def test_a_judge_of_the_court_reads_the_district_too(app, jiefen, world):
    found = figures_for(app, jiefen, "kit_judge")
    assert found["scope"]["kind"] == "district"
    check(found, DISTRICT, world)


def test_a_centres_clerk_reads_only_the_centres_area(app, jiefen, world):
    found = figures_for(app, jiefen, "kit_clerk")
    assert found["scope"] == {"kind": "centre", "label": "香洲街道综治中心"}
    check(found, CENTRE_A, world)


def test_a_partner_reads_only_its_own_referral_figures(app, jiefen, world):
    found = figures_for(app, jiefen, "kit_partner")
    assert found["scope"]["kind"] == "partner"
    assert [(r["partner_id"], r["sent"], r["answered"], r["on_time"], r["overdue"], r["median_hours"])
            for r in found["referrals"]] == [(world["P1"], 5, 3, 2, 1, 48.0)]
    for section in ("cases", "by_type", "by_area", "by_month", "mediation", "resolution", "overdue", "visits",
                    "confirmations"):
        assert found[section] is None


def test_the_months_are_china_time_months(app, jiefen, world):
    # c1 was registered at 00:30 on 1 April in China, still 31 March in UTC: an April case.
    found = figures_for(app, jiefen, "kit_leadership", first="2026-04-01", last="2026-04-01")
    assert found["cases"]["total"] == 1 and found["by_month"] == [{"month": "2026-04", "count": 1}]
    # c7 at 23:30 on 31 March in China: the day before, with the same length (one day)
    assert found["previous_range"] == {"from": "2026-03-31", "to": "2026-03-31"}
    assert found["cases"]["previous"] == 1 and found["cases"]["change_pct"] == 0.0


def test_a_range_with_nothing_in_it_says_so_with_no_rate(app, jiefen, world):
    found = figures_for(app, jiefen, "kit_leadership", first="2024-01-01", last="2024-12-31")
    assert found["cases"] == {"total": 0, "previous": 0, "change_pct": None}
    assert found["mediation"] == {"concluded": 0, "reached": 0, "failed": 0, "success_rate": None}
    assert found["resolution"] == {"resolved": 0, "median_days": None}
    assert found["visits"]["average_satisfaction"] is None and found["referrals"] == []
    assert [m["month"] for m in found["by_month"]][:2] == ["2024-01", "2024-02"] and len(found["by_month"]) == 12
    assert found["overdue"]["count"] == DISTRICT["overdue"]  # overdue is now, whatever the range


def test_an_odd_number_of_resolved_cases_has_the_middle_one_as_median(app, jiefen, world):
    # 1 April – 9 May: c1 (10 days), c2 (20 days), c3 (4 days), c8 (64 days), c20 (30 days)
    found = figures_for(app, jiefen, "kit_leadership", first="2026-04-01", last="2026-05-15")
    assert found["resolution"] == {"resolved": 5, "median_days": 20.0}


def test_the_success_rate_is_the_one_definition_other_reports_share(app, jiefen, world):
    from sqlalchemy import true

    from app.extensions import db
    from app.models.case import Case
    from app.reports.periods import parse_range
    from app.reports.summary import conclusions, success_rate

    with app.test_request_context():
        period = parse_range(FROM, TO, TODAY)
        rows = {t: (c, r) for t, c, r in db.session.execute(conclusions(true(), period, Case.dispute_type)) if c}
    assert rows == {"traffic": (2, 1), "labour": (1, 0), "property": (3, 3), "debt": (1, 1)}
    assert success_rate(5, 7) == 71.4 and success_rate(0, 0) is None
