"""The deadline engine: golden due dates for every rule, across the 2026 National Day week,
dated settings, years without holiday data, and where each deadline stands.

Expected dates are counted by hand from the State Council's 2026 holiday notice (Mid-Autumn
off 25–27 September; National Day off 1–7 October; Sunday 20 September and Saturday
10 October are make-up working days), never by asking chinese_calendar again.
"""
from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import make_migrated_app

SHANWEI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture(scope="module")
def dapp(database, tmp_path_factory):
    """An app with the core rules and every built-in plugin."""
    app = make_migrated_app(database, tmp_path_factory.mktemp("deadlines"))
    yield app
    with app.app_context():
        from app.extensions import db

        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def world(dapp):
    """Places to register cases in; every row is removed after the test."""
    with dapp.app_context():
        places = helpers.create_places()
    yield places
    with dapp.app_context():
        helpers.wipe_case_data()


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of ``day`` in Shanwei, in UTC as the database keeps it."""
    return dt.datetime.combine(day, dt.time(hour, minute), SHANWEI).astimezone(dt.timezone.utc)


def register(app, places, code: str = "traffic", intake: dict | None = None, **case_fields) -> int:
    """Register a case through the API (as a client would), then set fields no intake path
    sets yet (track, procedure, responsible staff). Returns its id."""
    payload = helpers.traffic_payload(places)
    payload["dispute_type"] = code
    payload["intake"] = copy.deepcopy(app.extensions["jiefen"].registry.samples[code])
    payload["intake"].update(intake or {})
    client = app.test_client()
    token = helpers.api_token(client, "admin")
    r = client.post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    if case_fields:
        from app.extensions import db
        from app.models import Case

        with app.app_context():
            case = db.session.get(Case, case_id)
            for name, value in case_fields.items():
                setattr(case, name, value)
            db.session.commit()
    return case_id


def walk(app, case_id: int, *steps: tuple[str, dt.date]) -> None:
    """Perform each ``(action, day)`` with the real workflow, then move that timeline entry
    to 10:00 on ``day``: perform() stamps the real clock, and the engine dates a period from
    the timeline, so this is how a test puts a step on the day its scenario needs."""
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Case, Consent, Mediator, TimelineEvent

    with app.app_context():
        admin = app.appbuilder.sm.find_user(username="admin")
        case = db.session.get(Case, case_id)
        for action, day in steps:
            if action == "agreement_effective":  # the last signature, given on ``day``: no move
                from app.lifecycle.workflow import record
                from app.models.outcome import Agreement

                # The period runs from the day the agreement took effect (Agreement.effective_on),
                # not from the timeline entry, which is stamped whenever it is typed in.
                db.session.add(Agreement(case_id=case.id, template_code="compensation", committee="测试调解委员会",
                                         mediator_name="测试调解员", drafted_on=day, effective_on=day))
                record(case, admin, "agreement", "agreement_effective")
                db.session.commit()
                continue
            if action == "accept_offer":  # the mediator receives the file: a timeline entry, no move
                from app.lifecycle.workflow import record

                record(case, admin, "assignment", "accept_offer").at = at(day)
                db.session.commit()
                continue
            if action == "accept_mediation":  # every disputing party consents first
                for party in case.parties:
                    db.session.add(Consent(case_id=case.id, party_id=party.id, subject="mediation",
                                           decision="given", channel="window", at=at(day, 9)))
                db.session.commit()
            if action == "schedule" and case.mediator_id is None:
                mediator = Mediator(name="测试调解员")
                db.session.add(mediator)
                db.session.flush()
                case.mediator_id = mediator.id
                db.session.commit()
            perform(case, action, admin, note="测试", data={"track": "ordinary"})
            event = db.session.scalars(
                select(TimelineEvent).where(TimelineEvent.case_id == case.id, TimelineEvent.action == action)
                .order_by(TimelineEvent.id.desc())
            ).first()
            event.at = at(day)
            db.session.commit()


def to_mediation(accepted: dt.date, assigned: dt.date | None = None, started: dt.date | None = None):
    """The steps from registration to in_mediation, dated."""
    assigned = assigned or accepted
    started = started or assigned
    return [("start_screening", accepted), ("accept_mediation", accepted), ("assign", assigned),
            ("schedule", assigned), ("start_mediation", started)]


def record_event(app, case_id: int, rule: str, moment: str) -> None:
    """Record when the event ``rule`` starts from happened, as staff do on the case's page."""
    from app.extensions import db
    from app.lifecycle.suspension import record_start
    from app.models import Case

    with app.test_request_context():
        admin = app.appbuilder.sm.find_user(username="admin")
        record_start(db.session.get(Case, case_id), rule, admin, moment)


