"""The demo world: a fresh database after `jiefen setup` run twice (what `make run` loads),
shared by every test of the demo in the session, since one setup takes a minute or more."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from tests.fixtures import make_app

TABLES = ("cases", "party", "timeline_event", "consent", "assignment", "appointment", "mediation_session", "agreement",
          "signature", "judicial_confirmation", "return_visit", "referral", "mediator", "membership", "ab_user",
          "audit_event", "screening_campaign", "campaign_task", "hazard", "hazard_party", "risk_assessment",
          "sensitive_period", "alert", "alert_note", "joint_meeting", "meeting_item", "meeting_task", "bulletin")


@pytest.fixture(scope="session")
def demo(database, tmp_path_factory):
    """An app on a fresh database after `jiefen setup` run twice; yields (app, counts after each run)."""
    tmp = tmp_path_factory.mktemp("demo")
    db_spec, engine, schema = dict(database), None, None
    if database["kind"] == "sqlite":
        db_spec["url"] = f"sqlite:///{tmp / 'demo.db'}"
    else:
        schema = f"jf_demo_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(database["url"])
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        db_spec["options"] = {"connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"}}
    app = make_app(db_spec, tmp)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["jiefen", "setup"])
    assert first.exit_code == 0, first.output
    after_first = table_counts(app)
    second = runner.invoke(args=["jiefen", "setup"])
    assert second.exit_code == 0, second.output
    yield app, after_first, table_counts(app), second.output
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    if engine is not None:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def table_counts(app) -> dict:
    from app.extensions import db

    with app.app_context():
        out = {t: db.session.scalar(select(func.count()).select_from(sa.table(t))) for t in TABLES}
        db.session.remove()
    return out



