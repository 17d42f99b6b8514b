"""The dashboard page (``/dashboard/``) and ``GET /api/v1/reports/summary``: the same numbers
on the page, in its tables, in the charts' JSON and in the API, within each reader's scope;
bad dates answered in the reader's language; nothing loaded from outside; no English on the
Chinese page."""
from __future__ import annotations

import json
import re

import lxml.html
import pytest

from tests.dashboard_world import CENTRE_A, DISTRICT, FROM, TO, TODAY, seed
from tests.untranslated import untranslated_in

QUERY = f"from={FROM}&to={TO}"


@pytest.fixture
def world(app, jiefen):
    for role in ("Clerk", "Judge", "Partner", "Leadership", "Mediator"):
        jiefen.username(role)
    with app.app_context():
        return seed()


def page_as(jiefen, role, query=QUERY, lang="zh_CN"):
    with jiefen.on_day(TODAY):
        return jiefen.client_as(role, lang=lang).get(f"/dashboard/?{query}")


def api_as(jiefen, role, query=QUERY, lang="zh_CN"):
    with jiefen.on_day(TODAY):
        return jiefen.api(role, "GET", f"/api/v1/reports/summary?{query}", lang=lang)


def cells(doc, table: str, attr: str) -> dict:
    """``{row's data-<attr>: [cell texts]}`` of a table on the page."""
    rows = doc.xpath(f"//table[@id='{table}']/tbody/tr[@data-{attr}]")
    return {r.get(f"data-{attr}"): [c.text_content().strip() for c in r.xpath("./td")] for r in rows}


def figure(doc, name: str) -> str:
    return doc.xpath(f"//td[@data-figure='{name}']")[0].text_content().strip()


