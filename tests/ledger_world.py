"""A fixed data set for the ledger's golden tests, inserted directly (the numbers are computed
by hand below), and the people who read it.

The court's day is frozen at 2026-12-06 10:00 China time (a Sunday). November 2026's ledger
holds six cases; two more lie just outside it (China time decides, not UTC):

=====  ==================  ==========  ========  =======  ======  ========================  ==========
case   registered (China)  type        area      channel  med.    state (closed on)         agreement
=====  ==================  ==========  ========  =======  ======  ========================  ==========
C6     11-01 00:30         traffic     香洲      window   陈海燕  in mediation since 11-02  —
C1     11-02 09:00         traffic     香洲一村  window   陈海燕  closed 11-20              12000.00
C2     11-05 14:00         traffic     香洲      court    陈海燕  closed 11-28 23:30        — (failed)
C3     11-10 10:00         family      凤山      online   林国强  performing                3000.50
C4     11-15 16:00         family      凤山      online   —       withdrawn 11-16           —
C5     11-30 23:30         debt        香洲      grid     林国强  in mediation since 11-30  —
C7     10-31 23:59         traffic     香洲      —        —       registered                (October)
C8     12-01 00:00         traffic     凤山      —        —       registered                (December)
=====  ==================  ==========  ========  =======  ======  ========================  ==========

C6's pre-filing mediation (30 days from 11-02) ended on 12-02: it is the one case overdue.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

PASSWORD = "ledger-Pa55-word-7q"
LEADER, CLERK_A, JUDGE, PARTNER, PARTNER_CLERK, LONE_CLERK = (
    "ledger_leader", "ledger_clerk_a", "ledger_judge", "ledger_partner", "ledger_partner_clerk", "ledger_lone_clerk")
ROLES = {LEADER: "Leadership", CLERK_A: "Clerk", JUDGE: "Judge", PARTNER: "Partner", PARTNER_CLERK: "Clerk",
         LONE_CLERK: "Clerk"}
CHINA = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 6)
NOVEMBER_ORDER = ["C6", "C1", "C2", "C3", "C4", "C5"]


def china(*args) -> dt.datetime:
    """A China wall-clock moment as the aware UTC timestamp stored."""
    return dt.datetime(*args, tzinfo=CHINA).astimezone(dt.timezone.utc)


@contextmanager
def frozen_clock():
    """The court's clock stopped at 2026-12-06 10:00 China time."""
    from app.services import clock

    moment = china(2026, 12, 6, 10, 0)
    real = clock.utc_now
    clock.utc_now = lambda: moment
    try:
        yield
    finally:
        clock.utc_now = real


def create_users(app) -> None:
    """The ledger's readers (kept between tests; memberships are made per test)."""
    from app.extensions import db

    with app.app_context():
        sm = app.appbuilder.sm
        for username, role in ROLES.items():
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name="测试", last_name=username[-1].upper(),
                            email=f"{username}@jiefen.invalid", role=sm.find_role(role), password=PASSWORD)
        db.session.commit()


