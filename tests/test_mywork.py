"""My work: a mediator's offers and most urgent cases, a clerk's cases falling due, a judge's
duty today — only within what each may see, at a cost that does not grow with the cases."""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests import helpers
from tests.fixtures import csrf_token, make_migrated_app
from tests.test_deadlines import register, walk

PASSWORD = "mywork-Pa55-word"
USERS = {"mw_mediator": "Clerk", "mw_clerk": "Clerk", "mw_judge": "Judge"}


@pytest.fixture(scope="module")
def wapp(database, tmp_path_factory):
    """An app with the core rules and the My work page, and its three users."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("mywork"))
    with app.app_context():
        sm = app.appbuilder.sm
        roles = {name: [sm.find_role(name)] for name in set(USERS.values())}
        for username, role in USERS.items():
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name=username, last_name="测试",
                            email=f"{username}@jiefen.invalid", role=roles[role], password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def desk(wapp):
    """Two streets, a mediation committee and a centre in the first, a mediator for the
    mediator user, and the users' memberships; ids of it all."""
    from app.extensions import db
    from app.models import Area, Mediator, Membership, Organization

    with wapp.app_context():
        sm = wapp.appbuilder.sm
        district = Area(name="汕尾市城区", level="district", code="441502")
        xiangzhou = Area(name="香洲街道", level="town", parent=district)
        fengshan = Area(name="凤山街道", level="town", parent=district)
        committee = Organization(name="香洲街道人民调解委员会", kind="mediation_committee", area=xiangzhou)
        centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=xiangzhou)
        db.session.add_all([district, xiangzhou, fengshan, committee, centre])
        db.session.flush()
        users = {name: sm.find_user(username=name).id for name in USERS}
        mediator = Mediator(name="陈调解", user_id=users["mw_mediator"], organization_id=committee.id)
        db.session.add_all([
            mediator,
            Membership(user_id=users["mw_mediator"], organization_id=committee.id),
            Membership(user_id=users["mw_clerk"], organization_id=centre.id),
        ])
        db.session.commit()
        ids = {"street": xiangzhou.id, "other_street": fengshan.id, "centre": centre.id,
               "committee": committee.id, "mediator": mediator.id, **users}
    yield ids
    with wapp.app_context():
        helpers.wipe_case_data()


def login(app, username):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    return client


def today(app) -> dt.date:
    from app.services.settings import today as court_today

    with app.app_context():
        return court_today()


def places(desk, other=False) -> dict:
    return {"street": desk["other_street" if other else "street"], "centre": None if other else desk["centre"]}


def mediating_case(app, desk, accepted: dt.date, other=False) -> int:
    """A debt case in mediation with the desk's mediator, accepted on ``accepted``."""
    case = register(app, places(desk, other), "debt", mediator_id=desk["mediator"])
    walk(app, case, ("start_screening", accepted), ("accept_mediation", accepted), ("assign", accepted),
         ("schedule", accepted), ("start_mediation", accepted))
    return case


def offer(app, desk, other=False) -> int:
    """A case offered to the desk's mediator, not yet answered."""
    from app.extensions import db
    from app.models import Assignment

    day = today(app)
    case = register(app, places(desk, other), "debt")
    walk(app, case, ("start_screening", day), ("accept_mediation", day), ("assign", day))
    with app.app_context():
        db.session.add(Assignment(case_id=case, mediator_id=desk["mediator"]))
        db.session.commit()
    return case


def case_order(html: str, section: str) -> list[int]:
    """Case ids listed in a section of the page, in page order."""
    part = html.split(f'id="{section}"', 1)[1].split('class="panel panel-default"', 1)[0]
    return [int(i) for i in re.findall(r'class="(?:mywork-case|offer)" data-case="(\d+)"', part)]


def test_a_mediator_sees_the_pending_offer_and_the_overdue_case_first(wapp, desk):
    day = today(wapp)
    running = mediating_case(wapp, desk, day - dt.timedelta(days=2))
    overdue = mediating_case(wapp, desk, day - dt.timedelta(days=40))
    offered = offer(wapp, desk)
    html = login(wapp, "mw_mediator").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "mywork-offers") == [offered]
    assert case_order(html, "mywork-mediating") == [overdue, running]
    assert "label-danger" in html.split(f'data-case="{overdue}"', 1)[1].split("mywork-case", 1)[0]
    assert 'id="mywork-duty"' not in html  # not a judge