def shown(value, fmt="{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def test_the_page_shows_the_apis_numbers_in_chinese(jiefen, world):
    r = page_as(jiefen, "Leadership")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert untranslated_in(html) == []
    api = api_as(jiefen, "Leadership")
    assert api.status_code == 200
    f = api.get_json()["result"]
    assert f["cases"] == DISTRICT["cases"] and f["overdue"]["count"] == DISTRICT["overdue"]
    doc = lxml.html.fromstring(html)
    kpi = {k.get("data-kpi"): k.xpath(".//div[@class='jf-kpi-value']")[0].text_content().strip()
           for k in doc.xpath("//div[@id='dashboard-kpis']/div")}
    assert kpi == {"cases": str(f["cases"]["total"]), "success": shown(f["mediation"]["success_rate"], "{:.1f}%"),
                   "median": shown(f["resolution"]["median_days"]), "overdue": str(f["overdue"]["count"]),
                   "confirmations": str(f["confirmations"]["applied"])}
    assert cells(doc, "table-types", "type") == {
        t["code"]: [str(t["count"]), str(t["previous"]), cells(doc, "table-types", "type")[t["code"]][2]]
        for t in f["by_type"]}
    assert {k: v[:2] for k, v in cells(doc, "table-areas", "area").items()} == {
        str(a["area_id"] or ""): [str(a["count"]), str(a["previous"])] for a in f["by_area"]}
    assert [td.text_content() for td in doc.xpath("//table[@id='table-months']//td[@data-month]")] == [
        str(m["count"]) for m in f["by_month"]]
    for key in ("concluded", "reached", "failed"):
        assert figure(doc, key) == str(f["mediation"][key])
    assert figure(doc, "median_days") == shown(f["resolution"]["median_days"])
    assert figure(doc, "average_satisfaction") == shown(f["visits"]["average_satisfaction"])
    assert {k: v[0] for k, v in cells(doc, "table-referrals", "partner").items()} == {
        str(p["partner_id"]): str(p["sent"]) for p in f["referrals"]}
    assert cells(doc, "table-referrals", "partner")[str(world["P1"])] == ["5", "3", "2", "1", "48.0", "60.0"]
    # the charts draw the same numbers, read from the JSON block
    chart = json.loads(doc.xpath("//script[@id='dashboard-data']")[0].text)
    assert chart["month_counts"] == [m["count"] for m in f["by_month"]]
    assert chart["type_counts"] == [t["count"] for t in f["by_type"]]
    assert chart["area_counts"] == [a["count"] for a in f["by_area"]]
    assert chart["score_counts"] == [d["count"] for d in f["visits"]["distribution"]]
    # Chinese labels: the period's trend, the town rolled up, the success rate's definition
    assert "数据看板" in html and "全区" in html and "香洲街道" in html and "调解成功率" in html
    assert "区级直接登记/未归属镇街" in html and "达成协议数÷期间内调解结束数" in html


def test_the_page_loads_nothing_from_outside_and_has_no_inline_script_code(jiefen, world):
    html = page_as(jiefen, "Leadership").get_data(as_text=True)
    doc = lxml.html.fromstring(html)
    for src in doc.xpath("//script/@src") + doc.xpath("//link/@href") + doc.xpath("//img/@src"):
        assert not re.match(r"^(https?:)?//", src), src
    sources = doc.xpath("//script/@src")
    assert "/static/vendor/echarts/echarts.min.js" in sources and "/static/dashboard.js" in sources
    assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handler (the CSP forbids them)
    block = doc.xpath("//script[@id='dashboard-data']")[0]
    assert block.get("type") == "application/json"


def test_a_centres_clerk_sees_only_its_area_on_the_page_and_in_the_api(jiefen, world):
    f = api_as(jiefen, "Clerk").get_json()["result"]
    assert f["scope"]["kind"] == "centre" and f["cases"] == CENTRE_A["cases"]
    assert [a["area_id"] for a in f["by_area"]] == [world["A"]]
    doc = lxml.html.fromstring(page_as(jiefen, "Clerk").get_data(as_text=True))
    assert list(cells(doc, "table-areas", "area")) == [str(world["A"])]
    assert doc.xpath("//*[@id='dashboard-scope']")[0].text_content().strip() == "香洲街道综治中心"
    assert figure(doc, "overdue") == str(CENTRE_A["overdue"]) and "凤山街道" not in doc.text_content()


def test_a_judge_of_the_court_sees_the_district(jiefen, world):
    f = api_as(jiefen, "Judge").get_json()["result"]
    assert f["scope"]["kind"] == "district" and f["cases"] == DISTRICT["cases"]
    assert page_as(jiefen, "Judge").status_code == 200


def test_a_partner_gets_its_own_referral_figures_and_no_page(jiefen, world):
    r = api_as(jiefen, "Partner")
    assert r.status_code == 200
    f = r.get_json()["result"]
    assert f["scope"]["kind"] == "partner" and f["cases"] is None and f["by_area"] is None
    assert [(p["partner_id"], p["sent"], p["overdue"]) for p in f["referrals"]] == [(world["P1"], 5, 1)]
    assert page_as(jiefen, "Partner").status_code in (302, 403)


def test_a_mediator_has_neither_the_page_nor_the_api(jiefen, world):
    assert api_as(jiefen, "Mediator").status_code == 403
    assert page_as(jiefen, "Mediator").status_code in (302, 403)


@pytest.mark.parametrize("query, zh, en", [
    ("from=2026-02-30&to=2026-06-15", "请按“年-月-日”", "Give dates as YYYY-MM-DD."),
    ("from=2026-06-15&to=2026-04-01", "早于", "The end date is before the start date."),
    ("from=2020-01-01&to=2026-06-15", "最长为三年", "Choose at most three years."),
    ("from=1999-01-01&to=1999-02-01", "请选择2000年至2027年之间的年份", "Choose a year from 2000 to 2027."),
])
def test_bad_dates_are_refused_in_the_readers_language(jiefen, world, query, zh, en):
    r = api_as(jiefen, "Leadership", query, lang="en")
    assert r.status_code == 400 and r.get_json()["message"] == en
    assert zh in api_as(jiefen, "Leadership", query).get_json()["message"]
    page = page_as(jiefen, "Leadership", query)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    doc = lxml.html.fromstring(html)
    assert zh in doc.xpath("//*[@id='dashboard-error']")[0].text_content()
    assert doc.xpath("//nav") and doc.xpath("//main")  # inside the layout, menu and all
    typed = dict(part.split("=") for part in query.split("&"))
    assert doc.xpath("//input[@name='from']/@value") == [typed["from"]]
    assert not doc.xpath("//div[@id='dashboard-kpis']") and untranslated_in(html) == []


def test_without_dates_the_range_is_this_year_so_far(jiefen, world):
    f = api_as(jiefen, "Leadership", "").get_json()["result"]
    assert f["range"] == {"from": "2026-01-01", "to": "2026-06-15", "days": 166}
    assert f["previous_range"] == {"from": "2025-07-19", "to": "2025-12-31"}
    doc = lxml.html.fromstring(page_as(jiefen, "Leadership", "").get_data(as_text=True))
    active = doc.xpath("//ul[@id='dashboard-quick']//a[contains(@class, 'active')]/@data-quick")
    assert active == ["year"]
    links = dict(zip(doc.xpath("//ul[@id='dashboard-quick']//a/@data-quick"),
                     doc.xpath("//ul[@id='dashboard-quick']//a/@href")))
    assert links["month"].endswith("from=2026-06-01&to=2026-06-15")
    assert links["quarter"].endswith("from=2026-04-01&to=2026-06-15")


def test_the_dashboard_opens_the_statistics_menu(jiefen, world):
    doc = lxml.html.fromstring(page_as(jiefen, "Leadership", lang="en").get_data(as_text=True))
    hrefs = [h for h in doc.xpath("//nav//a/@href") if h not in ("#", "")]
    statistics = [h for h in hrefs if h.startswith(("/dashboard", "/reports", "/partner/statistics", "/map"))]
    assert statistics and statistics[0].startswith("/dashboard/")
