"""Evaluation (考评): every measure per level on a fixed data set, worked out by hand
(tests/evaluation_world.py), the weighted score and the ranking, the dated weights, scope and
bad input."""
from __future__ import annotations

import datetime as dt

import pytest

from tests import evaluation_world as w

API = "/api/v1/reports/evaluation"


@pytest.fixture
def world(app, jiefen):
    """The data set, with the court's clock stopped on 2026-12-01."""
    ids = w.seed(app)
    with jiefen.on_day(w.DAY):
        yield ids


def evaluation(app, level, user="ev_lead", period=w.PERIOD, **args):
    query = "&".join(f"{k}={v}" for k, v in {"period": period, "level": level, **args}.items())
    r = app.test_client().get(f"{API}?{query}&_l_=en", headers=w.bearer(app, user))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def by_name(data) -> dict:
    return {row["name"]: row for row in data["rows"]}


def measures(row) -> dict:
    keys = ("cases_handled", "resolved", "concluded", "reached", "success_rate", "median_days", "overdue",
            "visits_done", "visits_rated", "satisfaction", "referrals_judged", "referrals_on_time",
            "referral_timeliness", "guidance_sessions")
    return {k: row[k] for k in keys}


def test_every_measure_of_every_centre_worked_out_by_hand(app, world):
    data = evaluation(app, "centre")
    rows = by_name(data)
    assert set(rows) == {"东镇综治中心", "西镇综治中心", "东镇人民调解委员会"}  # no court body, no partner
    # G1: c1, c2, c3 in hand (c4 closed before the period); c1 agreed, c2 failed; c1 28 days,
    # c2 41 days; c3 overdue since 09-02; c1's visits 5 and 4; r1 on time, r2 late.
    assert measures(rows["东镇综治中心"]) == {
        "cases_handled": 3, "resolved": 2, "concluded": 2, "reached": 1, "success_rate": 50.0, "median_days": 34.5,
        "overdue": 1, "visits_done": 2, "visits_rated": 2, "satisfaction": 4.5, "referrals_judged": 2,
        "referrals_on_time": 1, "referral_timeliness": 50.0, "guidance_sessions": 2}
    # G2: c5 and c6 (c7 came after); c5 agreed, closed in 67 days; r3 waits past its day, r4 is not due yet.
    assert measures(rows["西镇综治中心"]) == {
        "cases_handled": 2, "resolved": 1, "concluded": 1, "reached": 1, "success_rate": 100.0, "median_days": 67.0,
        "overdue": 0, "visits_done": 1, "visits_rated": 1, "satisfaction": 3.0, "referrals_judged": 1,
        "referrals_on_time": 0, "referral_timeliness": 0.0, "guidance_sessions": 2}
    # M1: c8 agreed, performing (its visit on 10-02 is outside the period).
    assert measures(rows["东镇人民调解委员会"]) == {
        "cases_handled": 1, "resolved": 0, "concluded": 1, "reached": 1, "success_rate": 100.0, "median_days": None,
        "overdue": 0, "visits_done": 0, "visits_rated": 0, "satisfaction": None, "referrals_judged": 0,
        "referrals_on_time": 0, "referral_timeliness": None, "guidance_sessions": 0}


def test_the_weighted_score_and_the_ranking_of_the_centres(app, world):
    data = evaluation(app, "centre")
    # Weights 10 handled, 30 success, 10 duration, 20 overdue, 15 satisfaction, 10 referrals, 5 guidance.
    # G1: 10×3/3 + 30×0.5 + 10×30/34.5 + 20×(1−1/3) + 15×4.5/5 + 10×0.5 + 5×2/2 = 70.529 → 70.5
    # G2: 10×2/3 + 30×1 + 10×30/67 + 20×1 + 15×3/5 + 10×0 + 5×2/2 = 75.144 → 75.1
    # M1 (handled, success, overdue, guidance only): (10×1/3 + 30 + 20 + 5×0) ÷ 65 × 100 = 82.05 → 82.1
    assert [(r["rank"], r["name"], r["score"]) for r in data["rows"]] == [
        (1, "东镇人民调解委员会", 82.1), (2, "西镇综治中心", 75.1), (3, "东镇综治中心", 70.5)]
    assert data["total"] == 3 and data["period"]["first"] == "2026-07-01" and data["period"]["last"] == "2026-09-30"
    weights = {x["measure"]: x["weight"] for x in data["weights"]}
    assert weights == {"cases_handled": 10, "success_rate": 30, "duration": 10, "overdue": 20, "satisfaction": 15,
                       "referral_timeliness": 10, "guidance": 5}
    assert data["weights_on"] == "2026-09-30" and all(x["source"] for x in data["weights"])


