"""The holiday calendar an administrator enters (issue 12, deadline 10): the ``chinese_calendar``
package stops at 2026, so a 2027 schedule comes from the State Council's notice through the
"Holiday calendar" page, takes precedence over the package, and drives every count
(domain-rules.md, "Counting periods": the schedule is the State Council's yearly notice; an
administrator must be able to enter a new year's schedule as dated data).

domain-rules.md has no 2027 notice yet, so the 2027 Spring Festival below is a plausible set, not
the official one: 元旦 on Friday 1 January; 春节 off Friday 5 to Saturday 13 February; Sunday
31 January and Saturday 20 February worked in exchange. The point is that what the
administrator entered, and nothing else, moves the dates.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_deadlines import deadlines, register, walk

D = dt.date
UTC = dt.timezone.utc
HOLIDAYS_2027 = [(D(2027, 1, 1), "元旦")] + [(D(2027, 2, 5) + dt.timedelta(days=i), "春节") for i in range(9)]
MAKE_UP_2027 = [D(2027, 1, 31), D(2027, 2, 20)]
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知（测试用假设数据）"


def enter(client, day: dt.date, kind: str, name: str = "", follow: bool = True):
    """Add one day on the Holiday calendar page, as an administrator does."""
    page = client.get("/admin/holidays/add").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "day": day.isoformat(), "kind": kind, "name": name, "source": NOTICE}
    return client.post("/admin/holidays/add", data=form, follow_redirects=follow)


def enter_2027(client) -> None:
    for day, name in HOLIDAYS_2027:
        assert enter(client, day, "holiday", name).status_code == 200
    for day in MAKE_UP_2027:
        assert enter(client, day, "workday", "春节").status_code == 200


def rows(app) -> int:
    from app.extensions import db
    from app.models import HolidayDay

    with app.app_context():
        return db.session.scalar(select(func.count(HolidayDay.id)))


def test_spring_festival_2027_entered_on_the_page_drives_the_count(app, places, admin_client):
    """A 30-day period and a 30-working-day period across the 2027 Spring Festival, first
    guessed Monday–Friday, then counted from the administrator's days and no longer guessed."""
    thirty = register(app, places, "family")
    walk(app, thirty, ("start_screening", D(2027, 1, 6)), ("accept_mediation", D(2027, 1, 6)))
    working = register(app, places, "medical")
    walk(app, working, ("start_screening", D(2027, 1, 20)), ("accept_mediation", D(2027, 1, 20)))
    on = D(2027, 1, 21)

    before = deadlines(app, thirty, on=on)["core.pre_filing_mediation"]
    assert (before.due, before.holiday_calendar_missing) == (D(2027, 2, 5), True)  # a Friday, guessed worked
    guessed = deadlines(app, working, on=on)["medical.mediation_period"]
    assert (guessed.due, guessed.holiday_calendar_missing) == (D(2027, 3, 3), True)  # Monday–Friday only

    enter_2027(admin_client)
    assert rows(app) == len(HOLIDAYS_2027) + len(MAKE_UP_2027)

    # Day 30 is Friday 5 February, 春节: off until Saturday the 13th, Sunday the 14th is no
    # make-up day, so the period ends on Monday 15 February (Civil Code art. 203).
    after = deadlines(app, thirty, on=on)["core.pre_filing_mediation"]
    assert (after.due, after.holiday_calendar_missing) == (D(2027, 2, 15), False)
    # 21–22 Jan (2), 25–29 (7), Sun 31 Jan worked (8), 1–4 Feb (12), 15–19 (17), Sat 20 worked (18),
    # 22–26 (23), 1–5 Mar (28), 8–9 Mar (30).
    counted = deadlines(app, working, on=on)["medical.mediation_period"]
    assert (counted.due, counted.holiday_calendar_missing) == (D(2027, 3, 9), False)


def test_entered_days_take_precedence_over_the_package_for_their_year(app):
    """A year with entered days is read from them alone: the package's 2026 National Day no
    longer counts once an administrator entered 2026 (a court correcting the package)."""
    from app.extensions import db
    from app.models import HolidayDay
    from app.services.holidays import HolidayCalendar

    with app.app_context():
        assert HolidayCalendar().is_holiday(D(2026, 10, 1))
        db.session.add(HolidayDay(day=D(2026, 10, 9), kind="holiday", name="测试"))
        db.session.commit()
        calendar = HolidayCalendar()
        assert calendar.is_workday(D(2026, 10, 1)) and calendar.is_holiday(D(2026, 10, 9))
        assert calendar.is_holiday(D(2026, 10, 11)) and not calendar.workday(D(2026, 10, 11))[1]


def test_a_years_days_are_read_in_one_query_however_many_days_are_asked(app):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.holidays import HolidayCalendar

    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            day, guessed = HolidayCalendar().add_working_days(D(2027, 1, 1), 200)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert day.year == 2027 and guessed and len(seen) == 1


def test_bad_days_get_field_errors_in_chinese_and_nothing_is_stored(app, admin_client):
    """An impossible date, a make-up working day on a weekday, and a second entry for a day."""
    admin_client.get("/lang/zh")
    page = admin_client.get("/admin/holidays/add").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "kind": "holiday", "name": "春节", "source": NOTICE}
    bad_date = admin_client.post("/admin/holidays/add", data=dict(form, day="2027-02-30")).get_data(as_text=True)
    assert "请按YYYY-MM-DD格式输入有效日期。" in bad_date
    weekday = admin_client.post("/admin/holidays/add", data=dict(form, day="2027-02-10", kind="workday"))
    assert "调休上班日只能是周六或周日" in weekday.get_data(as_text=True)
    assert rows(app) == 0
    assert enter(admin_client, D(2027, 2, 10), "holiday", "春节").status_code == 200
    again = enter(admin_client, D(2027, 2, 10), "holiday", "春节").get_data(as_text=True)
    assert "该日已在节假日安排中" in again
    assert rows(app) == 1


def test_entering_a_day_is_audited_like_a_setting(app, admin_client):
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        mark = helpers.audit_mark()
    enter(admin_client, D(2027, 2, 5), "holiday", "春节")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.id > mark,
                                                             AuditEvent.table_name == "holiday_day")).all()
    assert [(e.action, e.changes["kind"], e.changes["name"]) for e in events] == [("insert", "holiday", "春节")]


def test_the_holiday_calendar_is_for_administrators_only(clerk_client):
    assert clerk_client.get("/admin/holidays/list/").status_code in (302, 403)
    assert clerk_client.get("/admin/holidays/add").status_code in (302, 403)


@pytest.mark.parametrize("utc, shown", [
    (dt.datetime(2026, 10, 31, 15, 30, tzinfo=UTC), False),  # 23:30 on 31 October in Beijing
    (dt.datetime(2026, 10, 31, 16, 30, tzinfo=UTC), True),  # 00:30 on 1 November in Beijing
])
def test_my_work_warns_the_administrator_from_1_november_when_next_year_is_missing(
        app, admin_client, monkeypatch, utc, shown):
    from app.services import clock

    monkeypatch.setattr(clock, "utc_now", lambda: utc)
    admin_client.get("/lang/en")
    page = admin_client.get("/mywork/").get_data(as_text=True)
    assert ('id="mywork-holiday-calendar"' in page) is shown
    if shown:
        assert "Holidays of 2027" in page and "/admin/holidays/list/" in page
        enter(admin_client, D(2027, 1, 1), "holiday", "元旦")  # the notice is out: the warning goes
        assert 'id="mywork-holiday-calendar"' not in admin_client.get("/mywork/").get_data(as_text=True)