def deadlines(app, case_id: int, on=None) -> dict:
    """``{code: Deadline}`` of a case as counted on ``on``."""
    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    with app.app_context():
        return {d.code: d for d in case_deadlines(db.session.get(Case, case_id), on=on)}


# -- golden due dates ---------------------------------------------------------------------

def test_medical_30_working_days_skip_national_day_and_count_the_make_up_saturday(dapp, world):
    case = register(dapp, world, "medical")
    walk(dapp, case, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 25)))
    d = deadlines(dapp, case, on=D(2026, 10, 1))["medical.mediation_period"]
    # 28–30 Sep (3), 8–9 Oct (5), Sat 10 Oct make-up day (6), then Mon–Fri to 12 Nov (30).
    assert (d.starts_on, d.due, d.unit, d.length) == (D(2026, 9, 25), D(2026, 11, 12), "working days", 30)
    assert d.status == "running" and d.days_left == 42 and not d.holiday_calendar_missing
    assert d.source and d.setting_key == "medical.mediation_working_days"
    assert "core.pre_filing_mediation" not in deadlines(dapp, case, on=D(2026, 10, 1))  # the specific period stands in


def test_a_type_with_its_own_pre_filing_period_replaces_the_core_one(dapp, world):
    """medical declares its own period (``replaces``, with its reason in law): one period, not two."""
    from app.lifecycle.deadlines import case_deadlines

    case = register(dapp, world, "medical")
    with dapp.test_request_context():
        from app.extensions import db
        from app.models import Case

        codes = [d.code for d in case_deadlines(db.session.get(Case, case))]
    assert "medical.mediation_period" in codes and "core.pre_filing_mediation" not in codes


def test_pre_filing_mediation_is_30_calendar_days_from_acceptance(dapp, world):
    case = register(dapp, world, "family")
    walk(dapp, case, ("start_screening", D(2026, 9, 27)), ("accept_mediation", D(2026, 9, 28)))
    d = deadlines(dapp, case, on=D(2026, 10, 1))["core.pre_filing_mediation"]
    assert (d.starts_on, d.due, d.unit, d.length) == (D(2026, 9, 28), D(2026, 10, 28), "days", 30)
    assert "法释〔2016〕14号" in d.source and d.needs_check


def test_court_entrusted_mediation_15_days_ordinary_7_simplified_from_receipt(dapp, world):
    ordinary = register(dapp, world, "family", track="court_entrusted")  # no procedure: ordinary
    simplified = register(dapp, world, "family", track="court_entrusted", procedure="simplified")
    walk(dapp, ordinary, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 25)),
         ("assign", D(2026, 9, 28)), ("accept_offer", D(2026, 9, 28)))
    walk(dapp, simplified, ("start_screening", D(2026, 9, 30)), ("accept_mediation", D(2026, 9, 30)),
         ("assign", D(2026, 10, 2)), ("accept_offer", D(2026, 10, 2)))
    d = deadlines(dapp, ordinary, on=D(2026, 10, 1))
    assert "core.pre_filing_mediation" not in d  # the court track has its own period
    assert (d["core.court_mediation"].starts_on, d["core.court_mediation"].due) == (D(2026, 9, 28), D(2026, 10, 13))
    assert d["core.court_mediation"].setting_key == "core.court_mediation_days_ordinary"
    s = deadlines(dapp, simplified, on=D(2026, 10, 1))["core.court_mediation"]
    assert (s.starts_on, s.due, s.length) == (D(2026, 10, 2), D(2026, 10, 9), 7)
    assert "2024年12月27日" in s.source


