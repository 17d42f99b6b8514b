"""Court-entrusted mediation (issue 12, deadline item 6): 15 days (ordinary) or 7 (simplified)
from the mediator's receipt of the file — the moment the mediator accepts the offer — not from
the moment the case is offered.

domain-rules.md, rule 7: "mediation period counted from the mediator's receipt of the file:
**15 days** (ordinary procedure), **7 days** (simplified)" (SPC opinion of 2024-12-27).
Dates from the State Council's 2026 notice (National Day off 1–7 October; Saturday 10 October
worked).
"""
from __future__ import annotations

import datetime as dt

import pytest

from tests.deadline_steps_world import act, case_json, freeze, headers, post
from tests.test_deadlines import dapp, deadlines, register, world  # noqa: F401 (fixtures)

D = dt.date
COURT = "core.court_mediation"
MEDIATOR_LOGIN, PASSWORD = "court-mediator", "court-Pa55-mediator"


@pytest.fixture
def mediator(dapp, world):
    """A mediator in the pool with a login of their own."""
    from app.extensions import db
    from app.models import Area, Mediator
    from tests import helpers

    with dapp.app_context():
        sm = dapp.appbuilder.sm
        user = sm.find_user(username=MEDIATOR_LOGIN) or sm.add_user(
            username=MEDIATOR_LOGIN, first_name="海燕", last_name="陈", email="court-mediator@jiefen.invalid",
            role=sm.find_role("Clerk"), password=PASSWORD)
        helpers.PASSWORDS[MEDIATOR_LOGIN] = PASSWORD
        m = Mediator(name="陈海燕", specialties=["family"], areas=[db.session.get(Area, world["street"])], user_id=user.id)
        db.session.add(m)
        db.session.commit()
        return m.id


def offer_and_accept(app, monkeypatch, case_id, mediator_id, offered: dt.date, accepted: dt.date):
    """The clerk offers the case on ``offered``; the mediator accepts on ``accepted``."""
    freeze(monkeypatch, offered)
    r = post(app, f"/api/v1/case/{case_id}/assign",
             {"mediator_ids": [mediator_id], "version": case_json(app, case_id)["version"]})
    assert r.status_code == 200, r.get_json()
    freeze(monkeypatch, accepted, 15)
    offers = app.test_client().get("/api/v1/case/offers", headers=headers(app, MEDIATOR_LOGIN)).get_json()["result"]
    offer = next(o for o in offers if o["case_id"] == case_id)
    r = post(app, f"/api/v1/case/offers/{offer['id']}/accept", {}, username=MEDIATOR_LOGIN)
    assert r.status_code == 200, r.get_json()


def test_ordinary_15_days_run_from_the_mediators_acceptance_not_the_offer(dapp, world, mediator, monkeypatch):
    """Offered Friday 25 September, accepted by the mediator Monday 28 September: the period
    starts on the 28th and ends 13 October (offered-day counting would have said 10 October)."""
    freeze(monkeypatch, D(2026, 9, 24), 9)
    case = register(dapp, world, "family", track="court_entrusted")
    act(dapp, monkeypatch, case, ("start_screening", D(2026, 9, 24)), ("accept_mediation", D(2026, 9, 24)))
    freeze(monkeypatch, D(2026, 9, 25))
    post(dapp, f"/api/v1/case/{case}/assign", {"mediator_ids": [mediator], "version": case_json(dapp, case)["version"]})
    waiting = deadlines(dapp, case, on=D(2026, 9, 26))[COURT]
    assert waiting.status == "waiting"  # offered, but no mediator has the file yet
    freeze(monkeypatch, D(2026, 9, 28), 15)
    offers = dapp.test_client().get("/api/v1/case/offers", headers=headers(dapp, MEDIATOR_LOGIN)).get_json()["result"]
    offer = next(o for o in offers if o["case_id"] == case)
    assert post(dapp, f"/api/v1/case/offers/{offer['id']}/accept", {}, username=MEDIATOR_LOGIN).status_code == 200
    d = deadlines(dapp, case, on=D(2026, 9, 30))[COURT]
    assert (d.starts_on, d.due, d.length) == (D(2026, 9, 28), D(2026, 10, 13), 15)


def test_simplified_7_days_from_acceptance_roll_over_national_day(dapp, world, mediator, monkeypatch):
    """Offered 24 September, accepted 25 September: day 7 is 2 October, National Day, so the
    period ends Thursday 8 October."""
    freeze(monkeypatch, D(2026, 9, 23), 9)
    case = register(dapp, world, "family", track="court_entrusted", procedure="simplified")
    act(dapp, monkeypatch, case, ("start_screening", D(2026, 9, 23)), ("accept_mediation", D(2026, 9, 23)))
    offer_and_accept(dapp, monkeypatch, case, mediator, D(2026, 9, 24), D(2026, 9, 25))
    d = deadlines(dapp, case, on=D(2026, 9, 28))[COURT]
    assert (d.starts_on, d.due, d.length) == (D(2026, 9, 25), D(2026, 10, 8), 7)
