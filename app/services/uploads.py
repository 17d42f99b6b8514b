"""Files kept with a case: checked by content, stored under random names, written atomically.

A file goes through three steps: :func:`prepare` streams it to a temporary file next to its
final place (size limit, SHA-256, content check, fsync), its row is flushed, then
:meth:`PreparedFile.place` renames it into place and the transaction commits. Any failure
removes what was written, so no file is left without its row; a row is never committed
before its file is in place.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import quote

from flask import current_app, send_file
from flask_babel import gettext

from app.extensions import db
from app.lifecycle.workflow import record
from app.models.mediation import ATTACHMENT_KINDS, Attachment, MediationSession
from app.models.types import utcnow
from app.services.scope import current_user_obj
from app.views.keys import is_valid_pk

log = logging.getLogger(__name__)

MIB = 1024 * 1024
# Recordings are larger than documents; note that MAX_CONTENT_LENGTH (16 MiB) answers 413 for
# the whole request before these are reached, until the administrator raises it.
SIZE_LIMITS = {"evidence": 20 * MIB, "document": 20 * MIB, "recording": 500 * MIB}
CHUNK = 64 * 1024
MAX_NAME = 255  # the column's length
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
# Evidence workbooks hold many sheets and images but are never unpacked: only the parts' list
# is read, so the limit is far above an agreement template's.
OFFICE_MAX_ENTRIES = 10_000

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png", DOCX, XLSX)
RECORDING_TYPES = ("audio/mpeg", "audio/mp4", "video/mp4", "audio/wav", "video/webm")
ALLOWED = {"evidence": DOCUMENT_TYPES, "document": DOCUMENT_TYPES, "recording": RECORDING_TYPES}
EXTENSIONS = {
    "application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", DOCX: "docx", XLSX: "xlsx",
    "audio/mpeg": "mp3", "audio/mp4": "m4a", "video/mp4": "mp4", "audio/wav": "wav", "video/webm": "webm",
}


class UploadRefused(Exception):
    """A file Jiefen will not keep; ``reason`` is a sentence for the user, ``status`` the HTTP code."""

    def __init__(self, reason: str, status: int = 422):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def sniff(head: bytes, path: Path) -> Optional[str]:
    """The content type the bytes show, whatever the file is called; ``None`` if unknown."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:12] in (b"M4A ", b"M4B ") else "video/mp4"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def _office_type(path: Path) -> Optional[str]:
    # Only the central directory is read (no member is extracted): a zip bomb costs nothing,
    # and a directory of more entries than any document has is refused before it is parsed.
    from app.validation.office_files import OfficeFileRefused, check_zip_directory

    try:
        check_zip_directory(path, max_members=OFFICE_MAX_ENTRIES)
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OfficeFileRefused, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return DOCX
    if any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def storage_root() -> Path:
    """Where attachments live: the instance folder, never a static path."""
    return Path(current_app.config["JIEFEN_INSTANCE_PATH"]) / "attachments"


def path_of(stored_name: str) -> Path:
    """The file of ``stored_name``; only names Jiefen made itself are accepted."""
    if not STORED_NAME.match(stored_name or ""):
        raise FileNotFoundError("not a stored name")
    return storage_root() / stored_name[:2] / stored_name


def _write(fh, data: bytes) -> None:
    """One chunk to disk (a seam: tests make it fail as a full disk would)."""
    fh.write(data)