def test_court_period_did_not_exist_before_2025(dapp, world):
    case = register(dapp, world, "family", track="court_entrusted")
    walk(dapp, case, ("start_screening", D(2024, 12, 20)), ("accept_mediation", D(2024, 12, 20)),
         ("assign", D(2024, 12, 20)), ("accept_offer", D(2024, 12, 20)))
    assert "core.court_mediation" not in deadlines(dapp, case, on=D(2024, 12, 21))


def test_traffic_joint_application_10_days_from_the_determination(dapp, world):
    case = register(dapp, world, "traffic", intake={"accident_date": "2026-09-18", "determination_date": "2026-09-29"})
    d = deadlines(dapp, case, on=D(2026, 10, 1))
    app_ = d["traffic.police_mediation_application"]
    assert (app_.starts_on, app_.due, app_.length) == (D(2026, 9, 29), D(2026, 10, 9), 10)
    # the parties never went to police mediation: its period does not apply to this case
    assert "traffic.police_mediation_period" not in d


def test_labour_15_day_window_from_the_application(dapp, world):
    case = register(dapp, world, "labour", intake={"mediation_applied_on": "2026-09-24"})
    d = deadlines(dapp, case, on=D(2026, 10, 1))["labour.mediation_window"]
    assert (d.starts_on, d.due, d.length, d.unit) == (D(2026, 9, 24), D(2026, 10, 9), 15, "days")


def test_judicial_confirmation_30_days_to_apply_and_3_days_to_accept(dapp, world):
    case = register(dapp, world, "family")
    walk(dapp, case, *to_mediation(D(2026, 9, 21)), ("reach_agreement", D(2026, 9, 29)),
         ("agreement_effective", D(2026, 9, 30)))  # 30 days run from the last signature
    d = deadlines(dapp, case, on=D(2026, 10, 8))
    assert d["core.pre_filing_mediation"].status == "met"
    apply_ = d["core.confirmation_application"]
    assert (apply_.starts_on, apply_.due, apply_.status) == (D(2026, 9, 30), D(2026, 10, 30), "running")
    assert d["core.confirmation_acceptance"].status == "waiting"
    walk(dapp, case, ("apply_confirmation", D(2026, 10, 9)))
    d = deadlines(dapp, case, on=D(2026, 10, 9))
    assert d["core.confirmation_application"].status == "met"
    accept = d["core.confirmation_acceptance"]
    assert (accept.starts_on, accept.due, accept.length) == (D(2026, 10, 9), D(2026, 10, 12), 3)
    assert accept.status == "due_soon" and accept.days_left == 3


def test_the_days_the_clerk_enters_start_and_end_the_confirmation_periods(dapp, world):
    """The joint application's day and the court's acceptance day, as entered, count — not the
    moment the step was clicked, nor the later decision."""
    from app.extensions import db
    from app.models import JudicialConfirmation

    case = register(dapp, world, "traffic")
    walk(dapp, case, *to_mediation(D(2026, 9, 21)), ("reach_agreement", D(2026, 9, 29)),
         ("agreement_effective", D(2026, 9, 30)), ("apply_confirmation", D(2026, 10, 20)))
    with dapp.app_context():  # entered later: the parties applied on 10-8, the court accepted on 10-10
        db.session.add(JudicialConfirmation(case_id=case, applied_on=D(2026, 10, 8), accepted_on=D(2026, 10, 10)))
        db.session.commit()
    d = deadlines(dapp, case, on=D(2026, 10, 25))
    assert d["core.confirmation_application"].status == "met"
    accept = d["core.confirmation_acceptance"]
    # accepted within its 3 days while the decision is still pending: met, not overdue. The third
    # day, 11 October, is a Sunday (no make-up day that year): the period ends on Monday the 12th
    # (Civil Code art. 203; domain-rules.md "Counting periods").
    assert (accept.starts_on, accept.due, accept.status) == (D(2026, 10, 8), D(2026, 10, 12), "met")
    with dapp.app_context():
        db.session.query(JudicialConfirmation).filter_by(case_id=case).update({"accepted_on": D(2026, 10, 14)})
        db.session.commit()
    assert deadlines(dapp, case, on=D(2026, 10, 25))["core.confirmation_acceptance"].status == "late"