def test_mediators_are_ranked_on_their_own_cases(app, world):
    data = evaluation(app, "mediator")
    rows = by_name(data)
    assert measures(rows["调解员一"]) == {
        "cases_handled": 4, "resolved": 2, "concluded": 3, "reached": 2, "success_rate": 66.7, "median_days": 34.5,
        "overdue": 1, "visits_done": 2, "visits_rated": 2, "satisfaction": 4.5, "referrals_judged": 2,
        "referrals_on_time": 1, "referral_timeliness": 50.0, "guidance_sessions": 2}
    assert measures(rows["调解员二"]) == {
        "cases_handled": 2, "resolved": 1, "concluded": 1, "reached": 1, "success_rate": 100.0, "median_days": 67.0,
        "overdue": 0, "visits_done": 1, "visits_rated": 1, "satisfaction": 3.0, "referrals_judged": 1,
        "referrals_on_time": 0, "referral_timeliness": 0.0, "guidance_sessions": 1}
    assert rows["调解员一"]["organization"] == "东镇人民调解委员会"
    # Med1: 10 + 30×2/3 + 10×30/34.5 + 20×0.75 + 15×0.9 + 10×0.5 + 5 = 77.196 → 77.2
    # Med2: 10×2/4 + 30 + 10×30/67 + 20 + 15×0.6 + 0 + 5×1/2 = 70.978 → 71.0
    # Med3 did nothing: only the two relative components, both 0.
    assert [(r["rank"], r["name"], r["score"]) for r in data["rows"]] == [
        (1, "调解员一", 77.2), (2, "调解员二", 71.0), (3, "调解员三", 0.0)]


def test_court_departments_answer_for_their_own_and_their_staffs_cases(app, world):
    rows = by_name(evaluation(app, "department"))
    assert set(rows) == {"城区法院诉前调解中心", "城区法院立案庭"}
    # C1: c9 (handled by it), c3 and c5 (吴书记 is its member); guidance by 甲法官 (its member).
    assert measures(rows["城区法院诉前调解中心"]) == {
        "cases_handled": 3, "resolved": 2, "concluded": 2, "reached": 2, "success_rate": 100.0, "median_days": 54.0,
        "overdue": 1, "visits_done": 2, "visits_rated": 1, "satisfaction": 3.0, "referrals_judged": 1,
        "referrals_on_time": 0, "referral_timeliness": 0.0, "guidance_sessions": 2}
    # C2: c1, c2, c8 (周书记); guidance by 乙法官.
    assert measures(rows["城区法院立案庭"]) == {
        "cases_handled": 3, "resolved": 2, "concluded": 3, "reached": 2, "success_rate": 66.7, "median_days": 34.5,
        "overdue": 0, "visits_done": 2, "visits_rated": 2, "satisfaction": 4.5, "referrals_judged": 2,
        "referrals_on_time": 1, "referral_timeliness": 50.0, "guidance_sessions": 2}
    # C1: 10 + 30 + 10×30/54 + 20×2/3 + 15×0.6 + 0 + 5 = 72.889; C2: 10 + 20 + 8.696 + 20 + 13.5 + 5 + 5 = 82.196
    assert (rows["城区法院立案庭"]["rank"], rows["城区法院立案庭"]["score"]) == (1, 82.2)
    assert (rows["城区法院诉前调解中心"]["rank"], rows["城区法院诉前调解中心"]["score"]) == (2, 72.9)


def test_judges_on_duty_are_measured_by_the_cases_they_guided(app, world):
    rows = by_name(evaluation(app, "judge"))
    assert set(rows) == {"甲法官", "乙法官"}
    j1, j2 = rows["甲法官"], rows["乙法官"]
    assert measures(j1) == {
        "cases_handled": 2, "resolved": 1, "concluded": 1, "reached": 1, "success_rate": 100.0, "median_days": 28.0,
        "overdue": 1, "visits_done": 2, "visits_rated": 2, "satisfaction": 4.5, "referrals_judged": 2,
        "referrals_on_time": 1, "referral_timeliness": 50.0, "guidance_sessions": 2}
    assert j1["shifts"] == 3 and j2["shifts"] == 1  # 10-10 is after the period
    assert measures(j2) == {
        "cases_handled": 1, "resolved": 1, "concluded": 1, "reached": 1, "success_rate": 100.0, "median_days": 67.0,
        "overdue": 0, "visits_done": 1, "visits_rated": 1, "satisfaction": 3.0, "referrals_judged": 1,
        "referrals_on_time": 0, "referral_timeliness": 0.0, "guidance_sessions": 2}
    # J1: 10 + 30 + 10 (28 ≤ 30 days) + 20×0.5 + 13.5 + 5 + 5 = 83.5; J2: 5 + 30 + 4.478 + 20 + 9 + 0 + 5 = 73.478
    assert (j1["rank"], j1["score"], j2["rank"], j2["score"]) == (1, 83.5, 2, 73.5)


