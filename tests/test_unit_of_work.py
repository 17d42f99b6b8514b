"""One unit of work for every lifecycle change (``app.lifecycle.tx.unit_of_work``): what the
block adds commits together on success; an exception anywhere inside rolls all of it back and
reaches the caller unchanged; a concurrent save caught by the version column is a
``StaleCase``, with nothing written."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import helpers


def registered_case(app, places) -> int:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {helpers.api_token(client, 'admin')}"}
    r = client.post("/api/v1/case/", json=helpers.traffic_payload(places), headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def timeline_count(case_id: int) -> int:
    from app.extensions import db
    from app.models.lifecycle import TimelineEvent

    return db.session.scalar(select(func.count(TimelineEvent.id)).where(TimelineEvent.case_id == case_id))


def test_an_exception_inside_rolls_back_everything_the_block_wrote(app, places):
    from app.extensions import db
    from app.lifecycle.tx import unit_of_work
    from app.lifecycle.workflow import record
    from app.models.case import Case
    from app.models.lifecycle import Consent
    from app.models.types import utcnow

    case_id = registered_case(app, places)
    with app.app_context():
        entries = timeline_count(case_id)
        case = db.session.get(Case, case_id)
        title, version, party = case.title, case.version, case.parties[0].id

        class PrinterJammed(Exception):
            pass

        with pytest.raises(PrinterJammed):
            with unit_of_work():
                case.title = "改过的摘要"
                db.session.add(Consent(case_id=case_id, party_id=party, subject="mediation", decision="given",
                                       at=utcnow(), channel="window"))
                record(case, None, "consent", "mediation", "半途而废")
                db.session.flush()  # written to the database, not yet committed
                raise PrinterJammed()
        db.session.expire_all()
        again = db.session.get(Case, case_id)
        assert (again.title, again.version) == (title, version)
        assert timeline_count(case_id) == entries
        assert db.session.scalar(select(func.count(Consent.id)).where(Consent.case_id == case_id)) == 0


def test_a_refusal_inside_reaches_the_caller_and_nothing_is_kept(app, places):
    from app.extensions import db
    from app.lifecycle.tx import unit_of_work
    from app.lifecycle.workflow import TransitionRefused, record
    from app.models.case import Case

    case_id = registered_case(app, places)
    with app.app_context():
        entries = timeline_count(case_id)
        case = db.session.get(Case, case_id)
        with pytest.raises(TransitionRefused) as refused:
            with unit_of_work():
                record(case, None, "note", "draft", "写了一半")
                raise TransitionRefused(["不行"])
        assert refused.value.reasons == ["不行"]
        assert timeline_count(case_id) == entries


def test_the_block_commits_together_on_success(app, places):
    from app.extensions import db
    from app.lifecycle.tx import unit_of_work
    from app.lifecycle.workflow import record
    from app.models.case import Case

    case_id = registered_case(app, places)
    with app.app_context():
        entries = timeline_count(case_id)
        case = db.session.get(Case, case_id)
        version = case.version
        with unit_of_work():
            case.title = "新的摘要"
            record(case, None, "note", "renamed", "")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.title == "新的摘要" and case.version == version + 1
        assert timeline_count(case_id) == entries + 1


def test_a_concurrent_save_is_a_stale_case_and_nothing_is_written(app, places):
    from app.extensions import db
    from app.lifecycle.tx import StaleCase, unit_of_work
    from app.models.case import Case

    case_id = registered_case(app, places)
    with app.app_context():
        mine = Session(db.engine)  # this user's form, read before the other save
        try:
            case = mine.get(Case, case_id)
            client = app.test_client()
            headers = {"Authorization": f"Bearer {helpers.api_token(client, 'admin')}"}
            r = client.post(f"/api/v1/case/{case_id}/transition", headers=headers,
                            json={"action": "start_screening", "version": case.version})
            assert r.status_code == 200, r.get_json()
            with pytest.raises(StaleCase):
                with unit_of_work(mine):
                    case.title = "被覆盖的摘要"
            assert mine.get(Case, case_id).title != "被覆盖的摘要"  # the session is usable again
        finally:
            mine.close()
        fresh = db.session.get(Case, case_id)
        assert fresh.status == "screening" and fresh.title != "被覆盖的摘要"


def test_no_lifecycle_module_commits_on_its_own():
    from pathlib import Path

    lifecycle = Path(__file__).resolve().parent.parent / "app" / "lifecycle"
    hits = [f"{path.name}:{n}: {line.strip()}"
            for path in sorted(lifecycle.glob("*.py")) if path.name != "tx.py"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if ".commit()" in line]
    assert not hits, "commit through app.lifecycle.tx.unit_of_work instead:\n" + "\n".join(hits)
