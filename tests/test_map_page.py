"""The dispute map page: who may open it, what a centre sees (its own area, and 404 for any
other exactly as for an unknown one), the cases of a clicked area (paged, each a link to its
case page), only local static files, and a Chinese page with no English."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from tests import map_world
from tests.untranslated import untranslated_in


@pytest.fixture(scope="module")
def users(app):
    return map_world.create_users(app)


@pytest.fixture
def world(app, users):
    return map_world.build(app, users)


def page(app, user, url, lang="en"):
    return map_world.login(app, user, lang).get(url)


def doc(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def table_areas(tree) -> list[str]:
    return [th.text_content().split("*")[0].strip()
            for th in tree.xpath('//table[@id="jf-map-table"]/tbody/tr/th')]


def map_data(tree) -> dict:
    return json.loads(tree.get_element_by_id("jf-map-data").text_content())


def test_leadership_sees_the_district_by_town(app, world):
    r = page(app, "map_leader", "/map/?period=2025")
    assert r.status_code == 200
    tree = doc(r)
    assert table_areas(tree) == ["香洲街道", "红草镇", "东涌镇", "捷胜镇", "汕尾市城区 itself (no smaller area given)"]
    data = map_data(tree)
    assert sorted(f["properties"]["name"] for f in data["geojson"]["features"]) == ["捷胜镇", "红草镇", "香洲街道"]
    assert data["values"] == {str(world["A"]): 3, str(world["B"]): 2, str(world["D2"]): 0}
    # 东涌镇 has no coordinates: beside the map, with why
    assert "东涌镇" in tree.get_element_by_id("jf-map-unplaced").text_content()
    assert "not an official boundary" in tree.get_element_by_id("jf-map-source").text_content()


def test_a_judge_of_the_court_sees_the_district(app, world):
    tree = doc(page(app, "map_court", "/map/?period=2025"))
    assert "红草镇" in table_areas(tree)


def test_the_layer_colours_hazards(app, world):
    data = map_data(doc(page(app, "map_leader", "/map/?period=2025-03&layer=hazards")))
    assert data["values"] == {str(world["A"]): 1, str(world["B"]): 1, str(world["D2"]): 0}


def test_a_centres_map_and_area_list_hold_only_its_area(app, world):
    r = page(app, "map_centre", "/map/?period=2025")
    assert r.status_code == 200
    tree = doc(r)
    assert table_areas(tree) == ["香城社区", "香洲街道 itself (no smaller area given)"]
    assert [f["properties"]["name"] for f in map_data(tree)["geojson"]["features"]] == ["香城社区"]
    body = map_world.login(app, "map_centre").get("/map/areas.geojson").get_json(force=True)
    assert [f["properties"]["name"] for f in body["features"]] == ["香城社区"]


def test_an_area_outside_a_centres_scope_answers_like_an_unknown_one(app, world):
    client = map_world.login(app, "map_centre")
    unknown = 2**31 - 1
    for path in ("/map/?area={}", "/map/?period=2025&cases_of={}"):
        outside = client.get(path.format(world["B"]))
        missing = client.get(path.format(unknown))
        assert outside.status_code == missing.status_code == 404
    for path in ("/map/areas.geojson?area={}", "/map/area/{}/cases"):
        outside = client.get(path.format(world["B"]))
        missing = client.get(path.format(unknown))
        assert outside.status_code == missing.status_code == 404
        assert outside.get_data() == missing.get_data()
    # the district above it too
    assert client.get(f"/map/area/{world['district']}/cases").status_code == 404
    assert client.get(f"/map/area/{world['A1']}/cases?period=2025").status_code == 200


def test_partners_and_staff_of_no_area_get_no_map(app, world):
    for user in ("map_partner", "map_loose"):
        client = map_world.login(app, user)
        for url in ("/map/", "/map/areas.geojson", f"/map/area/{world['A']}/cases"):
            assert client.get(url).status_code == 403, (user, url)


def test_clicking_an_area_lists_its_cases_newest_first(app, world):
    client = map_world.login(app, "map_leader")
    r = client.get(f"/map/area/{world['A']}/cases?period=2025")
    assert r.status_code == 200
    body = r.get_json()
    assert body["area"]["name"] == "香洲街道" and body["total"] == 3 and body["pages"] == 1
    assert [row["title"] for row in body["rows"]] == ["地图测试3", "地图测试2", "地图测试1"]
    assert [row["area"] for row in body["rows"]] == ["第一网格", "香城社区", "香洲街道"]
    assert all(row["url"] == f"/case/show/{row['id']}" for row in body["rows"])
    assert body["rows"][0]["registered"] == "2025-05-01"
    assert f"area={world['A']}" in body["list_url"]
    # the same filters as the map: debt only
    body = client.get(f"/map/area/{world['A']}/cases?period=2025&type=debt").get_json()
    assert body["total"] == 1 and "type=debt" in body["list_url"]
    # a bad period is refused with a reason, nothing listed
    r = client.get(f"/map/area/{world['A']}/cases?period=2025-13")
    assert r.status_code == 400 and r.get_json()["message"]


def test_an_areas_cases_come_a_page_at_a_time(app, world):
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        for n in range(23):
            at = map_world.china(2025, 6, 1 + n)
            db.session.add(Case(case_no=f"（2025）粤1502民调{100 + n:04d}号", dispute_type="family", title=f"翻页{n}",
                                area_id=world["B"], created_at=at, changed_at=at, channel="window", intake_data={}))
        db.session.commit()
    client = map_world.login(app, "map_leader")
    first = client.get(f"/map/area/{world['B']}/cases?period=2025").get_json()
    assert (first["total"], first["pages"], len(first["rows"])) == (25, 2, 20)
    second = client.get(f"/map/area/{world['B']}/cases?period=2025&page=2").get_json()
    assert (second["page"], len(second["rows"])) == (2, 5)
    assert not {r["id"] for r in first["rows"]} & {r["id"] for r in second["rows"]}
    # without script: the page lists the same, with a pager
    tree = doc(client.get(f"/map/?period=2025&cases_of={world['B']}&page=2"))
    assert len(tree.xpath('//table[@id="jf-map-cases-table"]/tbody/tr')) == 5
    assert tree.xpath('//section[@id="jf-map-cases"]//ul[@class="pager"]')


def test_the_page_lists_an_areas_cases_without_script(app, world):
    tree = doc(page(app, "map_leader", f"/map/?period=2025&cases_of={world['A']}"))
    links = tree.xpath('//table[@id="jf-map-cases-table"]//a/@href')
    assert len(links) == 3 and all(link.startswith("/case/show/") for link in links)
    assert f"area={world['A']}" in tree.get_element_by_id("jf-map-full-list").get("href")


def test_the_page_references_only_local_static_files(app, world):
    tree = doc(page(app, "map_leader", "/map/?period=2025"))
    sources = tree.xpath("//script/@src | //link/@href | //img/@src | //iframe/@src")
    assert "/static/vendor/echarts/echarts.min.js" in sources and "/static/dispute_map.js" in sources
    for src in sources:
        assert src.startswith("/") and not src.startswith("//"), src
    with open(app.static_folder + "/dispute_map.js", encoding="utf-8") as script:
        code = script.read()
    assert "http://" not in code and "https://" not in code
    # no inline handler (the Content-Security-Policy would block it)
    assert not tree.xpath("//@*[starts-with(name(), 'on')]")


@pytest.mark.parametrize("query", ["period=2025", "period=2025-03&layer=alerts&type=debt",
                                   "period=2025&cases_of={A}", "area={A}&period=2025-Q1", "period=2025-13"])
def test_the_chinese_page_has_no_english(app, world, query):
    html = page(app, "map_leader", "/map/?" + query.format(**{k: v for k, v in world.items()}),
                lang="zh_CN").get_data(as_text=True)
    assert "民情地图" in html
    assert untranslated_in(html) == []
    # nothing in Latin letters in what a reader sees of the page (case numbers are Chinese too)
    section = lxml.html.fromstring(html).get_element_by_id("jf-map-page")
    for script in section.xpath(".//script"):
        script.drop_tree()
    shown = section.text_content()
    assert not re.findall(r"[A-Za-z]{2,}", shown), re.findall(r"[A-Za-z]{2,}", shown)


def test_the_map_is_in_the_statistics_menu(app, world):
    tree = doc(page(app, "map_leader", "/map/", lang="zh_CN"))
    assert tree.xpath('//a[contains(@href, "/map/")][contains(normalize-space(.), "民情地图")]')


def test_a_town_whose_villages_have_no_coordinates_shows_its_table_and_says_why(app, world):
    tree = doc(page(app, "map_leader", f"/map/?area={world['B']}&period=2025"))
    assert tree.get_element_by_id("jf-map-no-shapes") is not None
    assert table_areas(tree) == ["红草村", "红草镇 itself (no smaller area given)"]
    # the breadcrumb leads back to the district's map
    assert tree.xpath('//ol[contains(@class, "jf-breadcrumb")]//a[normalize-space(.)="汕尾市城区"]')


def test_a_bad_period_shows_no_figures(app, world):
    tree = doc(page(app, "map_leader", "/map/?period=2025-13"))
    assert not tree.xpath('//table[@id="jf-map-table"]') and not tree.xpath('//*[@id="jf-map-data"]')