def test_family_protection_order_72_hours_or_24_if_urgent(dapp, world):
    from app.extensions import db
    from app.models import Case

    order = {"domestic_violence": True, "protection_order_requested": True}
    plain = register(dapp, world, "family", intake=order)
    urgent = register(dapp, world, "family", intake={**order, "protection_order_urgent": True})
    for case_id in (plain, urgent):  # the court accepted the applications (反家庭暴力法 第28条)
        record_event(dapp, case_id, "family.protection_order_decision", "2026-09-30 16:30")
    registered = dt.datetime(2026, 9, 30, 16, 30, tzinfo=SHANWEI)
    d = deadlines(dapp, plain, on=dt.datetime(2026, 10, 3, 16, 0, tzinfo=SHANWEI))["family.protection_order_decision"]
    assert (d.unit, d.length, d.starts_on, d.due) == ("hours", 72, registered, registered + dt.timedelta(hours=72))
    assert d.in_hours and d.status == "due_soon" and d.days_left == 0
    late = deadlines(dapp, plain, on=dt.datetime(2026, 10, 3, 17, 0, tzinfo=SHANWEI))
    assert late["family.protection_order_decision"].status == "overdue"
    u = deadlines(dapp, urgent, on=dt.datetime(2026, 10, 1, 9, 0, tzinfo=SHANWEI))["family.protection_order_decision"]
    assert (u.length, u.due) == (24, dt.datetime(2026, 10, 1, 16, 30, tzinfo=SHANWEI))


def test_a_year_without_holiday_data_falls_back_to_weekdays_and_says_so(dapp, world):
    with pytest.raises(NotImplementedError):  # premise: update this test when the library learns 2027
        chinese_calendar.is_workday(D(2027, 1, 4))
    case = register(dapp, world, "medical")
    walk(dapp, case, ("start_screening", D(2026, 12, 25)), ("accept_mediation", D(2026, 12, 25)))
    d = deadlines(dapp, case, on=D(2026, 12, 28))["medical.mediation_period"]
    # 28–31 Dec from the 2026 data (4), then 2027 Monday–Friday only: Fri 1 Jan (5) … Fri 5 Feb (30).
    assert d.due == D(2027, 2, 5) and d.holiday_calendar_missing
    same_year = register(dapp, world, "medical")
    walk(dapp, same_year, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 25)))
    assert not deadlines(dapp, same_year, on=D(2026, 10, 1))["medical.mediation_period"].holiday_calendar_missing


def test_a_newer_setting_changes_periods_starting_after_it_only(dapp, world):
    from app.extensions import db
    from app.models import Setting

    with dapp.app_context():
        db.session.add(Setting(key="core.prefiling_mediation_days", value="20", valid_from=D(2026, 10, 1),
                               source="本院诉前调解工作规则（2026年修订）"))
        db.session.commit()
    before = register(dapp, world, "family")
    after = register(dapp, world, "family")
    walk(dapp, before, ("start_screening", D(2026, 9, 28)), ("accept_mediation", D(2026, 9, 28)))
    walk(dapp, after, ("start_screening", D(2026, 10, 9)), ("accept_mediation", D(2026, 10, 9)))
    b = deadlines(dapp, before, on=D(2026, 10, 10))["core.pre_filing_mediation"]
    a = deadlines(dapp, after, on=D(2026, 10, 10))["core.pre_filing_mediation"]
    assert (b.length, b.due) == (30, D(2026, 10, 28)) and "法释〔2016〕14号" in b.source
    assert (a.length, a.due) == (20, D(2026, 10, 29)) and a.source == "本院诉前调解工作规则（2026年修订）"


# -- where a deadline stands --------------------------------------------------------------

def test_status_waiting_running_due_soon_overdue_met(dapp, world):
    case = register(dapp, world, "family")
    assert deadlines(dapp, case)["core.pre_filing_mediation"].status == "waiting"
    walk(dapp, case, ("start_screening", D(2026, 9, 28)), ("accept_mediation", D(2026, 9, 28)))
    due = D(2026, 10, 28)
    expected = {D(2026, 10, 24): ("running", 4), D(2026, 10, 25): ("due_soon", 3),
                due: ("due_soon", 0), D(2026, 10, 29): ("overdue", -1)}
    for on, (status, left) in expected.items():
        d = deadlines(dapp, case, on=on)["core.pre_filing_mediation"]
        assert (d.status, d.days_left) == (status, left), on
    walk(dapp, case, ("assign", D(2026, 10, 29)), ("schedule", D(2026, 10, 29)),
         ("start_mediation", D(2026, 10, 29)), ("fail_mediation", D(2026, 10, 30)))
    d = deadlines(dapp, case, on=D(2026, 11, 30))
    # mediation failed a day after the period ran out: it ended late, not "met"
    assert d["core.pre_filing_mediation"].status == "late" and d["core.pre_filing_mediation"].days_left is None
    # the case never reached an agreement: the confirmation periods did not apply
    assert "core.confirmation_application" not in d and "core.confirmation_acceptance" not in d


