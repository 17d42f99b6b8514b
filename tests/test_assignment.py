"""Offering a case to mediators and their answers: first to accept wins, even at the same
instant; declines keep their reason; only the offered mediator may answer — through the
service, the web pages and the API, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from flask_babel import force_locale
from sqlalchemy import event, select

from tests import helpers
from tests.fixtures import csrf_token, make_app

PASSWORD = "mediator-Pa55-word"
# key → (name, login); 王丽 and 赵伟 have logins too, so "someone else's offer" is testable.
PEOPLE = {"chen": "陈海燕", "li": "李建国", "wang": "王丽", "zhao": "赵伟"}
ALREADY = "already accepted by someone else"


@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """An app with the assignment views, clerk's right to answer offers, and mediator logins."""
    web = make_app(database, tmp_path_factory.mktemp("assign"))
    with web.app_context():
        sm = web.appbuilder.sm
        clerk_role = sm.find_role("Clerk")  # window clerks and full-time mediators (app/roles.py)
        for key in PEOPLE:
            if not sm.find_user(username=f"med-{key}"):
                sm.add_user(username=f"med-{key}", first_name=key, last_name="Mediator",
                             email=f"med-{key}@jiefen.invalid", role=clerk_role, password=PASSWORD)
    return web


def login(web, username):
    c = web.test_client()
    page = c.get("/login/").get_data(as_text=True)
    password = helpers.PASSWORDS.get(username, PASSWORD)
    r = c.post("/login/", data={"username": username, "password": password, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    c.get("/lang/en")  # the language stays in the session
    return c


def session_token(c):
    """A CSRF token of ``c``'s session, from a form every Clerk can open."""
    return csrf_token(c.get("/case/intake/traffic").get_data(as_text=True))


def bearer(web, username):
    r = web.test_client().post("/api/v1/security/login", json={
        "username": username, "password": helpers.PASSWORDS.get(username, PASSWORD), "provider": "db"})
    assert r.status_code == 200
    return {"Authorization": f"Bearer {r.get_json()['access_token']}"}


def api(web, username, url, body=None):
    return web.test_client().post(f"{url}?_l_=en", json=body or {}, headers=bearer(web, username))


def user_id(web, username):
    with web.app_context():
        return web.appbuilder.sm.find_user(username=username).id


@pytest.fixture
def pool(web, places):
    """The four mediators with logins, and three who may not be offered cases today."""
    from app.extensions import db
    from app.models import Area, Mediator

    today = dt.date.today()
    with web.app_context():
        street = db.session.get(Area, places["street"])
        ids = {}
        for key, name in PEOPLE.items():
            m = Mediator(name=name, specialties=["traffic"], areas=[street], user_id=user_id(web, f"med-{key}"))
            db.session.add(m)
            db.session.flush()
            ids[key] = m.id
        for key, fields in {
            "suspended": {"name": "黄敏", "status": "suspended", "status_reason": "Complaint under review"},
            "expired": {"name": "林志强", "register_expires_on": today - dt.timedelta(days=30)},
            "removed": {"name": "吴刚", "status": "removed", "status_reason": "Moved away"},
        }.items():
            m = Mediator(specialties=["traffic"], **fields)
            db.session.add(m)
            db.session.flush()
            ids[key] = m.id
        db.session.commit()
    return ids


def new_case(web, places, to="mediation_accepted"):
    """Registered through the API by the clerk; consent recorded; screened and accepted."""
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Case, Consent

    r = api(web, "clerk", "/api/v1/case/", helpers.traffic_payload(places))
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    if to == "registered":
        return case_id
    with web.app_context():
        case = db.session.get(Case, case_id)
        for p in case.parties:
            db.session.add(Consent(case_id=case.id, party_id=p.id, subject="mediation", decision="given", channel="window"))
        db.session.commit()
        clerk = web.appbuilder.sm.find_user(username="clerk")
        perform(case, "start_screening", clerk)
        perform(case, "accept_mediation", clerk)
        assert case.status == "mediation_accepted"
    return case_id


def state(web, case_id):
    """The case's state, mediator and version, and its offers ``{mediator_id: response}``."""
    from app.extensions import db
    from app.models import Assignment, Case

    with web.app_context():
        case = db.session.get(Case, case_id)
        offers = db.session.execute(
            select(Assignment.mediator_id, Assignment.response).where(Assignment.case_id == case_id)
        ).all()
        return {"status": case.status, "mediator_id": case.mediator_id, "version": case.version,
                "offers": sorted(offers)}


def offer_ids(web, case_id):
    """``{mediator_id: assignment_id}`` of the offers still waiting."""
    from app.extensions import db
    from app.models import Assignment

    with web.app_context():
        return dict(db.session.execute(select(Assignment.mediator_id, Assignment.id).where(
            Assignment.case_id == case_id, Assignment.response == "pending")).all())


def offer(web, case_id, mediator_ids, **body):
    version = state(web, case_id)["version"]
    return api(web, "clerk", f"/api/v1/case/{case_id}/assign", {"mediator_ids": mediator_ids, "version": version, **body})


def test_first_to_accept_gets_the_case_and_the_other_is_told(web, pool, places):
    case_id = new_case(web, places)
    r = offer(web, case_id, [pool["chen"], pool["li"]], note="两位都熟悉交通事故")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "assigned" and len(r.get_json()["offers"]) == 2
    waiting = offer_ids(web, case_id)

    r = api(web, "med-li", f"/api/v1/case/offers/{waiting[pool['li']]}/accept")
    assert r.status_code == 200 and r.get_json()["mediator_id"] == pool["li"]
    r = api(web, "med-chen", f"/api/v1/case/offers/{waiting[pool['chen']]}/accept")
    assert r.status_code == 422 and ALREADY in r.get_json()["message"]["offer"][0]

    s = state(web, case_id)
    assert s["mediator_id"] == pool["li"] and s["status"] == "assigned"
    assert s["offers"] == sorted([(pool["chen"], "withdrawn"), (pool["li"], "accepted")])
    from app.extensions import db
    from app.models import TimelineEvent

    with web.app_context():
        entries = db.session.execute(select(TimelineEvent.kind, TimelineEvent.action, TimelineEvent.actor_id)
                                     .where(TimelineEvent.case_id == case_id).order_by(TimelineEvent.id)).all()
    assert entries[-3:] == [("transition", "assign", user_id(web, "clerk")),
                            ("assignment", "offer", user_id(web, "clerk")),
                            ("assignment", "accept_offer", user_id(web, "med-li"))]


def test_concurrent_accepts_have_exactly_one_winner(web, pool, places, monkeypatch):
    """Four mediators press "accept" at the same instant: the database picks one."""
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.lifecycle import assignment
    from app.lifecycle.assignment import accept
    from app.lifecycle.workflow import TransitionRefused

    keys = ["chen", "li", "wang", "zhao"]
    case_id = new_case(web, places)
    assert offer(web, case_id, [pool[k] for k in keys]).status_code == 200
    waiting = offer_ids(web, case_id)
    barrier = threading.Barrier(len(keys))
    # Hold everyone after the checks in Python (all saw a pending offer) and before the
    # UPDATE: what decides is then the database, not who happened to read first.
    at_the_door = threading.Barrier(len(keys))
    checked = assignment.eligibility_problem

    def check_then_wait(*args):
        problem = checked(*args)
        at_the_door.wait(timeout=60)
        return problem

    monkeypatch.setattr(assignment, "eligibility_problem", check_then_wait)
    won, lost, errors = [], [], []

    def press(key):
        try:
            with web.test_request_context(), force_locale("en"):
                user = db.session.get(User, user_id(web, f"med-{key}"))
                db.session.rollback()  # hand the connection back before waiting
                barrier.wait(timeout=60)
                try:
                    accept(waiting[pool[key]], user)
                    won.append(key)
                except TransitionRefused as exc:
                    lost.append(str(exc))
                db.session.remove()
        except Exception as exc:  # collected and reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=press, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(won) == 1 and len(lost) == 3, (won, lost)
    assert all(ALREADY in reason for reason in lost), lost
    s = state(web, case_id)
    assert s["mediator_id"] == pool[won[0]]
    assert [r for _, r in s["offers"]].count("accepted") == 1
    assert [r for _, r in s["offers"]].count("pending") == 0


def test_the_unique_index_stops_a_second_acceptance_that_got_past_the_case_row(web, pool, places):
    """Second wall: if the case row were cleared by mistake, the index still refuses."""
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.lifecycle.assignment import accept
    from app.models import Assignment, Case
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"], pool["li"]])
    waiting = offer_ids(web, case_id)
    assert api(web, "med-chen", f"/api/v1/case/offers/{waiting[pool['chen']]}/accept").status_code == 200
    with web.app_context(), force_locale("en"):
        # Simulate a bad data fix: the case lost its mediator, li's offer is pending again.
        db.session.get(Case, case_id).mediator_id = None
        db.session.get(Assignment, waiting[pool["li"]]).response = "pending"
        db.session.commit()
        with pytest.raises(TransitionRefused, match=ALREADY):
            accept(waiting[pool["li"]], db.session.get(User, user_id(web, "med-li")))
    s = state(web, case_id)
    assert s["mediator_id"] is None  # nothing of the refused acceptance was kept
    assert s["offers"] == sorted([(pool["chen"], "accepted"), (pool["li"], "pending")])


def test_a_mediator_suspended_after_the_offer_cannot_accept_it(web, pool, places):
    from app.extensions import db
    from app.models import Mediator
    from app.services.mediators import change_status

    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"]])
    with web.app_context():
        change_status(db.session.get(Mediator, pool["chen"]), "suspended", "Complaint under review")
        db.session.commit()
    r = api(web, "med-chen", f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['chen']]}/accept")
    assert r.status_code == 422 and "陈海燕 cannot take cases: Suspended" in r.get_json()["message"]["offer"][0]
    assert state(web, case_id)["mediator_id"] is None


def test_a_re_offer_crossing_an_acceptance_changes_nothing(web, pool, places):
    """The clerk's re-offer was prepared before 陈海燕 accepted: it must not withdraw her."""
    from app.extensions import db
    from app.lifecycle.assignment import offer as make_offer
    from app.lifecycle.workflow import StaleCase
    from app.models import Case

    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"]])
    with web.app_context():
        case = db.session.get(Case, case_id)  # the clerk's view, before the acceptance
        assert case.mediator_id is None
        url = f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['chen']]}/accept"
        codes = []
        # Another thread: its request gets its own app context and database session.
        elsewhere = threading.Thread(target=lambda: codes.append(api(web, "med-chen", url).status_code))
        elsewhere.start()
        elsewhere.join(timeout=60)
        assert codes == [200]
        with pytest.raises(StaleCase):
            make_offer(case, [pool["li"]], web.appbuilder.sm.find_user(username="clerk"))
    s = state(web, case_id)
    assert s["mediator_id"] == pool["chen"] and s["offers"] == [(pool["chen"], "accepted")]


