"""The demo data (`jiefen setup`, what `make run` loads) tells a year's story: every type, every
street and town, every state of the lifecycle, deadlines that are mostly running, people who
can sign in. Setup runs once (and then again, to prove it adds nothing) for the whole module."""
from __future__ import annotations

import collections
import datetime as dt
import re

import pytest
from sqlalchemy import func, select


TOWNS = {"香洲街道", "凤山街道", "新港街道", "马宫街道", "红草镇", "东涌镇", "捷胜镇"}


@pytest.fixture
def ctx(demo):
    app = demo[0]
    with app.app_context(), app.test_request_context():
        yield app
        from app.extensions import db

        db.session.remove()


def all_cases():
    from app.extensions import db
    from app.models.case import Case

    return db.session.scalars(select(Case).order_by(Case.id)).all()


def test_running_setup_again_adds_nothing_and_loses_nothing(demo):
    _app, first, second, output = demo
    assert first == second
    assert "already present" in output


def test_about_two_hundred_cases_of_every_type_in_every_town_over_the_last_twelve_months(ctx):
    from app.services.clock import court_day, today

    cases = all_cases()
    assert 180 <= len(cases) <= 220
    by_type = collections.Counter(c.dispute_type for c in cases)
    assert set(by_type) == {"family", "property", "traffic", "debt", "consumer", "medical", "labour"}
    assert min(by_type.values()) >= 20, by_type
    assert {c.area.name for c in cases} == TOWNS
    days = [court_day(c.created_at) for c in cases]
    assert min(days) >= today() - dt.timedelta(days=365) and max(days) >= today() - dt.timedelta(days=1)
    assert len({(d.year, d.month) for d in days}) >= 12  # spread over the year, not bunched at the end


def test_every_state_of_the_lifecycle_is_on_show(ctx):
    from app.extensions import db
    from app.models.lifecycle import TimelineEvent
    from app.models.outcome import JudicialConfirmation, ReturnVisit, Signature, Agreement
    from app.services.clock import today

    cases = all_cases()
    states = collections.Counter(c.status for c in cases)
    for state in ("registered", "screening", "mediation_accepted", "assigned", "scheduled", "in_mediation",
                  "agreement_reached", "mediation_failed", "litigation_screening", "judicial_confirmation",
                  "performing", "closed", "transferred", "withdrawn"):
        assert states[state] >= 1, f"no demo case is {state}: {states}"
    assert states["closed"] > states["performing"]  # most of a year's cases are finished
    unsigned = db.session.scalar(select(func.count(func.distinct(Agreement.case_id))).join(Signature)
                                 .where(Signature.signed_on.is_(None)))
    assert unsigned >= 1  # an agreement awaiting signatures
    assert db.session.scalar(select(func.count()).select_from(JudicialConfirmation)
                             .where(JudicialConfirmation.result == "pending")) >= 1
    by_id = {c.id: c for c in cases}
    due = db.session.scalars(select(ReturnVisit).where(ReturnVisit.done_on.is_(None),
                                                       ReturnVisit.scheduled_for <= today())).all()
    assert any(by_id[v.case_id].status == "performing" for v in due)  # a return visit is due
    failed_then_transferred = db.session.scalars(
        select(TimelineEvent.case_id).where(TimelineEvent.action == "fail_mediation")).all()
    assert any(by_id[i].status == "transferred" for i in failed_then_transferred)
    assert any(c.track == "court_entrusted" for c in cases)


def test_mediators_have_appointments_today(ctx):
    from app.extensions import db
    from app.models.mediation import Appointment
    from app.services.clock import court_day, today

    planned = db.session.scalars(select(Appointment).where(Appointment.status == "planned")).all()
    todays = [a for a in planned if court_day(a.starts_at) == today()]
    assert len(todays) >= 3
    by_id = {c.id: c for c in all_cases()}
    assert {by_id[a.case_id].status for a in todays} <= {"scheduled", "in_mediation"}


def test_open_cases_deadlines_are_mostly_running_a_few_overdue(ctx):
    from app.lifecycle.deadlines import deadlines_for_cases
    from app.lifecycle.machine import OPEN_STATES

    open_cases = [c for c in all_cases() if c.status in OPEN_STATES]
    counted = deadlines_for_cases(open_cases)
    worst = collections.Counter()
    for case in open_cases:
        statuses = {d.status for d in counted.get(case.id, [])}
        for status in ("overdue", "due_soon", "running"):
            if status in statuses:
                worst[status] += 1
                break
    assert worst["overdue"] >= 1, worst  # some cases need attention...
    assert worst["running"] + worst["due_soon"] > 3 * worst["overdue"], worst  # ...but most are on time