def test_every_open_case_is_someones_in_the_staff_view(app, world):
    data = evaluation(app, "staff")
    assert data["unassigned_open"] == 1  # c6
    assert [(r["name"], r["open_cases"], r["closed_cases"]) for r in data["rows"]] == [
        ("吴书记", 2, 2),  # c3, c7 open; c5, c9 closed in the period
        ("周书记", 1, 2),  # c8 open; c1 closed, c2 transferred (c4 closed before)
    ]


def test_a_weight_changed_from_a_day_counts_for_periods_ending_after_it(app, world, jiefen):
    jiefen.add_setting("core.evaluation.weight.success_rate", "0", dt.date(2026, 9, 15), source="2026年考评办法修订")
    data = evaluation(app, "centre")
    weights = {x["measure"]: x for x in data["weights"]}
    assert weights["success_rate"]["weight"] == 0 and weights["success_rate"]["valid_from"] == "2026-09-15"
    assert weights["success_rate"]["source"] == "2026年考评办法修订"
    # Without the success rate: G1 55.529 ÷ 70, M1 23.333 ÷ 35, G2 45.144 ÷ 70.
    assert [(r["name"], r["score"]) for r in data["rows"]] == [
        ("东镇综治中心", 79.3), ("东镇人民调解委员会", 66.7), ("西镇综治中心", 64.5)]
    # August ends before the change: the old weight, shown with its own day.
    august = evaluation(app, "centre", period="2026-08")
    assert {x["measure"]: x["weight"] for x in august["weights"]}["success_rate"] == 30


def test_a_centre_sees_only_its_own_rows(app, world):
    data = evaluation(app, "centre", user="ev_k1")
    assert data["scope"]["kind"] == "centre"
    # its own centre and the committee in its town; the same figures as the district sees
    assert [(r["name"], r["score"]) for r in data["rows"]] == [("东镇人民调解委员会", 82.1), ("东镇综治中心", 70.5)]
    mediators = evaluation(app, "mediator", user="ev_k1")
    assert [r["name"] for r in mediators["rows"]] == ["调解员一", "调解员三"]  # not 西镇's
    judges = by_name(evaluation(app, "judge", user="ev_k1"))
    assert set(judges) == {"甲法官"} and judges["甲法官"]["shifts"] == 3  # 乙法官 served at 西镇 only
    staff = evaluation(app, "staff", user="ev_k1")
    assert staff["unassigned_open"] == 0  # c6 is 西镇's
    r = app.test_client().get(f"{API}?period={w.PERIOD}&level=department&_l_=en", headers=w.bearer(app, "ev_k1"))
    assert r.status_code == 400 and "department" not in r.get_json()["message"]


def test_a_partner_sees_no_evaluation(app, world):
    r = app.test_client().get(f"{API}?period={w.PERIOD}&level=centre", headers=w.bearer(app, "ev_partner"))
    assert r.status_code == 403
    page = w.login(app, "ev_partner").get(f"/reports/evaluation?period={w.PERIOD}")
    assert page.status_code == 403


@pytest.mark.parametrize("query, field", [
    ("period=2026-Q5&level=centre", "quarter"),
    ("period=20261&level=centre", "year"),
    ("period=2026-13&level=centre", "month"),
    ("period=2026-Q3&level=village", "level"),
    ("period=2026-Q3&level=centre&page=-1", "page"),
])
def test_a_bad_period_or_level_is_answered_clearly(app, world, query, field):
    r = app.test_client().get(f"{API}?{query}&_l_=en", headers=w.bearer(app, "ev_lead"))
    assert r.status_code == 400
    message = r.get_json()["message"]
    assert isinstance(message, str) and len(message) > 10
    page = w.login(app, "ev_lead")
    page.get("/lang/zh_CN")
    html = page.get(f"/reports/evaluation?{query}").get_data(as_text=True)
    assert 'class="help-block error-message"' in html and "evaluation-table" not in html


def test_the_page_shows_the_ranking_and_the_weights_in_chinese(app, world):
    client = w.login(app, "ev_lead")
    client.get("/lang/zh_CN")
    r = client.get(f"/reports/evaluation?period={w.PERIOD}&level=centre")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    table = html.split('id="evaluation-table"')[1].split("</table>")[0]
    assert table.index("东镇人民调解委员会") < table.index("西镇综治中心") < table.index("东镇综治中心")
    assert "82.1" in table and "50.0%（1/2）" in table
    assert 'id="evaluation-weights"' in html and "考评" in html
    from tests.untranslated import untranslated_in

    assert untranslated_in(html) == []


def test_the_page_keeps_the_period_typed_when_it_is_wrong(app, world):
    client = w.login(app, "ev_lead")
    r = client.get("/reports/evaluation?period=2026-Q9&level=mediator&_l_=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'value="2026-Q9"' in html
    assert "a quarter (2026-Q4)" in html