def test_plugin_rules_end_when_the_case_ends_and_unstarted_rules_drop_out(dapp, world):
    case = register(dapp, world, "traffic", intake={"determination_date": "2026-09-29"})
    assert deadlines(dapp, case, on=D(2026, 10, 20))["traffic.police_mediation_application"].status == "overdue"
    walk(dapp, case, ("withdraw", D(2026, 10, 21)))
    d = deadlines(dapp, case, on=D(2026, 10, 22))
    assert d["traffic.police_mediation_application"].status == "late"  # withdrawn after the window closed
    assert set(d) == {"traffic.police_mediation_application"}  # nothing else ever started


def test_most_urgent_first_and_due_soon_is_a_dated_setting(dapp, world):
    from app.extensions import db
    from app.models import Setting

    # the police took up the parties' joint application on 30 September: their 10 days end on 10 October
    case = register(dapp, world, "traffic", intake={"determination_date": "2026-09-29",
                                                    "police_mediation_on": "2026-09-30"})
    record_event(dapp, case, "traffic.police_mediation_period", "2026-09-30")  # the end of treatment
    found = deadlines(dapp, case, on=D(2026, 10, 9))
    # the application was made on 30 September: its window is met, the police's own period is what runs
    assert [(code, d.status) for code, d in found.items()][0] == ("traffic.police_mediation_period", "due_soon")
    assert found["traffic.police_mediation_application"].status == "met"
    assert found["traffic.police_mediation_period"].days_left == 1
    with dapp.app_context():
        db.session.add(Setting(key="core.due_soon_days", value="0", valid_from=D(2026, 1, 1), source="测试"))
        db.session.commit()
    assert deadlines(dapp, case, on=D(2026, 10, 9))["traffic.police_mediation_period"].status == "running"
    # neither police window runs once the parties are in mediation here
    walk(dapp, case, *to_mediation(D(2026, 10, 9)))
    found = deadlines(dapp, case, on=D(2026, 10, 12))
    assert found["traffic.police_mediation_application"].status == "met"
    assert found["traffic.police_mediation_period"].status == "met"


def test_a_disabled_plugin_adds_no_deadlines(dapp, world):
    from app.extensions import db

    case = register(dapp, world, "medical")
    walk(dapp, case, ("start_screening", D(2026, 9, 25)), ("accept_mediation", D(2026, 9, 25)))
    with dapp.app_context():
        dapp.extensions["jiefen"].dispatcher.set_enabled("medical", False)
        db.session.commit()
    found = deadlines(dapp, case, on=D(2026, 10, 1))
    assert "medical.mediation_period" not in found and "core.pre_filing_mediation" in found


def test_many_cases_cost_a_fixed_number_of_queries(dapp, world):
    from sqlalchemy import event

    from app.extensions import db
    from app.lifecycle.deadlines import deadlines_for_cases
    from app.models import Case

    ids = [register(dapp, world, "family") for _ in range(6)]
    for case_id in ids[:3]:
        walk(dapp, case_id, ("start_screening", D(2026, 9, 28)), ("accept_mediation", D(2026, 9, 28)))
    seen = []
    with dapp.app_context():
        cases = db.session.scalars(select(Case).where(Case.id.in_(ids))).all()

        def count(*_args):
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            with dapp.test_request_context():  # plugin switches are read once per request
                found = deadlines_for_cases(cases, on=D(2026, 10, 1))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(found) == 6 and found[ids[0]][0].due == D(2026, 10, 28)
    # plugin switches, settings, timeline states and actions, extensions, confirmations, and the
    # administrator's holiday days of 2026 (read once for every case: app/services/holidays.py)
    # + the start events and suspensions staff recorded (one query for all the cases)
    assert len(seen) <= 8, "\n".join(seen)


