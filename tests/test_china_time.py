"""China time everywhere: what a clerk types is Beijing wall-clock time, what a page shows is
Beijing time, and "today" is Beijing's day even on a server that runs on UTC.

Flask-Babel's ``get_timezone()`` is a pytz zone; ``replace(tzinfo=<pytz zone>)`` takes its
first offset, Shanghai's local mean time (+08:06), which booked a 15:00 appointment at 14:54.
The clock is frozen through ``app.services.clock.utc_now``, the one seam every "now" and
"today" of the application reads.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_sessions import MEDIATOR, build_web, build_world, case_row, login, new_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
# 23:30 on 6 December in London is already 07:30 on 7 December in Shanwei.
LATE_EVENING_UTC = dt.datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
BEIJING_DAY = dt.date(2026, 12, 7)
# 6 December is a Sunday, and a period's last day on a Sunday moves to Monday 7 December (Civil
# Code art. 203): windows are checked on a working week instead, Tuesday 8 December in London
# being Wednesday 9 December in Shanwei.
WEEKDAY_EVENING_UTC = dt.datetime(2026, 12, 8, 23, 30, tzinfo=UTC)
BEIJING_WEEKDAY = dt.date(2026, 12, 9)


@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """The session pages' app (after ``app``, which migrates the database)."""
    return build_web(database, tmp_path_factory.mktemp("china_time"))


@pytest.fixture
def world(web, places):
    """A centre, its mediator (who is also a user), their memberships."""
    return build_world(web, places)


@pytest.fixture
def frozen(monkeypatch):
    """The application's clock stopped at 2026-12-06 23:30 UTC (07:30 on 12-07 in Beijing)."""
    from app.services import clock

    monkeypatch.setattr(clock, "utc_now", lambda: LATE_EVENING_UTC)
    return LATE_EVENING_UTC


@pytest.fixture
def frozen_weekday(monkeypatch):
    """The application's clock stopped at 2026-12-08 23:30 UTC (07:30 on Wednesday 12-09 in Beijing)."""
    from app.services import clock

    monkeypatch.setattr(clock, "utc_now", lambda: WEEKDAY_EVENING_UTC)
    return WEEKDAY_EVENING_UTC


def china_today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def aware_utc(value: dt.datetime) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite gives it back naive)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- what is typed and what is shown ------------------------------------------------------------
def test_an_appointment_booked_at_15_00_is_stored_as_07_00_utc_and_shown_at_15_00(web, world):
    from app.extensions import db
    from app.models import Appointment

    case_id = new_case(web, world)
    day = china_today() + dt.timedelta(days=1)
    c = login(web, "clerk")
    form = c.get(f"/case/{case_id}/appointment").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/appointment", data={
        "csrf_token": csrf_token(form), "version": case_row(web, case_id)["version"],
        "starts_at": f"{day.isoformat()}T15:00", "mode": "offline", "place": "调解室一", "participants": "林晓明"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with web.app_context():
        starts_at = db.session.scalars(select(Appointment.starts_at).where(Appointment.case_id == case_id)).one()
    assert aware_utc(starts_at) == dt.datetime.combine(day, dt.time(7, 0), UTC)
    records = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert f"{day.isoformat()} 15:00" in records and "14:54" not in records


def test_a_session_recorded_at_09_57_shows_09_57(web, world):
    from app.extensions import db
    from app.models import MediationSession

    case_id = new_case(web, world, "scheduled")
    day = china_today()
    c = login(web, MEDIATOR)
    form = c.get(f"/case/{case_id}/session").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/session", data={
        "csrf_token": csrf_token(form), "held_at": f"{day.isoformat()}T09:57", "mode": "offline",
        "minutes": "双方到场，陈述事故经过。"})
    assert r.status_code == 302, r.get_data(as_text=True)
    with web.app_context():
        held_at = db.session.scalars(select(MediationSession.held_at).where(MediationSession.case_id == case_id)).one()
    assert aware_utc(held_at) == dt.datetime.combine(day, dt.time(9, 57), SHANGHAI).astimezone(UTC)
    records = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert f"{day.isoformat()} 09:57" in records and "09:51" not in records


def test_the_session_form_offers_beijing_time_on_a_utc_server(web, world, frozen):
    case_id = new_case(web, world, "scheduled")
    page = login(web, MEDIATOR).get(f"/case/{case_id}/session").get_data(as_text=True)
    assert 'value="2026-12-07T07:30"' in page


def test_the_clock_reads_beijing_time(app, frozen):
    from app.services import clock

    with app.app_context():
        assert clock.today() == BEIJING_DAY
        assert clock.now().utcoffset() == dt.timedelta(hours=8)
        assert (clock.now().hour, clock.now().minute) == (7, 30)
        # a typed wall-clock time is Beijing time at +08:00, never local mean time +08:06
        assert clock.to_utc(dt.datetime(2026, 12, 7, 15, 0)) == dt.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