def test_parties_vary_and_their_numbers_are_valid(ctx):
    from app.extensions import db
    from app.models.party import Party
    from app.validation.identity import is_valid_credit_code, is_valid_mobile, parse_id_number

    parties = db.session.scalars(select(Party)).all()
    people = [p for p in parties if p.kind == "person"]
    for p in people:
        assert parse_id_number(p.id_number) == p.birth_date, p.id_number
        assert is_valid_mobile(p.mobile)
    assert all(is_valid_credit_code(p.id_number) for p in parties if p.kind == "organization")
    assert len({p.name for p in people}) > len(people) // 3
    # one ID number is one person; the warning demo brings one person back in several cases
    # (a repeat party), nobody else appears twice
    names_of = collections.defaultdict(set)
    for p in people:
        names_of[p.id_number].add(p.name)
    assert all(len(names) == 1 for names in names_of.values())
    assert len(names_of) >= len(people) - 5
    assert len({p.mobile for p in parties}) > 0.95 * len(parties)
    plates = [v["plate"] for c in all_cases() if c.dispute_type == "traffic" for v in c.intake_data["vehicles"]]
    assert len(set(plates)) == len(plates)
    assert len({c.claim_amount for c in all_cases()}) > 100


def test_every_case_is_the_story_the_lifecycle_wrote(ctx):
    from app.extensions import db
    from app.lifecycle.outcome import agreement_of
    from app.lifecycle.visits import visits_of
    from app.models.lifecycle import TimelineEvent
    from app.services.clock import court_day, stored_utc

    for case in all_cases():
        events = db.session.scalars(select(TimelineEvent).where(TimelineEvent.case_id == case.id)
                                    .order_by(TimelineEvent.id)).all()
        assert events[0].action == "register"
        assert abs(stored_utc(events[0].at) - stored_utc(case.created_at)) < dt.timedelta(seconds=5)
        ats = [stored_utc(e.at) for e in events]
        assert ats == sorted(ats), case.case_no  # told in the order it happened
        moves = [e.to_state for e in events if e.to_state]
        assert moves[-1] == case.status, case.case_no
        assert re.match(rf"（{court_day(case.created_at).year}）", case.case_no)  # numbered in its own year
        agreement = agreement_of(case)
        if agreement is not None and agreement.effective_on is not None:
            assert all(s.signed_on <= agreement.effective_on for s in agreement.signatures)
            assert all(v.done_on is None or v.done_on >= agreement.effective_on for v in visits_of(case))
        if case.status == "closed" and agreement is not None:
            assert all(v.done_on is not None for v in visits_of(case))


def test_every_demo_staff_member_can_be_given_a_password_and_every_mediator_has_a_login(ctx):
    from app.extensions import db
    from app.models.mediator import Mediator
    from app.models.membership import Membership

    sm = ctx.appbuilder.sm
    staff = [u for u in sm.get_all_users() if u.username != "admin"]
    assert {"clerk_xiangzhou", "clerk_jiesheng", "clerk_court", "judge_chen", "police_liaison", "med_zhengzm"} <= {
        u.username for u in staff}
    members = {m.user_id: m for m in db.session.scalars(select(Membership))}
    for user in staff:
        assert user.roles, user.username
        assert user.id in members, f"{user.username} belongs to no organisation"
    # a random password each, shown to nobody: the administrator sets the real one
    assert len({u.password for u in staff}) == len(staff)
    court_clerk = sm.find_user(username="clerk_court")
    assert [r.name for r in court_clerk.roles] == ["Clerk"] and members[court_clerk.id].organization.is_court
    mediators = db.session.scalars(select(Mediator)).all()
    assert len(mediators) >= 6
    for mediator in mediators:
        assert mediator.user_id is not None, mediator.name
        assert [r.name for r in mediator.user.roles] == ["Mediator"]
        assert members[mediator.user_id].organization_id == mediator.organization_id


def test_the_audit_log_names_who_took_each_step(ctx):
    from app.extensions import db
    from app.models.audit import AuditEvent
    from app.models.case import Case

    rows = db.session.execute(select(AuditEvent.row_id, AuditEvent.actor_id, AuditEvent.via)
                              .where(AuditEvent.table_name == "cases", AuditEvent.action == "insert")).all()
    registered_by = dict(db.session.execute(select(Case.id, Case.created_by_fk)).all())
    assert len(rows) == len(registered_by)
    assert all(actor == registered_by[int(row)] and via == "web" for row, actor, via in rows)


def sign_in(client, username: str, password: str) -> None:
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"], username


@pytest.mark.parametrize("username", ["med_zhengzm", "clerk_hongcao", "clerk_court", "judge_chen", "police_liaison"])
def test_once_the_administrator_sets_a_password_each_demo_user_finds_work_waiting(demo, username):
    app = demo[0]
    with app.app_context():
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username=username).id, "set-by-the-admin-1")
        from app.extensions import db

        db.session.remove()
    client = app.test_client()
    sign_in(client, username, "set-by-the-admin-1")
    page = client.get("/mywork/")
    assert page.status_code == 200
    if username != "police_liaison":  # a partner reads referrals on the partner pages
        assert "汕城解" in page.get_data(as_text=True)  # a case waits for them


