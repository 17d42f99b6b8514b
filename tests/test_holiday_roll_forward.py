"""Holiday roll-forward (issue 12, deadline 1): a period counted in days, months or years whose
last day is a statutory holiday, or a weekend that is not a make-up working day, ends on the first
working day after it (domain-rules.md, "Counting periods": Civil Code art. 203; Civil Procedure
Law, chapter on periods). Periods in hours do not move (art. 201: hours count from the event);
periods in working days already end on a working day.

Expected dates are counted by hand from the State Council's 2026 notice (National Day off
1–7 October; Sunday 20 September and Saturday 10 October are make-up working days).
"""
from __future__ import annotations

import datetime as dt

from tests.test_deadlines import deadlines, record_event, register, to_mediation, walk

D = dt.date


def test_a_30_day_period_ending_on_national_day_ends_on_8_october(app, places):
    """Accepted 1 September: day 30 is 1 October, National Day; the period ends on Thursday
    8 October, the first working day after the holiday (art. 203). A protection order's 72 hours
    from 16:30 on 30 September end at 16:30 on 3 October, a holiday, all the same: hours are not
    days (art. 201), and the roll-forward is about a period's last day."""
    from zoneinfo import ZoneInfo

    case = register(app, places, "family")
    walk(app, case, ("start_screening", D(2026, 9, 1)), ("accept_mediation", D(2026, 9, 1)))
    d = deadlines(app, case, on=D(2026, 10, 2))["core.pre_filing_mediation"]
    assert (d.starts_on, d.due, d.length, d.unit) == (D(2026, 9, 1), D(2026, 10, 8), 30, "days")
    assert (d.status, d.days_left) == ("running", 6)  # not overdue during the holiday
    assert deadlines(app, case, on=D(2026, 10, 8))["core.pre_filing_mediation"].status == "due_soon"
    assert deadlines(app, case, on=D(2026, 10, 9))["core.pre_filing_mediation"].status == "overdue"
    assert not d.holiday_calendar_missing
    order = register(app, places, "family", intake={"domestic_violence": True, "protection_order_requested": True})
    record_event(app, order, "family.protection_order_decision", "2026-09-30 16:30")  # the court's acceptance
    beijing = ZoneInfo("Asia/Shanghai")
    hours = deadlines(app, order, on=dt.datetime(2026, 10, 1, 9, tzinfo=beijing))["family.protection_order_decision"]
    assert hours.due == dt.datetime(2026, 10, 3, 16, 30, tzinfo=beijing)


def test_the_judicial_confirmation_window_ending_on_1_october_rolls_to_8_october(app, places):
    """The 30 days to apply for judicial confirmation (rule 5) run from the last signature on
    1 September; their last day, 1 October, is National Day."""
    case = register(app, places, "family")
    walk(app, case, *to_mediation(D(2026, 8, 20)), ("reach_agreement", D(2026, 8, 31)),
         ("agreement_effective", D(2026, 9, 1)))
    d = deadlines(app, case, on=D(2026, 10, 5))
    window = d["core.confirmation_application"]
    assert (window.starts_on, window.due, window.status) == (D(2026, 9, 1), D(2026, 10, 8), "due_soon")
    # Accepted 20 August: day 30 is Saturday 19 September; Sunday the 20th is a make-up working
    # day, so the period ends that Sunday, not on Monday.
    assert d["core.pre_filing_mediation"].due == D(2026, 9, 20)


def test_an_ordinary_weekend_moves_the_last_day_a_make_up_saturday_does_not(app, places):
    """Court-entrusted simplified mediation, 7 days from the mediator's receipt on Saturday
    10 October (rule 7): day 7 is Saturday 17 October, so the period ends Monday the 19th.
    Labour's 15 days from 25 September end on Saturday 10 October, a make-up working day (调休),
    and stay there."""
    case = register(app, places, "family", track="court_entrusted", procedure="simplified")
    walk(app, case, ("start_screening", D(2026, 10, 9)), ("accept_mediation", D(2026, 10, 9)),
         ("assign", D(2026, 10, 10)), ("accept_offer", D(2026, 10, 10)))
    d = deadlines(app, case, on=D(2026, 10, 12))["core.court_mediation"]
    assert (d.starts_on, d.due, d.length) == (D(2026, 10, 10), D(2026, 10, 19), 7)
    labour = register(app, places, "labour", intake={"mediation_applied_on": "2026-09-25"})
    window = deadlines(app, labour, on=D(2026, 10, 9))["labour.mediation_window"]
    assert (window.starts_on, window.due) == (D(2026, 9, 25), D(2026, 10, 10))
