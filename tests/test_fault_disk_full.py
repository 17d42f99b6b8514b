"""Fault: the disk fills up during an attachment upload.

The attachments folder of a real HTTP server is a 256 KiB tmpfs, so a 400 KiB upload really
runs out of space (ENOSPC) half-way. The clerk gets a clean refusal in their language — JSON
on the API, the page with a message on the web — and nothing is left behind: no partial file
in the folder, no attachment row. The space the partial file took is given back, so the next
small upload succeeds.

When mounting is not permitted (an unprivileged container; or ``JIEFEN_TEST_DISK_FULL=rlimit``)
the server runs in a subprocess under ``RLIMIT_FSIZE`` (a write past 256 KiB fails with EFBIG,
SIGXFSZ ignored). That limit would hit a SQLite database file first, so this fallback runs on
PostgreSQL only; on SQLite it skips (and fails in CI, where mounting must work).
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from tests import helpers
from tests.test_sessions import build_web, build_world, new_case
from tests.test_uploads import PDF

pytestmark = pytest.mark.server

TMPFS_SIZE = 256 * 1024
BIG = PDF + bytes(400 * 1024)     # does not fit
SMALL = PDF + bytes(40 * 1024)    # fits once the partial file is gone
TIMEOUT = 30


def mount_tmpfs(folder: Path) -> bool:
    """Mount a small tmpfs on ``folder``; False when this machine does not allow it."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", str(folder)],
                          capture_output=True, text=True, timeout=30)
    return done.returncode == 0


SUBPROCESS_SERVER = """
import json, os, resource, signal, sys
from werkzeug.serving import make_server
from tests.fixtures import make_app

# A write past the limit fails with EFBIG instead of killing the process.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
database, instance, port, limit = json.loads(sys.argv[1])
app = make_app(database, instance)
with app.app_context():
    from app.extensions import db
    db.engine.connect().close()  # connect (and import everything) before the limit applies
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
make_server("127.0.0.1", port, app, threaded=True).serve_forever()
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def limited_server(database, instance: Path):
    """The app in a subprocess whose files may not grow past TMPFS_SIZE (RLIMIT_FSIZE)."""
    import json
    import sys
    import time

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SUBPROCESS_SERVER,
                             json.dumps([database, str(instance), port, TMPFS_SIZE])],
                            cwd=Path(__file__).resolve().parent.parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
            return proc, f"http://127.0.0.1:{port}"
        except requests.RequestException:
            assert proc.poll() is None, "the limited server exited"
            time.sleep(0.3)
    proc.kill()
    raise AssertionError("the limited server did not start")


@pytest.fixture
def full_disk_server(database, tmp_path_factory, app, places):
    """A server whose attachments folder fills at 256 KiB: a tmpfs (threaded server in this
    process), or where mounting is not allowed a subprocess under RLIMIT_FSIZE."""
    from werkzeug.serving import make_server

    instance = tmp_path_factory.mktemp("diskfull")
    folder = instance / "attachments"
    web = build_web(database, instance)
    world = build_world(web, places)
    if os.environ.get("JIEFEN_TEST_DISK_FULL") != "rlimit" and mount_tmpfs(folder):
        srv = make_server("127.0.0.1", 0, web, threaded=True)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        try:
            yield {"web": web, "world": world, "folder": folder, "base": f"http://127.0.0.1:{srv.server_port}"}
        finally:
            srv.shutdown()
            thread.join(10)
            subprocess.run(["umount", "-l", str(folder)], capture_output=True, timeout=30)
        return
    if database["kind"] == "sqlite":  # the limit would hit the SQLite file before the upload
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("cannot mount a tmpfs for the disk-full test (needs root / CAP_SYS_ADMIN)")
        pytest.skip("no tmpfs mount allowed here, and RLIMIT_FSIZE needs a database outside the process")
    proc, base = limited_server(database, instance)
    try:
        yield {"web": web, "world": world, "folder": folder, "base": base}
    finally:
        proc.terminate()
        proc.wait(10)


def files_in(folder: Path) -> list[Path]:
    """Every file in the attachments folder, temporary (``.part``) ones included."""
    return [p for p in folder.rglob("*") if p.is_file()]


def attachment_rows(web) -> int:
    from app.extensions import db
    from app.models import Attachment

    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment))


def api_upload(base, token, case_id, body, name):
    return requests.post(f"{base}/api/v1/case/{case_id}/attachments", timeout=TIMEOUT,
                         headers={"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"},
                         data={"kind": "evidence"}, files={"file": (name, io.BytesIO(body), "application/pdf")})


def browser(base) -> requests.Session:
    """The clerk signed in through the login form, in the default language (Chinese)."""
    s = requests.Session()
    page = s.get(f"{base}/login/", timeout=TIMEOUT).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = s.post(f"{base}/login/", timeout=TIMEOUT, allow_redirects=False, data={
        "username": "clerk", "password": helpers.PASSWORDS["clerk"], "csrf_token": token})
    assert r.status_code == 302 and "/login" not in r.headers["Location"]
    return s


def test_a_full_disk_refuses_the_upload_cleanly_and_leaves_nothing_behind(full_disk_server):
    base, web, folder = full_disk_server["base"], full_disk_server["web"], full_disk_server["folder"]
    case_id = new_case(web, full_disk_server["world"])
    rows = attachment_rows(web)
    r = requests.post(f"{base}/api/v1/security/login", timeout=TIMEOUT, json={
        "username": "clerk", "password": helpers.PASSWORDS["clerk"], "provider": "db"})
    token = r.json()["access_token"]

    r = api_upload(base, token, case_id, BIG, "大卷宗.pdf")
    assert r.status_code == 507, r.text
    assert "磁盘" in r.json()["message"]  # in the clerk's language, not an errno
    assert files_in(folder) == [] and attachment_rows(web) == rows

    clerk = browser(base)
    page = clerk.get(f"{base}/case/{case_id}/sessions", timeout=TIMEOUT).text
    token_field = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = clerk.post(f"{base}/case/{case_id}/attachments", timeout=TIMEOUT,
                   data={"csrf_token": token_field, "kind": "evidence"},
                   files={"files": ("大卷宗.pdf", io.BytesIO(BIG), "application/pdf")})
    assert r.status_code == 507
    assert "磁盘" in r.text and "<nav" in r.text  # the message inside the layout
    assert files_in(folder) == [] and attachment_rows(web) == rows

    # The partial file's space was given back: a small file fits and is kept whole.
    r = api_upload(base, token, case_id, SMALL, "现场照片.pdf")
    assert r.status_code == 201, r.text
    kept = files_in(folder)
    assert len(kept) == 1 and kept[0].read_bytes() == SMALL and not kept[0].name.endswith(".part")
    assert attachment_rows(web) == rows + 1
