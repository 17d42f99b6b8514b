"""My work: a mediator's offers and most urgent cases, a clerk's own cases falling due, a
judge's duty today — only within what each may see, at a cost that does not grow with the
cases. (The queues of each role: tests/test_mywork_roles.py.)"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager

import lxml.html
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


def case_order(html: str, queue: str) -> list[int]:
    """Case ids listed on a card of My work (``mywork-<queue>``), in page order."""
    cards = lxml.html.fromstring(html).xpath(f"//div[@id='mywork-{queue.removeprefix('mywork-')}']")
    if not cards:
        return []
    return [int(tr.get("data-case")) for tr in cards[0].xpath(".//tr[@data-case]")]


def row_classes(html: str, queue: str, case_id: int) -> str:
    """The classes of a case's row on a card (its urgency shows there)."""
    [row] = lxml.html.fromstring(html).xpath(f"//div[@id='mywork-{queue}']//tr[@data-case='{case_id}']")
    return row.get("class")


def card_count(html: str, queue: str) -> int:
    """The count on a card."""
    [badge] = lxml.html.fromstring(html).xpath(f"//div[@id='mywork-{queue}']//span[contains(@class, 'mywork-count')]")
    return int(badge.text_content())


def test_a_mediator_sees_the_pending_offer_and_the_overdue_case_first(wapp, desk):
    day = today(wapp)
    running = mediating_case(wapp, desk, day - dt.timedelta(days=2))
    overdue = mediating_case(wapp, desk, day - dt.timedelta(days=40))
    offered = offer(wapp, desk)
    html = login(wapp, "mw_mediator").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "offers") == [offered]
    assert case_order(html, "mediating") == [overdue, running]
    assert "mywork-overdue" in row_classes(html, "mediating", overdue)
    assert "mywork-overdue" not in row_classes(html, "mediating", running)
    # one click from the next step: the case is in mediation, its sessions are recorded there
    assert f'href="/case/{running}/sessions"' in html.split('id="mywork-mediating"', 1)[1].split("mywork-col", 1)[0]
    assert f'href="/case/offers/' in html.split('id="mywork-offers"', 1)[1].split("mywork-col", 1)[0]
    assert 'id="mywork-duty"' not in html  # not a judge


def test_a_responsible_clerk_sees_the_case_falling_due_first_and_not_the_others(wapp, desk):
    day = today(wapp)
    calm = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    due_soon = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    someone_elses = register(wapp, places(desk), "family")
    for case, accepted in ((due_soon, day - dt.timedelta(days=28)), (calm, day),
                           (someone_elses, day - dt.timedelta(days=28))):
        walk(wapp, case, ("start_screening", accepted), ("accept_mediation", accepted))
    html = login(wapp, "mw_clerk").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "responsible") == [due_soon, calm]
    assert "mywork-soon" in row_classes(html, "responsible", due_soon) and "Due soon" in html
    assert card_count(html, "responsible") == 2
    # mediation accepted: the next step is offering the case to mediators
    assert f'href="/case/{due_soon}/assign"' in html.split('id="mywork-responsible"', 1)[1].split("mywork-col", 1)[0]
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
    assert case_order(mediator_page, "offers") == [offered]
    assert case_order(mediator_page, "mediating") == [mediated]
    clerk_page = login(wapp, "mw_clerk").get("/mywork/").get_data(as_text=True)
    assert case_order(clerk_page, "responsible") == [answerable]
    # the other street's case waiting for a mediator is not this centre's to assign
    assert unrelated not in case_order(clerk_page, "assignment")


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


def test_the_page_costs_the_same_queries_for_3_or_12_cases(wapp, desk):
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
    add(9)  # past the cards' five items: the counts and "view all" links appear
    html = clerk.get("/mywork/").get_data(as_text=True)
    assert card_count(html, "responsible") == 12 and len(case_order(html, "responsible")) == 5
    assert (cost(mediator), cost(clerk)) == few


def test_todays_appointments_and_due_return_visits_are_listed(wapp, desk):
    from zoneinfo import ZoneInfo

    from app.extensions import db
    from app.models import Appointment, ReturnVisit

    mine = register(wapp, places(desk), "family", responsible_staff_id=desk["mw_clerk"])
    day = today(wapp)
    with wapp.app_context():
        zone = ZoneInfo("Asia/Shanghai")

        def utc(day, hour):  # stored as the app stores it: UTC (07:00 for 15:00 in Shanwei)
            return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone).astimezone(dt.timezone.utc)

        db.session.add_all([
            Appointment(case_id=mine, starts_at=utc(day, 15), mode="offline", place="香洲街道综治中心调解室",
                        participants=["林晓明"]),
            # 07:30 in Shanwei is still yesterday in UTC: it is today's appointment all the same
            Appointment(case_id=mine, starts_at=utc(day, 7) + dt.timedelta(minutes=30), mode="offline",
                        place="清晨的调解室", participants=[]),
            Appointment(case_id=mine, starts_at=utc(day + dt.timedelta(days=1), 9), mode="offline",
                        place="明天的调解室", participants=[]),
            ReturnVisit(case_id=mine, scheduled_for=day - dt.timedelta(days=1)),
            ReturnVisit(case_id=mine, scheduled_for=day + dt.timedelta(days=10)),
        ])
        db.session.commit()
    html = login(wapp, "mw_clerk").get("/mywork/?_l_=en").get_data(as_text=True)
    appointments = html.split('id="mywork-appointments"', 1)[1].split("mywork-col", 1)[0]
    assert "15:00 香洲街道综治中心调解室" in appointments and "07:30 清晨的调解室" in appointments
    assert "明天的调解室" not in appointments
    assert case_order(html, "visits") == [mine] and "mywork-overdue" in row_classes(html, "visits", mine)
    # a card is red with an overdue item, orange with one due today
    tree = lxml.html.fromstring(html)
    assert "panel-danger" in tree.xpath("//div[@id='mywork-visits']/@class")[0]
    assert "panel-warning" in tree.xpath("//div[@id='mywork-appointments']/@class")[0]
