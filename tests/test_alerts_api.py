"""The alerts API: each reader's scope (a centre its area, the district all, nobody else none;
out of scope answers like missing), filters and paging, the cases behind an alert (those the
reader may not see counted, never named), and the steps with their versions."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.warning_world import add_case, api, at, build, person, scan

ID_1 = "11010519491231002X"


@pytest.fixture
def world(app):
    """Two group disputes (one per town) and a person in two cases of town B and the newest in
    town A, scanned into three alerts."""
    from app.extensions import db
    from app.services.clock import today

    ids = build(app)
    with app.app_context():
        day = today()
        ids["case_a"] = add_case(ids["village"], at(day), "debt", parties=[person("applicant", f"甲{i}") for i in range(5)])
        ids["case_b"] = add_case(ids["town_b"], at(day), "debt", parties=[person("applicant", f"乙{i}") for i in range(6)])
        ids["repeat"] = [add_case(ids[t], at(day - dt.timedelta(days=n)), "debt", parties=[person("applicant", "林晓明", ID_1)])
                         for n, t in ((3, "town_b"), (2, "town_b"), (1, "town_a"))]
        db.session.commit()
    scan(app, only=["core.group_parties", "core.repeat_party"])
    with app.app_context():
        from app.models import Alert

        by = {(a.rule, a.area_id): a.id for a in db.session.query(Alert)}
    ids["alert_a"] = by[("core.group_parties", ids["town_a"])]
    ids["alert_b"] = by[("core.group_parties", ids["town_b"])]
    ids["alert_person"] = by[("core.repeat_party", ids["town_a"])]
    return ids


def listed(app, username, query="") -> list[int]:
    r = api(app, username, "GET", f"/api/v1/alerts/{query}")
    assert r.status_code == 200, r.get_json()
    return sorted(a["id"] for a in r.get_json()["result"])


def test_a_centre_reads_its_areas_alerts_and_the_district_reads_them_all(app, world):
    mine = sorted([world["alert_a"], world["alert_person"]])
    everything = sorted(mine + [world["alert_b"]])
    assert listed(app, "w_clerk_a") == mine
    assert listed(app, "w_clerk_b") == [world["alert_b"]]
    for username in ("w_clerk_district", "w_leader", "w_judge"):
        assert listed(app, username) == everything, username
    assert listed(app, "w_clerk_nowhere") == []
    assert api(app, "w_clerk_a", "GET", f"/api/v1/alerts/{world['alert_b']}").status_code == 404
    assert api(app, "w_clerk_a", "GET", "/api/v1/alerts/999999").status_code == 404
    assert api(app, "w_clerk_b", "POST", f"/api/v1/alerts/{world['alert_a']}/acknowledge",
               {"version": 1}).status_code == 404


def test_filters_and_paging(app, world):
    assert listed(app, "w_leader", f"?area={world['town_b']}") == [world["alert_b"]]
    assert listed(app, "w_leader", "?rule=core.repeat_party") == [world["alert_person"]]
    assert listed(app, "w_leader", "?status=resolved") == []
    r = api(app, "w_leader", "GET", "/api/v1/alerts/?page_size=2&page=1")
    body = r.get_json()
    assert (body["count"], body["page"], body["page_size"], len(body["result"])) == (3, 1, 2, 1)
    assert api(app, "w_clerk_a", "GET", f"/api/v1/alerts/?area={world['town_b']}").status_code == 404
    assert api(app, "w_leader", "GET", "/api/v1/alerts/?area=99999999").status_code == 404
    assert api(app, "w_leader", "GET", "/api/v1/alerts/?status=later").status_code == 400
    assert api(app, "w_leader", "GET", "/api/v1/alerts/?page_size=0").status_code == 400


def test_an_alert_names_the_cases_the_reader_may_see_and_counts_the_others(app, world):
    r = api(app, "w_clerk_a", "GET", f"/api/v1/alerts/{world['alert_person']}", lang="zh_CN")
    alert = r.get_json()["result"]
    assert [c["id"] for c in alert["cases"]] == [world["repeat"][2]] and alert["cases_not_shown"] == 2
    assert alert["case_count"] == 3 and alert["area"]["id"] == world["town_a"]
    assert alert["title"] == "林**：在办案件3件，近十二个月涉及案件3件" and alert["rule_label"] == "重复当事人"
    assert alert["details"]["open_cases"] == 3 and ID_1 not in str(alert)
    every = api(app, "w_leader", "GET", f"/api/v1/alerts/{world['alert_person']}").get_json()["result"]
    assert len(every["cases"]) == 3 and every["cases_not_shown"] == 0
    assert every["title"] == "林** is a party to 3 open cases and to 3 cases in twelve months"


def test_acknowledge_then_resolve_with_versions_and_the_impossible_steps(app, world):
    path = f"/api/v1/alerts/{world['alert_a']}"
    version = api(app, "w_clerk_a", "GET", path).get_json()["result"]["version"]
    missing = api(app, "w_clerk_a", "POST", f"{path}/acknowledge", {"note": "收到"})
    assert missing.status_code == 422 and "version" in missing.get_json()["message"]
    assert api(app, "w_clerk_a", "POST", f"{path}/acknowledge", {"version": "一"}).status_code == 400
    r = api(app, "w_clerk_a", "POST", f"{path}/acknowledge", {"version": version, "note": "已安排专人跟进"})
    assert r.status_code == 200 and r.get_json()["result"]["status"] == "acknowledged"
    again = api(app, "w_clerk_a", "POST", f"{path}/acknowledge", {"version": version + 1})
    assert again.status_code == 409
    stale = api(app, "w_clerk_a", "POST", f"{path}/resolve", {"version": version, "note": "已化解"})
    assert stale.status_code == 409
    bare = api(app, "w_clerk_a", "POST", f"{path}/resolve", {"version": version + 1}, lang="zh_CN")
    assert bare.status_code == 422 and bare.get_json()["message"] == {"note": ["请说明处置情况。"]}
    done = api(app, "w_clerk_a", "POST", f"{path}/resolve", {"version": version + 1, "note": "双方达成和解，工资已付清。"})
    assert done.status_code == 200
    result = done.get_json()["result"]
    assert result["status"] == "resolved" and result["resolved_at"]
    assert [(n["action"], n["text"]) for n in result["notes"]] == [
        ("acknowledge", "已安排专人跟进"), ("resolve", "双方达成和解，工资已付清。")]
    twice = api(app, "w_clerk_a", "POST", f"{path}/resolve", {"version": result["version"], "note": "再次处置"})
    assert twice.status_code == 409


def test_leadership_and_judges_read_but_do_not_act(app, world):
    for username in ("w_leader", "w_judge"):
        r = api(app, username, "POST", f"/api/v1/alerts/{world['alert_a']}/acknowledge", {"version": 1})
        assert r.status_code == 403, username
    assert api(app, "w_clerk_district", "POST", f"/api/v1/alerts/{world['alert_b']}/acknowledge",
               {"version": 1}).status_code == 200


def test_the_alerts_api_is_in_the_openapi_document(app, world):
    document = api(app, "w_leader", "GET", "/api/v1/_openapi").get_json()
    paths = document["paths"]
    assert {"/api/v1/alerts/", "/api/v1/alerts/{pk}", "/api/v1/alerts/{pk}/acknowledge",
            "/api/v1/alerts/{pk}/resolve"} <= set(paths)
    body = paths["/api/v1/alerts/{pk}/resolve"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["version", "note"] and body["properties"]["version"]["type"] == "integer"
    assert {"200", "404", "409", "422", "401", "403"} <= set(paths["/api/v1/alerts/{pk}/resolve"]["post"]["responses"])
    names = {p.get("name") for p in paths["/api/v1/alerts/"]["get"]["parameters"]}
    assert {"status", "rule", "area", "page", "page_size"} <= names
