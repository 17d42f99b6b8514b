"""A fixed seeded data set for the evaluation's golden tests (inserted directly: the figures
are aggregates, compared with numbers worked out by hand in tests/test_evaluation.py).

Period under test: 2026-Q3 (1 July – 30 September 2026), China time; the court's day is
2026-12-01 (``DAY``). Every case is a ``debt`` case on the pre-filing track.

Places and bodies: district 城区, towns 东镇 (T1) and 西镇 (T2); the court's 诉前调解中心 (C1)
and 立案庭 (C2); 东镇综治中心 (G1, in T1), 西镇综治中心 (G2, in T2), 东镇人民调解委员会 (M1, in
T1); the partner agency 交警大队 (P).

People: judges 甲法官 (J1, member of C1) and 乙法官 (J2, member of C2); court clerks 周书记
(S1, C2) and 吴书记 (S2, C1); 郑文员 (K1), clerk of G1; 王领导 (L), Leadership; 伙伴 (PU),
a partner's user. Mediators 调解员一 (Med1, of M1), 调解员二 (Med2, of G2), 调解员三 (Med3, of G1).

======  =====  =====  ====  ===  ==========  ================================================
case    body   area   med   stf  registered  what happened (China time)
======  =====  =====  ====  ===  ==========  ================================================
c1      G1     T1     Med1  S1   07-02       accepted 07-03, agreement 07-20, closed 07-30
c2      G1     T1     Med1  S1   07-10       accepted 07-11, failed 08-15, transferred 08-20
c3      G1     T1     Med1  S2   08-01       accepted 08-03, still in mediation (overdue)
c4      G1     T1     —     S1   05-01       closed 06-30 (before the period)
c5      G2     T2     Med2  S2   07-05       accepted 07-06, agreement 08-01, closed 09-10
c6      G2     T2     Med2  —    09-01       registered, nobody responsible
c7      G2     T2     —     S2   10-05       registered (after the period)
c8      M1     T1     Med1  S1   07-15       accepted 07-16, agreement 07-25, performing
c9      C1     T2     —     S2   08-10       accepted 08-11, agreement 09-01, closed 09-20
======  =====  =====  ====  ===  ==========  ================================================

Return visits: c1 07-28 (5) and 08-28 (4); c5 09-15 (3); c9 09-25 (no score); c8 10-02 (1).
Referrals to P: r1 c1 sent 07-05 due 07-15 answered 07-14; r2 c1 sent 07-06 due 07-16
answered 07-20; r3 c5 sent 08-02 due 08-12 still sent; r4 c5 sent 09-28 due 12-20 accepted;
r5 c9 sent 08-15 due 08-25 returned 08-16; r6 c3 sent 06-20 due 06-30 answered 06-25.
Guidance: J1 at G1 07-20 (c1, Med1) and 08-05 (c3, Med1); J2 at G2 08-10 (c5, Med2) and
08-12 (a consultation, no case); J1 at G2 10-10 (c5). Duty: J1 at G1 07-20 am, 08-05 am and
pm; J2 at G2 08-10 am and 10-10 am.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PASSWORD = "Eval-Pa55-word!"
DAY = dt.date(2026, 12, 1)
PERIOD = "2026-Q3"
CHINA = ZoneInfo("Asia/Shanghai")
PEOPLE = {
    # username: (surname, given name, role, body)
    "ev_j1": ("甲", "法官", "Judge", "C1"),
    "ev_j2": ("乙", "法官", "Judge", "C2"),
    "ev_s1": ("周", "书记", "Clerk", "C2"),
    "ev_s2": ("吴", "书记", "Clerk", "C1"),
    "ev_k1": ("郑", "文员", "Clerk", "G1"),
    "ev_lead": ("王", "领导", "Leadership", None),
    "ev_partner": ("伙", "伴", "Partner", "P"),
}


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    """A China-time moment of 2026, as the UTC instant the database stores."""
    return dt.datetime(year, month, day, hour, tzinfo=CHINA).astimezone(dt.timezone.utc)


def ensure_people(app) -> None:
    """The logins of the data set (users outlive a test; their memberships do not)."""
    from app.extensions import db

    with app.app_context():
        sm = app.appbuilder.sm
        for username, (surname, given, role, _body) in PEOPLE.items():
            if not sm.find_user(username=username):
                sm.add_user(username=username, first_name=given, last_name=surname,
                            email=f"{username}@jiefen.invalid", role=sm.find_role(role), password=PASSWORD)
        db.session.commit()


def seed(app) -> dict:
    """Insert the data set; ``{name: id}`` of every body, person, mediator and case."""
    from app.extensions import db
    from app.models import Area, Membership, Organization
    from app.models.case import Case
    from app.models.duty import DutyShift, GuidanceLog
    from app.models.lifecycle import TimelineEvent
    from app.models.mediator import Mediator
    from app.models.outcome import ReturnVisit
    from app.models.referral import Referral

    ensure_people(app)
    ids: dict = {}
    with app.app_context():
        sm = app.appbuilder.sm
        district = Area(name="城区", level="district", code="441502")
        t1 = Area(name="东镇", level="town", parent=district)
        t2 = Area(name="西镇", level="town", parent=district)
        db.session.add_all([district, t1, t2])
        db.session.flush()
        orgs = {
            "C1": Organization(name="城区法院诉前调解中心", kind="court_mediation_centre", area=t1, dispute_types=[]),
            "C2": Organization(name="城区法院立案庭", kind="case_filing_division", area=t1, dispute_types=[]),
            "G1": Organization(name="东镇综治中心", kind="governance_centre", area=t1, dispute_types=[]),
            "G2": Organization(name="西镇综治中心", kind="governance_centre", area=t2, dispute_types=[]),
            "M1": Organization(name="东镇人民调解委员会", kind="mediation_committee", area=t1, dispute_types=[]),
            "P": Organization(name="城区交警大队", kind="partner_agency", dispute_types=[]),
        }
        db.session.add_all(orgs.values())
        db.session.flush()
        ids.update({key: org.id for key, org in orgs.items()})
        ids.update(district=district.id, T1=t1.id, T2=t2.id)
        users = {}
        for username, (_s, _g, _role, body) in PEOPLE.items():
            users[username] = sm.find_user(username=username).id
            if body:
                db.session.add(Membership(user_id=users[username], organization_id=orgs[body].id))
        ids.update(users)
        mediators = {
            "Med1": Mediator(name="调解员一", organization_id=orgs["M1"].id, specialties=[]),
            "Med2": Mediator(name="调解员二", organization_id=orgs["G2"].id, specialties=[]),
            "Med3": Mediator(name="调解员三", organization_id=orgs["G1"].id, specialties=[]),
        }
        db.session.add_all(mediators.values())
        db.session.flush()
        ids.update({key: m.id for key, m in mediators.items()})

        def case(name, body, area, mediator, staff, created, status, closed=None, steps=()):
            row = Case(case_no=f"（2026）评{name}号", dispute_type="debt", status=status, track="pre_filing",
                       channel="window", area_id=area.id, organization_id=orgs[body].id,
                       mediator_id=mediators[mediator].id if mediator else None,
                       responsible_staff_id=users[staff] if staff else None, title=f"评价测试{name}",
                       description="", intake_data={}, created_at=created, changed_at=created, closed_at=closed)
            db.session.add(row)
            db.session.flush()
            for when, state in steps:
                db.session.add(TimelineEvent(case_id=row.id, at=when, kind="transition", action=state,
                                             to_state=state, data={}))
            ids[name] = row.id
            return row

        s1, s2 = "ev_s1", "ev_s2"
        c1 = case("c1", "G1", t1, "Med1", s1, at(7, 2), "closed", at(7, 30),
                  [(at(7, 3), "mediation_accepted"), (at(7, 20), "agreement_reached"), (at(7, 30), "closed")])
        case("c2", "G1", t1, "Med1", s1, at(7, 10), "transferred", at(8, 20),
             [(at(7, 11), "mediation_accepted"), (at(8, 15), "mediation_failed"), (at(8, 20), "transferred")])
        c3 = case("c3", "G1", t1, "Med1", s2, at(8, 1), "in_mediation", None,
                  [(at(8, 3), "mediation_accepted"), (at(8, 20), "in_mediation")])
        case("c4", "G1", t1, None, s1, at(5, 1), "closed", at(6, 30), [(at(6, 30), "closed")])
        c5 = case("c5", "G2", t2, "Med2", s2, at(7, 5), "closed", at(9, 10),
                  [(at(7, 6), "mediation_accepted"), (at(8, 1), "agreement_reached"), (at(9, 10), "closed")])
        case("c6", "G2", t2, "Med2", None, at(9, 1), "registered")
        case("c7", "G2", t2, None, s2, at(10, 5), "registered")
        c8 = case("c8", "M1", t1, "Med1", s1, at(7, 15), "performing", None,
                  [(at(7, 16), "mediation_accepted"), (at(7, 25), "agreement_reached"), (at(7, 28), "performing")])
        c9 = case("c9", "C1", t2, None, s2, at(8, 10), "closed", at(9, 20),
                  [(at(8, 11), "mediation_accepted"), (at(9, 1), "agreement_reached"), (at(9, 20), "closed")])

        for row, done, score in ((c1, (7, 28), 5), (c1, (8, 28), 4), (c5, (9, 15), 3), (c9, (9, 25), None),
                                 (c8, (10, 2), 1)):
            day = dt.date(2026, *done)
            db.session.add(ReturnVisit(case_id=row.id, scheduled_for=day, done_on=day, method="phone",
                                       satisfaction=score, follow_up=False))

        def referral(name, row, sent, due, status, responded=None):
            r = Referral(case_id=row.id, partner_id=orgs["P"].id, kind="link", purpose="请协助核实", legal_basis="依法",
                         shared_fields=[], due_on=dt.date(2026, *due), status=status, sent_at=at(*sent),
                         responded_at=at(*responded) if responded else None)
            db.session.add(r)
            db.session.flush()
            ids[name] = r.id

        referral("r1", c1, (7, 5), (7, 15), "answered", (7, 14))
        referral("r2", c1, (7, 6), (7, 16), "answered", (7, 20))
        referral("r3", c5, (8, 2), (8, 12), "sent")
        referral("r4", c5, (9, 28), (12, 20), "accepted")
        referral("r5", c9, (8, 15), (8, 25), "rejected", (8, 16))
        referral("r6", c3, (6, 20), (6, 30), "answered", (6, 25))

        def guidance(judge, centre, day, row, guided, kind="guidance"):
            log = GuidanceLog(judge_id=users[judge], centre_id=orgs[centre].id, day=dt.date(2026, *day), kind=kind,
                              topic="指导调解", case_id=row.id if row is not None else None)
            log.mediators = [mediators[m] for m in guided]
            db.session.add(log)

        guidance("ev_j1", "G1", (7, 20), c1, ["Med1"])
        guidance("ev_j1", "G1", (8, 5), c3, ["Med1"])
        guidance("ev_j2", "G2", (8, 10), c5, ["Med2"])
        guidance("ev_j2", "G2", (8, 12), None, [], kind="consultation")
        guidance("ev_j1", "G2", (10, 10), c5, [])
        for judge, centre, day, half in (("ev_j1", "G1", (7, 20), "am"), ("ev_j1", "G1", (8, 5), "am"),
                                         ("ev_j1", "G1", (8, 5), "pm"), ("ev_j2", "G2", (8, 10), "am"),
                                         ("ev_j2", "G2", (10, 10), "am")):
            db.session.add(DutyShift(judge_id=users[judge], centre_id=orgs[centre].id, day=dt.date(2026, *day),
                                     half=half))
        db.session.commit()
    return ids


def login(app, username: str):
    """A browser signed in as ``username`` of the data set."""
    from app.plugins.testing import csrf_token

    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{username} could not sign in"
    return client


_TOKENS: dict = {}


def bearer(app, username: str) -> dict:
    """An ``Authorization`` header for ``username`` from a real API login (one per app)."""
    key = (id(app), username)
    if key not in _TOKENS:
        r = app.test_client().post("/api/v1/security/login",
                                   json={"username": username, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        _TOKENS[key] = r.get_json()["access_token"]
    return {"Authorization": f"Bearer {_TOKENS[key]}"}
