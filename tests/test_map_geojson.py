"""The dispute map's shapes: valid GeoJSON, one polygon per town with coordinates, cells that
tile without overlapping and each hold their own area's point, the source stated, areas
without coordinates listed rather than dropped, a new map when an area's coordinates change."""
from __future__ import annotations

import itertools

import pytest
from shapely.geometry import Point, shape

from tests import helpers, map_world
from tests.fixtures import csrf_token

SOURCE_EN = "Approximated from the areas' recorded coordinates; not an official boundary."
SOURCE_ZH = "根据各区域登记的坐标近似划分，并非官方边界。"


@pytest.fixture(scope="module")
def users(app):
    return map_world.create_users(app)


@pytest.fixture
def world(app, users):
    return map_world.build(app, users)


def geojson(app, user="map_leader", lang="en", **params):
    r = map_world.login(app, user, lang).get("/map/areas.geojson", query_string=params)
    return r


def test_every_town_with_coordinates_is_one_polygon_with_its_source(app, world):
    r = geojson(app)
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    body = r.get_json(force=True)
    assert body["type"] == "FeatureCollection" and body["properties"]["source"] == SOURCE_EN
    names = [f["properties"]["name"] for f in body["features"]]
    assert sorted(names) == sorted(["香洲街道", "红草镇", "捷胜镇"])  # 东涌镇 has no coordinates
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert shape(feature["geometry"]).is_valid
        assert feature["properties"]["source"] == SOURCE_EN and feature["properties"]["approximate"] is True
    assert [u["name"] for u in body["properties"]["unplaced"]] == ["东涌镇"]


def test_the_source_is_stated_in_the_readers_language(app, world):
    body = geojson(app, lang="zh_CN").get_json(force=True)
    assert body["properties"]["source"] == SOURCE_ZH
    assert {f["properties"]["source"] for f in body["features"]} == {SOURCE_ZH}


def test_cells_do_not_overlap_and_each_holds_its_own_point(app, world):
    body = geojson(app).get_json(force=True)
    cells = {f["properties"]["name"]: shape(f["geometry"]) for f in body["features"]}
    points = {"香洲街道": map_world.COORDS["A"], "红草镇": map_world.COORDS["B"], "捷胜镇": map_world.COORDS["D2"]}
    for name, (lat, lon) in points.items():
        assert cells[name].contains(Point(lon, lat)), name
        for other, (olat, olon) in points.items():
            if other != name:
                assert not cells[name].contains(Point(olon, olat))
    for (a, ca), (b, cb) in itertools.combinations(cells.items(), 2):
        # shared edges only: coordinates are rounded to 6 decimals (0.1 m)
        assert ca.intersection(cb).area < 1e-9, (a, b)


def test_the_demo_towns_tile_without_overlap():
    from app.demo_map import TOWN_COORDINATES
    from app.reports.map_cells import Site, cells_for

    sites = [Site(i, name, lat, lon) for i, (name, (lat, lon)) in enumerate(TOWN_COORDINATES.items(), start=1)]
    cells = cells_for(sites)
    shapes = {s.id: shape(cells.shapes[s.id]) for s in sites}
    assert len(shapes) == 7
    for site in sites:
        assert shapes[site.id].contains(Point(site.longitude, site.latitude))
    for a, b in itertools.combinations(shapes.values(), 2):
        assert a.intersection(b).area < 1e-9


def test_two_areas_at_one_point_share_no_cell_and_the_second_is_listed():
    from app.reports.map_cells import Site, cells_for

    cells = cells_for([Site(1, "甲", 22.7, 115.3), Site(2, "乙", 22.7, 115.3), Site(3, "丙", 22.8, 115.4)])
    assert set(cells.shapes) == {1, 3} and cells.shared == {2: 1}


def test_a_lone_area_gets_a_cell_round_its_point():
    from app.reports.map_cells import Site, cells_for

    cell = shape(cells_for([Site(9, "孤", 22.7, 115.3)]).shapes[9])
    assert cell.geom_type == "Polygon" and cell.contains(Point(115.3, 22.7))


def test_zooming_into_a_town_gives_its_villages(app, world):
    body = geojson(app, area=world["A"]).get_json(force=True)
    assert [f["properties"]["name"] for f in body["features"]] == ["香城社区"]
    assert body["properties"]["focus"]["name"] == "香洲街道"
    # 红草镇's only village has no coordinates: listed, no map
    body = geojson(app, area=world["B"]).get_json(force=True)
    assert body["features"] == [] and [u["name"] for u in body["properties"]["unplaced"]] == ["红草村"]


def test_new_coordinates_give_a_new_map(app, world):
    """The shapes are cached per set of areas: an administrator's edit of a town's point is
    on the next map."""
    before = {f["properties"]["name"]: f["geometry"] for f in geojson(app).get_json(force=True)["features"]}
    client = app.test_client()
    helpers.login(client, "admin")
    url = f"/admin/areas/edit/{world['D2']}"
    page = client.get(url + "?_l_=en").get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_token(page), "name": "捷胜镇", "level": "town",
                               "parent": str(world["district"]), "code": "441502004",
                               "latitude": "22.700000", "longitude": "115.500000"}, follow_redirects=True)
    assert r.status_code == 200
    after = {f["properties"]["name"]: f["geometry"] for f in geojson(app).get_json(force=True)["features"]}
    assert after["捷胜镇"] != before["捷胜镇"]
    assert shape(after["捷胜镇"]).contains(Point(115.5, 22.7))


def test_the_demo_places_every_town_once_and_keeps_an_administrators_points(app):
    from sqlalchemy import select

    from app.demo import TOWNS, load_areas_and_centres
    from app.demo_map import load_map_demo
    from app.extensions import db
    from app.models import Area

    with app.test_request_context():
        places = load_areas_and_centres()
        own = places["areas"]["捷胜镇"]
        own.latitude, own.longitude = 22.7, 115.5  # an administrator's own point
        db.session.commit()
        assert load_map_demo() == 7  # the district and six towns
        assert load_map_demo() == 0
        towns = db.session.scalars(select(Area).where(Area.name.in_([n for n, _l in TOWNS]))).all()
        assert len(towns) == 7 and all(t.latitude is not None for t in towns)
        assert float(db.session.get(Area, own.id).latitude) == 22.7
