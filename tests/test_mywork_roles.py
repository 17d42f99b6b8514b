"""My work by role: the court clerk sees the confirmation application waiting for the court's
3-day acceptance, a centre's clerk the area's cases to screen and to assign, a partner its
referrals, an administrator what is broken — each item one click from its action, at a cost
that does not grow with the cases; and My work is where everyone lands."""
from __future__ import annotations

import datetime as dt

import lxml.html
import pytest

from tests import helpers
from tests.fixtures import make_migrated_app
from tests.test_deadlines import register, to_mediation, walk
from tests.test_mywork import PASSWORD, card_count, case_order, login, row_classes, statements, today

USERS = {"r_court": "Clerk", "r_centre": "Clerk", "r_partner": "Partner", "r_judge": "Judge"}


@pytest.fixture(scope="module")
def rapp(database, tmp_path_factory):
    """An app and one user per seat: a court clerk, a centre clerk, a partner, a judge."""
    from app.extensions import db

    app = make_migrated_app(database, tmp_path_factory.mktemp("mywork_roles"))
    with app.app_context():
        sm = app.appbuilder.sm
        for username, role in USERS.items():
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name="晓东", last_name="许", email=f"{username}@jiefen.invalid",
                            role=sm.find_role(role), password=PASSWORD)
        db.session.commit()
    yield app
    with app.app_context():
        helpers.wipe_case_data()
        db.session.remove()


@pytest.fixture
def seats(rapp):
    """Two streets; the centre of the first, a court division, a partner agency; memberships."""
    from app.extensions import db
    from app.models import Area, Membership, Organization

    with rapp.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        street = Area(name="香洲街道", level="town", parent=district)
        other = Area(name="凤山街道", level="town", parent=district)
        centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=street)
        court = Organization(name="城区法院立案庭", kind="case_filing_division")
        partner = Organization(name="城区交警大队", kind="partner_agency")
        db.session.add_all([district, street, other, centre, court, partner])
        db.session.flush()
        users = {name: rapp.appbuilder.sm.find_user(username=name).id for name in USERS}
        db.session.add_all([
            Membership(user_id=users["r_court"], organization_id=court.id),
            Membership(user_id=users["r_centre"], organization_id=centre.id),
            Membership(user_id=users["r_partner"], organization_id=partner.id),
            Membership(user_id=users["r_judge"], organization_id=court.id),
        ])
        db.session.commit()
        ids = {"street": street.id, "other": other.id, "centre": centre.id, "court": court.id,
               "partner": partner.id, **users}
    yield ids
    with rapp.app_context():
        helpers.wipe_case_data()


def here(seats, other=False) -> dict:
    return {"street": seats["other" if other else "street"], "centre": None if other else seats["centre"]}


def confirmation_pending(app, seats, applied: dt.date, accepted: dt.date | None = None) -> int:
    """A case whose parties applied for judicial confirmation on ``applied``."""
    from app.extensions import db
    from app.models import JudicialConfirmation

    case = register(app, here(seats), "family")
    walk(app, case, *to_mediation(applied - dt.timedelta(days=5)), ("reach_agreement", applied - dt.timedelta(days=2)),
         ("agreement_effective", applied - dt.timedelta(days=1)), ("apply_confirmation", applied))
    with app.app_context():
        db.session.add(JudicialConfirmation(case_id=case, applied_on=applied, accepted_on=accepted))
        db.session.commit()
    return case


def test_the_court_clerk_sees_the_application_waiting_for_the_3_day_acceptance(rapp, seats):
    day = today(rapp)
    due_today = confirmation_pending(rapp, seats, day - dt.timedelta(days=3))
    fresh = confirmation_pending(rapp, seats, day)
    accepted = confirmation_pending(rapp, seats, day - dt.timedelta(days=4), accepted=day - dt.timedelta(days=3))
    html = login(rapp, "r_court").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "confirm-accept") == [due_today, fresh]
    # On a day off no period ends today: its last day moves to the next working day (Civil Code
    # art. 203, app/services/holidays.py), so the 3 days applied on ``day - 3`` are merely soon.
    from app.services.holidays import HolidayCalendar

    with rapp.app_context():
        working = HolidayCalendar().is_workday(day)
    assert ("mywork-today" if working else "mywork-soon") in row_classes(html, "confirm-accept", due_today)
    assert f'href="/case/{due_today}/confirmation"' in html  # one click from recording the acceptance
    assert case_order(html, "confirm-decide") == [accepted]
    # the judge on duty works for the court too
    judge = login(rapp, "r_judge").get("/mywork/").get_data(as_text=True)
    assert case_order(judge, "confirm-accept") == [due_today, fresh] and 'id="mywork-duty"' in judge
    # a centre's clerk has no court queue
    assert 'id="mywork-confirm-accept"' not in login(rapp, "r_centre").get("/mywork/").get_data(as_text=True)