# -- the core's screening advice ------------------------------------------------------------

def advice(app, case_id) -> dict:
    """The core's advice on a case, in English."""
    from flask_babel import force_locale

    from app.extensions import db
    from app.models import Case

    with app.test_request_context(), force_locale("en"):
        case = db.session.get(Case, case_id)
        return {a.code: (a.severity, str(a.message)) for a in
                app.extensions["jiefen"].dispatcher.collect("diversion_advice", case=case)
                if a.code.startswith("core.")}


def test_small_claims_advice_asks_for_the_wage_until_it_is_entered(dapp, world):
    from app.extensions import db
    from app.models import Setting

    small = register(dapp, world, "debt")  # claim 19,300.50
    assert advice(dapp, small)["core.small_claims_wage_missing"][0] == "warning"
    with dapp.app_context():
        db.session.add(Setting(key="core.small_claims_wage", value="100000", valid_from=D(2026, 1, 1),
                               source="测试数值（非真实工资数据）"))
        db.session.commit()
    found = advice(dapp, small)
    assert set(found) == {"core.small_claims"} and "¥50,000.00" in found["core.small_claims"][1]
    assert "property-title" in found["core.small_claims"][1]
    with dapp.app_context():
        from app.models import Case

        db.session.get(Case, small).claim_amount = Decimal(120000)
        db.session.commit()
    found = advice(dapp, small)
    assert set(found) == {"core.small_claims_by_agreement", "core.fast_track"}
    assert "¥200,000.00" in found["core.small_claims_by_agreement"][1]
    # A family support claim may go to small claims; its personal-status and custody matters
    # may not, and the advice names them (the type declares them, not the whole type).
    family = register(dapp, world, "family")
    found = advice(dapp, family)
    assert "core.small_claims" in found and "Custody of and visits to a child" in found["core.small_claims"][1]


def test_the_deadline_table_shows_hours_in_court_time_and_warns_about_guessed_holidays(dapp, world):
    from flask import render_template_string
    from flask_babel import force_locale

    from app.extensions import db
    from app.lifecycle.deadlines import case_deadlines
    from app.models import Case

    family = register(dapp, world, "family", intake={"domestic_violence": True, "protection_order_requested": True})
    medical = register(dapp, world, "medical")
    walk(dapp, medical, ("start_screening", D(2026, 12, 25)), ("accept_mediation", D(2026, 12, 25)))
    record_event(dapp, family, "family.protection_order_decision", "2026-09-30 16:30")
    table = '{% from "jiefen/_deadlines.html" import deadline_table %}{{ deadline_table(ds) }}'
    with dapp.test_request_context(), force_locale("en"):
        case = db.session.get(Case, family)
        hours = render_template_string(table, ds=case_deadlines(case, on=D(2026, 10, 1)))
        guessed = render_template_string(table, ds=case_deadlines(db.session.get(Case, medical), on=D(2026, 12, 28)))
    assert "2026-09-30 16:30" in hours and "2026-10-03 16:30" in hours and "(72 hours)" in hours
    assert "deadline-holiday-warning" not in hours
    assert "deadline-holiday-warning" in guessed and "2027-02-05" in guessed and "(30 working days)" in guessed


def test_a_period_that_ends_on_its_due_day_is_met_and_one_day_later_is_late(dapp, world):
    on_time, over = register(dapp, world, "family"), register(dapp, world, "family")
    for case, ended in ((on_time, D(2026, 10, 28)), (over, D(2026, 10, 29))):
        walk(dapp, case, ("start_screening", D(2026, 9, 28)), ("accept_mediation", D(2026, 9, 28)),
             ("assign", ended), ("schedule", ended), ("start_mediation", ended), ("fail_mediation", ended))
    assert deadlines(dapp, on_time, on=D(2026, 11, 5))["core.pre_filing_mediation"].status == "met"
    late = deadlines(dapp, over, on=D(2026, 11, 5))["core.pre_filing_mediation"]
    assert (late.status, late.due) == ("late", D(2026, 10, 28))