def test_a_re_offer_and_an_acceptance_at_the_same_instant_never_both_succeed(web, pool, places):
    """Whichever the database lets in first wins; the other is refused, never a 500."""
    for _ in range(3):
        case_id = new_case(web, places)
        offer(web, case_id, [pool["chen"]])
        version = state(web, case_id)["version"]
        accept_url = f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['chen']]}/accept?_l_=en"
        calls = {
            "accept": (accept_url, {}, bearer(web, "med-chen")),
            "re-offer": (f"/api/v1/case/{case_id}/assign?_l_=en", {"mediator_ids": [pool["li"]], "version": version},
                         bearer(web, "clerk")),
        }
        barrier = threading.Barrier(2)
        codes = {}

        def call(name):
            url, body, headers = calls[name]
            client = web.test_client()
            barrier.wait(timeout=60)
            codes[name] = client.post(url, json=body, headers=headers).status_code

        threads = [threading.Thread(target=call, args=(name,)) for name in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        s = state(web, case_id)
        if codes["accept"] == 200:
            assert codes["re-offer"] in (409, 422), codes
            assert s["mediator_id"] == pool["chen"] and s["offers"] == [(pool["chen"], "accepted")]
        else:
            assert codes == {"accept": 422, "re-offer": 200}, codes
            assert s["mediator_id"] is None
            assert s["offers"] == sorted([(pool["chen"], "withdrawn"), (pool["li"], "pending")])


def test_a_decline_whose_body_is_not_a_json_object_is_refused_with_400(web, pool, places):
    """A list, a string or a number is no answer with a reason: 400 naming the "reason", in
    Chinese, and the offer still waits."""
    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"]])
    offer_id = offer_ids(web, case_id)[pool["chen"]]
    headers = bearer(web, "med-chen")
    for body in ([], "x", 3):
        r = web.test_client().post(f"/api/v1/case/offers/{offer_id}/decline", json=body, headers=headers)
        assert r.status_code == 400, (body, r.status_code)
        assert "reason" in r.get_json()["message"] and "JSON" in r.get_json()["message"]
    assert state(web, case_id)["offers"] == [(pool["chen"], "pending")]


def test_declining_needs_a_reason_and_the_case_waits_for_the_clerk(web, pool, places):
    from app.extensions import db
    from app.models import TimelineEvent

    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"], pool["li"]])
    waiting = offer_ids(web, case_id)
    r = api(web, "med-chen", f"/api/v1/case/offers/{waiting[pool['chen']]}/decline", {"reason": "  "})
    assert r.status_code == 422 and "reason" in r.get_json()["message"]["reason"][0]
    r = api(web, "med-chen", f"/api/v1/case/offers/{waiting[pool['chen']]}/decline", {"reason": "与申请人是亲戚，需回避"})
    assert r.status_code == 200 and r.get_json()["response"] == "declined"

    # The web page: no reason → 422 and the offer still waits; with one → declined.
    c = login(web, "med-li")
    page = c.get(f"/case/offers/{waiting[pool['li']]}").get_data(as_text=True)
    assert "accept-form" in page and "decline-form" in page
    r = c.post(f"/case/offers/{waiting[pool['li']]}/decline", data={"reason": "", "csrf_token": csrf_token(page)})
    assert r.status_code == 422 and "Give the reason" in r.get_data(as_text=True)
    r = c.post(f"/case/offers/{waiting[pool['li']]}/decline", data={"reason": "本周出差", "csrf_token": csrf_token(page)})
    assert r.status_code == 302

    s = state(web, case_id)
    assert s["status"] == "assigned" and s["mediator_id"] is None
    assert s["offers"] == sorted([(pool["chen"], "declined"), (pool["li"], "declined")])
    with web.app_context():
        notes = db.session.scalars(select(TimelineEvent.note).where(
            TimelineEvent.case_id == case_id, TimelineEvent.action == "decline_offer").order_by(TimelineEvent.id)).all()
    assert notes[0] == "与申请人是亲戚，需回避"
    assert notes[1].startswith("本周出差\n") and "stays assigned" in notes[1]
    # Declined by all: the clerk offers it again.
    assert offer(web, case_id, [pool["wang"]]).status_code == 200


def test_only_the_offered_mediator_can_answer(web, pool, places):
    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"], pool["li"]])
    chen_offer = offer_ids(web, case_id)[pool["chen"]]
    # 王丽 may answer offers, but this one is not hers; the clerk is no mediator at all.
    for username in ("med-wang", "clerk"):
        c = login(web, username)
        page = c.get(f"/case/offers/{chen_offer}")
        assert page.status_code == 404
        for action in ("accept", "decline"):
            r = c.post(f"/case/offers/{chen_offer}/{action}", data={"reason": "x", "csrf_token": session_token(c)})
            assert r.status_code == 404
            r = api(web, username, f"/api/v1/case/offers/{chen_offer}/{action}", {"reason": "x"})
            assert r.status_code == 404
    for bad in ("99999999", "abc", "99999999999999999999999"):
        assert login(web, "med-chen").get(f"/case/offers/{bad}").status_code == 404
    assert api(web, "med-chen", "/api/v1/case/offers/99999999999999999999/accept").status_code == 404
    assert state(web, case_id)["mediator_id"] is None
    assert api(web, "med-chen", f"/api/v1/case/offers/{chen_offer}/accept").status_code == 200


def test_web_accept_by_the_offered_mediator(web, pool, places):
    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"], pool["li"]])
    waiting = offer_ids(web, case_id)
    c = login(web, "med-chen")
    page = c.get(f"/case/offers/{waiting[pool['chen']]}").get_data(as_text=True)
    assert "林晓明与黄丽娟交通事故赔偿纠纷" in page and "13802661234" not in page  # no party details
    r = c.post(f"/case/offers/{waiting[pool['chen']]}/accept", data={"csrf_token": csrf_token(page)})
    assert r.status_code == 302
    assert state(web, case_id)["mediator_id"] == pool["chen"]

    c = login(web, "med-li")
    page = c.get(f"/case/offers/{waiting[pool['li']]}").get_data(as_text=True)
    assert ALREADY in page and "accept-form" not in page
    r = c.post(f"/case/offers/{waiting[pool['li']]}/accept", data={"csrf_token": session_token(c)})
    assert r.status_code == 422 and ALREADY in r.get_data(as_text=True)
    assert state(web, case_id)["mediator_id"] == pool["chen"]


def test_offering_again_withdraws_the_offers_still_waiting(web, pool, places):
    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"]])
    first = offer_ids(web, case_id)[pool["chen"]]
    assert offer(web, case_id, [pool["li"], pool["wang"]]).status_code == 200
    s = state(web, case_id)
    assert s["offers"] == sorted([(pool["chen"], "withdrawn"), (pool["li"], "pending"), (pool["wang"], "pending")])
    r = api(web, "med-chen", f"/api/v1/case/offers/{first}/accept")
    assert r.status_code == 422 and "withdrawn" in r.get_json()["message"]["offer"][0]
    # Someone still waiting cannot be offered the case twice.
    r = offer(web, case_id, [pool["li"]])
    assert r.status_code == 422 and "王丽" not in str(r.get_json()) and "李建国" in r.get_json()["message"]["mediator_ids"][0]
    assert state(web, case_id)["offers"] == s["offers"]
    # Once someone accepted, the case is not offered again.
    assert api(web, "med-wang", f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['wang']]}/accept").status_code == 200
    r = offer(web, case_id, [pool["chen"]])
    assert r.status_code == 422 and "王丽 has already accepted" in r.get_json()["message"]["mediator_ids"][0]


