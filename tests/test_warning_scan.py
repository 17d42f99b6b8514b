"""The scan (``flask --app app alerts scan``): idempotent, updating the alert open for a situation
instead of raising another, raising a new one when a resolved situation recurs, leaving a
situation no longer seen open but marked, surviving a second scan's insert (the partial unique
index) and a failing rule."""
from __future__ import annotations

import datetime as dt

import pytest

from tests import helpers
from tests.warning_world import add_case, alerts, at, build, person, scan

ID_1 = "11010519491231002X"


@pytest.fixture
def world(app):
    return build(app)


def today(app) -> dt.date:
    from app.services.clock import today as court_today

    with app.app_context():
        return court_today()


def seed(app, fill):
    from app.extensions import db

    with app.app_context():
        out = fill()
        db.session.commit()
        return out


def group_case(world, day, n=5) -> int:
    return add_case(world["town_a"], at(day), "debt", parties=[person("applicant", f"工人{i}") for i in range(n)])


def repeat_case(world, day, area="town_b") -> int:
    return add_case(world[area], at(day), "debt", parties=[person("applicant", "林晓明", ID_1)])


def versions(app) -> list:
    from app.extensions import db
    from app.models import Alert

    with app.app_context():
        return [(a.id, a.version, a.last_seen_at) for a in db.session.query(Alert).order_by(Alert.id)]


def admin_api(app, method, path, json=None):
    client = app.test_client()
    return client.open(path, method=method, json=json,
                       headers={"Authorization": f"Bearer {helpers.api_token(client, 'admin')}"})


def test_two_scans_give_the_same_alerts_the_second_only_seeing_them_again(app, world):
    day = today(app)
    seed(app, lambda: [group_case(world, day), *[repeat_case(world, day - dt.timedelta(days=n)) for n in range(3)]])
    first = scan(app)
    assert (first.counts["core.group_parties"]["raised"], first.counts["core.repeat_party"]["raised"]) == (1, 1)
    before = versions(app)
    second = scan(app)
    assert second.total("raised") == 0 and second.total("updated") == 0
    assert second.counts["core.group_parties"]["unchanged"] == 1
    after = versions(app)
    assert [(i, v) for i, v, _ in after] == [(i, v) for i, v, _ in before]  # same alerts, same versions
    assert all(later >= earlier for (_i, _v, later), (_j, _w, earlier) in zip(after, before))


def test_a_new_case_updates_the_open_alert_and_an_acknowledged_one_stays_acknowledged(app, world):
    day = today(app)
    seed(app, lambda: [repeat_case(world, day - dt.timedelta(days=n)) for n in range(3)])
    scan(app)
    ((_rule, _key, status, count, _area, details, _ids),) = alerts(app, "core.repeat_party")
    assert (status, count, details["open_cases"]) == ("open", 3, 3)
    (alert_id, version, _seen), = versions(app)
    r = admin_api(app, "POST", f"/api/v1/alerts/{alert_id}/acknowledge", {"version": version, "note": "已电话联系"})
    assert r.status_code == 200, r.get_json()
    newest = seed(app, lambda: repeat_case(world, day, "town_a"))
    summary = scan(app)
    assert summary.counts["core.repeat_party"]["updated"] == 1 and summary.total("raised") == 0
    ((_rule, _key, status, count, area, details, ids),) = alerts(app, "core.repeat_party")
    assert (status, count, details["open_cases"], ids[0], area) == ("acknowledged", 4, 4, newest, world["town_a"])


