"""Attachments: checked by content not name, size limits (413), random names inside the
instance folder, scoped downloads with the Chinese name intact, and no orphan file or row
when the disk fills up — through the web pages and the API, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import errno
import io
from pathlib import Path
from urllib.parse import unquote

import pytest

from app.services.clock import now as clock_now
from sqlalchemy import func, select

from tests.fixtures import csrf_token, make_app
from tests.test_sessions import MEDIATOR, OTHER, api, bearer, build_web, build_world, case_row, login, new_case

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(100)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(40)
CHINESE = "调解笔录（第一次）.pdf"


@pytest.fixture(scope="module")
def web(database, tmp_path_factory, app):
    """The session views' app, with its own instance folder (and attachments)."""
    return build_web(database, tmp_path_factory.mktemp("uploads"))


@pytest.fixture
def world(web, places):
    """Two centres, the mediator, their memberships."""
    return build_world(web, places)


def docx_bytes() -> bytes:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def upload(web, user, case_id, files, kind="evidence", **form):
    """POST ``files`` (``[(bytes, name)]``) to the API as ``user``."""
    data = {"kind": kind, "file": [(io.BytesIO(b), n) for b, n in files], **form}
    return web.test_client().post(f"/api/v1/case/{case_id}/attachments?_l_=en", data=data,
                                  headers=bearer(web, user), content_type="multipart/form-data")


def stored(web) -> set:
    """Every file under the attachments folder, temporary ones included."""
    root = Path(web.config["JIEFEN_INSTANCE_PATH"]) / "attachments"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def rows(web, case_id=None):
    from app.extensions import db
    from app.models import Attachment

    with web.app_context():
        query = select(Attachment).order_by(Attachment.id)
        if case_id is not None:
            query = query.where(Attachment.case_id == case_id)
        return [(a.id, a.original_name, a.kind, a.content_type, a.size, a.stored_name, a.session_id)
                for a in db.session.scalars(query)]


def count_rows(web) -> int:
    from app.extensions import db
    from app.models import Attachment

    with web.app_context():
        return db.session.scalar(select(func.count()).select_from(Attachment))


def test_pdf_png_docx_and_a_recording_are_accepted_by_content(web, world):
    case_id = new_case(web, world)
    r = upload(web, "clerk", case_id, [(PDF, "事故认定书.pdf"), (PNG, "现场照片"), (docx_bytes(), "赔偿清单.docx")])
    assert r.status_code == 201, r.get_json()
    kept = r.get_json()["attachments"]
    assert [a["content_type"] for a in kept] == [
        "application/pdf", "image/png", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
    assert kept[1]["original_name"] == "现场照片"  # no extension needed: the content decides
    r = upload(web, "clerk", case_id, [(WAV, "录音.wav")], kind="recording")
    assert r.status_code == 201 and r.get_json()["attachments"][0]["content_type"] == "audio/wav"
    r = upload(web, "clerk", case_id, [(PDF, "录音.mp3")], kind="recording")
    assert r.status_code == 422  # a PDF is not a recording, whatever it is called
    import hashlib

    assert kept[0]["sha256"] == hashlib.sha256(PDF).hexdigest() and kept[0]["size"] == len(PDF)


def test_exe_named_pdf_empty_and_non_office_zip_are_refused(web, world):
    case_id = new_case(web, world)
    before = stored(web)
    r = upload(web, "clerk", case_id, [(EXE, "判决书.pdf")])
    assert r.status_code == 422 and "by its content" in r.get_json()["message"]["file"][0]
    r = upload(web, "clerk", case_id, [(b"", "空文件.pdf")])
    assert r.status_code == 422 and "empty" in r.get_json()["message"]["file"][0]
    r = upload(web, "clerk", case_id, [(b"PK\x03\x04" + bytes(60), "假文档.docx")])
    assert r.status_code == 422
    # all or nothing: one bad file among good ones keeps none of them
    r = upload(web, "clerk", case_id, [(PDF, "好的.pdf"), (EXE, "坏的.png")])
    assert r.status_code == 422
    assert rows(web, case_id) == [] and stored(web) == before
    assert upload(web, "clerk", case_id, [(PDF, "x.pdf")], kind="virus").status_code == 422


def test_per_kind_size_limit_answers_413(web, world, monkeypatch):
    from app.services import uploads

    monkeypatch.setitem(uploads.SIZE_LIMITS, "evidence", 1024)
    case_id = new_case(web, world)
    before = stored(web)
    r = upload(web, "clerk", case_id, [(PDF + bytes(2048), "大文件.pdf")])
    assert r.status_code == 413 and "at most" in r.get_json()["message"]
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "kind": "evidence", "files": [(io.BytesIO(PDF + bytes(2048)), "大文件.pdf")]})
    assert r.status_code == 413 and "too large" in r.get_data(as_text=True)
    assert rows(web, case_id) == [] and stored(web) == before