@pytest.mark.parametrize("who, says", [
    ("suspended", "黄敏 cannot take cases: Suspended"),
    ("removed", "吴刚 cannot take cases: Removed"),
    ("expired", "林志强 is not on the mediator register today"),
])
def test_mediators_who_may_not_mediate_are_not_offered_cases(web, pool, places, who, says):
    case_id = new_case(web, places)
    before = state(web, case_id)
    r = offer(web, case_id, [pool["chen"], pool[who]])
    assert r.status_code == 422 and r.get_json()["message"]["mediator_ids"] == [says + "."]
    assert state(web, case_id) == before  # not even the eligible one got an offer


def test_empty_offers_and_unknown_mediators_or_teams_are_refused(web, pool, places):
    case_id = new_case(web, places)
    for body, says in [
        ({"mediator_ids": []}, "Choose at least one mediator"),
        ({"mediator_ids": [99999999]}, "Unknown mediator"),
        ({"mediator_ids": ["x", True]}, "Unknown mediator"),
        ({"mediator_ids": [], "team_id": 99999999}, "Unknown team"),
    ]:
        r = api(web, "clerk", f"/api/v1/case/{case_id}/assign", {**body, "version": state(web, case_id)["version"]})
        assert r.status_code == 422 and says in r.get_json()["message"]["mediator_ids"][0], r.get_json()
    r = api(web, "clerk", f"/api/v1/case/{case_id}/assign", {"mediator_ids": "1,2", "version": state(web, case_id)["version"]})
    assert r.status_code == 400
    assert state(web, case_id)["offers"] == []