def test_a_resolved_alert_stays_resolved_until_its_situation_recurs_with_a_new_case(app, world):
    day = today(app)
    seed(app, lambda: [repeat_case(world, day - dt.timedelta(days=n)) for n in range(3)])
    scan(app)
    (alert_id, version, _seen), = versions(app)
    r = admin_api(app, "POST", f"/api/v1/alerts/{alert_id}/resolve",
                  {"version": version, "note": "已约谈当事人，三起纠纷合并调解。"})
    assert r.status_code == 200, r.get_json()
    summary = scan(app)
    assert summary.counts["core.repeat_party"]["resolved"] == 1 and summary.total("raised") == 0
    assert [a[2] for a in alerts(app, "core.repeat_party")] == ["resolved"]
    seed(app, lambda: repeat_case(world, day))
    summary = scan(app)
    assert summary.counts["core.repeat_party"]["raised"] == 1
    assert [(a[2], a[3]) for a in alerts(app, "core.repeat_party")] == [("resolved", 3), ("open", 4)]


def test_a_situation_no_longer_seen_stays_open_and_is_marked_no_longer_observed(app, world):
    day = today(app)
    case_id = seed(app, lambda: group_case(world, day))
    scan(app)
    ((_r, _k, status, _c, _a, details, _i),) = alerts(app, "core.group_parties")
    assert status == "open" and "observed" not in details
    (_id, _version, seen), = versions(app)
    version = admin_api(app, "GET", f"/api/v1/case/{case_id}").get_json()["result"]["version"]
    r = admin_api(app, "POST", f"/api/v1/case/{case_id}/transition",
                  {"action": "withdraw", "version": version, "note": "申请人撤回"})
    assert r.status_code == 200, r.get_json()
    summary = scan(app)
    assert summary.counts["core.group_parties"]["unobserved"] == 1
    ((_r, _k, status, _c, _a, details, _i),) = alerts(app, "core.group_parties")
    assert status == "open" and details["observed"] is False
    (_id, _version, still), = versions(app)
    assert still == seen  # "no longer observed since" the last time it was seen
    assert scan(app).counts["core.group_parties"]["unobserved"] == 0  # marked once
    r = admin_api(app, "GET", f"/api/v1/alerts/{_id}")
    assert r.get_json()["result"]["observed"] is False


def test_an_insert_refused_by_the_unique_index_updates_the_alert_another_scan_raised(app, world, monkeypatch):
    from app.warnings import scan as scanning

    day = today(app)
    seed(app, lambda: group_case(world, day))
    scan(app)
    real = scanning._live
    calls = []

    def blind_once(rule, key):
        """The first look misses the alert, as a scan running alongside would."""
        calls.append(key)
        return None if len(calls) == 1 else real(rule, key)

    monkeypatch.setattr(scanning, "_live", blind_once)
    summary = scan(app, only=["core.group_parties"])
    assert summary.counts["core.group_parties"]["unchanged"] == 1 and len(calls) == 2
    assert len(alerts(app, "core.group_parties")) == 1


def test_one_failing_rule_is_reported_and_the_others_still_run(app, world, monkeypatch):
    from app.warnings import scan as scanning
    from app.warnings.findings import CoreRule

    def broken(day):
        raise RuntimeError("设置值无法解析")

    rules = tuple(CoreRule(r.code, broken) if r.code == "core.spike" else r for r in scanning.CORE_RULES)
    monkeypatch.setattr(scanning, "CORE_RULES", rules)
    seed(app, lambda: group_case(world, today(app)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "scan"])
    assert result.exit_code == 1
    assert "core.spike: FAILED (RuntimeError" in result.output
    assert "core.group_parties: 1 raised" in result.output


def test_the_command_prints_a_summary_and_refuses_an_unknown_rule(app, world):
    seed(app, lambda: group_case(world, today(app)))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "scan", "--rule", "core.group_parties"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"alerts scan {today(app).isoformat()}: 1 raised, 0 updated")
    assert "core.spike" not in result.output
    again = runner.invoke(args=["alerts", "scan", "--rule", "core.group_parties"])
    assert "0 raised, 0 updated, 1 unchanged" in again.output
    wrong = runner.invoke(args=["alerts", "scan", "--rule", "core.nothing"])
    assert wrong.exit_code != 0 and "core.nothing" in wrong.output
