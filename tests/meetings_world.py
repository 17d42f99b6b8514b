"""The world the joint analysis meeting tests share: two towns of a district, their centres,
the district's centre, a court division and a partner agency, the people who work there
(logins through FAB's user service, memberships as the Staff page files them), cases
registered through the API, and page helpers (forms posted as a browser posts them)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from tests import helpers
from tests.fixtures import csrf_token

PASSWORD = "Meet-Pa55-word-{}"
# login → (role, organisation key, surname, given name)
PEOPLE = {
    "mt_clerk_x": ("Clerk", "centre_x", "林", "婉婷"),
    "mt_clerk_x2": ("Clerk", "centre_x", "陈", "俊杰"),
    "mt_clerk_h": ("Clerk", "centre_h", "彭", "家豪"),
    "mt_leader": ("Leadership", "district_centre", "周", "国强"),
    "mt_judge": ("Judge", "court", "陈", "明"),
    "mt_liaison": ("Partner", "police", "郑", "警官"),
}


@dataclass
class World:
    """Ids of the places, bodies, people and cases of a test."""

    app: object
    ids: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def client(self, login: str, lang: str = "en"):
        """A browser signed in as ``login`` through the login form, reading ``lang``."""
        key = (login, lang)
        if key not in self._clients:
            c = self.app.test_client()
            if login == "admin":
                helpers.login(c, "admin")
            else:
                page = c.get("/login/").get_data(as_text=True)
                r = c.post("/login/", data={"username": login, "password": PASSWORD.format(login),
                                            "csrf_token": csrf_token(page)})
                assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{login} could not sign in"
            c.get(f"/lang/{lang}")
            self._clients[key] = c
        return self._clients[key]

    def token(self, login: str) -> str:
        """A JWT for ``login``."""
        password = helpers.PASSWORDS["admin"] if login == "admin" else PASSWORD.format(login)
        r = self.app.test_client().post("/api/v1/security/login",
                                        json={"username": login, "password": password, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.get_json()["access_token"]

    def api(self, login: str, method: str, path: str, json=None):
        """Call the API as ``login`` (English answers)."""
        sep = "&" if "?" in path else "?"
        return self.app.test_client().open(f"{path}{sep}_l_=en", method=method, json=json,
                                           headers={"Authorization": f"Bearer {self.token(login)}"})

    def register_case(self, area: str, centre: str, title: str) -> dict:
        """A traffic case registered by the administrator through the API: ``{"id", "case_no"}``."""
        payload = helpers.traffic_payload({"street": self.ids[area], "centre": self.ids[centre]})
        payload["title"] = title
        r = self.api("admin", "POST", "/api/v1/case/", json=payload)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    # --- pages ------------------------------------------------------------------------------

    def record_meeting(self, login: str, **fields):
        """Post the meeting form as ``login``; the response (302 to the meeting when stored)."""
        c = self.client(login)
        page = c.get("/meetings/add").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "held_on": (self.today() - dt.timedelta(days=10)).isoformat(),
                "title": "香洲街道第四季度矛盾纠纷联席研判会", "place": "香洲街道综治中心三楼会议室", "chair": "林婉婷",
                "organization_id": str(self.ids["centre_x"]), "summary": "辖区交通事故纠纷上升。",
                "decisions": "由综治中心牵头，交警配合，逐案化解。"}
        data.update(fields)
        return c.post("/meetings/add", data=data)

    def meeting_id(self, response) -> int:
        """The id of the meeting a successful form post redirected to."""
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/meetings/show/(\d+)", response.headers["Location"]).group(1))

    def post_on(self, login: str, meeting_id: int, path: str, data: dict, lang: str = "en"):
        """Post a form of the meeting page (``items``, ``tasks``…) as ``login``."""
        c = self.client(login, lang)
        page = c.get(f"/meetings/show/{meeting_id}").get_data(as_text=True)
        return c.post(f"/meetings/show/{meeting_id}/{path}", data={"csrf_token": csrf_token(page), **data})

    def today(self) -> dt.date:
        """Today in China time, as the application counts it."""
        from app.services.clock import today

        with self.app.app_context():
            return today()

    def user_id(self, login: str) -> int:
        """The id of ``login``."""
        return self.users[login]


def _ensure_people(app) -> dict:
    sm = app.appbuilder.sm
    ids = {}
    with app.app_context():
        for login, (role, _org, surname, given) in PEOPLE.items():
            user = sm.find_user(username=login)
            if user is None:
                user = sm.add_user(username=login, first_name=given, last_name=surname,
                                   email=f"{login}@jiefen.invalid", role=sm.find_role(role),
                                   password=PASSWORD.format(login))
                assert user, login
            ids[login] = user.id
    return ids


@pytest.fixture
def world(app):
    """Areas, bodies, people with their memberships (set up as an administrator files them)."""
    from app.extensions import db
    from app.models import Area, Membership, Organization

    users = _ensure_people(app)
    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        xiangzhou = Area(name="香洲街道", level="town", parent=district)
        hongcao = Area(name="红草镇", level="town", parent=district)
        bodies = {
            "court": Organization(name="汕尾市城区人民法院民事审判庭", kind="civil_division", area=xiangzhou),
            "district_centre": Organization(name="汕尾市城区综治中心", kind="governance_centre", area=district),
            "centre_x": Organization(name="香洲街道综治中心", kind="governance_centre", area=xiangzhou),
            "centre_h": Organization(name="红草镇综治中心", kind="governance_centre", area=hongcao),
            "police": Organization(name="城区交警大队", kind="partner_agency", area=district),
        }
        db.session.add_all([district, xiangzhou, hongcao, *bodies.values()])
        db.session.flush()
        for login, (_role, org, _s, _g) in PEOPLE.items():
            db.session.add(Membership(user_id=users[login], organization_id=bodies[org].id))
        db.session.commit()
        ids = {"district": district.id, "xiangzhou": xiangzhou.id, "hongcao": hongcao.id,
               **{k: v.id for k, v in bodies.items()}}
    return World(app=app, ids=ids, users=users)