def test_a_responsible_clerk_sees_the_case_falling_due_and_not_the_others(wapp, desk):
    day = today(wapp)
    due_soon = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    calm = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    someone_elses = register(wapp, places(desk), "family")
    for case, accepted in ((due_soon, day - dt.timedelta(days=28)), (calm, day),
                           (someone_elses, day - dt.timedelta(days=28))):
        walk(wapp, case, ("start_screening", accepted), ("accept_mediation", accepted))
    html = login(wapp, "mw_clerk").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "mywork-staff") == [due_soon]
    assert "label-warning" in html and "Due soon" in html
    assert 'id="mywork-offers"' not in html  # not a mediator


def test_own_work_shows_even_outside_the_users_area_and_nothing_else_does(wapp, desk):
    """A mediator sees what they mediate or are offered, a clerk what they answer for, even
    at another centre (the scope rule's last line); an unrelated case there stays hidden."""
    day = today(wapp)
    mediated = mediating_case(wapp, desk, day - dt.timedelta(days=40), other=True)
    offered = offer(wapp, desk, other=True)
    answerable = register(wapp, places(desk, other=True), "family", responsible_staff_id=desk["mw_clerk"])
    unrelated = register(wapp, places(desk, other=True), "family")
    for case in (answerable, unrelated):
        walk(wapp, case, ("start_screening", day - dt.timedelta(days=29)),
             ("accept_mediation", day - dt.timedelta(days=29)))
    mediator_page = login(wapp, "mw_mediator").get("/mywork/").get_data(as_text=True)
    assert case_order(mediator_page, "mywork-offers") == [offered]
    assert case_order(mediator_page, "mywork-mediating") == [mediated]
    staff = case_order(login(wapp, "mw_clerk").get("/mywork/").get_data(as_text=True), "mywork-staff")
    assert answerable in staff and unrelated not in staff


def test_a_judge_sees_todays_duty(wapp, desk):
    from app.extensions import db
    from app.models import DutyShift

    with wapp.app_context():
        db.session.add_all([
            DutyShift(judge_id=desk["mw_judge"], centre_id=desk["centre"], day=today(wapp), half="am"),
            DutyShift(judge_id=desk["mw_judge"], centre_id=desk["centre"], day=today(wapp) + dt.timedelta(days=1),
                      half="pm"),
        ])
        db.session.commit()
    html = login(wapp, "mw_judge").get("/mywork/?_l_=en").get_data(as_text=True)
    duty = html.split('id="mywork-duty"', 1)[1]
    assert duty.count('class="duty-shift"') == 1 and "香洲街道综治中心" in duty


def test_anonymous_visitors_are_sent_to_sign_in(wapp):
    r = wapp.test_client().get("/mywork/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@contextmanager
def statements(app):
    from app.extensions import db

    seen = []

    def record(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_page_costs_the_same_queries_for_3_or_9_cases(wapp, desk):
    day = today(wapp)
    mediator, clerk = login(wapp, "mw_mediator"), login(wapp, "mw_clerk")

    def add(n):
        for i in range(n):
            mediating_case(wapp, desk, day - dt.timedelta(days=10 * i))
            offer(wapp, desk)
            case = register(wapp, places(desk), "debt", responsible_staff_id=desk["mw_clerk"])
            walk(wapp, case, ("start_screening", day - dt.timedelta(days=29)),
                 ("accept_mediation", day - dt.timedelta(days=29)))

    def cost(client):
        with statements(wapp) as seen:
            assert client.get("/mywork/").status_code == 200
        return len(seen)

    add(3)
    few = cost(mediator), cost(clerk)
    add(6)
    assert (cost(mediator), cost(clerk)) == few


def test_todays_appointments_and_due_return_visits_are_listed(wapp, desk):
    from zoneinfo import ZoneInfo

    from app.extensions import db
    from app.models import Appointment, ReturnVisit

    mine = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    day = today(wapp)
    with wapp.app_context():
        zone = ZoneInfo("Asia/Shanghai")
        db.session.add_all([
            Appointment(case_id=mine, starts_at=dt.datetime.combine(day, dt.time(15, 0), tzinfo=zone),
                        mode="offline", place="香洲街道综治中心调解室", participants=["林晓明"]),
            Appointment(case_id=mine, starts_at=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(9, 0), tzinfo=zone),
                        mode="offline", place="明天的调解室", participants=[]),
            ReturnVisit(case_id=mine, scheduled_for=day - dt.timedelta(days=1)),
            ReturnVisit(case_id=mine, scheduled_for=day + dt.timedelta(days=10)),
        ])
        db.session.commit()
    html = login(wapp, "mw_clerk").get("/mywork/?_l_=en").get_data(as_text=True)
    appointments = html.split('id="mywork-appointments"', 1)[1].split('id="mywork-visits"', 1)[0]
    visits = html.split('id="mywork-visits"', 1)[1]
    assert "香洲街道综治中心调解室" in appointments and "明天的调解室" not in appointments
    assert visits.count("/visits/") == 1