def test_court_entrusted_cases_near_their_limit_and_only_those(rapp, seats):
    day = today(rapp)
    near = register(rapp, here(seats), "family", track="court_entrusted", procedure="simplified")
    calm = register(rapp, here(seats), "family", track="court_entrusted")
    prefiling = register(rapp, here(seats), "family")
    walk(rapp, near, ("start_screening", day - dt.timedelta(days=6)), ("accept_mediation", day - dt.timedelta(days=6)),
         ("assign", day - dt.timedelta(days=6)), ("accept_offer", day - dt.timedelta(days=6)))  # 7 days from receipt
    walk(rapp, calm, ("start_screening", day), ("accept_mediation", day), ("assign", day), ("accept_offer", day))
    walk(rapp, prefiling, ("start_screening", day - dt.timedelta(days=29)),
         ("accept_mediation", day - dt.timedelta(days=29)), ("assign", day - dt.timedelta(days=29)))
    html = login(rapp, "r_court").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "court-limit") == [near] and card_count(html, "court-limit") == 1
    assert "mywork-soon" in row_classes(html, "court-limit", near)
    # the whole queue holds the same: the calm case is not "near its limit"
    page = login(rapp, "r_court").get("/mywork/queue/court-limit/").get_data(as_text=True)
    assert case_order(page, "court-limit") == [near] and card_count(page, "court-limit") == 1


def test_a_centre_clerk_sees_the_areas_cases_to_screen_and_to_assign(rapp, seats):
    from app.extensions import db
    from app.models import Assignment, Mediator

    day = today(rapp)
    registered = register(rapp, here(seats), "family")
    screening = register(rapp, here(seats), "family")
    walk(rapp, screening, ("start_screening", day))
    to_assign = register(rapp, here(seats), "family")
    walk(rapp, to_assign, ("start_screening", day), ("accept_mediation", day))
    offered = register(rapp, here(seats), "family")
    walk(rapp, offered, ("start_screening", day), ("accept_mediation", day), ("assign", day))
    with rapp.app_context():  # offered, not yet accepted: still the centre's to place
        mediator = Mediator(name="陈调解")
        db.session.add(mediator)
        db.session.flush()
        db.session.add(Assignment(case_id=offered, mediator_id=mediator.id))
        db.session.commit()
    elsewhere = register(rapp, here(seats, other=True), "family")
    html = login(rapp, "r_centre").get("/mywork/?_l_=en").get_data(as_text=True)
    assert case_order(html, "screening") == [registered, screening]
    assert f'href="/case/{registered}/do/start_screening"' in html and f'href="/case/{screening}/consent"' in html
    assert case_order(html, "assignment") == [to_assign, offered]
    assert f'href="/case/{to_assign}/assign"' in html
    assert elsewhere not in case_order(html, "screening")
    # the court sees every case, but screening is the centres' work: no such card for the court
    assert 'id="mywork-screening"' not in login(rapp, "r_court").get("/mywork/").get_data(as_text=True)


def test_a_partner_lands_on_its_referrals_and_sees_no_one_elses(rapp, seats):
    from app.extensions import db
    from app.models import Organization, Referral

    day = today(rapp)
    case = register(rapp, here(seats), "traffic")
    with rapp.app_context():
        elsewhere = Organization(name="城区司法局", kind="partner_agency")
        db.session.add(elsewhere)
        db.session.flush()
        rows = [Referral(case_id=case, partner_id=seats["partner"], kind="link", purpose="请协助调取监控录像",
                         legal_basis="道路交通安全法", due_on=day - dt.timedelta(days=1)),
                Referral(case_id=case, partner_id=seats["partner"], kind="link", purpose="请出具责任认定",
                         legal_basis="道路交通安全法", due_on=day + dt.timedelta(days=10), status="accepted"),
                Referral(case_id=case, partner_id=elsewhere.id, kind="link", purpose="别家的",
                         legal_basis="—", due_on=day)]
        db.session.add_all(rows)
        db.session.commit()
        late, answering, theirs = (r.id for r in rows)
    client = login(rapp, "r_partner")
    assert client.get("/").headers["Location"].endswith("/mywork/")
    html = client.get("/mywork/").get_data(as_text=True)
    sent = html.split('id="mywork-partner-sent"', 1)[1].split("mywork-col", 1)[0]
    assert f"/partner/referrals/{late}" in sent and "mywork-overdue" in sent
    with rapp.app_context():
        case_no = db.session.get(Referral, late).case.case_no
    assert case_no in sent and f">#{late}<" not in sent  # the case number both sides use, not a row id
    assert f"/partner/referrals/{answering}" in html.split('id="mywork-partner-accepted"', 1)[1]
    assert f"/partner/referrals/{theirs}" not in html and "别家的" not in html
    assert 'id="mywork-responsible"' not in html  # a partner has no case of its own to answer for


