"""Reaching a deadline's states as staff do, through the API, on the scenario's day.

The clock is frozen on each step's day (``app.services.clock.utc_now``, the one seam every
"now" reads), so the workflow, the offers and the deadline steps stamp the day the scenario
needs without touching the database. Cases are registered with ``tests.test_deadlines.register``.
"""
from __future__ import annotations

import datetime as dt

from tests import helpers
from tests.test_deadlines import at

COURT_DAY_HOUR = 10


def freeze(monkeypatch, day: dt.date, hour: int = COURT_DAY_HOUR, minute: int = 0) -> None:
    """Make ``day`` at ``hour``:``minute`` Shanwei time "now" for everything the app stamps."""
    from app.services import clock

    moment = at(day, hour, minute)
    monkeypatch.setattr(clock, "utc_now", lambda: moment)


def headers(app, username: str = "admin") -> dict:
    """A bearer token of ``username``."""
    return {"Authorization": f"Bearer {helpers.api_token(app.test_client(), username)}"}


def case_json(app, case_id: int, username: str = "admin") -> dict:
    """The case as the API shows it."""
    r = app.test_client().get(f"/api/v1/case/{case_id}", headers=headers(app, username))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["result"]


def post(app, url: str, body: dict, username: str = "admin", lang: str = "zh"):
    """POST ``body`` to ``url`` with the case's current version added when it names a case."""
    return app.test_client().post(f"{url}?_l_={lang}", json=body, headers=headers(app, username))


def act(app, monkeypatch, case_id: int, *steps: tuple[str, dt.date]) -> None:
    """Perform each ``(action, day)`` through the API on that day; "accept_mediation" first
    records every party's consent, as the window clerk does."""
    for action, day in steps:
        freeze(monkeypatch, day)
        case = case_json(app, case_id)
        if action == "accept_mediation":
            decisions = {str(p["id"]): "given" for p in case["parties_masked"]}
            r = post(app, f"/api/v1/case/{case_id}/consent",
                     {"subject": "mediation", "channel": "window", "decisions": decisions})
            assert r.status_code == 201, r.get_json()
            case = case_json(app, case_id)
        r = post(app, f"/api/v1/case/{case_id}/transition",
                 {"action": action, "version": case["version"], "note": "测试"})
        assert r.status_code == 200, r.get_json()


def deadline_step(app, monkeypatch, case_id: int, rule: str, step: str, day: dt.date, hour: int = COURT_DAY_HOUR,
                  username: str = "admin", **body):
    """``POST /api/v1/case/<id>/deadline/<rule>/<step>`` on ``day``; the answer."""
    freeze(monkeypatch, day, hour)
    version = case_json(app, case_id, username)["version"]
    return post(app, f"/api/v1/case/{case_id}/deadline/{rule}/{step}", {"version": version, **body}, username)
