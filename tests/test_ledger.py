"""The dispute ledger (纠纷台账): golden figures on a fixed data set, the same numbers on the page
and in the API, each reader's scope, and bad input answered in the reader's language."""
from __future__ import annotations

import pytest
from markupsafe import escape

from tests import ledger_world as w
from tests.untranslated import untranslated_in


@pytest.fixture(scope="module", autouse=True)
def readers(app):
    """The ledger's readers, created once for the module."""
    w.create_users(app)


@pytest.fixture
def world(app):
    """The fixed data set, read on the frozen court day 2026-12-06."""
    ids = w.seed_world(app)
    with w.frozen_clock():
        yield ids


def api(app, username, query, lang="en"):
    return app.test_client().get(f"/api/v1/reports/ledger?{query}&_l_={lang}", headers=w.bearer(app, username))


def figures(group: dict) -> dict:
    return {k: group[k] for k in ("registered", "closed", "agreements", "concluded", "success_rate",
                                  "agreed_amount", "overdue")}


def test_the_district_ledger_of_a_month_holds_the_cases_registered_in_it_in_china_time(app, world):
    r = api(app, w.LEADER, "period=2026-11")
    assert r.status_code == 200, r.get_json()
    result = r.get_json()["result"]
    assert result["period"] == {"code": "2026-11", "kind": "month", "first": "2026-11-01", "last": "2026-11-30",
                                "label": "2026-11"}
    assert result["scope"]["kind"] == "district" and result["count"] == 6
    # C6 (00:30 on 1 November, China time) is in; C7 (23:59 on 31 October) and C8 (1 December) are not
    assert [row["case_id"] for row in result["rows"]] == [world[k] for k in w.NOVEMBER_ORDER]


def test_the_summary_by_town_counts_registered_closed_agreements_success_amount_and_overdue(app, world):
    result = api(app, w.LEADER, "period=2026-11&group_by=area").get_json()["result"]
    summary = result["summary"]
    assert summary["group_by"] == "area"
    assert {g["label"]: figures(g) for g in summary["groups"]} == w.BY_AREA  # the village's case counts in its town
    assert figures(summary["total"]) == w.TOTAL
    assert [g["label"] for g in summary["groups"]] == ["香洲街道", "凤山街道"]  # largest first


def test_the_summary_by_type_channel_and_mediator(app, world):
    by_type = api(app, w.LEADER, "period=2026-11&group_by=type").get_json()["result"]["summary"]["groups"]
    assert {g["key"]: figures(g) for g in by_type} == w.BY_TYPE
    by_channel = api(app, w.LEADER, "period=2026-11&group_by=channel").get_json()["result"]["summary"]["groups"]
    assert {g["key"]: tuple(figures(g).values()) for g in by_channel} == w.BY_CHANNEL
    by_mediator = api(app, w.LEADER, "period=2026-11&group_by=mediator").get_json()["result"]["summary"]["groups"]
    assert {(g["label"] if g["key"] is not None else None): g["registered"] for g in by_mediator} == w.BY_MEDIATOR
    by_org = api(app, w.LEADER, "period=2026-11&group_by=organisation").get_json()["result"]["summary"]["groups"]
    assert {g["key"]: g["registered"] for g in by_org} == {world["centre_a"]: 4, world["centre_b"]: 2}


def test_each_row_has_the_ledger_columns_with_names_masked_and_days_counted(app, world):
    rows = api(app, w.LEADER, "period=2026-11").get_json()["result"]["rows"]
    for row, (no, key, registered, closed, days, result, amount, parties, town, visit) in zip(rows, w.ROWS):
        assert row["no"] == no and row["case_id"] == world[key], key
        assert (row["registered_on"], row["closed_on"], row["days"]) == (registered, closed, days), key
        assert (row["result"], row["agreed_amount"], row["parties"], row["town"]) == (result, amount, parties, town), key
        assert row["return_visit"] == visit, key
        assert row["days_until"] == ("closed" if closed else "today")
    c1 = rows[1]
    assert c1["high_risk"] is True and sum(r["high_risk"] for r in rows) == 1
    assert c1["organisation"] == "香洲街道综治中心" and c1["mediator"] == "陈海燕"
    assert c1["result_label"] == "Agreement reached" and c1["dispute_type_label"] == "Traffic accident"
    assert "李律师" not in str(rows)  # an agent is not a party of the dispute
    assert rows[4]["mediator"] == "" and rows[4]["result_label"] == "Withdrawn"


def test_the_type_filter_keeps_one_dispute_type(app, world):
    result = api(app, w.LEADER, "period=2026-11&type=family").get_json()["result"]
    assert result["type"] == "family" and result["count"] == 2
    assert [r["case_id"] for r in result["rows"]] == [world["C3"], world["C4"]]


def test_an_area_narrows_to_it_and_the_areas_below(app, world):
    town = api(app, w.LEADER, f"period=2026-11&area={world['town_a']}").get_json()["result"]
    assert town["count"] == 4 and town["area"] == {"id": world["town_a"], "name": "香洲街道"}
    village = api(app, w.LEADER, f"period=2026-11&area={world['village']}").get_json()["result"]
    assert [r["case_id"] for r in village["rows"]] == [world["C1"]]


def test_a_centre_clerk_reads_only_its_area(app, world):
    result = api(app, w.CLERK_A, "period=2026-11").get_json()["result"]
    assert result["scope"] == {"kind": "centre", "label": "香洲街道综治中心"}
    assert [r["case_id"] for r in result["rows"]] == [world[k] for k in ("C6", "C1", "C2", "C5")]
    assert figures(result["summary"]["total"]) == {**w.BY_AREA["香洲街道"]}


