"""Every change of case data leaves an audit row in the same transaction, personal data masked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import helpers


def audit_rows(app, table=None, after=0):
    """The audit rows written after row ``after`` (the log outlives each test's data)."""
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
        if table:
            query = query.where(AuditEvent.table_name == table)
        return [(e.table_name, e.action, e.changes, e.via, e.actor_id) for e in db.session.scalars(query)]


def register(app, places):
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places), headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201
    return r.get_json()["id"]


def test_registration_is_audited_with_personal_data_masked(app, places):
    with app.app_context():
        mark = helpers.audit_mark()
    register(app, places)
    parties = audit_rows(app, "party", mark)
    assert [a for _, a, *_ in parties] == ["insert", "insert"]
    changes = parties[0][2]
    assert changes["id_number"] == "110105********002X" and changes["mobile"] == "138****1234"
    assert changes["address"] == "[hidden]"
    cases = audit_rows(app, "cases", mark)
    assert cases[0][1] == "insert" and cases[0][3] == "api" and cases[0][4] is not None


def test_a_transition_and_its_audit_row_commit_together(app, places):
    from app.extensions import db
    from app.lifecycle.workflow import perform
    from app.models import Case
    from app.lifecycle.workflow import TransitionRefused

    case_id = register(app, places)
    before = len(audit_rows(app, "cases"))
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        perform(case, "start_screening", None)
    rows = audit_rows(app, "cases")
    assert len(rows) == before + 1
    assert rows[-1][1] == "update" and rows[-1][2]["status"] == ["registered", "screening"]
    with app.test_request_context():
        case = db.session.get(Case, case_id)
        with pytest.raises(TransitionRefused):
            perform(case, "withdraw", None, note="")  # refused: no reason given
    assert len(audit_rows(app, "cases")) == before + 1  # nothing written for a refusal


def test_a_failed_transaction_leaves_no_audit_row(app, places):
    from app.extensions import db
    from app.models import Case

    case_id = register(app, places)
    before = len(audit_rows(app))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.title = "改了又撤回"
        db.session.flush()  # the audit row is written here…
        db.session.rollback()  # …and goes with the change
    assert len(audit_rows(app)) == before
