"""Fault: a gunicorn worker killed in the middle of a multi-table save (issue 11, faults).

A real gunicorn serves Jiefen on a free 127.0.0.1 port, on a migrated SQLite file or — when
``JIEFEN_TEST_DATABASE_URL`` is set — on a PostgreSQL schema of its own. A registration (the
case, its parties, the timeline, the audit rows and the idempotency key in one transaction)
is held between its flush and its commit by the test-only pause hook (app/fault_hooks.py);
the worker gets SIGKILL there. The case must then be absent or complete — never half — and
retrying the same POST with the same ``Idempotency-Key`` leaves exactly one case.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests import helpers
from tests.fixtures import PG_URL, make_migrated_app

pytestmark = pytest.mark.server

WAIT = 30  # seconds: the longest any single wait of this test may take
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def fault_db(tmp_path):
    """A migrated database of the test's own: its URL, and the places of a case."""
    if PG_URL:
        base = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
        schema = f"jf_fault_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp_path / 'fault.db'}"
    database = {"url": url, "options": {}}
    app = make_migrated_app(database, tmp_path / "prepare")
    with app.app_context():
        from app.extensions import db

        places = helpers.create_places()
        db.session.remove()
        db.engine.dispose()
    try:
        yield url, places
    finally:
        if PG_URL:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


@pytest.fixture
def server(fault_db, tmp_path):
    """gunicorn with one sync worker on the test database; always torn down."""
    url, places = fault_db
    port = free_port()
    pause_file = tmp_path / "paused.pid"
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {**os.environ, "JIEFEN_FAULT_DATABASE_URL": url, "JIEFEN_FAULT_PAUSE_FILE": str(pause_file),
           "JIEFEN_FAULT_INSTANCE": str(instance)}
    log = open(tmp_path / "gunicorn.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "--graceful-timeout", "5", "tests.fault_wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _healthy(base), "gunicorn to answer /health", timeout=60)
        yield {"base": base, "url": url, "places": places, "pause_file": pause_file, "proc": proc}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def stored(url: str) -> tuple[int, list[int], int]:
    """Cases, the party count of each, and idempotency keys, read straight from the database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cases = conn.execute(sa.text("SELECT id FROM cases ORDER BY id")).scalars().all()
            parties = [conn.execute(sa.text("SELECT count(*) FROM party WHERE case_id = :c"), {"c": c}).scalar()
                       for c in cases]
            keys = conn.execute(sa.text("SELECT count(*) FROM idempotency_key")).scalar()
    finally:
        engine.dispose()
    return len(cases), parties, keys


def test_a_worker_killed_mid_save_leaves_the_case_whole_or_absent(server):
    base = server["base"]
    r = requests.post(f"{base}/api/v1/security/login", timeout=WAIT,
                      json={"username": "admin", "password": helpers.PASSWORDS["admin"], "provider": "db"})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}", "Idempotency-Key": "fault-kill-0001"}
    body = helpers.traffic_payload(server["places"])
    outcome = {}

    def doomed():
        try:
            outcome["response"] = requests.post(f"{base}/api/v1/case/", json=body, timeout=WAIT,
                                                headers={**auth, "X-Jiefen-Test-Pause": "20"})
        except requests.RequestException as exc:  # the worker died under it: expected
            outcome["error"] = exc

    thread = threading.Thread(target=doomed)
    thread.start()
    pid = int(wait_for(lambda: server["pause_file"].exists() and server["pause_file"].read_text().strip(),
                       "the save to pause before its commit"))
    assert pid != server["proc"].pid  # the worker, not the master
    os.kill(pid, signal.SIGKILL)
    thread.join(timeout=WAIT)
    assert not thread.is_alive(), "the client never heard back"
    assert "response" not in outcome or outcome["response"].status_code >= 500

    cases, parties, keys = stored(server["url"])
    assert cases == keys == 0, "the killed save left rows behind"

    # gunicorn's master starts a new worker; the client retries with the same key
    wait_for(lambda: _healthy(base), "a new worker")
    first = requests.post(f"{base}/api/v1/case/", json=body, headers=auth, timeout=WAIT)
    again = requests.post(f"{base}/api/v1/case/", json=body, headers=auth, timeout=WAIT)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    cases, parties, keys = stored(server["url"])
    assert (cases, parties, keys) == (1, [2], 1)