def test_an_area_outside_the_scope_answers_like_an_unknown_one(app, world):
    outside = api(app, w.CLERK_A, f"period=2026-11&area={world['town_b']}")
    unknown = api(app, w.CLERK_A, "period=2026-11&area=987654")
    assert outside.status_code == unknown.status_code == 404
    assert outside.get_json() == unknown.get_json()
    client = w.login(app, w.CLERK_A)
    page_outside = client.get(f"/reports/ledger?period=2026-11&area={world['town_b']}")
    page_unknown = client.get("/reports/ledger?period=2026-11&area=987654")
    assert page_outside.status_code == page_unknown.status_code == 404
    assert client.get(f"/reports/ledger.xlsx?period=2026-11&area={world['town_b']}").status_code == 404


def test_a_partner_has_no_ledger(app, world):
    # the Partner role has no permission; a clerk of a partner agency reads no district ledger either
    assert api(app, w.PARTNER, "period=2026-11").status_code in (401, 403)
    partner = w.login(app, w.PARTNER)
    for url in ("/reports/ledger?period=2026-11", "/reports/ledger.xlsx?period=2026-11"):
        r = partner.get(url)
        assert r.status_code in (302, 403, 404) and "周**" not in r.get_data(as_text=True)
    assert api(app, w.PARTNER_CLERK, "period=2026-11").status_code == 403
    assert w.login(app, w.PARTNER_CLERK).get("/reports/ledger?period=2026-11").status_code == 403


def test_a_clerk_of_no_organisation_reads_only_what_it_registered(app, world):
    result = api(app, w.LONE_CLERK, "period=2026-11").get_json()["result"]
    assert result["scope"]["kind"] == "own" and result["count"] == 0 and result["rows"] == []


@pytest.mark.parametrize("lang, text", [("en", "A month is 01 to 12."), ("zh_CN", "月份应为01至12。")])
def test_a_bad_period_is_refused_in_the_readers_language(app, world, lang, text):
    r = api(app, w.LEADER, "period=2026-13", lang=lang)
    assert r.status_code == 400 and r.get_json() == {"message": text, "field": "period"}
    page = w.login(app, w.LEADER, lang=lang).get("/reports/ledger?period=2026-13&type=family")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and text in html and 'id="ledger-error"' in html
    assert 'id="jf-side"' in html and 'id="jf-content"' in html  # inside the layout
    assert '<option value="family" selected>' in html  # what was chosen is kept
    assert 'id="ledger-rows"' not in html


def test_an_unknown_type_grouping_or_page_is_refused(app, world):
    r = api(app, w.LEADER, "period=2026-11&type=orchard")
    assert r.status_code == 400 and r.get_json()["field"] == "type" and "orchard" in r.get_json()["message"]
    r = api(app, w.LEADER, "period=2026-11&group_by=weather")
    assert r.status_code == 400 and r.get_json()["field"] == "group_by"
    assert api(app, w.LEADER, "period=2026-11&page_size=1000").status_code == 400
    assert api(app, w.LEADER, "period=2026-11&page=-1").status_code == 400
    zh = api(app, w.LEADER, "period=2026-11&type=orchard", lang="zh_CN").get_json()["message"]
    assert "orchard" in zh and "纠纷类型" in zh


def test_the_api_pages_the_rows_and_numbers_them_across_pages(app, world):
    second = api(app, w.LEADER, "period=2026-11&page=1&page_size=4").get_json()["result"]
    assert second["count"] == 6 and second["page"] == 1 and second["page_size"] == 4
    assert [(r["no"], r["case_id"]) for r in second["rows"]] == [(5, world["C4"]), (6, world["C5"])]


def test_a_range_of_days_is_a_period_too(app, world):
    result = api(app, w.LEADER, "period=2026-10-31..2026-12-01").get_json()["result"]
    assert result["period"]["kind"] == "range" and result["count"] == 8


def test_the_page_shows_the_same_numbers_as_the_api(app, world):
    result = api(app, w.LEADER, "period=2026-11", lang="zh_CN").get_json()["result"]
    html = w.login(app, w.LEADER, lang="zh_CN").get("/reports/ledger?period=2026-11").get_data(as_text=True)
    total = html.split('id="ledger-total"')[1].split("</tr>")[0]
    assert '<th class="num registered">6</th>' in total and '<th class="num overdue">1</th>' in total
    assert "¥15,000.50" in total and "66.7%" in total
    for row in result["rows"]:
        line = html.split(f'data-case="{row["case_id"]}"')[1].split("</tr>")[0]
        assert row["case_no"] in line and str(escape(row["parties"])) in line
        assert f'data-until="{row["days_until"]}">{row["days"]}<' in line
    assert "纠纷台账" in html and "高风险" in html
    assert untranslated_in(html) == []
    error = w.login(app, w.LEADER, lang="zh_CN").get("/reports/ledger?period=2026-13").get_data(as_text=True)
    assert untranslated_in(error) == []
    assert 'href="/reports/ledger.xlsx?' in html


def test_the_page_pages_its_rows_fifty_at_a_time(app, world):
    from app.views.ledger import PAGE_SIZE

    html = w.login(app, w.LEADER).get("/reports/ledger?period=2026-11&page=3").get_data(as_text=True)
    assert PAGE_SIZE == 50 and html.count('<tr data-case="') == 6  # a page past the end shows the last one


def test_the_ledger_is_in_the_statistics_menu_for_its_readers(app, world):
    html = w.login(app, w.JUDGE, lang="zh_CN").get("/reports/ledger").get_data(as_text=True)
    assert "纠纷台账" in html and "统计" in html
    mywork = w.login(app, w.PARTNER).get("/mywork/").get_data(as_text=True)
    assert "/reports/ledger" not in mywork
