"""The dispute map's figures, golden: cases, hazards and alerts per area of the map, per
period (China time) and type, on the fixed data set of tests/map_world.py, each number worked
out by hand; one GROUP BY statement per layer; the page's table shows the same numbers."""
from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from sqlalchemy import event

from tests import map_world


@pytest.fixture(scope="module")
def users(app):
    return map_world.create_users(app)


@pytest.fixture
def world(app, users):
    return map_world.build(app, users)


def figures(app, world, layer, period, dispute_type="", focus="district", user="map_leader"):
    """``{area name: count}`` of one layer on the map of ``focus``, as ``user`` sees it."""
    from app.extensions import db
    from app.models import Area
    from app.reports.map_data import Filters, counts
    from app.reports.periods import parse_period
    from app.reports.scope import report_scope

    with app.test_request_context():
        reader = app.appbuilder.sm.find_user(username=user)
        scope = report_scope(reader)
        found = counts(scope, world[focus], Filters(layer, dispute_type, parse_period(period, dt.date(2026, 12, 6))),
                       layer)
        return {db.session.get(Area, k).name: n for k, n in found.items()}


def test_cases_of_march_are_counted_per_town_in_china_time(app, world):
    # 1 and 2 in 香洲 (2 sits in one of its villages); 4 at 23:30 on 31 March in 红草; 6 in 东涌;
    # 7 at the district itself. 5 (00:30 on 1 April, China) and 3 (May), 9 (2024) and 8 (no
    # area) are not counted.
    assert figures(app, world, "cases", "2025-03") == {"香洲街道": 2, "红草镇": 1, "东涌镇": 1, "汕尾市城区": 1}


def test_a_year_rolls_villages_and_grids_up_to_their_town(app, world):
    # 香洲: 1, 2 (village), 3 (grid); 红草: 4, 5 (village); 东涌: 6; the district: 7.
    assert figures(app, world, "cases", "2025") == {"香洲街道": 3, "红草镇": 2, "东涌镇": 1, "汕尾市城区": 1}


def test_the_type_filter_keeps_one_type(app, world):
    assert figures(app, world, "cases", "2025-Q2", "debt") == {"香洲街道": 1, "红草镇": 1}
    assert figures(app, world, "cases", "2025-03", "debt") == {}


def test_hazards_are_counted_by_the_day_they_were_found(app, world):
    # found 2 March (香城社区 → 香洲), 15 March (红草), 31 March (东涌); 28 February is out.
    assert figures(app, world, "hazards", "2025-03") == {"香洲街道": 1, "红草镇": 1, "东涌镇": 1}
    assert figures(app, world, "hazards", "2025-03", "family") == {"香洲街道": 1, "东涌镇": 1}


def test_alerts_count_when_raised_or_seen_again_in_the_period(app, world):
    # 香洲: raised 5 March; 红草: raised in January, seen again 1 March (the other, last seen in
    # February, is out); the April alert of 香城社区 belongs to the second quarter.
    assert figures(app, world, "alerts", "2025-03") == {"香洲街道": 1, "红草镇": 1}
    assert figures(app, world, "alerts", "2025-Q2") == {"香洲街道": 1}


def test_zooming_into_a_town_counts_its_villages(app, world):
    # 香城社区: 2 and 3 (its grid); case 1 sits at 香洲 itself.
    assert figures(app, world, "cases", "2025", focus="A") == {"香城社区": 2, "香洲街道": 1}
    assert figures(app, world, "alerts", "2025", focus="A") == {"香城社区": 1, "香洲街道": 1}


def test_a_centre_counts_only_its_own_area(app, world):
    assert figures(app, world, "cases", "2025", focus="A", user="map_centre") == {"香城社区": 2, "香洲街道": 1}
    # the district's map read with a centre's scope holds nothing outside its area
    assert figures(app, world, "cases", "2025", user="map_centre") == {"香洲街道": 3}
    assert figures(app, world, "hazards", "2025", user="map_centre") == {"香洲街道": 1}


@pytest.mark.parametrize("layer", ["cases", "hazards", "alerts"])
def test_each_layer_is_one_grouped_statement(app, world, layer):
    from app.extensions import db
    from app.reports.map_data import Filters, counts
    from app.reports.periods import year_period
    from app.reports.scope import report_scope

    seen = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with app.test_request_context():
        scope = report_scope(app.appbuilder.sm.find_user(username="map_leader"))
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            counts(scope, world["district"], Filters(layer, "", year_period(2025)), layer)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "GROUP BY" in seen[0].upper()


def table(html) -> dict:
    """``{area: {layer: count}}`` from the page's figures table."""
    doc = lxml.html.fromstring(html)
    rows = {}
    for tr in doc.xpath('//table[@id="jf-map-table"]/*[self::tbody or self::tfoot]/tr'):
        name = tr.xpath("./th")[0].text_content().split("*")[0].strip()
        rows[name] = {td.get("data-layer"): int(td.text_content()) for td in tr.xpath("./td[@data-layer]")}
    return rows


def test_the_page_table_shows_the_same_figures(app, world):
    client = map_world.login(app, "map_leader")
    html = client.get("/map/?period=2025-03").get_data(as_text=True)
    rows = table(html)
    assert rows["香洲街道"] == {"cases": 2, "hazards": 1, "alerts": 1}
    assert rows["红草镇"] == {"cases": 1, "hazards": 1, "alerts": 1}
    assert rows["东涌镇"] == {"cases": 1, "hazards": 1, "alerts": 0}
    assert rows["捷胜镇"] == {"cases": 0, "hazards": 0, "alerts": 0}
    assert rows["汕尾市城区 itself (no smaller area given)"] == {"cases": 1, "hazards": 0, "alerts": 0}
    assert rows["Total"] == {"cases": 5, "hazards": 3, "alerts": 2}


def test_a_range_of_days_is_read_from_and_to(app, world):
    client = map_world.login(app, "map_leader")
    html = client.get("/map/?from=2025-03-31&to=2025-04-01").get_data(as_text=True)
    rows = table(html)
    # 4 (31 March, 红草) and 5 (1 April, 红草村 → 红草); the 31 March hazard of 东涌
    assert rows["红草镇"]["cases"] == 2 and rows["香洲街道"]["cases"] == 0
    assert rows["东涌镇"]["hazards"] == 1


def test_a_period_that_names_none_is_refused_in_the_layout(app, world):
    client = map_world.login(app, "map_leader", lang="zh_CN")
    r = client.get("/map/?period=2025-13")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    doc = lxml.html.fromstring(html)
    assert "01" in doc.get_element_by_id("jf-map-error").text_content()
    assert doc.get_element_by_id("jf-map-period").get("value") == "2025-13"  # what was typed stays
    assert doc.xpath('//*[contains(@class, "jf-side")]')  # inside the frame
