"""A pool mediator becomes a user from the pool page or the API, and then answers offers.

Users outlive each test (only case data is wiped), so each test names its own usernames.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import helpers
from tests.fixtures import csrf_token

MEDIATOR_NAME = "欧阳晓东"


@pytest.fixture
def pool(app, places):
    """A mediation committee in the street and a mediator of it, with no login yet."""
    from app.extensions import db
    from app.models import Area, Mediator, Organization

    with app.app_context():
        street = db.session.get(Area, places["street"])
        committee = Organization(name="香洲街道人民调解委员会", kind="mediation_committee", area=street)
        db.session.add(committee)
        db.session.flush()
        mediator = Mediator(name=MEDIATOR_NAME, organization_id=committee.id, employment="full_time",
                            engagement="resident", specialties=["traffic"], areas=[street])
        db.session.add(mediator)
        db.session.commit()
        return {**places, "committee": committee.id, "mediator": mediator.id}


def _login_page(client, mediator_id: int) -> str:
    r = client.get(f"/mediators/{mediator_id}/login/")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _post_login(client, mediator_id: int, **form):
    token = csrf_token(_login_page(client, mediator_id))
    return client.post(f"/mediators/{mediator_id}/login/", data={"csrf_token": token, **form})


def _mediator(app, mediator_id):
    from app.extensions import db
    from app.models import Mediator

    with app.app_context():
        m = db.session.get(Mediator, mediator_id)
        return {"user_id": m.user_id, "username": m.user.username if m.user else None}


def test_pool_page_offers_a_login_to_a_mediator_without_one(admin_client, pool):
    html = admin_client.get(f"/mediators/show/{pool['mediator']}").get_data(as_text=True)
    assert 'id="mediator-login"' in html and f"/mediators/{pool['mediator']}/login/" in html


def test_login_form_is_prefilled_with_surname_first(admin_client, pool):
    html = _login_page(admin_client, pool["mediator"])
    assert re.search(r'name="last_name"[^>]*value="欧阳"', html)
    assert re.search(r'name="first_name"[^>]*value="晓东"', html)


def test_administrator_creates_a_mediators_login_and_the_password_is_shown_once(app, admin_client, pool):
    r = _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang1",
                    last_name="欧阳", first_name="晓东")
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1)
    assert 'id="login-username">med_ouyang1<' in html
    linked = _mediator(app, pool["mediator"])
    assert linked["username"] == "med_ouyang1"
    # the password works, once typed into the login form, and is on no later page
    c = app.test_client()
    page = c.get("/login/").get_data(as_text=True)
    r = c.post("/login/", data={"username": "med_ouyang1", "password": password, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    assert password not in admin_client.get(f"/mediators/show/{pool['mediator']}").get_data(as_text=True)
    assert password not in admin_client.get(f"/mediators/{pool['mediator']}/login/").get_data(as_text=True)


def test_new_login_has_role_mediator_and_the_affiliation_as_organisation(app, admin_client, pool):
    from app.extensions import db
    from app.models import Membership

    _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang2")
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="med_ouyang2")
        assert [r.name for r in user.roles] == ["Mediator"]
        assert (user.last_name, user.first_name) == ("欧阳", "晓东")
        membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
        assert membership.organization_id == pool["committee"]


def test_linking_is_audited(app, admin_client, pool):
    from app.extensions import db
    from app.models.audit import AuditEvent

    _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang3")
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "mediator",
                                                           AuditEvent.action == "update")).all()
        user_id = app.appbuilder.sm.find_user(username="med_ouyang3").id
        assert any(r.changes.get("user_id") == [None, user_id] for r in rows), [r.changes for r in rows]
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.table_name == "membership",
                                                           AuditEvent.action == "insert")).first()


def test_a_mediator_has_at_most_one_login(app, admin_client, pool):
    _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang4")
    r = _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang5")
    assert r.status_code == 422
    assert "med_ouyang4" in r.get_data(as_text=True)
    with app.app_context():
        assert app.appbuilder.sm.find_user(username="med_ouyang5") is None


def test_a_user_is_the_login_of_at_most_one_pool_record(app, admin_client, pool):
    from app.extensions import db
    from app.models import Mediator

    with app.app_context():
        other = Mediator(name="张伟", organization_id=pool["committee"], employment="part_time",
                         engagement="invited", specialties=["traffic"])
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang6")
    r = _post_login(admin_client, other_id, mode="link", username="med_ouyang6")
    assert r.status_code == 422 and MEDIATOR_NAME in r.get_data(as_text=True)
    assert _mediator(app, other_id)["user_id"] is None


def test_bad_or_taken_username_is_refused_and_nothing_is_stored(app, admin_client, pool):
    for bad in ("a", "名字", "x y", "admin"):
        r = _post_login(admin_client, pool["mediator"], mode="create", username=bad, last_name="欧阳")
        assert r.status_code == 422, bad
        html = r.get_data(as_text=True)
        assert 'class="help-block error-message"' in html
        assert re.search(r'name="last_name"[^>]*value="欧阳"', html)  # what was typed stays
    assert _mediator(app, pool["mediator"])["user_id"] is None


def test_linking_an_existing_clerk_keeps_their_roles_and_adds_mediator(app, admin_client, pool):
    with app.app_context():
        sm = app.appbuilder.sm
        if not sm.find_user(username="clerk_also_mediates"):
            sm.add_user(username="clerk_also_mediates", first_name="晓东", last_name="欧阳",
                        email="clerk_also_mediates@jiefen.invalid", role=sm.find_role("Clerk"), password="x-Pa55-word")
    r = _post_login(admin_client, pool["mediator"], mode="link", username="clerk_also_mediates")
    assert r.status_code == 200
    assert 'id="one-time-password"' not in r.get_data(as_text=True)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="clerk_also_mediates")
        assert {r.name for r in user.roles} == {"Clerk", "Mediator"}
    assert _mediator(app, pool["mediator"])["username"] == "clerk_also_mediates"


def test_a_clerk_cannot_give_logins(clerk_client, pool):
    assert clerk_client.get(f"/mediators/{pool['mediator']}/login/").status_code in (302, 403)
    html = clerk_client.get(f"/mediators/show/{pool['mediator']}").get_data(as_text=True)
    assert 'id="mediator-login"' not in html


def test_api_creates_a_login_with_its_password_once(app, pool):
    client = app.test_client()
    token = helpers.api_token(client, "admin")
    r = client.post(f"/api/v1/mediator/{pool['mediator']}/login", json={"mode": "create", "username": "med_api1"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["username"] == "med_api1" and len(body["password"]) >= 12
    assert r.headers["Cache-Control"] == "no-store"
    assert _mediator(app, pool["mediator"])["username"] == "med_api1"
    again = client.post(f"/api/v1/mediator/{pool['mediator']}/login", json={"mode": "create", "username": "med_api2"},
                        headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 422 and "username" in again.get_json()["message"]


def test_api_refuses_bad_fields_with_422_a_non_object_with_400_and_unknown_mediator_with_404(app, pool):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {helpers.api_token(client, 'admin')}"}
    url = f"/api/v1/mediator/{pool['mediator']}/login"
    assert client.post(url, json={"mode": "promote", "username": "x1x"}, headers=headers).status_code == 422
    assert client.post(url, json={"username": ["x"]}, headers=headers).status_code == 422
    assert client.post(url, data="nonsense", headers=headers).status_code == 400  # not a JSON object
    assert client.post("/api/v1/mediator/999999/login", json={"username": "med_x"}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/mediator/{pool['mediator']}/login", json={"username": "med_x"}).status_code == 401


def test_a_mediator_only_sees_their_own_cases_not_the_committees_area(app, admin_client, pool, clerk_client):
    """The login belongs to the committee (whose area covers the street), yet the mediator
    reads only the cases offered to or assigned to them."""
    r = _post_login(admin_client, pool["mediator"], mode="create", username="med_ouyang7")
    password = re.search(r'id="one-time-password">([^<]+)<', r.get_data(as_text=True)).group(1)
    page = clerk_client.get("/case/intake/traffic").get_data(as_text=True)
    from app.intake.payload import flatten

    data = flatten({k: v for k, v in helpers.traffic_payload(pool).items() if k != "dispute_type"})
    data["csrf_token"] = csrf_token(page)
    assert clerk_client.post("/case/intake/traffic", data=data).status_code == 302
    mediator = app.test_client()
    page = mediator.get("/login/").get_data(as_text=True)
    mediator.post("/login/", data={"username": "med_ouyang7", "password": password, "csrf_token": csrf_token(page)})
    listing = mediator.get("/case/list/").get_data(as_text=True)
    assert "（20" not in listing  # no case number: the street's case is not theirs
    assert mediator.get("/mywork/").status_code == 200


def test_a_retried_login_post_gives_one_login_and_never_a_copy_of_the_password(app, pool):
    from app.extensions import db
    from app.models.idempotency import IdempotencyKey

    client = app.test_client()
    headers = {"Authorization": f"Bearer {helpers.api_token(client, 'admin')}", "Idempotency-Key": "login-once-1"}
    url, body = f"/api/v1/mediator/{pool['mediator']}/login", {"mode": "create", "username": "med_retry1"}
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201
    password = first.get_json()["password"]
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 409 and password not in again.get_data(as_text=True)
    assert "secret" in again.get_json()["message"] or "一次" in again.get_json()["message"]
    with app.app_context():
        kept = db.session.scalars(db.select(IdempotencyKey.body).where(IdempotencyKey.key == "login-once-1")).all()
        assert kept and all(password not in b for b in kept)
        assert app.appbuilder.sm.find_user(username="med_retry1") is not None
