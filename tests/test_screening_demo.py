"""The screening demo (``app.demo_screening``) on top of the year of demo cases: a campaign over
four streets and towns with a task per centre, hazards (one registered as a case, one dissolved,
high-risk ones), a task done and cases rated — through the services, once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select



@pytest.fixture(scope="module")
def demo_app(demo):
    """The demo world (`jiefen setup` twice, tests/demo_world.py), and the screening demo
    called once more by hand: it adds nothing."""
    from app.demo_screening import load_screening_demo

    app = demo[0]
    with app.app_context():
        again = load_screening_demo()
    yield app, demo[3], again


def test_the_demo_has_a_campaign_with_hazards_and_rated_cases(demo_app):
    from app.extensions import db
    from app.models import Case
    from app.models.screening import CampaignTask, Hazard, RiskAssessment, ScreeningCampaign

    app, setup_output, again = demo_app
    assert "Screening demo already present." in setup_output and again == "Screening demo already present."
    with app.app_context():
        (campaign,) = db.session.scalars(select(ScreeningCampaign)).all()
        assert len(campaign.tasks) == 4 and len(campaign.areas) == 4
        assert [t.done_on is not None for t in db.session.scalars(select(CampaignTask))].count(True) == 1
        statuses = sorted(db.session.scalars(select(Hazard.status)))
        assert statuses.count("converted") == 1 and statuses.count("dissolved") == 1 and len(statuses) == 6
        converted = db.session.scalars(select(Hazard).where(Hazard.status == "converted")).one()
        assert converted.case is not None and converted.case.risk_level == "high"
        assert db.session.scalar(select(func.count(Hazard.id)).where(Hazard.risk_level == "high")) >= 2
        assert db.session.scalar(select(func.count(RiskAssessment.id))) >= 2
        assert db.session.scalar(select(func.count(Case.id)).where(Case.risk_level == "high")) >= 2
        # every step at its own moment: the hazards in the order they were found
        found = [h.found_on for h in db.session.scalars(select(Hazard).order_by(Hazard.id))]
        assert found == sorted(found)
