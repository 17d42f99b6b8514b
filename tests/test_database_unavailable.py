"""An API step that meets a database it cannot use answers 503 "try again", not FAB's 500
"Fatal error" (its ``@safe`` decorator catches every exception before Jiefen's handlers).

Another connection really holds the lock the step needs — SQLite's exclusive write lock,
PostgreSQL's ACCESS EXCLUSIVE lock on ``cases`` — and the app's connections give up after
0.2 s instead of waiting. A real PostgreSQL restart under load is
``tests/test_fault_pg_restart.py``.
"""
from __future__ import annotations

import contextlib
import sqlite3

import sqlalchemy as sa
from sqlalchemy import event

from tests.test_version_required import new_case, post, snapshot


@contextlib.contextmanager
def impatient_connections(app, database):
    """The app's new connections wait at most 0.2 s for a lock."""
    from app.extensions import db

    def impatient(dbapi_conn, _record):
        if database["kind"] == "sqlite":  # after configure_sqlite's 10 s
            dbapi_conn.execute("PRAGMA busy_timeout=200")
        else:
            with dbapi_conn.cursor() as cur:
                cur.execute("SET lock_timeout = '200ms'")
            dbapi_conn.commit()

    with app.app_context():
        event.listen(db.engine, "connect", impatient)
        db.engine.dispose()
    try:
        yield
    finally:
        with app.app_context():
            event.remove(db.engine, "connect", impatient)
            db.engine.dispose()


@contextlib.contextmanager
def lock_held_elsewhere(database):
    """Another connection holds the lock a case's step needs until the block ends."""
    if database["kind"] == "sqlite":
        holder = sqlite3.connect(database["url"].removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = sa.create_engine(database["url"], **database["options"])
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("LOCK TABLE cases IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                conn.rollback()
    finally:
        engine.dispose()


def test_a_locked_database_answers_503_and_the_case_is_unchanged(app, places, database):
    case_id = new_case(app, places)
    version, status, entries = snapshot(app, case_id)
    with impatient_connections(app, database), lock_held_elsewhere(database):
        r = post(app, case_id, "transition", {"action": "start_screening", "version": version})
        assert r.status_code == 503, r.get_data(as_text=True)
        assert r.get_json()["message"] and "Fatal" not in r.get_json()["message"]
    assert snapshot(app, case_id) == (version, status, entries)
    r = post(app, case_id, "transition", {"action": "start_screening", "version": version})
    assert r.status_code == 200  # once the lock is gone the same step goes through