@pytest.fixture(scope="module")
def small(database, tmp_path_factory, web):
    """An app that accepts requests of 1 KiB at most."""
    small = make_app(database, tmp_path_factory.mktemp("small"), MAX_CONTENT_LENGTH=1024)
    return small


def test_max_content_length_answers_413_first(web, small, world):
    case_id = new_case(web, world)  # the intake payload itself is larger than 1 KiB
    r = upload(small, "clerk", case_id, [(PDF + bytes(4096), "大文件.pdf")])
    assert r.status_code == 413 and r.get_json()["message"]
    c = small.test_client()
    page = c.get("/login/").get_data(as_text=True)
    from tests.helpers import PASSWORDS

    c.post("/login/", data={"username": "clerk", "password": PASSWORDS["clerk"], "csrf_token": csrf_token(page)})
    r = c.post(f"/case/{case_id}/attachments", content_type="multipart/form-data",
               data={"kind": "evidence", "files": [(io.BytesIO(PDF + bytes(4096)), "大文件.pdf")]})
    assert r.status_code == 413
    assert rows(small, case_id) == [] and stored(small) == set()


def test_path_traversal_name_is_only_text(web, world):
    case_id = new_case(web, world)
    instance = Path(web.config["JIEFEN_INSTANCE_PATH"]).resolve()
    for name in ("../../etc/passwd", "..%2F..%2Fetc%2Fshadow", "/tmp/evil.pdf", "<script>alert(1)</script>.pdf"):
        r = upload(web, "clerk", case_id, [(PDF, name)])
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["attachments"][0]["original_name"] == name
    for _id, name, _k, _t, size, stored_name, _s in rows(web, case_id):
        path = (instance / "attachments" / stored_name[:2] / stored_name).resolve()
        assert path.is_file() and path.read_bytes() == PDF and instance in path.parents
        assert len(stored_name) == 32 and name not in str(path)
    assert not (instance.parent / "etc").exists() and not Path("/tmp/evil.pdf").exists()
    page = login(web, "clerk").get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;.pdf" in page


def test_chinese_name_round_trips_in_content_disposition(web, world):
    case_id = new_case(web, world)
    att = upload(web, "clerk", case_id, [(PDF, CHINESE)]).get_json()["attachments"][0]["id"]
    for r in (login(web, "clerk").get(f"/case/{case_id}/attachments/{att}"),
              api(web, "clerk", f"/api/v1/case/{case_id}/attachments/{att}", method="get")):
        assert r.status_code == 200 and r.data == PDF
        disposition = r.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == CHINESE
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Type"] == "application/pdf"


def test_downloads_are_scoped_to_the_case_and_the_caller(web, world):
    case_id = new_case(web, world)
    second = new_case(web, world)
    att = upload(web, "clerk", case_id, [(PDF, "证据.pdf")]).get_json()["attachments"][0]["id"]
    other = login(web, OTHER)  # works for another centre: sees neither case
    assert other.get(f"/case/{case_id}/attachments/{att}").status_code == 404
    assert other.get(f"/case/{case_id}/sessions").status_code == 404
    assert api(web, OTHER, f"/api/v1/case/{case_id}/attachments/{att}", method="get").status_code == 404
    assert upload(web, OTHER, case_id, [(PDF, "塞进来.pdf")]).status_code == 404
    clerk = login(web, "clerk")  # sees both cases, but the file belongs to the first only
    assert clerk.get(f"/case/{second}/attachments/{att}").status_code == 404
    assert api(web, "clerk", f"/api/v1/case/{second}/attachments/{att}", method="get").status_code == 404
    assert clerk.get(f"/case/{case_id}/attachments/99999999999999999999999").status_code == 404
    assert clerk.get(f"/case/{case_id}/attachments/{att}").status_code == 200


