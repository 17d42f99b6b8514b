"""The screening tests' world: a district with two towns, their centres and a village
committee, the court, and one login per place (the district's clerk at the court, each
centre's clerk, leadership). Users are created through FAB's user service once; the places and
memberships are rebuilt for each test (the suite wipes them after every test)."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from app.plugins.testing.kit import PARTIES
from tests.fixtures import csrf_token

PASSWORD = "Screen-Pa55-word-4kx"
# login → (role, organisation key or None)
PEOPLE = {
    "scr_district": ("Clerk", "court"),
    "scr_xz": ("Clerk", "xz_centre"),
    "scr_hc": ("Clerk", "hc_centre"),
    "scr_leader": ("Leadership", None),
}


@dataclass
class World:
    """Ids of the places and organisations, and a way to sign people in."""

    app: object
    ids: dict

    def __getitem__(self, key):
        return self.ids[key]

    def client(self, login: str, lang: str = "zh_CN"):
        """A browser signed in as ``login`` through the login form, in ``lang``."""
        c = self.app.test_client()
        page = c.get("/login/").get_data(as_text=True)
        r = c.post("/login/", data={"username": login, "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert r.status_code == 302 and "/login" not in r.headers["Location"], f"{login} could not sign in"
        c.get(f"/lang/{lang}")
        return c

    def token(self, login: str) -> str:
        """A JWT for ``login``."""
        r = self.app.test_client().post("/api/v1/security/login",
                                        json={"username": login, "password": PASSWORD, "provider": "db"})
        assert r.status_code == 200, r.get_data(as_text=True)
        return r.get_json()["access_token"]

    def api(self, login: str, method: str, path: str, json=None, lang: str = "en"):
        """Call the API as ``login``."""
        sep = "&" if "?" in path else "?"
        return self.app.test_client().open(f"{path}{sep}_l_={lang}", method=method, json=json,
                                           headers={"Authorization": f"Bearer {self.token(login)}"})

    def register_case(self, login: str, area: str, org: str, dispute_type: str = "traffic", **payload):
        """A case registered through the case API by ``login`` in ``area``, handled by ``org``."""
        from app.extensions import jiefen

        with self.app.app_context():
            sample = copy.deepcopy(dict(jiefen().registry.samples[dispute_type]))
        body = {"dispute_type": dispute_type, "title": "林晓明与黄丽娟纠纷", "description": "双方协商不成，申请调解。",
                "area_id": self[area], "organization_id": self[org], "channel": "window",
                "confirm_duplicates": True, "parties": copy.deepcopy(list(PARTIES)), "intake": sample}
        body.update(payload)
        r = self.api(login, "POST", "/api/v1/case/", json=body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]


def build_world(app) -> World:
    """The places, organisations and memberships (the users are made once)."""
    from app.extensions import db
    from app.models import Area, Membership, Organization

    with app.app_context():
        sm = app.appbuilder.sm
        for login, (role, _org) in PEOPLE.items():
            if not sm.find_user(username=login):
                assert sm.add_user(username=login, first_name=login[4:], last_name="排查", email=f"{login}@jiefen.invalid",
                                   role=sm.find_role(role), password=PASSWORD)
        district = Area(name="汕尾市城区", level="district")
        xz = Area(name="香洲街道", level="town", parent=district)
        village = Area(name="香城社区", level="village", parent=xz)
        hc = Area(name="红草镇", level="town", parent=district)
        court = Organization(name="汕尾市城区人民法院立案庭", kind="case_filing_division", area=xz)
        xz_centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=xz)
        committee = Organization(name="香城社区人民调解委员会", kind="mediation_committee", area=village)
        hc_centre = Organization(name="红草镇综治中心", kind="governance_centre", area=hc)
        police = Organization(name="城区交警大队", kind="partner_agency", area=district)
        db.session.add_all([district, xz, village, hc, court, xz_centre, committee, hc_centre, police])
        db.session.flush()
        ids = {k: v.id for k, v in dict(district=district, xz=xz, village=village, hc=hc, court=court,
                                        xz_centre=xz_centre, committee=committee, hc_centre=hc_centre,
                                        police=police).items()}
        for login, (_role, org) in PEOPLE.items():
            user = sm.find_user(username=login)
            ids[login] = user.id
            if org is not None:
                db.session.add(Membership(user_id=user.id, organization_id=ids[org]))
        db.session.commit()
    return World(app, ids)


@pytest.fixture
def world(app):
    """The screening world, fresh for the test."""
    return build_world(app)


def form_values(html: str, form_id: str) -> dict:
    """The values a browser would post from the form ``form_id`` as the page shows it (text
    inputs, selected options, textareas; unticked boxes and buttons left out)."""
    import lxml.html

    form = lxml.html.fromstring(html).get_element_by_id(form_id)
    values = {}
    for el in form.xpath(".//input[@name]|.//select[@name]|.//textarea[@name]"):
        name = el.get("name")
        if el.tag == "input":
            if el.get("type") in ("checkbox", "radio") and el.get("checked") is None:
                continue
            if el.get("type") in ("submit", "button"):
                continue
            values[name] = el.get("value") or ""
        elif el.tag == "textarea":
            values[name] = el.text or ""
        else:
            chosen = el.xpath(".//option[@selected]")
            values[name] = (chosen[0] if chosen else el.xpath(".//option")[0]).get("value") or ""
    return values


def campaign_form_data(world: World, page: str, title: str, areas: list, tasks: list, starts: str, ends: str,
                       focus: str = "排查拖欠农民工工资、劳务费引发的矛盾", dispute_type: str = "") -> list:
    """What the campaign form posts: ``tasks`` are ``(org key, instructions, due)``."""
    data = [("csrf_token", csrf_token(page)), ("title", title), ("focus", focus), ("dispute_type", dispute_type),
            ("starts_on", starts), ("ends_on", ends)]
    data += [("areas", str(world[a])) for a in areas]
    for i, (org, instructions, due) in enumerate(tasks):
        data += [(f"tasks-{i}-organization_id", str(world[org]) if org in world.ids else org),
                 (f"tasks-{i}-instructions", instructions), (f"tasks-{i}-due_on", due)]
    return data


def create_campaign(world: World, title: str, areas: list, tasks: list, starts: str, ends: str, **kwargs) -> int:
    """A campaign created on its page by the district's clerk; its id."""
    from werkzeug.datastructures import MultiDict

    district = world.client("scr_district")
    page = district.get("/screening/campaigns/add").get_data(as_text=True)
    r = district.post("/screening/campaigns/add",
                      data=MultiDict(campaign_form_data(world, page, title, areas, tasks, starts, ends, **kwargs)))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def hazard_form_data(page: str, **values) -> dict:
    """What the hazard form posts: ``values`` over a complete default; ``parties`` as dicts."""
    parties = values.pop("parties", [])
    data = {"csrf_token": csrf_token(page), "title": "某小区业主与物业公司物业费纠纷苗头",
            "description": "小区业主因电梯长期停运拒交物业费，物业公司扬言停水。", "found_on": "", "dispute_type": "",
            "risk_level": "medium", "campaign_id": "", "area_id": ""}
    data.update(values)
    for i, party in enumerate(parties):
        for key in ("kind", "name", "id_number", "mobile", "note"):
            data[f"parties-{i}-{key}"] = party.get(key, "person" if key == "kind" else "")
    return data


def record_hazard(world: World, login: str, **values) -> int:
    """A hazard recorded on the page by ``login``; its id."""
    client = world.client(login)
    page = client.get("/screening/hazards/add").get_data(as_text=True)
    r = client.post("/screening/hazards/add", data=hazard_form_data(page, **values))
    assert r.status_code == 302, r.get_data(as_text=True)[-3000:]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])
