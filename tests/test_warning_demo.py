"""The early-warning demo (``app.demo_warning.load_warning_demo``, run after ``jiefen setup``):
a new user finds sensitive periods, alerts of several rules on the Alerts page and on My work,
and one alert acknowledged with a note; loading it again adds nothing."""
from __future__ import annotations

import pytest

from tests.fixtures import csrf_token


@pytest.fixture(scope="module")
def warning_demo(demo):
    """The demo world (`jiefen setup` twice, tests/demo_world.py); the warning demo called
    once more by hand adds nothing."""
    from app.demo_warning import load_warning_demo

    app = demo[0]
    with app.app_context():
        again = load_warning_demo()
    yield app, demo[3], again


def test_the_demo_raises_alerts_of_several_rules_and_acknowledges_one(warning_demo):
    from app.extensions import db
    from app.models import Alert, AlertNote, SensitivePeriod

    app, setup_output, again = warning_demo
    assert "Warning demo already present." in setup_output and again == "Warning demo already present."
    with app.app_context():
        rules = {a.rule for a in db.session.query(Alert)}
        assert {"core.spike", "core.group_parties", "core.repeat_party", "core.respondent",
                "core.sensitive_period"} <= rules
        assert any(not r.startswith("core.") for r in rules)  # the wage type's own rule
        (acknowledged,) = db.session.query(Alert).filter_by(status="acknowledged").all()
        (note,) = db.session.query(AlertNote).filter_by(alert_id=acknowledged.id).all()
        assert note.action == "acknowledge" and "人社所" in note.text and note.author.username == "clerk_hongcao"
        assert db.session.query(SensitivePeriod).count() == 2


def test_the_towns_clerk_finds_the_alerts_on_my_work_in_chinese(warning_demo):
    from tests.untranslated import untranslated_in

    app, _output, _again = warning_demo
    with app.app_context():
        from app.extensions import db
        from app.models import Alert

        alert_id, details = db.session.query(Alert.id, Alert.details).filter_by(rule="core.spike").one()
    with app.app_context():  # nobody is told the demo people's passwords: an administrator resets one
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="clerk_hongcao").id, "Demo-Pa55-word-7x")
    client = app.test_client()
    form = client.get("/login/").get_data(as_text=True)
    r = client.post("/login/", data={"username": "clerk_hongcao", "password": "Demo-Pa55-word-7x",
                                     "csrf_token": csrf_token(form)})
    assert r.status_code == 302
    page = client.get("/mywork/").get_data(as_text=True)
    # the newest first: the card links to alerts, the week's spike among them or behind "more"
    assert "新预警" in page and "/alerts/" in page
    alert = client.get(f"/alerts/{alert_id}").get_data(as_text=True)
    # the week's five wage cases, and the screening demo's hazard registered there as a case
    assert details["count"] >= 5
    assert f"红草镇劳动争议近7日{details['count']}件" in alert and untranslated_in(alert) == []