def test_disk_full_leaves_no_orphan_file_and_no_row(web, world, monkeypatch):
    from app.services import uploads

    case_id = new_case(web, world)
    before, count = stored(web), count_rows(web)
    calls = []

    def full(fh, data):
        calls.append(len(data))
        if len(calls) > 1:  # the first chunk reaches the disk, the second does not
            raise OSError(errno.ENOSPC, "No space left on device")
        fh.write(data)

    monkeypatch.setattr(uploads, "_write", full)
    big = PDF + bytes(3 * uploads.CHUNK)
    r = upload(web, "clerk", case_id, [(big, "大卷宗.pdf")])
    assert r.status_code == 507 and "could not be stored" in r.get_json()["message"]
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    calls.clear()
    r = c.post(f"/case/{case_id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "kind": "evidence", "files": [(io.BytesIO(big), "大卷宗.pdf")]})
    assert r.status_code == 507 and "could not be stored" in r.get_data(as_text=True)
    assert stored(web) == before and count_rows(web) == count


def test_a_failure_after_placing_the_file_removes_it(web, world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.services import uploads

    case_id = new_case(web, world)
    before, count = stored(web), count_rows(web)

    def broken_rename(src, dst):
        raise OSError(errno.EIO, "I/O error")

    with monkeypatch.context() as m:
        m.setattr(uploads.os, "replace", broken_rename)
        r = upload(web, "clerk", case_id, [(PDF, "a.pdf")])
        assert r.status_code == 503
    with monkeypatch.context() as m:  # the database fails once the file is in place
        def db_down(*a, **k):
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))

        m.setattr(uploads, "record", db_down)
        c = login(web, "clerk")
        page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
        r = c.post(f"/case/{case_id}/attachments", content_type="multipart/form-data", data={
            "csrf_token": csrf_token(page), "kind": "evidence", "files": [(io.BytesIO(PDF), "b.pdf")]})
        assert r.status_code == 503 and "INSERT" not in r.get_data(as_text=True)
    assert stored(web) == before and count_rows(web) == count


def test_session_with_files_keeps_all_or_nothing(web, world):
    case_id = new_case(web, world, "scheduled")
    c = login(web, MEDIATOR)
    before = stored(web)
    held = clock_now().strftime("%Y-%m-%dT%H:%M")
    form = c.get(f"/case/{case_id}/session").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/session", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(form), "held_at": held, "mode": "offline", "minutes": "第一次调解笔录",
        "recordings": [(io.BytesIO(WAV), "录音.wav")], "documents": [(io.BytesIO(EXE), "笔录.pdf")]})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "第一次调解笔录" in html and "choose them again" in html
    assert stored(web) == before and rows(web, case_id) == []
    r = c.post(f"/case/{case_id}/session", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(form), "held_at": held, "mode": "offline", "minutes": "第一次调解笔录",
        "recordings": [(io.BytesIO(WAV), "录音.wav")], "documents": [(io.BytesIO(PDF), "笔录.pdf")]})
    assert r.status_code == 302, r.get_data(as_text=True)
    kept = rows(web, case_id)
    assert [(k, n) for _i, n, k, *_ in kept] == [("recording", "录音.wav"), ("document", "笔录.pdf")]
    assert kept[0][6] is not None and kept[0][6] == kept[1][6]  # both with the session
    page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    assert "录音.wav" in page and "笔录.pdf" in page


def test_web_upload_with_a_session_of_another_case_is_refused(web, world):
    case_id = new_case(web, world, "scheduled")
    other = new_case(web, world, "scheduled")
    r = api(web, "clerk", f"/api/v1/case/{other}/sessions",
            {"held_at": clock_now().isoformat(), "mode": "offline", "minutes": "另一案件"})
    foreign = r.get_json()["id"]
    r = upload(web, "clerk", case_id, [(PDF, "x.pdf")], session_id=str(foreign))
    assert r.status_code == 422 and "no such session" in r.get_json()["message"]["file"][0]
    c = login(web, "clerk")
    page = c.get(f"/case/{case_id}/sessions").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "kind": "document", "files": [(io.BytesIO(PDF), "协议草稿.pdf")]})
    assert r.status_code == 302
    assert [n for _i, n, *_ in rows(web, case_id)] == ["协议草稿.pdf"]


def test_a_session_that_fails_to_commit_leaves_no_file(web, world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.lifecycle import sessions

    case_id = new_case(web, world, "scheduled")
    before, count = stored(web), count_rows(web)
    real = sessions.record

    def db_down(case, actor, kind, action, *a, **k):
        if action == "session":  # after the files are placed and their rows added
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real(case, actor, kind, action, *a, **k)

    monkeypatch.setattr(sessions, "record", db_down)
    c = login(web, MEDIATOR)
    form = c.get(f"/case/{case_id}/session").get_data(as_text=True)
    r = c.post(f"/case/{case_id}/session", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(form), "held_at": clock_now().strftime("%Y-%m-%dT%H:%M"), "mode": "offline",
        "minutes": "笔录", "recordings": [(io.BytesIO(WAV), "录音.wav")]})
    assert r.status_code == 503
    assert stored(web) == before and count_rows(web) == count
    assert case_row(web, case_id)["status"] == "scheduled"
