"""The same POST twice, one after the other or at the same moment, gives one row (issue 11,
finding 6): ``Idempotency-Key`` on API POSTs and the open-case guard on registrations."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from tests import helpers


def headers(app, user="admin", key=None):
    out = {"Authorization": f"Bearer {helpers.api_token(app.test_client(), user)}"}
    if key is not None:
        out["Idempotency-Key"] = key
    return out


def count(app, model):
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count(model.id)))


def cases(app):
    from app.models import Case

    return count(app, Case)


def register(app, body, user="admin", key=None):
    return app.test_client().post("/api/v1/case/?_l_=en", json=body, headers=headers(app, user, key))


def test_the_same_registration_sent_twice_with_a_key_gives_one_case(app, places):
    body = helpers.traffic_payload(places)
    first = register(app, body, key="intake-0001")
    again = register(app, body, key="intake-0001")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert cases(app) == 1


def test_a_key_reused_for_another_request_is_refused(app, places):
    assert register(app, helpers.traffic_payload(places), key="intake-0002").status_code == 201
    changed = helpers.with_changes(helpers.traffic_payload(places), "title", "另一起纠纷")
    r = register(app, changed, key="intake-0002")
    assert r.status_code == 422 and "Idempotency-Key" in r.get_json()["message"]
    assert cases(app) == 1


def test_keys_belong_to_their_user(app, places):
    body = helpers.traffic_payload(places)
    assert register(app, body, "admin", key="same-key").status_code == 201
    assert register(app, body, "clerk", key="same-key").status_code == 201
    assert cases(app) == 2


def test_a_refused_request_keeps_no_key(app, places):
    bad = helpers.with_changes(helpers.traffic_payload(places), "claim_amount", "-1")
    assert register(app, bad, key="intake-0003").status_code == 422
    assert register(app, helpers.traffic_payload(places), key="intake-0003").status_code == 201


def test_a_key_expires(app, places, monkeypatch):
    from app.services import clock

    body = helpers.traffic_payload(places)
    assert register(app, body, key="intake-0004").status_code == 201
    later = clock.utc_now() + dt.timedelta(hours=app.config["JIEFEN_IDEMPOTENCY_TTL_HOURS"], minutes=1)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    again = register(app, body, key="intake-0004")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert cases(app) == 2


def test_a_malformed_key_is_refused_with_a_message(app, places):
    r = register(app, helpers.traffic_payload(places), key="x" * 300)
    assert r.status_code == 400 and "Idempotency-Key" in r.get_json()["message"]
    assert cases(app) == 0


@pytest.fixture
def partner(app, places):
    """A partner agency, a court sender (the administrator) and a case to refer."""
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        agency = Organization(name="城区交警大队", kind="partner_agency")
        db.session.add(agency)
        db.session.commit()
        agency_id = agency.id
    case = register(app, helpers.traffic_payload(places)).get_json()
    return {"agency": agency_id, "case": case["id"]}


def test_a_referral_posted_twice_with_the_same_key_is_one_referral(app, partner):
    from app.models.referral import Referral
    from app.services.settings import today

    with app.app_context():
        due = (today() + dt.timedelta(days=7)).isoformat()
    body = {"partner_id": partner["agency"], "kind": "entrust", "purpose": "请协助核实事故责任认定",
            "legal_basis": "《道路交通安全法》第七十四条", "shared_fields": ["title"], "due_on": due}
    url = f"/api/v1/case/{partner['case']}/referrals"
    answers = [app.test_client().post(url, json=body, headers=headers(app, key="refer-0001")) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].get_json() == answers[1].get_json()
    assert count(app, Referral) == 1


def at_once(app, calls, timeout=60):
    """Run ``calls`` in threads released together; their answers, in order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout=timeout)
        answers[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return answers


@pytest.fixture
def slow_check(monkeypatch):
    """Widen the window between the duplicate check and the commit, as a busy server does."""
    import time

    from app.services import intake

    original = intake.find_duplicates

    def slow(parties):
        found = original(parties)
        time.sleep(0.5)
        return found

    monkeypatch.setattr(intake, "find_duplicates", slow)


def test_two_registrations_of_the_same_person_at_once_the_second_is_warned(app, places, slow_check):
    body = helpers.traffic_payload(places)
    body.pop("confirm_duplicates")
    headers(app)  # log in once, before the race
    answers = at_once(app, [lambda: register(app, body), lambda: register(app, body)])
    assert sorted(a.status_code for a in answers) == [201, 409]
    warned = next(a for a in answers if a.status_code == 409).get_json()
    created = next(a for a in answers if a.status_code == 201).get_json()
    assert [c["case_no"] for c in warned["duplicates"]] == [created["case_no"]]
    assert cases(app) == 1


def test_the_same_keyed_registration_twice_at_once_gives_one_case(app, places, slow_check):
    body = helpers.traffic_payload(places)
    headers(app)
    answers = at_once(app, [lambda: register(app, body, key="race-0001") for _ in range(2)])
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([201, 201], [201, 409]), statuses
    assert cases(app) == 1