@dataclass
class PreparedFile:
    """An upload written and checked, waiting to be placed and recorded."""

    kind: str
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    temp_path: Path

    @property
    def final_path(self) -> Path:
        """Where the file lives once placed."""
        return path_of(self.stored_name)

    def place(self) -> None:
        """Rename the temporary file into place (atomic on one file system) and make the
        rename itself durable before the row commits."""
        os.replace(self.temp_path, self.final_path)
        fd = os.open(self.final_path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def discard(self) -> None:
        """Remove whatever was written for this file, placed or not."""
        for path in (self.temp_path, self.final_path):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                log.error("could not remove %s", path.name)


def _check_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise UploadRefused(gettext("The file has no name."))
    if len(name) > MAX_NAME:
        raise UploadRefused(gettext("The file name is too long (at most %(n)s characters).", n=MAX_NAME))
    return name  # kept as typed; it is never part of a path


def prepare(file_storage, kind: str) -> PreparedFile:
    """Stream ``file_storage`` to a temporary file and check it; raises ``UploadRefused``."""
    if kind not in ATTACHMENT_KINDS:
        raise UploadRefused(gettext("Choose what kind of file this is."))
    if file_storage is None:
        raise UploadRefused(gettext("Choose a file to upload."))
    original = _check_name(getattr(file_storage, "filename", ""))
    limit = SIZE_LIMITS[kind]
    stored = secrets.token_hex(16)
    folder = storage_root() / stored[:2]
    temp_path = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
        temp_path = Path(temp)
        digest, size, head = hashlib.sha256(), 0, b""
        with os.fdopen(fd, "wb") as fh:
            while True:
                chunk = file_storage.stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise UploadRefused(_too_large(original, kind), 413)
                if len(head) < 64:
                    head += chunk[: 64 - len(head)]
                digest.update(chunk)
                _write(fh, chunk)
            fh.flush()
            os.fsync(fh.fileno())  # the row must never commit before the bytes are on disk
        if size == 0:
            raise UploadRefused(gettext("“%(name)s” is empty.", name=original))
        content_type = sniff(head, temp_path)
        if content_type not in ALLOWED[kind]:
            raise UploadRefused(_wrong_type(original, kind))
        return PreparedFile(kind, original, stored, content_type, size, digest.hexdigest(), temp_path)
    except UploadRefused:
        _remove(temp_path)
        raise
    except OSError as exc:
        _remove(temp_path)
        raise not_stored(exc) from None
    except BaseException:  # the client went away mid-upload, or worse: leave nothing behind
        _remove(temp_path)
        raise


def prepare_all(uploads: Iterable[tuple]) -> list[PreparedFile]:
    """:func:`prepare` each ``(file_storage, kind)``: all of them, or none left on disk."""
    prepared: list[PreparedFile] = []
    try:
        for file_storage, kind in uploads:
            prepared.append(prepare(file_storage, kind))
    except BaseException:
        discard_all(prepared)
        raise
    return prepared


def _remove(path: Optional[Path]) -> None:
    if path is not None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _too_large(name: str, kind: str) -> str:
    return gettext("“%(name)s” is too large: %(kind)s files may be at most %(mib)s MiB.",
                   name=name, kind=ATTACHMENT_KINDS[kind], mib=SIZE_LIMITS[kind] // MIB)


def _wrong_type(name: str, kind: str) -> str:
    allowed = "、".join(sorted({EXTENSIONS[t].upper() for t in ALLOWED[kind]}))
    return gettext("“%(name)s” is not a file Jiefen keeps as %(kind)s (by its content, whatever its "
                   "name). Allowed: %(allowed)s.", name=name, kind=ATTACHMENT_KINDS[kind], allowed=allowed)


def not_stored(exc: OSError) -> UploadRefused:
    """The refusal for a disk or file-system failure (507 when the disk is full)."""
    log.error("attachment not stored: %s", errno.errorcode.get(exc.errno, exc.errno))
    message = gettext("The file could not be stored (the server's disk may be full). Nothing was saved; "
                      "please try again later or tell the administrator.")
    full = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # no space, quota, file-size limit
    return UploadRefused(message, 507 if exc.errno in full else 503)


def add_attachment_rows(case, files: Iterable[PreparedFile], actor, session=None) -> list[Attachment]:
    """Add each prepared file's row and timeline entry to the open transaction, then place the
    files: a row the database refuses never leaves a file in place, and the commit that
    follows finds every file already there. The caller discards the files on any failure."""
    files = list(files)
    rows = []
    for f in files:
        row = Attachment(
            case_id=case.id, session_id=getattr(session, "id", None), kind=f.kind, original_name=f.original_name,
            stored_name=f.stored_name, content_type=f.content_type, size=f.size, sha256=f.sha256,
            uploaded_by_id=getattr(actor, "id", None), uploaded_at=utcnow(),
        )
        db.session.add(row)
        rows.append(row)
    if rows:
        db.session.flush()
        # Ids, kinds and sizes only: file names may carry personal data.
        record(case, actor, "document", "attachment", "",
               {"attachment_ids": [r.id for r in rows], "kinds": [r.kind for r in rows],
                "session_id": getattr(session, "id", None)})
    for f in files:
        f.place()
    return rows


def discard_all(files: Iterable[PreparedFile]) -> None:
    """Remove the files of a failed upload or session."""
    for f in files:
        f.discard()


def store_many(case, uploads: list[tuple], actor, session=None) -> list[Attachment]:
    """Keep ``[(file_storage, kind), …]`` with ``case``: all of them, or none (``UploadRefused``)."""
    prepared = prepare_all(uploads)
    try:
        rows = add_attachment_rows(case, prepared, actor, session)
        db.session.commit()
        return rows
    except OSError as exc:  # placing a file failed: the rows go, and the files
        db.session.rollback()
        discard_all(prepared)
        raise not_stored(exc) from None
    except BaseException:
        db.session.rollback()
        discard_all(prepared)
        raise


def store_upload(case, file_storage, kind: str, actor, session=None) -> Attachment:
    """Keep one uploaded file with ``case`` (and ``session``); raises ``UploadRefused``."""
    return store_many(case, [(file_storage, kind)], actor, session)[0]


def open_attachment(attachment: Attachment):
    """The stored file of ``attachment``, opened for reading (``FileNotFoundError`` if gone)."""
    return open(path_of(attachment.stored_name), "rb")


def download_name(attachment: Attachment) -> str:
    """An ASCII name for clients that ignore RFC 5987: the extension the content shows."""
    return f"attachment-{attachment.id}.{EXTENSIONS.get(attachment.content_type, 'bin')}"


def _row_of(model, case, raw):
    """Row ``raw`` of ``model`` if it belongs to ``case``, else ``None`` (another case's reads as missing)."""
    row = db.session.get(model, int(raw)) if is_valid_pk(raw) and int(raw) < 2**31 else None
    return row if row is not None and row.case_id == case.id else None


def store_for_case(case, files: list[tuple], session_raw, actor) -> list[Attachment]:
    """Keep ``[(file_storage, kind), …]`` with ``case`` and its session ``session_raw`` (an id or empty)."""
    session = None
    if session_raw not in (None, ""):
        session = _row_of(MediationSession, case, session_raw)
        if session is None:
            raise UploadRefused(gettext("There is no such session in this case."))
    if not files:
        raise UploadRefused(gettext("Choose a file to upload."))
    return store_many(case, files, actor, session)


def send_attachment(case, att_id):
    """The download of attachment ``att_id`` of ``case``, or ``None`` (the caller answers 404)."""
    att = _row_of(Attachment, case, att_id)
    return attachment_response(att) if att is not None else None


def attachment_response(att: Attachment):
    """The download of ``att``, which the caller has checked the user may open; ``None`` when
    the file is missing from disk."""
    from app.audit import record_access

    try:
        fh = open_attachment(att)
    except FileNotFoundError:
        log.error("attachment %s of case %s is missing from disk", att.id, att.case_id)
        return None
    try:
        record_access("attachment", att.id, "download", {"case_id": att.case_id, "kind": att.kind})
    except BaseException:
        fh.close()
        raise
    resp = send_file(fh, mimetype=att.content_type, conditional=False, etag=False, max_age=0)
    # The original (Chinese) name per RFC 5987, with an ASCII fallback; never rendered inline.
    resp.headers["Content-Disposition"] = (
        f"attachment; filename=\"{download_name(att)}\"; filename*=UTF-8''{quote(att.original_name, safe='')}"
    )
    resp.headers["Content-Length"] = str(att.size)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