def seed_world(app) -> dict:
    """Insert the data set; returns the ids by name (C1…C8, areas, bodies, mediators)."""
    from app.extensions import db
    from app.models import Area, Case, Membership, Organization, Party
    from app.models.lifecycle import TimelineEvent
    from app.models.mediator import Mediator
    from app.models.outcome import Agreement, ReturnVisit

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        town_a = Area(name="香洲街道", level="town", parent=district)
        village = Area(name="香洲一村", level="village", parent=town_a)
        town_b = Area(name="凤山街道", level="town", parent=district)
        db.session.add_all([district, town_a, village, town_b])
        db.session.flush()
        centre_a = Organization(name="香洲街道综治中心", kind="governance_centre", area_id=town_a.id, dispute_types=[])
        centre_b = Organization(name="凤山街道综治中心", kind="governance_centre", area_id=town_b.id, dispute_types=[])
        agency = Organization(name="城区交警大队", kind="partner_agency", dispute_types=[])
        db.session.add_all([centre_a, centre_b, agency])
        db.session.flush()
        chen = Mediator(name="陈海燕", employment="full_time", engagement="resident", organization_id=centre_a.id,
                        specialties=[])
        lin = Mediator(name="林国强", employment="full_time", engagement="resident", organization_id=centre_b.id,
                       specialties=[])
        db.session.add_all([chen, lin])
        db.session.flush()
        sm = app.appbuilder.sm
        users = {name: sm.find_user(username=name).id for name in ROLES}
        db.session.add_all([Membership(user_id=users[CLERK_A], organization_id=centre_a.id),
                            Membership(user_id=users[PARTNER], organization_id=agency.id),
                            Membership(user_id=users[PARTNER_CLERK], organization_id=agency.id)])
        ids = {"district": district.id, "town_a": town_a.id, "village": village.id, "town_b": town_b.id,
               "centre_a": centre_a.id, "centre_b": centre_b.id, "agency": agency.id, "chen": chen.id, "lin": lin.id}

        def case(key, registered, dispute_type, area, channel, org, mediator, status, closed=None, risk=None):
            row = Case(case_no=f"（2026）粤1502民调{key}号", dispute_type=dispute_type, status=status, track="pre_filing",
                       channel=channel, area_id=area, organization_id=org, mediator_id=mediator, closed_at=closed,
                       risk_level=risk, title=f"{key}纠纷", description="", intake_data={}, created_at=registered,
                       changed_at=closed or registered)
            db.session.add(row)
            db.session.flush()
            ids[key] = row.id
            return row

        def steps(row, *moves):
            for to_state, at in moves:
                db.session.add(TimelineEvent(case_id=row.id, at=at, kind="transition", action=to_state,
                                             to_state=to_state, data={}))

        def parties(row, *people):
            for role, kind, name in people:
                db.session.add(Party(case_id=row.id, role=role, kind=kind, name=name))

        c6 = case("C6", china(2026, 11, 1, 0, 30), "traffic", town_a.id, "window", centre_a.id, chen.id, "in_mediation")
        steps(c6, ("mediation_accepted", china(2026, 11, 2, 9)), ("in_mediation", china(2026, 11, 3, 9)))
        parties(c6, ("applicant", "person", "周杰伦"), ("respondent", "person", "吴彦"))

        c1 = case("C1", china(2026, 11, 2, 9), "traffic", village.id, "window", centre_a.id, chen.id, "closed",
                  closed=china(2026, 11, 20, 10), risk="high")
        steps(c1, ("mediation_accepted", china(2026, 11, 3, 9)), ("in_mediation", china(2026, 11, 5, 9)),
              ("agreement_reached", china(2026, 11, 8, 9)), ("performing", china(2026, 11, 9, 9)),
              ("closed", china(2026, 11, 20, 10)))
        parties(c1, ("applicant", "person", "张三"), ("respondent", "organization", "汕尾市海湾物业服务有限公司"),
                ("agent", "person", "李律师"))
        db.session.add(Agreement(case_id=c1.id, form="written", template_code="traffic", committee="香洲街道人民调解委员会",
                                 mediator_name="陈海燕", drafted_on=dt.date(2026, 11, 8),
                                 effective_on=dt.date(2026, 11, 8), amount=Decimal("12000.00")))
        db.session.add(ReturnVisit(case_id=c1.id, scheduled_for=dt.date(2026, 11, 25), done_on=dt.date(2026, 11, 25),
                                   method="phone", satisfaction=5, terms_performed=True))
        db.session.add(ReturnVisit(case_id=c1.id, scheduled_for=dt.date(2026, 11, 15), done_on=dt.date(2026, 11, 15),
                                   method="phone", satisfaction=3, terms_performed=True))

        c2 = case("C2", china(2026, 11, 5, 14), "traffic", town_a.id, "court", centre_a.id, chen.id, "closed",
                  closed=china(2026, 11, 28, 23, 30))
        steps(c2, ("mediation_accepted", china(2026, 11, 6, 9)), ("in_mediation", china(2026, 11, 7, 9)),
              ("mediation_failed", china(2026, 11, 20, 9)), ("closed", china(2026, 11, 28, 23, 30)))
        parties(c2, ("applicant", "person", "李小明"), ("respondent", "person", "王五"))

        c3 = case("C3", china(2026, 11, 10, 10), "family", town_b.id, "online", centre_b.id, lin.id, "performing")
        steps(c3, ("mediation_accepted", china(2026, 11, 11, 9)), ("in_mediation", china(2026, 11, 12, 9)),
              ("agreement_reached", china(2026, 11, 18, 9)), ("performing", china(2026, 11, 19, 9)))
        parties(c3, ("applicant", "person", "欧阳娜娜"), ("respondent", "person", "赵六"))
        db.session.add(Agreement(case_id=c3.id, form="oral", template_code="", committee="凤山街道人民调解委员会",
                                 mediator_name="林国强", drafted_on=dt.date(2026, 11, 18),
                                 effective_on=dt.date(2026, 11, 18), amount=Decimal("3000.50")))
        db.session.add(ReturnVisit(case_id=c3.id, scheduled_for=dt.date(2026, 12, 20)))

        c4 = case("C4", china(2026, 11, 15, 16), "family", town_b.id, "online", centre_b.id, None, "withdrawn",
                  closed=china(2026, 11, 16, 11))
        steps(c4, ("withdrawn", china(2026, 11, 16, 11)))
        parties(c4, ("applicant", "person", "孙七"))

        c5 = case("C5", china(2026, 11, 30, 23, 30), "debt", town_a.id, "grid", centre_a.id, lin.id, "in_mediation")
        steps(c5, ("mediation_accepted", china(2026, 11, 30, 23, 40)), ("in_mediation", china(2026, 11, 30, 23, 50)))
        parties(c5, ("applicant", "person", "钱八"), ("respondent", "organization", "=HYPERLINK(\"http://evil.invalid\")"))

        case("C7", china(2026, 10, 31, 23, 59), "traffic", town_a.id, "window", centre_a.id, None, "registered")
        case("C8", china(2026, 12, 1, 0, 0), "traffic", town_b.id, "window", centre_b.id, None, "registered")
        db.session.commit()
    return ids


