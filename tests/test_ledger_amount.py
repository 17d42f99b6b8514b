"""The agreed amount (协议金额) the ledgers sum: typed on the agreement's form or sent to the API,
validated like every other amount, and shown in the ledger."""
from __future__ import annotations

from tests import helpers
from tests.test_agreements import case_id, save  # noqa: F401 (fixture: a traffic case in mediation)


def stored_amount(app, case_id):
    from app.extensions import db
    from app.models.outcome import Agreement
    from sqlalchemy import select

    with app.app_context():
        return db.session.scalar(select(Agreement.amount).where(Agreement.case_id == case_id))


def version_of(app, case_id) -> int:
    from app.extensions import db
    from app.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).version


def test_the_agreed_amount_typed_on_the_form_reaches_the_ledger(app, admin_client, case_id):
    assert save(admin_client, case_id, amount="12500.50").status_code == 302
    assert str(stored_amount(app, case_id)) == "12500.50"
    page = admin_client.get(f"/case/{case_id}/agreement/save").get_data(as_text=True)
    assert "¥12,500.50" in page and 'value="12500.50"' in page
    token = helpers.api_token(app.test_client(), "admin")
    result = app.test_client().get("/api/v1/reports/ledger", headers={"Authorization": f"Bearer {token}"}).get_json()
    [row] = [r for r in result["result"]["rows"] if r["case_id"] == case_id]
    assert row["agreed_amount"] == "12500.50" and row["result"] == "agreement"
    assert result["result"]["summary"]["total"]["agreed_amount"] == "12500.50"
    assert result["result"]["summary"]["total"]["agreements"] == 1


def test_a_bad_amount_is_refused_like_other_money_keeping_what_was_typed(app, admin_client, case_id):
    admin_client.get("/lang/en")
    for typed, reason in (("-5", "Must be at least 0."), ("1.234", "Use at most two decimal places."),
                          ("1e13", "Must be between 0 and 1000000000000.")):
        r = save(admin_client, case_id, amount=typed)
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and reason in html, typed
        assert f'value="{typed}"' in html
        assert stored_amount(app, case_id) is None


def test_the_api_takes_the_amount_and_a_revision_without_it_keeps_it(app, case_id):
    token = helpers.api_token(app.test_client(), "admin")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"template_code": "compensation", "committee": "香洲街道人民调解委员会", "mediator_name": "陈调解",
            "drafted_on": "2026-11-28", "terms": [{"text": "被申请人赔偿申请人人民币800元"}]}
    bad = app.test_client().post(f"/api/v1/case/{case_id}/agreement?_l_=en", headers=headers,
                                 json={**body, "amount": "abc", "version": version_of(app, case_id)})
    assert bad.status_code == 422 and "amount" in bad.get_json()["message"]
    assert stored_amount(app, case_id) is None
    ok = app.test_client().post(f"/api/v1/case/{case_id}/agreement", headers=headers,
                                json={**body, "amount": 800, "version": version_of(app, case_id)})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["agreement"]["amount"] == "800.00"
    again = app.test_client().post(f"/api/v1/case/{case_id}/agreement", headers=headers,
                                   json={**body, "version": version_of(app, case_id)})
    assert again.status_code == 200 and again.get_json()["agreement"]["amount"] == "800.00"
    cleared = app.test_client().post(f"/api/v1/case/{case_id}/agreement", headers=headers,
                                     json={**body, "amount": None, "version": version_of(app, case_id)})
    assert cleared.status_code == 200 and cleared.get_json()["agreement"]["amount"] is None
