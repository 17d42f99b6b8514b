"""Areas, centres and staff: the hierarchy, its integrity, and who sees which cases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token


@pytest.fixture
def tree(app):
    """汕尾市城区 → 香洲街道 → 香城社区 → 第一网格, and 红草镇 beside 香洲街道."""
    from app.extensions import db
    from app.models import Area, Organization

    with app.app_context():
        district = Area(name="汕尾市城区", level="district", code="441502")
        xiangzhou = Area(name="香洲街道", level="town", parent=district)
        community = Area(name="香城社区", level="village", parent=xiangzhou)
        grid = Area(name="第一网格", level="grid", parent=community)
        hongcao = Area(name="红草镇", level="town", parent=district)
        court = Organization(name="汕尾市城区人民法院立案庭", kind="case_filing_division", area=xiangzhou)
        centre = Organization(name="香洲街道综治中心", kind="governance_centre", area=xiangzhou)
        other = Organization(name="红草镇综治中心", kind="governance_centre", area=hongcao)
        police = Organization(name="城区交警大队", kind="partner_agency", area=district)
        db.session.add_all([district, xiangzhou, community, grid, hongcao, court, centre, other, police])
        db.session.commit()
        return {k: v.id for k, v in dict(district=district, xiangzhou=xiangzhou, community=community, grid=grid,
                                         hongcao=hongcao, court=court, centre=centre, other=other, police=police).items()}


def test_descendants_and_ancestors(app, tree):
    from app.extensions import db
    from app.models import Area
    from app.services.areas import ancestor_at_level, descendant_ids, path_label

    with app.app_context():
        assert descendant_ids([tree["xiangzhou"]]) == {tree["xiangzhou"], tree["community"], tree["grid"]}
        assert descendant_ids([tree["district"]], include_self=False) == {
            tree["xiangzhou"], tree["community"], tree["grid"], tree["hongcao"]}
        grid = db.session.get(Area, tree["grid"])
        assert ancestor_at_level(grid, "town").name == "香洲街道"
        assert path_label(grid) == "汕尾市城区 / 香洲街道 / 香城社区 / 第一网格"


def area_form(client, url, **values):
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "name": "", "level": "", "parent": "", "code": "", "latitude": "", "longitude": ""}
    data.update(values)
    return client.post(url, data=data, follow_redirects=True)


def test_administrator_adds_a_village_with_coordinates(app, admin_client, tree):
    from app.extensions import db
    from app.models import Area

    r = area_form(admin_client, "/admin/areas/add?_l_=en", name="新城社区", level="village",
                  parent=str(tree["xiangzhou"]), latitude="22.7862", longitude="115.3751")
    assert r.status_code == 200
    with app.app_context():
        area = db.session.scalars(select(Area).where(Area.name == "新城社区")).one()
        assert area.parent_id == tree["xiangzhou"] and float(area.latitude) == pytest.approx(22.7862)


@pytest.mark.parametrize(
    "values,message",
    [
        ({"name": "错层", "level": "town", "parent": "grid"}, "cannot be placed under"),
        ({"name": "孤岛", "level": "village", "parent": ""}, "Only a district has no parent"),
        ({"name": "坐标", "level": "village", "parent": "xiangzhou", "latitude": "95", "longitude": "115"}, "Latitude is between"),
        ({"name": "半个坐标", "level": "village", "parent": "xiangzhou", "latitude": "22.7"}, "both latitude and longitude"),
    ],
)
def test_bad_areas_are_refused_with_a_reason(app, admin_client, tree, values, message):
    from app.extensions import db
    from app.models import Area

    values = dict(values)
    if values.get("parent"):
        values["parent"] = str(tree[values["parent"]])
    html = area_form(admin_client, "/admin/areas/add?_l_=en", **values).get_data(as_text=True)
    assert message in html
    with app.app_context():
        assert db.session.scalars(select(Area).where(Area.name == values["name"])).first() is None


def test_an_area_cannot_be_moved_under_its_own_child(app, admin_client, tree):
    html = area_form(admin_client, f"/admin/areas/edit/{tree['xiangzhou']}?_l_=en", name="香洲街道",
                     level="town", parent=str(tree["grid"])).get_data(as_text=True)
    assert "cannot be placed under" in html or "under itself" in html


def test_an_area_with_children_or_cases_cannot_be_deleted(app, admin_client, tree):
    from app.extensions import db
    from app.models import Area

    admin_client.get("/lang/en")
    page = admin_client.get("/admin/areas/list/").get_data(as_text=True)
    token = csrf_token(page)
    html = admin_client.post(f"/admin/areas/delete/{tree['xiangzhou']}", data={"csrf_token": token},
                             follow_redirects=True).get_data(as_text=True)
    assert "cannot be deleted while these refer to it" in html and "areas below it: 1" in html and "organisations located there: 2" in html
    # a leaf with nothing pointing at it goes
    admin_client.post(f"/admin/areas/delete/{tree['grid']}", data={"csrf_token": token}, follow_redirects=True)
    with app.app_context():
        assert db.session.get(Area, tree["grid"]) is None
        assert db.session.get(Area, tree["xiangzhou"]) is not None


def test_a_user_belongs_to_one_organisation(app, admin_client, tree):
    from app.extensions import db
    from app.models import Membership

    with app.app_context():
        clerk = app.appbuilder.sm.find_user(username="clerk")
        db.session.add(Membership(user_id=clerk.id, organization_id=tree["centre"]))
        db.session.commit()
        clerk_id = clerk.id
    page = admin_client.get("/admin/staff/add?_l_=en").get_data(as_text=True)
    html = admin_client.post("/admin/staff/add?_l_=en", data={"csrf_token": csrf_token(page), "user": str(clerk_id),
                             "organization": str(tree["other"]), "title": ""}, follow_redirects=True).get_data(as_text=True)
    assert "already belongs to" in html


# -- who sees what ---------------------------------------------------------------------------
def register_in(app, area_id, org_id, as_user="admin"):
    payload = helpers.traffic_payload({"street": area_id, "centre": org_id})
    token = helpers.api_token(app.test_client(), as_user)
    r = app.test_client().post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def join(app, org_id):
    from app.extensions import db
    from app.models import Membership

    with app.app_context():
        clerk = app.appbuilder.sm.find_user(username="clerk")
        db.session.add(Membership(user_id=clerk.id, organization_id=org_id))
        db.session.commit()


def visible_ids(app, client):
    token = helpers.api_token(app.test_client(), "clerk")
    r = app.test_client().get("/api/v1/case/?q=(page_size:100)", headers={"Authorization": f"Bearer {token}"})
    return {row["id"] for row in r.get_json()["result"]}


@pytest.fixture
def cases(app, tree):
    return {
        "xiangzhou": register_in(app, tree["xiangzhou"], tree["centre"]),
        "grid": register_in(app, tree["grid"], tree["centre"]),
        "hongcao": register_in(app, tree["hongcao"], tree["other"]),
    }


def test_court_staff_see_every_case(app, clerk_client, tree, cases):
    join(app, tree["court"])
    assert visible_ids(app, clerk_client) == set(cases.values())


def test_centre_staff_see_their_area_and_below_only(app, clerk_client, tree, cases):
    join(app, tree["centre"])
    assert visible_ids(app, clerk_client) == {cases["xiangzhou"], cases["grid"]}
    # out of scope reads exactly like a missing case, on every path
    assert clerk_client.get(f"/case/show/{cases['hongcao']}").status_code == 404
    assert clerk_client.get(f"/plugins/traffic/cases/show/{cases['hongcao']}").status_code == 404
    assert clerk_client.get(f"/case/{cases['hongcao']}/agreement/").status_code == 404
    token = helpers.api_token(app.test_client(), "clerk")
    assert app.test_client().get(f"/api/v1/case/{cases['hongcao']}", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    listing = clerk_client.get("/case/list/").get_data(as_text=True)
    assert "红草镇" not in listing.split("<tbody>")[-1]


def test_partner_and_unattached_users_see_only_what_they_registered(app, clerk_client, tree, cases):
    own = register_in(app, tree["hongcao"], tree["other"], as_user="clerk")
    assert visible_ids(app, clerk_client) == {own}  # no organisation yet
    join(app, tree["police"])
    assert visible_ids(app, clerk_client) == {own}
