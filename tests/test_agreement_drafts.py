"""Drafting an agreement — its print view and its Word document — hands out the parties' full ID
numbers, mobiles and addresses: only who may write the agreement may draft it, and every draft
is in the audit log like a download (issue 11, finding 3)."""
from __future__ import annotations

import re

import pytest

from tests import helpers
from tests.fixtures import csrf_token
from tests.test_agreements import case_id, docx_text, save  # noqa: F401 (case_id is a fixture)

PASSWORD = "drafts-Pa55-word-2026"
PERSONAL = (helpers.VALID_ID, helpers.VALID_ID_2, "13802661234", "13926605678", "通港路18号", "红海大道56号")
DRAFTS = ("/case/{id}/agreement/print", "/case/{id}/agreement/stored.docx", "/case/{id}/agreement/save")


def _user(app, username: str, role: str, organization_id: int) -> None:
    """A user of ``role`` who belongs to ``organization_id`` (so the case is in their scope)."""
    from app.extensions import db
    from app.models import Membership

    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username) or sm.add_user(
            username=username, first_name="晓东", last_name="许", email=f"{username}@jiefen.invalid",
            role=sm.find_role(role), password=PASSWORD)
        db.session.add(Membership(user_id=user.id, organization_id=organization_id))
        db.session.commit()


def _login(app, username: str):
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    return client


def _token(app, username: str) -> str:
    r = app.test_client().post("/api/v1/security/login",
                               json={"username": username, "password": PASSWORD, "provider": "db"})
    assert r.status_code == 200
    return r.get_json()["access_token"]


@pytest.fixture
def court(app):
    """The court's case-filing division: its staff see every case."""
    from app.extensions import db
    from app.models import Organization

    with app.app_context():
        org = Organization(name="城区法院立案庭", kind="case_filing_division")
        db.session.add(org)
        db.session.commit()
        return org.id


@pytest.fixture
def stored(app, admin_client, case_id):  # noqa: F811 (the fixture imported above)
    """The case with its agreement saved and not yet signed: what a draft is made of."""
    assert save(admin_client, case_id).status_code == 302
    return case_id


@pytest.fixture
def log_start(app) -> int:
    """The last audit row before the test (the log is append-only: earlier tests' rows stay,
    and a wiped case's id comes back on SQLite)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models.audit import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def _agreement_audit(app, case_id: int, after: int) -> list:
    from sqlalchemy import select

    from app.extensions import db
    from app.models.audit import AuditEvent

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(
            AuditEvent.id > after, AuditEvent.table_name == "agreement",
            AuditEvent.action.in_(("draft", "export", "download"))).order_by(AuditEvent.id)).all()
        return [(r.action, r.actor_id, r.via, dict(r.changes)) for r in rows if (r.changes or {}).get("case_id") == case_id]


def _user_id(app, username: str) -> int:
    with app.app_context():
        return app.appbuilder.sm.find_user(username=username).id


def test_a_judge_who_may_only_read_the_case_cannot_draft_its_agreement(app, court, log_start, stored):
    _user(app, "drafts_judge", "Judge", court)
    judge = _login(app, "drafts_judge")
    assert judge.get(f"/case/show/{stored}").status_code == 200  # the case itself is in reach
    for route in DRAFTS:
        r = judge.get(route.format(id=stored))
        body = r.get_data(as_text=True)
        assert r.status_code == 403, route
        assert r.mimetype == "text/html" and "您的角色无权进行此操作" in body  # the error page inside the layout
        assert "jf-shell" in body and "/logout" in body
        for value in PERSONAL:
            assert value not in body, (route, value)
    r = app.test_client().get(f"/api/v1/case/{stored}/agreement.docx",
                              headers={"Authorization": f"Bearer {_token(app, 'drafts_judge')}"})
    assert r.status_code == 403 and r.is_json and r.get_json().get("message")
    assert not any(value.encode() in r.data for value in PERSONAL)
    assert _agreement_audit(app, stored, log_start) == []  # nothing was handed out, nothing to log


def test_a_clerk_who_writes_agreements_drafts_one_and_each_draft_is_logged(app, places, log_start, stored):
    _user(app, "drafts_clerk", "Clerk", places["centre"])
    clerk = _login(app, "drafts_clerk")
    clerk_id = _user_id(app, "drafts_clerk")

    html = clerk.get(f"/case/{stored}/agreement/print").get_data(as_text=True)
    assert "林晓明" in html and "调解员（签名）" in html
    r = clerk.get(f"/case/{stored}/agreement/stored.docx")
    assert r.status_code == 200 and helpers.VALID_ID in docx_text(r.data)
    r = app.test_client().get(f"/api/v1/case/{stored}/agreement.docx",
                              headers={"Authorization": f"Bearer {_token(app, 'drafts_clerk')}"})
    assert r.status_code == 200

    logged = _agreement_audit(app, stored, log_start)
    assert [(action, actor, via, changes["as"]) for action, actor, via, changes in logged] == [
        ("draft", clerk_id, "web", "print"), ("draft", clerk_id, "web", "docx"), ("draft", clerk_id, "api", "docx")]
    # the log says which case and which document, never the personal data the document holds
    for _action, _actor, _via, changes in logged:
        assert changes["case_id"] == stored and not any(v in str(changes) for v in PERSONAL)


def test_an_agreement_in_effect_is_logged_as_an_export(app, admin_client, log_start, stored):
    page = admin_client.get(f"/case/{stored}/agreement/save").get_data(as_text=True)
    for signature in re.findall(rf"/case/{stored}/agreement/sign/(\d+)", page):
        version = re.search(r'name="version"[^>]*value="(\d+)"', admin_client.get(
            f"/case/{stored}/agreement/save").get_data(as_text=True)).group(1)
        r = admin_client.post(f"/case/{stored}/agreement/sign/{signature}",
                              data={"csrf_token": csrf_token(page), "version": version, "signed_on": "2026-11-28",
                                    "method": "signature"})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert admin_client.get(f"/case/{stored}/agreement/stored.docx").status_code == 200
    assert [(a, c["as"]) for a, _u, _v, c in _agreement_audit(app, stored, log_start)] == [("export", "docx")]
