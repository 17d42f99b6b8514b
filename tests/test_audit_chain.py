"""The audit log is append-only (the database refuses UPDATE and DELETE) and hash-chained:
``flask audit verify`` passes on an intact chain and names the first row that was changed or
removed behind the triggers' back."""
from __future__ import annotations

import importlib
import threading
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from tests import helpers
from tests.fixtures import make_app

MIGRATION = importlib.import_module("app.migrations.versions.0010_audit_chain")


def register(app, places) -> int:
    token = helpers.api_token(app.test_client(), "admin")
    r = app.test_client().post("/api/v1/case/", json=helpers.traffic_payload(places),
                               headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()["id"]


def audit_ids(app, after=0) -> list[int]:
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.id).where(AuditEvent.id > after).order_by(AuditEvent.id)))


def verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


@contextmanager
def triggers_dropped(conn):
    """Go around the append-only guard the way someone with the database's owner rights could."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    dialect = conn.dialect.name
    with Operations.context(MigrationContext.configure(conn)):
        MIGRATION.drop_triggers(dialect)
        try:
            yield
        finally:
            MIGRATION.create_triggers(dialect)


def test_the_database_refuses_to_change_or_remove_an_audit_row(app, places):
    from app.extensions import db

    register(app, places)
    row = audit_ids(app)[-1]
    with app.app_context():
        statements = [f"UPDATE audit_event SET action = 'delete' WHERE id = {row}",
                      f"DELETE FROM audit_event WHERE id = {row}"]
        if db.engine.dialect.name == "postgresql":
            statements.append("TRUNCATE audit_event")
        for statement in statements:
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert row in audit_ids(app)


def test_verify_passes_on_an_intact_chain(app, places):
    register(app, places)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "audit chain intact" in result.output and "rows checked" in result.output


def test_verify_names_the_row_changed_behind_the_triggers_back(app, places):
    from app.extensions import db

    mark = audit_ids(app)[-1] if audit_ids(app) else 0
    register(app, places)
    target = audit_ids(app, mark)[1]
    with app.app_context(), db.engine.begin() as conn:
        original = conn.execute(sa.text(f"SELECT action FROM audit_event WHERE id = {target}")).scalar()
        with triggers_dropped(conn):
            conn.execute(sa.text(f"UPDATE audit_event SET action = 'delete' WHERE id = {target}"))
    try:
        result = verify(app)
        assert result.exit_code == 1, result.output
        assert f"row id {target}:" in result.output and "hash mismatch" in result.output
        with app.app_context(), db.engine.connect() as conn:
            from app.audit_chain import verify_chain

            found = verify_chain(conn, batch_size=3)  # across batch boundaries too
        assert (found.ok, found.first_broken_id) == (False, target)
    finally:
        with app.app_context(), db.engine.begin() as conn, triggers_dropped(conn):
            conn.execute(sa.text(f"UPDATE audit_event SET action = '{original}' WHERE id = {target}"))
    assert verify(app).exit_code == 0


def test_verify_names_the_row_after_a_removed_one(app, places):
    from app.extensions import db
    from app.models import AuditEvent

    mark = audit_ids(app)[-1] if audit_ids(app) else 0
    register(app, places)
    removed, following = audit_ids(app, mark)[1:3]
    with app.app_context(), db.engine.begin() as conn:
        saved = conn.execute(select(AuditEvent.__table__).where(AuditEvent.id == removed)).mappings().one()
        with triggers_dropped(conn):
            conn.execute(sa.text(f"DELETE FROM audit_event WHERE id = {removed}"))
    try:
        result = verify(app)
        assert result.exit_code == 1, result.output
        assert f"row id {following}:" in result.output and "gap" in result.output
    finally:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(sa.insert(AuditEvent.__table__), [dict(saved)])  # inserting is allowed
    assert verify(app).exit_code == 0


def test_the_hash_survives_the_round_trip_through_the_database(app):
    """What the writer hashed is what the checker reads back: times, floats, nesting, Chinese."""
    from app.audit import record_access
    from app.audit_chain import row_digest, verify_chain
    from app.extensions import db
    from app.models import AuditEvent

    details = {"case_id": 7, "amount": 1e20, "ratio": 0.1, "whole": 2.0, "tiny": 1.5e-7, "flag": True,
               "nothing": None, "名称": "林晓明与黄丽娟", "nested": {"b": [1, "二", {"c": False}], "a": "=1+1"},
               "when": "2026-12-06T08:00:00+08:00"}
    with app.test_request_context():
        record_access("attachment", 3, "download", details)
    with app.app_context():
        row = db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id.desc()).limit(1)).mappings().one()
        assert row["case_id"] == 7 and row["changes"]["名称"] == "林晓明与黄丽娟"
        assert row_digest(row) == row["row_hash"]
        assert verify_chain(db.session).ok


def test_concurrent_writers_keep_one_unbroken_chain(app, places):
    """Eight workers writing at once through both paths (flush hook and record_access)."""
    from app.audit import record_access
    from app.audit_chain import verify_chain
    from app.extensions import db
    from app.models import Organization

    mark = audit_ids(app)[-1] if audit_ids(app) else 0
    errors, barrier = [], threading.Barrier(8)

    def worker(n):
        try:
            with app.test_request_context():
                barrier.wait(timeout=30)
                for i in range(5):
                    record_access("attachment", n * 100 + i, "download", {"case_id": n})
                    db.session.add(Organization(name=f"并发{n}-{i}", kind="partner_agency"))
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(audit_ids(app, mark)) == 8 * 5 * 2
    with app.app_context(), db.engine.connect() as conn:
        result = verify_chain(conn)
    assert result.ok, result


def test_an_upgraded_database_chains_the_rows_it_already_had(database, tmp_path):
    """Rows written before revision 0010 are chained by the migration, in id order."""
    spec, engine, schema = dict(database), None, None
    if database["kind"] == "sqlite":
        spec["url"] = f"sqlite:///{tmp_path / 'upgrade.db'}"
    else:
        schema = f"jf_audit_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(database["url"])
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        spec["options"] = {"connect_args": {"prepare_threshold": None, "options": f"-csearch_path={schema}"}}
    app = make_app(spec, tmp_path)
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from app.extensions import db

            upgrade(revision="0009")
            with db.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO audit_event (at, actor_id, via, table_name, row_id, action, changes) VALUES "
                    "('2026-11-30 01:02:03.456789', 1, 'web', 'cases', 5, 'insert', '{\"title\": \"旧案\"}'),"
                    "('2026-11-30 02:00:00', NULL, 'cli', 'party', 9, 'insert', '{\"case_id\": 5, \"ratio\": 1.0}'),"
                    "('2026-11-30 03:00:00', 2, 'api', 'attachment', 4, 'download', '{\"case_id\": 5}')"))
            upgrade()
            with db.engine.connect() as conn:
                from app.audit_chain import verify_chain

                result = verify_chain(conn)
                cases = conn.execute(sa.text("SELECT case_id FROM audit_event ORDER BY id")).scalars().all()
        assert result.ok and result.checked == 3, result
        assert cases == [5, 5, 5]
        assert verify(app).exit_code == 0
        with app.test_request_context():
            from app.audit import record_access

            record_access("cases", 5, "export", {})
        assert verify(app).exit_code == 0
    finally:
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        if engine is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()


def test_a_download_logged_inside_an_audited_transaction_does_not_wait_for_itself(app, places):
    """The request already wrote audit rows (and holds the chain) when it logs an access."""
    from app.audit import record_access
    from app.audit_chain import verify_chain
    from app.extensions import db
    from app.models import Organization

    mark = audit_ids(app)[-1] if audit_ids(app) else 0
    done = []

    def request_work():
        try:
            with app.test_request_context():
                db.session.add(Organization(name="同一事务", kind="partner_agency"))
                db.session.flush()
                record_access("attachment", 1, "download", {"case_id": 1})
                db.session.commit()
                db.session.remove()
                done.append(True)
        except Exception as exc:  # reported below
            done.append(repr(exc))

    worker = threading.Thread(target=request_work, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert done == [True], done or "record_access waited for the lock its own request holds"
    assert len(audit_ids(app, mark)) == 2
    with app.app_context():
        assert verify_chain(db.session).ok
