"""Protection orders (issue 12, deadline item 5): 72 hours, 24 if urgent, counted from the
court's acceptance of the application — not from the case's registration.

domain-rules.md, family row: "protection order decided within **72 h** (24 h if urgent)";
"Counting periods": "hours count from the event (Civil Code art. 201)" and each period has one
start event, such as "the court's acceptance of an application" (反家庭暴力法 第28条). Hours do
not move over holidays: 2026's National Day (1–7 October) is crossed as any other day.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tests import helpers
from tests.deadline_steps_world import deadline_step, freeze
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)

D = dt.date
SHANWEI = ZoneInfo("Asia/Shanghai")
ORDER = "family.protection_order_decision"
REQUESTED = {"domestic_violence": True, "protection_order_requested": True}


def registered_on_30_september(app, places, monkeypatch, **intake):
    freeze(monkeypatch, D(2026, 9, 30), 16, 30)
    return register(app, places, "family", intake={**REQUESTED, **intake})


def test_72_hours_run_from_the_courts_acceptance_not_from_registration(dapp, world, monkeypatch):
    """Registered 30 September 16:30; the court accepted the application on 1 October at
    09:15: the decision is due 4 October 09:15 (registration would have said 3 October 16:30)."""
    case = registered_on_30_september(dapp, world, monkeypatch)
    waiting = deadlines(dapp, case, on=dt.datetime(2026, 9, 30, 17, tzinfo=SHANWEI))[ORDER]
    assert (waiting.status, waiting.starts_from) == ("waiting", "event.protection_order_accepted")
    web = dapp.test_client()
    helpers.login(web, "admin")
    assert "等待：法院受理人身安全保护令申请" in web.get(f"/case/show/{case}").get_data(as_text=True)
    r = deadline_step(dapp, monkeypatch, case, ORDER, "start", D(2026, 10, 1), at="2026-10-01 09:15")
    assert r.status_code == 200, r.get_json()
    accepted = dt.datetime(2026, 10, 1, 9, 15, tzinfo=SHANWEI)
    d = deadlines(dapp, case, on=dt.datetime(2026, 10, 3, 9, tzinfo=SHANWEI))[ORDER]
    assert (d.unit, d.length, d.starts_on, d.due) == ("hours", 72, accepted, accepted + dt.timedelta(hours=72))
    assert d.status == "due_soon"
    assert deadlines(dapp, case, on=dt.datetime(2026, 10, 4, 9, 30, tzinfo=SHANWEI))[ORDER].status == "overdue"


def test_an_urgent_order_is_due_24_hours_after_acceptance(dapp, world, monkeypatch):
    case = registered_on_30_september(dapp, world, monkeypatch, protection_order_urgent=True)
    deadline_step(dapp, monkeypatch, case, ORDER, "start", D(2026, 10, 1), at="2026-10-01T09:15")
    d = deadlines(dapp, case, on=dt.datetime(2026, 10, 1, 12, tzinfo=SHANWEI))[ORDER]
    assert (d.length, d.due) == (24, dt.datetime(2026, 10, 2, 9, 15, tzinfo=SHANWEI))


def test_the_acceptance_needs_a_time_of_day_and_cannot_be_in_the_future(dapp, world, monkeypatch):
    case = registered_on_30_september(dapp, world, monkeypatch)
    r = deadline_step(dapp, monkeypatch, case, ORDER, "start", D(2026, 10, 1), at="2026-10-01")
    assert r.status_code == 422
    assert "请按 YYYY-MM-DD HH:MM 格式填写日期和时间（北京时间）。" in r.get_json()["message"]["deadline"]
    r = deadline_step(dapp, monkeypatch, case, ORDER, "start", D(2026, 10, 1), at="2026-10-01 11:00")
    assert r.status_code == 422 and "时间不能晚于现在。" in r.get_json()["message"]["deadline"]
    assert deadlines(dapp, case, on=D(2026, 10, 2))[ORDER].status == "waiting"
