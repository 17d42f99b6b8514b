"""The fixed world of the early-warning tests: a district with two towns (a village and a grid
under the first), a centre in each town and one for the district, a partner agency, and people
of every role that reads or acts on alerts, each with the membership that gives their scope.

Golden tests of the rules insert their seeded cases directly (``add_case``): the figures they
check are counted by hand from these rows. Everything a user reaches through the application
(alerts acknowledged, resolved, listed) goes through the pages and the API.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

from tests.fixtures import csrf_token

CHINA = ZoneInfo("Asia/Shanghai")
PASSWORD = "Warn-Pa55-word-9x"
# username → (role, organisation key or None)
PEOPLE = {
    "w_clerk_a": ("Clerk", "centre_a"),
    "w_clerk_b": ("Clerk", "centre_b"),
    "w_clerk_district": ("Clerk", "centre_district"),
    "w_leader": ("Leadership", "centre_district"),
    "w_judge": ("Judge", "court"),
    "w_clerk_nowhere": ("Clerk", None),
}
_numbers = itertools.count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``hour``:``minute`` China time on ``day``, in UTC (as timestamps are stored)."""
    return dt.datetime.combine(day, dt.time(hour, minute), CHINA).astimezone(dt.timezone.utc)


def build(app) -> dict:
    """Areas, organisations, users and memberships; their ids by name."""
    from app.extensions import db
    from app.models import Area, Membership, Organization

    with app.app_context():
        sm = app.appbuilder.sm
        district = Area(name="汕尾市城区", level="district", code="441502")
        town_a = Area(name="香洲街道", level="town", parent=district)
        town_b = Area(name="凤山街道", level="town", parent=district)
        village = Area(name="新湖社区", level="village", parent=town_a)
        grid = Area(name="新湖社区第一网格", level="grid", parent=village)
        orgs = {
            "centre_a": Organization(name="香洲街道综治中心", kind="governance_centre", area=town_a),
            "centre_b": Organization(name="凤山街道综治中心", kind="governance_centre", area=town_b),
            "centre_district": Organization(name="汕尾市城区综治中心", kind="governance_centre", area=district),
            "court": Organization(name="汕尾市城区人民法院", kind="court_department", area=town_a),
            "partner": Organization(name="城区人力资源和社会保障局", kind="partner_agency", area=district),
            "partner_2": Organization(name="城区市场监督管理局", kind="partner_agency", area=district),
        }
        db.session.add_all([district, town_a, town_b, village, grid, *orgs.values()])
        db.session.flush()
        ids = {"district": district.id, "town_a": town_a.id, "town_b": town_b.id, "village": village.id,
               "grid": grid.id, **{k: o.id for k, o in orgs.items()}}
        for username, (role, org) in PEOPLE.items():
            user = sm.find_user(username=username)
            if user is None:
                user = sm.add_user(username=username, first_name=username[2:], last_name="测试",
                                   email=f"{username}@jiefen.invalid", role=sm.find_role(role), password=PASSWORD)
            ids[username] = user.id
            if org is not None:
                db.session.add(Membership(user_id=user.id, organization_id=ids[org]))
        db.session.commit()
    return ids


def add_case(area_id, created: dt.datetime, dispute_type: str = "traffic", status: str = "registered",
             parties=(), risk_level=None, intake=None, organization_id=None) -> int:
    """A seeded case (golden data), with its parties ``(role, kind, name, id_number, mobile)``."""
    from app.extensions import db
    from app.models import Case, Party

    n = next(_numbers)
    case = Case(case_no=f"（2026）测试第{n:05d}号", dispute_type=dispute_type, status=status, area_id=area_id,
                organization_id=organization_id, title=f"测试纠纷{n}", created_at=created, changed_at=created,
                risk_level=risk_level, intake_data=dict(intake or {}))
    db.session.add(case)
    db.session.flush()
    for role, kind, name, id_number, mobile in parties:
        db.session.add(Party(case_id=case.id, role=role, kind=kind, name=name, id_number=id_number, mobile=mobile))
    db.session.flush()
    return case.id


def person(role: str, name: str, id_number=None, mobile=None) -> tuple:
    """A party who is a person."""
    return (role, "person", name, id_number, mobile)


def org(name: str, code=None, role: str = "respondent") -> tuple:
    """A party that is an organisation."""
    return (role, "organization", name, code, None)


def login(app, username: str, lang: str = "zh_CN"):
    """A browser signed in as ``username`` through the login form, in ``lang``."""
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{username} could not sign in"
    client.get(f"/lang/{lang}")
    return client


_TOKENS: dict = {}


def token(app, username: str) -> str:
    """A JWT for ``username`` (one login per app and user)."""
    key = (id(app), username)
    if key not in _TOKENS:
        r = app.test_client().post("/api/v1/security/login",
                                   json={"username": username, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        _TOKENS[key] = r.get_json()["access_token"]
    return _TOKENS[key]


def api(app, username: str, method: str, path: str, json=None, lang: str = "en"):
    """Call the API as ``username``."""
    sep = "&" if "?" in path else "?"
    return app.test_client().open(f"{path}{sep}_l_={lang}", method=method, json=json,
                                  headers={"Authorization": f"Bearer {token(app, username)}"})


def scan(app, day: dt.date | None = None, only=()):
    """Run the scan (as the command does) on ``day``; its summary."""
    from app.warnings.scan import scan as run

    with app.app_context():
        return run(day, only)


def alerts(app, rule: str | None = None) -> list:
    """``(rule, evidence_key, status, case_count, area_id, details, case_ids)`` of every alert, oldest first."""
    from app.extensions import db
    from app.models import Alert

    with app.app_context():
        query = db.session.query(Alert).order_by(Alert.id)
        if rule:
            query = query.filter(Alert.rule == rule)
        return [(a.rule, a.evidence_key, a.status, a.case_count, a.area_id, dict(a.details), list(a.case_ids))
                for a in query]


def text_of(html: str) -> str:
    """The visible text of a page, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
