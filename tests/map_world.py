"""A fixed, seeded data set for the dispute map's tests (tests/test_map_*.py).

汕尾市城区 (district) → 香洲街道 (A, with coordinates) → 香城社区 (A1, with coordinates) →
第一网格 (A1g); 红草镇 (B, with coordinates) → 红草村 (B1, no coordinates); 东涌镇 (C, no
coordinates). A centre sits in A; a partner agency in the district. Cases, hazards and alerts
are inserted directly (golden tests of aggregates may), each placed so the counts per area,
layer and period can be worked out by hand — see the comments and the tests.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
PASSWORD = "map-Pa55-word"
USERS = {"map_centre": "Clerk", "map_court": "Judge", "map_leader": "Leadership", "map_partner": "Partner",
         "map_loose": "Clerk"}

COORDS = {
    "A": (22.787, 115.370),
    "A1": (22.790, 115.372),
    "B": (22.840, 115.400),
    "D2": (22.715, 115.475),
}


def china(y, m, d, hh=10, mm=0) -> dt.datetime:
    """A China wall-clock moment, as the UTC instant the database stores."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA).astimezone(dt.timezone.utc)


def create_users(app) -> dict:
    """One login per seat (created once; memberships are made per test by ``build``)."""
    with app.app_context():
        sm = app.appbuilder.sm
        ids = {}
        for username, role in USERS.items():
            user = sm.find_user(username=username) or sm.add_user(
                username=username, first_name="海燕", last_name="陈", email=f"{username}@jiefen.invalid",
                role=sm.find_role(role), password=PASSWORD)
            ids[username] = user.id
        return ids


def login(app, username: str, lang: str = "en"):
    """A browser signed in as ``username`` through the login form, in ``lang``."""
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], "login failed"
    client.get(f"/lang/{lang}")
    return client


def build(app, users: dict) -> dict:
    """The areas, organisations, memberships, cases, hazards and alerts; their ids by name."""
    from app.extensions import db
    from app.models import Area, Case, Membership, Organization
    from app.models.screening import Hazard
    from app.models.warning import Alert

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502", latitude=22.78, longitude=115.37)
        a = Area(name="香洲街道", level="town", code="441502001", parent=district,
                 latitude=COORDS["A"][0], longitude=COORDS["A"][1])
        a1 = Area(name="香城社区", level="village", parent=a, latitude=COORDS["A1"][0], longitude=COORDS["A1"][1])
        a1g = Area(name="第一网格", level="grid", parent=a1)
        b = Area(name="红草镇", level="town", code="441502002", parent=district,
                 latitude=COORDS["B"][0], longitude=COORDS["B"][1])
        b1 = Area(name="红草村", level="village", parent=b)
        c = Area(name="东涌镇", level="town", code="441502003", parent=district)
        d2 = Area(name="捷胜镇", level="town", code="441502004", parent=district,
                  latitude=COORDS["D2"][0], longitude=COORDS["D2"][1])
        centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=a)
        other = Organization(name="红草镇综治中心", kind="governance_centre", area=b)
        court = Organization(name="汕尾市城区人民法院立案庭", kind="case_filing_division", area=a)
        partner = Organization(name="城区交警大队", kind="partner_agency", area=district)
        db.session.add_all([district, a, a1, a1g, b, b1, c, d2, centre, other, court, partner])
        db.session.flush()
        db.session.add_all([
            Membership(user_id=users["map_centre"], organization_id=centre.id),
            Membership(user_id=users["map_court"], organization_id=court.id),
            Membership(user_id=users["map_partner"], organization_id=partner.id),
        ])
        cases = [
            # (no, type, area, registered in China time)
            (1, "family", a, china(2025, 3, 10)),
            (2, "family", a1, china(2025, 3, 20)),
            (3, "debt", a1g, china(2025, 5, 1)),
            (4, "family", b, china(2025, 3, 31, 23, 30)),   # still March in China (15:30 UTC)
            (5, "debt", b1, china(2025, 4, 1, 0, 30)),      # April in China, 31 March in UTC
            (6, "family", c, china(2025, 3, 5)),
            (7, "family", district, china(2025, 3, 6)),     # placed at the district itself
            (8, "family", None, china(2025, 3, 7)),         # no area: on no map
            (9, "family", a, china(2024, 12, 31, 23, 59)),  # last year
        ]
        for no, dtype, area, at in cases:
            db.session.add(Case(case_no=f"（2025）粤1502民调{no:04d}号", dispute_type=dtype, title=f"地图测试{no}",
                                area=area, created_at=at, changed_at=at, channel="window", intake_data={}))
        hazards = [
            (a1, "family", dt.date(2025, 3, 2)),
            (b, "debt", dt.date(2025, 3, 15)),
            (b, "family", dt.date(2025, 2, 28)),
            (c, "family", dt.date(2025, 3, 31)),
        ]
        for i, (area, dtype, found) in enumerate(hazards, start=1):
            finder = centre if area in (a, a1) else other
            db.session.add(Hazard(organization_id=finder.id, area_id=area.id, dispute_type=dtype,
                                  title=f"隐患{i}", found_on=found))
        alerts = [
            (a, china(2025, 3, 5), china(2025, 3, 6)),
            (b, china(2025, 1, 10), china(2025, 3, 1)),   # raised in January, seen again in March
            (b, china(2025, 1, 10), china(2025, 2, 10)),  # not seen in March
            (a1, china(2025, 4, 1, 0, 30), china(2025, 4, 2)),  # April in China
        ]
        for i, (area, first, last) in enumerate(alerts, start=1):
            db.session.add(Alert(rule="core.spike", evidence_key=f"map-{i}", area_id=area.id, details={},
                                 case_ids=[], case_count=0, first_seen_at=first, last_seen_at=last))
        db.session.commit()
        return {"district": district.id, "A": a.id, "A1": a1.id, "A1g": a1g.id, "B": b.id, "B1": b1.id,
                "C": c.id, "D2": d2.id, "centre": centre.id}