def test_offering_to_a_team_offers_to_its_members(web, pool, places):
    from app.extensions import db
    from app.models import MediationTeam, TeamMember

    with web.app_context():
        team = MediationTeam(name="交通事故调解团队")
        team.members = [TeamMember(mediator_id=pool["li"], role="analysis_guidance"),
                        TeamMember(mediator_id=pool["wang"], role="analysis_guidance")]
        db.session.add(team)
        db.session.commit()
        team_id = team.id
    case_id = new_case(web, places)
    assert offer(web, case_id, [pool["chen"], pool["li"]], team_id=team_id).status_code == 200
    assert sorted(offer_ids(web, case_id)) == sorted([pool["chen"], pool["li"], pool["wang"]])


def test_offering_from_the_wrong_state_gives_the_states_refusal(web, pool, places):
    case_id = new_case(web, places, to="registered")
    r = offer(web, case_id, [pool["chen"]])
    assert r.status_code == 422
    assert "“Offer to mediators” is not possible" in r.get_json()["message"]["mediator_ids"][0]
    assert state(web, case_id)["offers"] == []


def test_stale_version_is_409_on_the_api_and_the_web(web, pool, places):
    case_id = new_case(web, places)
    old = state(web, case_id)["version"]
    assert offer(web, case_id, [pool["chen"]]).status_code == 200
    r = api(web, "clerk", f"/api/v1/case/{case_id}/assign", {"mediator_ids": [pool["li"]], "version": old})
    assert r.status_code == 409
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/assign").get_data(as_text=True)
    token = csrf_token(page)
    assert api(web, "med-chen", f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['chen']]}/accept").status_code == 200
    r = c.post(f"/case/{case_id}/assign", data={"csrf_token": token, "version": str(old + 1), "mediator_ids": [str(pool["li"])]})
    assert r.status_code == 409 and "Someone else changed this case" in r.get_data(as_text=True)
    assert [m for m, _ in state(web, case_id)["offers"]] == [pool["chen"]]