def test_an_administrator_sees_dead_deliveries_settings_to_check_and_disabled_plugins(rapp, seats):
    from app.extensions import db
    from app.models import OutboxMessage, PluginState, Setting

    day = today(rapp)
    with rapp.app_context():
        db.session.add_all([
            OutboxMessage(mechanism="webhook", event="referral.sent", idempotency_key="mw-dead-1", status="dead",
                          last_error="连接被拒绝"),
            OutboxMessage(mechanism="webhook", event="referral.sent", idempotency_key="mw-ok-1", status="delivered"),
            # replaced by a row in force: history, not a task
            Setting(key="core.due_soon_days", value="3", valid_from=day - dt.timedelta(days=400), needs_check=True,
                    source="旧的通知"),
            Setting(key="core.due_soon_days", value="4", valid_from=day - dt.timedelta(days=1), needs_check=True,
                    source="待核对的通知"),
        ])
        state = db.session.get(PluginState, "labour") or PluginState(name="labour")
        state.enabled = False
        db.session.add(state)
        db.session.commit()
    client = rapp.test_client()
    helpers.login(client, "admin")
    try:
        html = client.get("/mywork/?_l_=en").get_data(as_text=True)
        settings_page = client.get("/mywork/queue/settings-check/?_l_=en").get_data(as_text=True)
    finally:
        with rapp.app_context():
            db.session.get(PluginState, "labour").enabled = True
            db.session.query(Setting).filter(Setting.source.in_(("旧的通知", "待核对的通知"))).delete()
            db.session.commit()
    tree = lxml.html.fromstring(html)
    dead = tree.xpath("//div[@id='mywork-dead-outbox']//tr")
    assert len(dead) == 1 and "连接被拒绝" in dead[0].text_content()
    assert dead[0].xpath(".//a/@href")[0].startswith("/admin/outbox/show/")
    # the row in force is to be checked; the one it replaced is history
    assert "待核对的通知" in settings_page and "旧的通知" not in settings_page
    disabled = tree.xpath("//div[@id='mywork-plugins-disabled']//tr")
    assert len(disabled) == 1 and "Labour" in disabled[0].text_content()
    assert disabled[0].xpath(".//a/@href")[0] == "/admin/plugins/"


def test_everyone_lands_on_my_work_and_anonymous_visitors_on_the_login(rapp, seats):
    r = rapp.test_client().get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    for user in ("r_court", "r_centre", "r_judge"):
        assert login(rapp, user).get("/").headers["Location"].endswith("/mywork/")


def test_a_long_queue_shows_five_and_pages_through_the_rest(rapp, seats):
    for _ in range(7):
        register(rapp, here(seats), "family")
    client = login(rapp, "r_centre")
    html = client.get("/mywork/").get_data(as_text=True)
    assert card_count(html, "screening") == 7 and len(case_order(html, "screening")) == 5
    assert 'href="/mywork/queue/screening/"' in html
    page = client.get("/mywork/queue/screening/").get_data(as_text=True)
    assert len(case_order(page, "screening")) == 7
    # a queue that is not the user's is not found, nor a made-up one
    assert client.get("/mywork/queue/dead-outbox/").status_code == 404
    assert client.get("/mywork/queue/nothing/").status_code == 404


def test_the_court_and_centre_pages_cost_the_same_statements_for_few_or_many_cases(rapp, seats):
    day = today(rapp)

    def add(n):
        for i in range(n):
            confirmation_pending(rapp, seats, day - dt.timedelta(days=i % 4))
            near = register(rapp, here(seats), "family", track="court_entrusted", procedure="simplified",
                            responsible_staff_id=seats["r_centre"])
            walk(rapp, near, ("start_screening", day - dt.timedelta(days=6)),
                 ("accept_mediation", day - dt.timedelta(days=6)), ("assign", day - dt.timedelta(days=6)),
                 ("accept_offer", day - dt.timedelta(days=6)))
            register(rapp, here(seats), "debt", responsible_staff_id=seats["r_centre"])

    court, centre = login(rapp, "r_court"), login(rapp, "r_centre")

    def cost(client):
        with statements(rapp) as seen:
            assert client.get("/mywork/").status_code == 200
        return len(seen)

    add(2)
    few = cost(court), cost(centre)
    add(8)
    html = court.get("/mywork/").get_data(as_text=True)
    assert card_count(html, "confirm-accept") == 10 and card_count(html, "court-limit") == 10
    assert (cost(court), cost(centre)) == few