# What November 2026's ledger says, computed by hand from the table above.
TOTAL = {"registered": 6, "closed": 3, "agreements": 2, "concluded": 3, "success_rate": 66.7,
         "agreed_amount": "15000.50", "overdue": 1}
BY_AREA = {
    "香洲街道": {"registered": 4, "closed": 2, "agreements": 1, "concluded": 2, "success_rate": 50.0,
             "agreed_amount": "12000.00", "overdue": 1},
    "凤山街道": {"registered": 2, "closed": 1, "agreements": 1, "concluded": 1, "success_rate": 100.0,
             "agreed_amount": "3000.50", "overdue": 0},
}
BY_TYPE = {
    "traffic": {"registered": 3, "closed": 2, "agreements": 1, "concluded": 2, "success_rate": 50.0,
                "agreed_amount": "12000.00", "overdue": 1},
    "family": {"registered": 2, "closed": 1, "agreements": 1, "concluded": 1, "success_rate": 100.0,
               "agreed_amount": "3000.50", "overdue": 0},
    "debt": {"registered": 1, "closed": 0, "agreements": 0, "concluded": 0, "success_rate": None,
             "agreed_amount": "0.00", "overdue": 0},
}
BY_CHANNEL = {"window": (2, 1, 1, 1, 100.0, "12000.00", 1), "court": (1, 1, 0, 1, 0.0, "0.00", 0),
              "online": (2, 1, 1, 1, 100.0, "3000.50", 0), "grid": (1, 0, 0, 0, None, "0.00", 0)}
BY_MEDIATOR = {"陈海燕": 3, "林国强": 2, None: 1}
# (no, case, registered, closed, days, result, amount, parties, town, return visit)
ROWS = [
    (1, "C6", "2026-11-01", None, 35, None, None, "周**、吴*", "香洲街道", ""),
    (2, "C1", "2026-11-02", "2026-11-20", 18, "agreement", "12000.00", "张*、汕尾市海湾物业服务有限公司", "香洲街道",
     "Visited on 2026-11-25, satisfaction 5/5"),
    (3, "C2", "2026-11-05", "2026-11-28", 23, "failed", None, "李**、王*", "香洲街道", ""),
    (4, "C3", "2026-11-10", None, 26, "agreement", "3000.50", "欧阳**、赵*", "凤山街道", "Planned for 2026-12-20"),
    (5, "C4", "2026-11-15", "2026-11-16", 1, "withdrawn", None, "孙*", "凤山街道", ""),
    (6, "C5", "2026-11-30", None, 6, None, None, "钱*、=HYPERLINK(\"http://evil.invalid\")", "香洲街道", ""),
]


def login(app, username: str, lang: str | None = None):
    """A browser signed in as ``username`` through the login form."""
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{username} could not sign in"
    if lang:
        client.get(f"/lang/{lang}")
    return client


_TOKENS: dict = {}


def bearer(app, username: str) -> dict:
    """The Authorization header of a JWT for ``username`` (one login per app and user)."""
    key = (id(app), username)
    if key not in _TOKENS:
        r = app.test_client().post("/api/v1/security/login",
                                   json={"username": username, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        _TOKENS[key] = r.get_json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[key]}"}
