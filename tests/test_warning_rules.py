"""Each early-warning rule of the core, golden-tested on a fixed seeded data set: groups just
above and just below each threshold, figures counted by hand, and the dated thresholds (a value
an administrator enters from a day on applies from that day)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.warning_world import add_case, at, build, org, person

DAY = dt.date(2026, 11, 20)  # a Friday; the window of a 7-day spike is 14–20 November
WINDOW_START = dt.date(2026, 11, 14)


@pytest.fixture
def world(app):
    return build(app)


def run(app, rule, day=DAY):
    """The findings of ``rule`` on ``day``, by evidence key."""
    with app.app_context():
        return {f.evidence_key: f for f in rule(day)}


def seed(app, fill):
    from app.extensions import db

    with app.app_context():
        out = fill()
        db.session.commit()
        return out


# --- spike ---------------------------------------------------------------------------------------


def test_a_spike_of_one_type_in_a_town_is_found_with_its_figures_and_villages_roll_up(app, world):
    from app.warnings.rules import spike

    def fill():
        ids = []
        # town A, type traffic: 6 in the window (filed in its grid and village), 9 in the 90 days before
        for n in range(6):
            area = world["grid"] if n % 2 else world["village"]
            ids.append(add_case(area, at(DAY - dt.timedelta(days=n)), "traffic"))
        for n in range(9):
            add_case(world["town_a"], at(WINDOW_START - dt.timedelta(days=1 + 9 * n)), "traffic")
        # the window's first instant counts, the instant before does not (China time)
        ids.append(add_case(world["town_a"], at(WINDOW_START, 0, 0), "family"))
        add_case(world["town_a"], at(WINDOW_START, 0, 0) - dt.timedelta(seconds=1), "family")
        return ids

    ids = seed(app, fill)
    found = run(app, spike)
    finding = found[f"town:{world['town_a']}:type:traffic"]
    # average 9 / 90 = 0.1 a day; usual over 7 days 0.7; threshold 2 × 0.7 = 1.4 < 6
    assert finding.details == {"dispute_type": "traffic", "count": 6, "days": 7, "trailing_days": 90,
                               "trailing_count": 9, "average": 0.1, "expected": 0.7, "factor": "2",
                               "threshold": 1.4, "min_cases": 5}
    assert finding.area_id == world["town_a"] and finding.case_count == 6 and finding.level == "warning"
    assert finding.case_ids == ids[:6]  # newest first
    assert f"town:{world['town_a']}:type:family" not in found  # one case in the window


def test_a_spike_needs_the_fewest_cases_and_more_than_the_factor_times_the_usual(app, world):
    from app.warnings.rules import spike

    def fill():
        for n in range(4):  # town B, debt: 4 in the window and none before: below min_cases (5)
            add_case(world["town_b"], at(DAY - dt.timedelta(days=n)), "debt")
        # 7 in the window: 7 × 90 = 630 against 2 × 7 × trailing
        for n in range(7):
            add_case(world["town_b"], at(DAY - dt.timedelta(days=n)), "family")  # 45 before: 630, not above
            add_case(world["town_a"], at(DAY - dt.timedelta(days=n)), "family")  # 44 before: 616, above
        for n in range(45):
            add_case(world["town_b"], at(WINDOW_START - dt.timedelta(days=1 + n * 2)), "family")
        for n in range(44):
            add_case(world["town_a"], at(WINDOW_START - dt.timedelta(days=1 + n * 2)), "family")

    seed(app, fill)
    found = run(app, spike)
    assert set(found) == {f"town:{world['town_a']}:type:family"}
    # 44 / 90 = 0.489 a day; usual 3.42 over 7 days (3.4); 2 × 3.42 = 6.84 (6.8) < 7
    details = found[f"town:{world['town_a']}:type:family"].details
    assert (details["count"], details["average"], details["expected"], details["threshold"]) == (7, 0.49, 3.4, 6.8)


def test_a_spike_threshold_changed_from_a_day_applies_from_that_day(app, world, jiefen):
    from app.warnings import settings as keys
    from app.warnings.rules import spike

    def fill():
        for n in range(5):
            add_case(world["town_a"], at(DAY - dt.timedelta(days=n)), "traffic")

    seed(app, fill)
    assert set(run(app, spike)) == {f"town:{world['town_a']}:type:traffic"}
    jiefen.add_setting(keys.SPIKE_MIN_CASES, "6", DAY + dt.timedelta(days=1), source="区综治中心2026年第3号通知")
    assert set(run(app, spike)) == {f"town:{world['town_a']}:type:traffic"}  # still 5 on DAY
    # on the next day the window holds the same five cases, and six are needed
    assert run(app, spike, DAY + dt.timedelta(days=1)) == {}


# --- repeat parties --------------------------------------------------------------------------------


ID_1, ID_2 = "11010519491231002X", "441502199007080028"


def test_the_same_person_in_three_open_cases_or_five_in_twelve_months(app, world):
    from app.warnings.rules import repeat_parties

    since = dt.date(2025, 11, 21)  # twelve months back from DAY: 21 November 2025 onwards

    def fill():
        cases = {}
        # ID_1 in three open cases (town B newest): an alert
        cases["p1"] = [add_case(world["town_a"], at(DAY - dt.timedelta(days=30)), parties=[person("applicant", "林晓明", ID_1)]),
                       add_case(world["town_a"], at(DAY - dt.timedelta(days=20)), parties=[person("respondent", "林晓明", ID_1)]),
                       add_case(world["town_b"], at(DAY - dt.timedelta(days=10)), parties=[person("applicant", "林晓明", ID_1)])]
        # ID_2: two open and two closed this year: 2 open, 4 in twelve months: none
        for n, status in enumerate(["registered", "screening", "closed", "closed"]):
            add_case(world["town_a"], at(DAY - dt.timedelta(days=40 + n)), status=status,
                     parties=[person("applicant", "黄丽娟", ID_2)])
        # no ID: five closed cases by name and mobile, the oldest on the first day of the twelve months
        days = [since, DAY - dt.timedelta(days=100), DAY - dt.timedelta(days=60), DAY - dt.timedelta(days=5), DAY]
        cases["p3"] = [add_case(world["village"], at(d), status="closed",
                                parties=[person("applicant", "陈海生", None, "13800138000")]) for d in days]
        # a sixth, the day before the twelve months: not counted
        add_case(world["town_a"], at(since - dt.timedelta(days=1)), status="closed",
                 parties=[person("applicant", "陈海生", None, "13800138000")])
        # the same name with another mobile, and a name with neither: nobody identified
        add_case(world["town_a"], at(DAY), parties=[person("applicant", "陈海生", None, "13900139000")])
        for n in range(5):
            add_case(world["town_a"], at(DAY - dt.timedelta(days=n)), parties=[person("applicant", "张三")])
        return cases

    cases = seed(app, fill)
    with app.app_context():
        found = sorted(repeat_parties(DAY), key=lambda f: f.details["name"])
    assert [(f.details["name"], f.details["open_cases"], f.details["cases_12m"], f.case_count) for f in found] == [
        ("林**", 3, 3, 3), ("陈**", 0, 5, 5)]
    first, second = found
    assert first.details["identified_by"] == "id_number" and second.details["identified_by"] == "name_mobile"
    assert first.case_ids == cases["p1"][::-1] and first.area_id == world["town_b"]  # the newest case's town
    assert second.case_ids == cases["p3"][::-1] and second.area_id == world["town_a"]  # a village rolls up
    assert ID_1 not in first.evidence_key and first.evidence_key.startswith("person:")  # no ID number in keys


# --- group disputes -------------------------------------------------------------------------------


def test_five_parties_on_one_side_of_an_open_case_is_a_group_dispute(app, world):
    from app.warnings.rules import group_parties

    def fill():
        five = add_case(world["grid"], at(DAY), parties=[person("applicant", f"工人{n}") for n in range(5)]
                        + [org("汕尾市城区鸿达制衣厂")])
        four = add_case(world["town_a"], at(DAY), parties=[person("applicant", f"工人{n}") for n in range(4)]
                        + [person("agent", "律师甲"), org("某公司")])
        closed = add_case(world["town_a"], at(DAY), status="closed",
                          parties=[person("applicant", f"业主{n}") for n in range(6)])
        respondents = add_case(world["town_b"], at(DAY), status="in_mediation",
                               parties=[person("applicant", "物业公司代表")]
                               + [person("respondent", f"业主{n}") for n in range(5)])
        return five, four, closed, respondents

    five, four, closed, respondents = seed(app, fill)
    found = run(app, group_parties)
    assert set(found) == {f"case:{five}", f"case:{respondents}"}
    assert found[f"case:{five}"].details | {"case_no": ""} == {
        "case_no": "", "side": "applicant", "count": 5, "applicants": 5, "respondents": 1, "threshold": 5}
    assert found[f"case:{respondents}"].details["side"] == "respondent"
    assert found[f"case:{five}"].area_id == world["town_a"] and found[f"case:{five}"].level == "serious"


def test_the_group_threshold_is_a_dated_setting(app, world, jiefen):
    from app.warnings import settings as keys
    from app.warnings.rules import group_parties

    seed(app, lambda: add_case(world["town_a"], at(DAY), parties=[person("applicant", f"工人{n}") for n in range(5)]))
    jiefen.add_setting(keys.GROUP_PARTIES, "6", DAY, source="区综治中心通知")
    assert len(run(app, group_parties, DAY - dt.timedelta(days=1))) == 1
    assert run(app, group_parties, DAY) == {}


def test_five_cases_against_one_organisation_in_ninety_days(app, world):
    from app.warnings.rules import many_against_one

    first_day = DAY - dt.timedelta(days=89)

    def fill():
        code = "91441502MA4W8K2L3N"
        ids = [add_case(world["town_a"], at(first_day), parties=[person("applicant", "甲"), org("甲物业公司", code)])]
        ids += [add_case(world["town_b"], at(DAY - dt.timedelta(days=n)),
                         parties=[person("applicant", "乙"), org("甲物业服务有限公司", code.lower() if n == 1 else code)])
                for n in range(4)]
        # four cases by name, and a fifth a day before the ninety: none
        for n in range(4):
            add_case(world["town_a"], at(DAY - dt.timedelta(days=n)), parties=[org("乙建筑公司")])
        add_case(world["town_a"], at(first_day - dt.timedelta(days=1)), parties=[org("乙建筑公司")])
        # a name typed with spaces is the same name
        for n in range(5):
            add_case(world["town_a"], at(DAY - dt.timedelta(days=n)), parties=[org(" 丙科技公司 " if n else "丙科技公司")])
        # a person respondent is not an organisation
        for n in range(5):
            add_case(world["town_a"], at(DAY), parties=[person("respondent", "丁某")])
        return ids

    ids = seed(app, fill)
    found = run(app, many_against_one)
    assert set(found) == {"respondent:code:91441502MA4W8K2L3N", "respondent:name:丙科技公司"}
    by_code = found["respondent:code:91441502MA4W8K2L3N"]
    assert by_code.details == {"respondent": "甲物业服务有限公司", "credit_code": "91441502MA4W8K2L3N", "count": 5,
                               "days": 90, "threshold": 5}
    assert sorted(by_code.case_ids) == sorted(ids) and by_code.area_id == world["town_b"]


# --- sensitive periods ---------------------------------------------------------------------------------


def test_during_a_sensitive_period_its_areas_open_high_risk_cases_and_group_disputes_raise_alerts(app, world):
    from app.extensions import db
    from app.models import SensitivePeriod
    from app.warnings.rules_watch import sensitive_periods

    def fill():
        db.session.add_all([
            SensitivePeriod(name="2027年春节前后", starts_on=DAY - dt.timedelta(days=3), ends_on=DAY,
                            area_id=world["town_a"], note="返乡高峰"),
            SensitivePeriod(name="全国两会", starts_on=DAY + dt.timedelta(days=1), ends_on=DAY + dt.timedelta(days=9)),
        ])
        return {
            "high": add_case(world["village"], at(DAY - dt.timedelta(days=50)), risk_level="high"),
            "group": add_case(world["town_a"], at(DAY), parties=[person("applicant", f"工人{n}") for n in range(5)]),
            "closed_high": add_case(world["town_a"], at(DAY), status="closed", risk_level="high"),
            "medium": add_case(world["town_a"], at(DAY), risk_level="medium"),
            "elsewhere": add_case(world["town_b"], at(DAY), risk_level="high"),
        }

    cases = seed(app, fill)
    found = list(run(app, sensitive_periods).values())
    assert len(found) == 1
    (finding,) = found
    assert finding.evidence_key.startswith("period:") and finding.evidence_key.endswith(f":town:{world['town_a']}")
    assert {k: finding.details[k] for k in ("period", "count", "high_risk", "group_disputes")} == {
        "period": "2027年春节前后", "count": 2, "high_risk": 1, "group_disputes": 1}
    assert sorted(finding.case_ids) == sorted([cases["high"], cases["group"]]) and finding.level == "serious"
    # the next day only the district-wide period is in force: town B's high-risk case counts too
    later = run(app, sensitive_periods, DAY + dt.timedelta(days=1))
    assert sorted((f.area_id, f.details["period"], f.case_count) for f in later.values()) == sorted(
        [(world["town_a"], "全国两会", 2), (world["town_b"], "全国两会", 1)])


def test_a_district_wide_period_raises_one_alert_per_town(app, world):
    from app.extensions import db
    from app.models import SensitivePeriod
    from app.warnings.rules_watch import sensitive_periods

    def fill():
        db.session.add(SensitivePeriod(name="国庆", starts_on=DAY, ends_on=DAY))
        add_case(world["town_a"], at(DAY), risk_level="high")
        add_case(world["town_b"], at(DAY), risk_level="high")
        add_case(world["district"], at(DAY), risk_level="high")  # placed above any town

    seed(app, fill)
    found = run(app, sensitive_periods)
    assert sorted((f.area_id or 0, f.case_count) for f in found.values()) == sorted(
        [(world["town_a"], 1), (world["town_b"], 1), (0, 1)])


# --- referrals unanswered ---------------------------------------------------------------------------------


def test_referrals_unanswered_past_the_grace_days_are_counted_per_partner_and_town(app, world):
    from app.extensions import db
    from app.models import Referral
    from app.warnings.rules_watch import unanswered_referrals

    def refer(case_id, partner, status, due):
        db.session.add(Referral(case_id=case_id, partner_id=world[partner], kind="link", purpose="核实欠薪情况",
                                legal_basis="劳动保障监察条例", shared_fields=["title"], due_on=due, status=status,
                                sent_at=at(due - dt.timedelta(days=7))))

    def fill():
        a1 = add_case(world["grid"], at(DAY - dt.timedelta(days=30)))
        a2 = add_case(world["town_a"], at(DAY - dt.timedelta(days=20)))
        b1 = add_case(world["town_b"], at(DAY - dt.timedelta(days=20)))
        refer(a1, "partner", "sent", DAY - dt.timedelta(days=4))  # 4 days late: counted (grace 3)
        refer(a1, "partner", "accepted", DAY - dt.timedelta(days=10))  # the same case again: counted
        refer(a2, "partner", "sent", DAY - dt.timedelta(days=3))  # 3 days late: within the grace
        refer(a2, "partner", "answered", DAY - dt.timedelta(days=10))  # answered
        refer(b1, "partner_2", "accepted", DAY - dt.timedelta(days=5))
        return a1, b1

    a1, b1 = seed(app, fill)
    found = run(app, unanswered_referrals)
    assert set(found) == {f"partner:{world['partner']}:{world['town_a']}", f"partner:{world['partner_2']}:{world['town_b']}"}
    a = found[f"partner:{world['partner']}:{world['town_a']}"]
    assert a.details == {"partner": "城区人力资源和社会保障局", "count": 2, "grace_days": 3,
                         "oldest_due": (DAY - dt.timedelta(days=10)).isoformat()}
    assert (a.case_ids, a.case_count, a.organization_id, a.area_id) == ([a1], 1, world["partner"], world["town_a"])


# --- cases overdue (the deadline engine's notion) -------------------------------------------------------


def test_open_cases_overdue_as_the_deadline_engine_counts_them_per_town(app, world, jiefen):
    from tests.test_deadlines import register, walk
    from app.warnings import settings as keys
    from app.warnings.rules_watch import overdue_cases

    with app.app_context():
        from app.services.clock import today

        day = today()
    a = {"street": world["town_a"], "centre": world["centre_a"]}
    b = {"street": world["town_b"], "centre": world["centre_b"]}
    late_a = register(app, a, "debt")  # 30 days of pre-filing mediation from acceptance, 40 days ago
    walk(app, late_a, ("start_screening", day - dt.timedelta(days=40)), ("accept_mediation", day - dt.timedelta(days=40)))
    running = register(app, a, "debt")
    walk(app, running, ("start_screening", day - dt.timedelta(days=5)), ("accept_mediation", day - dt.timedelta(days=5)))
    late_b = register(app, b, "debt")
    walk(app, late_b, ("start_screening", day - dt.timedelta(days=45)), ("accept_mediation", day - dt.timedelta(days=45)))
    found = run(app, overdue_cases, day)
    assert {k: (f.case_ids, f.details) for k, f in found.items()} == {
        f"town:{world['town_a']}": ([late_a], {"count": 1, "threshold": 1}),
        f"town:{world['town_b']}": ([late_b], {"count": 1, "threshold": 1}),
    }
    jiefen.add_setting(keys.OVERDUE_MIN, "2", day, source="区综治中心通知")
    assert run(app, overdue_cases, day) == {}