def test_the_case_page_of_every_state_opens_for_the_administrator(demo):
    app = demo[0]
    with app.app_context():
        from app.extensions import db

        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="admin").id, "admin-pass-for-the-test")
        one_per_state = {c.status: c.id for c in all_cases()}
        db.session.remove()
    client = app.test_client()
    sign_in(client, "admin", "admin-pass-for-the-test")
    assert client.get("/case/list/").status_code == 200
    for state, case_id in one_per_state.items():
        assert client.get(f"/case/show/{case_id}").status_code == 200, state


def test_the_story_is_planned_the_same_way_every_time_and_fits_the_types_enabled(app):
    from app.demo_story import FATES, plan_story

    towns = sorted(TOWNS)
    day = dt.date(2026, 12, 6)
    every = ["family", "property", "traffic", "debt", "consumer", "medical", "labour"]
    with app.app_context():  # which types a court never confirms comes from their declarations
        plans = plan_story(every, towns, day)
        again = plan_story(every, towns, day)
        only_labour = plan_story(["labour"], towns, day)
        only_family = plan_story(["family"], towns, day)
    assert [(p.dispute_type, p.fate, p.registered_on) for p in plans] == [
        (p.dispute_type, p.fate, p.registered_on) for p in again]
    assert {p.fate for p in plans} == set(FATES)
    assert all(day - dt.timedelta(days=365) <= p.registered_on <= day for p in plans)
    # labour goes to arbitration, never to the court's screening
    assert not [p for p in plans if p.dispute_type == "labour" and p.fate in ("litigation_screening", "transferred_refused")]
    assert len(only_labour) == len(plans)
    assert not {"litigation_screening", "transferred_refused"} & {p.fate for p in only_labour}
    # a court confirms a family agreement's support and custody terms (tests/test_agreement_terms.py):
    # only a type excluded as a whole is kept from confirmation, and no built-in type is
    assert "confirmation_pending" in {p.fate for p in only_family}


def test_the_replay_gives_the_real_clock_back_even_when_a_step_fails():
    from app.demo_story import replay_clock
    from app.services import clock

    real = clock.utc_now
    long_ago = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(RuntimeError):
        with replay_clock() as set_to:
            set_to(long_ago)
            assert abs(clock.utc_now() - long_ago) < dt.timedelta(seconds=5)
            from app.models.types import utcnow

            assert abs(utcnow() - long_ago) < dt.timedelta(seconds=5)  # stored timestamps follow it
            raise RuntimeError("a step failed")
    assert clock.utc_now is real
    assert abs(clock.utc_now() - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)


@pytest.mark.parametrize("now_local", ["00:20", "07:00", "23:59"])
def test_a_step_planned_for_later_today_happens_earlier_today_and_never_yesterday(now_local):
    import random
    from zoneinfo import ZoneInfo

    from app.demo_steps import Moments

    zone = ZoneInfo("Asia/Shanghai")
    today = dt.date(2026, 12, 6)
    now = dt.datetime.combine(today, dt.time.fromisoformat(now_local), zone).astimezone(dt.timezone.utc)
    moments = Moments(zone, now, random.Random(1))
    for _ in range(20):
        moment = moments.at(today, (17, 0), (17, 30))
        if moment > now:  # pushed past now by the steps before it: the replay will not take it
            break
        assert moment.astimezone(zone).date() == today
    tomorrow = Moments(zone, now, random.Random(1)).at(today + dt.timedelta(days=1))
    assert tomorrow > now  # a step planned for a later day is never taken


def test_leadership_finds_a_campaign_alerts_a_meeting_bulletins_and_a_map(ctx):
    """What a new leader sees after `make run`: the screening campaign with its hazards, alerts
    raised by the scan, last month's joint meeting discussing them, last quarter's bulletin
    issued and a draft, and the towns placed on the map."""
    from app.extensions import db
    from app.models import Alert, Area, Bulletin, Hazard, JointMeeting, ScreeningCampaign

    assert db.session.scalar(select(func.count(ScreeningCampaign.id))) == 1
    assert db.session.scalar(select(func.count(Hazard.id))) >= 5
    assert db.session.scalar(select(func.count(Alert.id))) >= 3
    (meeting,) = db.session.scalars(select(JointMeeting)).all()
    assert any(i.case_id for i in meeting.items) and any(i.alert_id or i.hazard_id for i in meeting.items)
    assert sorted(b.status for b in db.session.scalars(select(Bulletin))) == ["draft", "issued"]
    towns = db.session.scalars(select(Area).where(Area.name.in_(TOWNS))).all()
    assert len(towns) == 7 and all(t.latitude is not None for t in towns)
