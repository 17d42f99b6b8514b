"""China time in what the application proposes (issue 12, deadline 11): at 23:30 UTC it is
already the next day in Shanwei, and a date offered or counted must be Beijing's day, read from
the one clock (app/services/clock.py), never the server's ``date.today()``.
"""
from __future__ import annotations

import datetime as dt

import pytest

LATE_EVENING_UTC = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.timezone.utc)
BEIJING_DAY = dt.date(2026, 12, 7)


@pytest.fixture
def frozen(monkeypatch):
    """The application's clock stopped at 2026-12-06 23:30 UTC (07:30 on 12-07 in Beijing)."""
    from app.services import clock

    monkeypatch.setattr(clock, "utc_now", lambda: LATE_EVENING_UTC)


def test_the_agreement_form_offers_beijings_day_as_the_agreements_date(app, frozen):
    from app.agreements.forms import AgreementDraftForm

    with app.test_request_context():
        assert AgreementDraftForm(meta={"csrf": False}).signed_on.data == BEIJING_DAY


def test_a_period_ending_on_beijings_sunday_rolls_to_monday_at_23_30_utc(app, places, frozen):
    """Advice and deadlines count on Beijing's day: accepted on Beijing's Friday 6 November, a
    30-day period's day 30 is Sunday 6 December and ends Monday the 7th (Civil Code art. 203) —
    today in Beijing, so it is due today, not overdue and not two days away."""
    from tests.test_deadlines import deadlines, register, walk

    case = register(app, places, "family")
    walk(app, case, ("start_screening", dt.date(2026, 11, 6)), ("accept_mediation", dt.date(2026, 11, 6)))
    d = deadlines(app, case)["core.pre_filing_mediation"]
    assert (d.due, d.days_left, d.status) == (BEIJING_DAY, 0, "due_soon")