def test_scheduling_waits_for_a_mediator_who_accepted(web, pool, places):
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Case
    from app.lifecycle.workflow import TransitionRefused

    case_id = new_case(web, places)
    offer(web, case_id, [pool["chen"]])
    with web.app_context(), force_locale("en"), pytest.raises(TransitionRefused, match="No mediator has accepted"):
        perform(db.session.get(Case, case_id), "schedule", web.appbuilder.sm.find_user(username="clerk"))
    assert api(web, "med-chen", f"/api/v1/case/offers/{offer_ids(web, case_id)[pool['chen']]}/accept").status_code == 200
    version = state(web, case_id)["version"]
    r = api(web, "clerk", f"/api/v1/case/{case_id}/transition", {"action": "schedule", "version": version})
    assert r.status_code == 422 and "appointments" in str(r.get_json()["message"])  # one way: book it
    starts = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).isoformat()
    r = api(web, "clerk", f"/api/v1/case/{case_id}/appointments",
            {"starts_at": starts, "mode": "offline", "place": "调解室", "version": version})
    assert r.status_code == 201 and r.get_json()["status"] == "scheduled", r.get_json()


def test_assign_page_shows_the_ranking_and_keeps_the_ticks_when_refused(web, pool, places):
    case_id = new_case(web, places)
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/assign").get_data(as_text=True)
    assert "Specialty: Traffic accident" in page and "Serves 香洲街道" in page
    assert f'value="{pool["chen"]}"' in page and f'value="{pool["suspended"]}"' not in page
    assert "Complaint under review" in page  # why 黄敏 is not offered
    token = csrf_token(page)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)

    r = c.post(f"/case/{case_id}/assign", data={"csrf_token": token, "version": version,
                                                "mediator_ids": [str(pool["chen"]), str(pool["expired"])]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "林志强 is not on the mediator register today" in html
    assert re.search(rf'value="{pool["chen"]}"[^>]*checked', html)
    assert not re.search(rf'value="{pool["li"]}"[^>]*checked', html)

    r = c.post(f"/case/{case_id}/assign", data={"csrf_token": token, "version": version,
                                                "mediator_ids": [str(pool["chen"]), str(pool["li"])], "note": "请尽快联系"})
    assert r.status_code == 302 and f"/case/show/{case_id}" in r.headers["Location"]
    assert sorted(offer_ids(web, case_id)) == sorted([pool["chen"], pool["li"]])
    page = c.get(f"/case/{case_id}/assign").get_data(as_text=True)
    assert "Offer waiting for an answer" in page and 'id="offers"' in page


def test_someone_who_cannot_see_the_case_cannot_offer_it(web, pool, places):
    case_id = new_case(web, places)
    c = login(web, "med-wang")  # a Clerk too, but the case is neither hers nor in her area
    assert c.get(f"/case/{case_id}/assign").status_code == 404
    r = api(web, "med-wang", f"/api/v1/case/{case_id}/assign", {"mediator_ids": [pool["chen"]]})
    assert r.status_code == 404


def test_my_pending_offers_in_one_query(web, pool, places):
    from flask_appbuilder.security.sqla.models import User

    from app.extensions import db
    from app.lifecycle.assignment import pending_offers_for

    cases = [new_case(web, places) for _ in range(3)]
    for case_id in cases:
        offer(web, case_id, [pool["chen"], pool["li"]])
    with web.app_context():
        chen = db.session.get(User, user_id(web, "med-chen"))
        count = [0]

        def before(*a, **k):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            rows = pending_offers_for(chen)
            shown = [(a.mediator.name, c.case_no, c.area.name) for a, c in rows]
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
    assert count[0] == 1
    assert [a for a, *_ in shown] == ["陈海燕"] * 3 and len({no for _, no, _ in shown}) == 3