def test_every_seats_chinese_page_reads_chinese(rapp, seats):
    """Titles, counts, dates, urgency and buttons: no English word on any card in zh_CN."""
    import re

    from app.extensions import db
    from app.models import OutboxMessage, Referral

    day = today(rapp)
    confirmation_pending(rapp, seats, day - dt.timedelta(days=3))
    case = register(rapp, here(seats), "family", responsible_staff_id=seats["r_centre"])
    with rapp.app_context():
        db.session.add_all([
            Referral(case_id=case, partner_id=seats["partner"], kind="link", purpose="请协助调取监控录像",
                     legal_basis="道路交通安全法", due_on=day),
            OutboxMessage(mechanism="webhook", event="referral.sent", idempotency_key="mw-zh-1", status="dead",
                          last_error="对方系统无响应"),
        ])
        db.session.commit()
    admin = rapp.test_client()
    helpers.login(admin, "admin")
    clients = {name: login(rapp, name) for name in ("r_court", "r_centre", "r_partner", "r_judge")}
    for seat, client in {**clients, "admin": admin}.items():
        html = client.get("/mywork/").get_data(as_text=True)
        [cards] = lxml.html.fromstring(html).xpath("//div[contains(@class, 'mywork-cards')]")
        text = cards.text_content()
        assert not re.findall(r"[A-Za-z]{2,}", text), (seat, re.findall(r"[A-Za-z]{2,}", text))
        assert "我的工作台" in html


def test_a_mediator_sees_offers_and_agreements_awaiting_signatures_and_no_centre_queue(rapp, seats):
    from app.extensions import db
    from app.models import Agreement, Assignment, Case, Mediator, Membership

    day = today(rapp)
    confirmation_pending(rapp, seats, day)
    with rapp.app_context():
        sm = rapp.appbuilder.sm
        if not sm.find_user(username="r_mediator"):
            sm.add_user(username="r_mediator", first_name="调解", last_name="陈", email="r_mediator@jiefen.invalid",
                        role=sm.find_role("Mediator"), password=PASSWORD)
        user_id = sm.find_user(username="r_mediator").id
        mediator = Mediator(name="陈调解", user_id=user_id)
        # a mediator of the court's own mediation centre: in the court, but not ruling on applications
        db.session.add_all([mediator, Membership(user_id=user_id, organization_id=seats["court"])])
        db.session.commit()
        mediator_id = mediator.id
    signing = register(rapp, here(seats), "family", mediator_id=mediator_id)
    walk(rapp, signing, *to_mediation(day - dt.timedelta(days=3)), ("reach_agreement", day))
    signed = register(rapp, here(seats), "family", mediator_id=mediator_id)
    walk(rapp, signed, *to_mediation(day - dt.timedelta(days=3)), ("reach_agreement", day))
    offered = register(rapp, here(seats), "family")
    walk(rapp, offered, ("start_screening", day), ("accept_mediation", day), ("assign", day))
    with rapp.app_context():
        for case_id, effective in ((signing, None), (signed, day)):
            db.session.add(Agreement(case_id=case_id, template_code="general", committee="香洲街道人民调解委员会",
                                     mediator_name="陈调解", drafted_on=day, effective_on=effective))
        db.session.add(Assignment(case_id=offered, mediator_id=mediator_id))
        db.session.commit()
        assert db.session.get(Case, signing).mediator_id == mediator_id
    html = login(rapp, "r_mediator").get("/mywork/").get_data(as_text=True)
    assert case_order(html, "signatures") == [signing]
    assert f'href="/case/show/{signing}#outcome"' in html
    assert case_order(html, "offers") == [offered] and "/case/offers/" in html
    assert 'id="mywork-screening"' not in html and 'id="mywork-confirm-accept"' not in html
    # nor the office's cards: a pool mediator answers for no case and sends no referral
    assert 'id="mywork-responsible"' not in html and 'id="mywork-sent-overdue"' not in html


def test_a_user_whose_role_has_no_my_work_is_told_so_instead_of_bouncing_to_the_login(rapp, seats):
    from app.extensions import db

    with rapp.app_context():
        sm = rapp.appbuilder.sm
        role = sm.find_role("r_no_desk") or sm.add_role("r_no_desk")
        if not sm.find_user(username="r_visitor"):
            sm.add_user(username="r_visitor", first_name="访客", last_name="王", email="r_visitor@jiefen.invalid",
                        role=role, password=PASSWORD)
        db.session.commit()
    r = login(rapp, "r_visitor").get("/")
    assert r.status_code == 200 and 'id="no-work"' in r.get_data(as_text=True)