# -- "today" is Beijing's day at 07:30 on 7 December (23:30 UTC on the 6th) -----------------------
def test_plugins_today_is_beijings_day(app, frozen):
    from app.plugins import today

    with app.app_context():
        assert today() == BEIJING_DAY


def test_traffic_police_window_counts_beijing_days(app, frozen_weekday):
    from app.plugins import CaseView

    case = CaseView(id=None, dispute_type="traffic", intake_data={"determination_date": "2026-11-28"})
    with app.app_context():
        codes = {a.code for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "traffic.police_window_passed" in codes  # ended Tuesday 12-08: past on 12-09, not on 12-08


def test_a_police_window_ending_on_sunday_is_open_on_beijings_monday(app, frozen):
    """Day 10 after 26 November is Sunday 6 December: the window runs to Monday 7 December
    (Civil Code art. 203), Beijing's today, so police mediation is still possible."""
    from flask_babel import force_locale

    from app.plugins import CaseView

    case = CaseView(id=None, dispute_type="traffic", intake_data={"determination_date": "2026-11-26"})
    with app.test_request_context(), force_locale("en"):
        advice = {a.code: str(a.message) for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "traffic.police_window_passed" not in advice
    assert "still possible until 2026-12-07" in advice["traffic.police_window_open"]


def test_family_child_turns_18_on_beijings_day(app, frozen):
    from app.plugins import CaseView

    case = CaseView(id=None, dispute_type="family", intake_data={"children": [{"name": "林小雨", "birth_date": "2008-12-07"}]})
    with app.app_context():
        codes = {a.code for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "family.minors_involved" not in codes  # 18 today in Shanwei, still 17 in London


def test_debt_limitation_ends_on_beijings_day(app, frozen_weekday):
    from app.plugins import CaseView

    case = CaseView(id=None, dispute_type="debt", intake_data={"due_date": "2023-12-08"})
    with app.app_context():
        codes = {a.code for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "debt.limitation_expired" in codes  # ended Tuesday 12-08: past on 12-09


def test_labour_window_counts_beijing_days(app, frozen_weekday):
    from app.plugins import CaseView
    from app.services.settings import setting_int

    with app.app_context():
        days = setting_int("labour.mediation_days", BEIJING_WEEKDAY)
        applied = BEIJING_WEEKDAY - dt.timedelta(days=days + 1)  # the last day: Tuesday 12-08
        case = CaseView(id=None, dispute_type="labour", intake_data={"mediation_applied_on": applied.isoformat()})
        codes = {a.code for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "labour.mediation_window_passed" in codes


def test_property_late_delivery_counts_beijing_days(app, frozen):
    from app.plugins import CaseView

    case = CaseView(id=None, dispute_type="property", intake_data={
        "subtype": "commercial_housing", "housing_issue": "late_delivery", "agreed_delivery_date": "2026-12-06"})
    with app.app_context():
        codes = {a.code for a in app.extensions["jiefen"].dispatcher.case_advice(case)}
    assert "property.late_delivery" in codes


def test_an_accident_this_morning_in_beijing_is_not_in_the_future(app, places, clerk_token, frozen):
    payload = helpers.traffic_payload(places, accident_date="2026-12-07", determination_date="",
                                      determination_no="")
    r = app.test_client().post("/api/v1/case/?_l_=en", json=payload,
                               headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()


def test_an_id_number_of_a_baby_born_today_in_beijing_is_valid(app, frozen):
    from app.validation.identity import check_digit, parse_id_number

    first17 = "44150220261207002"
    with app.app_context():
        assert parse_id_number(first17 + check_digit(first17)) == BEIJING_DAY


def test_an_agreement_is_dated_with_beijings_day(app, frozen):
    from app.agreements.context import sample_context

    with app.app_context():
        assert sample_context(SimpleNamespace(sample_terms=()))["date"] == "2026年12月7日"


def test_deadlines_count_days_left_from_beijings_day(app, places, clerk_token, frozen):
    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    # the determination came on 27 November: the 10 days to apply for police mediation end on 7 December
    payload = helpers.traffic_payload(places, accident_date="2026-11-20", determination_date="2026-11-27")
    r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        found = {d.code: d for d in case_deadlines(db.session.get(Case, r.get_json()["id"]))}
    window = found["traffic.police_mediation_application"]
    assert (window.due, window.days_left) == (BEIJING_DAY, 0)


def test_a_case_registered_early_on_new_years_day_in_beijing_is_numbered_in_the_new_year(
        app, places, clerk_token, monkeypatch):
    """00:30 on 1 January in Beijing is still 31 December in UTC: the number takes the court's year."""
    from app.services import clock
    from tests import helpers

    monkeypatch.setattr(clock, "utc_now", lambda: dt.datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["case_no"].startswith("（2027）")
