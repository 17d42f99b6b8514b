"""``Idempotency-Key`` on API POSTs: a retried POST gets the first answer and creates nothing.

- The key is the caller's (one namespace per user) and lives ``JIEFEN_IDEMPOTENCY_TTL_HOURS``.
- It is stored by a ``before_commit`` listener, in the transaction of the rows the POST
  creates: a crash before the commit leaves neither, so the retry simply runs again.
- The answer (status, body) is written on the key's row once the response is built.
- The same key with another body (or another address) answers 422; a key whose first
  request is still running — or whose answer was lost between commit and response —
  answers 409. Two identical POSTs at once cannot both commit: the key is unique per user,
  so the second one's transaction fails and it gets the stored answer or the 409.
- A POST that committed nothing (refused, invalid) stores no key: retrying it is harmless.
- An answer carrying a secret shown once (a mediator's one-time password) is never stored:
  the view calls :func:`answer_holds_secret`, and a retry learns only that the request was
  carried out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from flask import Flask, Response, g, has_request_context, jsonify, request
from flask_babel import gettext
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.models.idempotency import IdempotencyKey
from app.models.types import utcnow

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
PENDING = 0  # the status of a key whose request committed but has not answered yet
# Answers are kept with these headers only (never cookies).
KEPT_HEADERS = ("Content-Type", "Location")

log = logging.getLogger(__name__)


def install_idempotency(app: Flask) -> None:
    """Honour ``Idempotency-Key`` on every ``POST /api/…`` of ``app``."""
    from app.extensions import db

    app.config.setdefault("JIEFEN_IDEMPOTENCY_TTL_HOURS", 24)
    for name, listener in (("before_commit", _store_with_commit), ("after_commit", _committed),
                           ("after_rollback", _rolled_back)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    app.before_request(_replay_or_claim)
    app.after_request(_remember_answer)


def answer_holds_secret() -> None:
    """Mark the current answer as one not to keep (a password shown once): the key still
    guards against a second row, but a retry gets a 409 instead of a copy of the secret."""
    if has_request_context():
        g.idempotency_secret_answer = True


def _kept_answer(response: Response) -> tuple[int, str, dict]:
    """What the key row keeps of ``response``: status, body and harmless headers."""
    if g.get("idempotency_secret_answer"):
        body = json.dumps({"message": gettext(
            "This request was already carried out. Its answer held a secret that is shown only once "
            "and is not kept; ask an administrator to reset it if it was lost.")}, ensure_ascii=False)
        return 409, body, {"Content-Type": "application/json"}
    headers = {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers}
    return response.status_code, response.get_data(as_text=True), headers


def _message(text: str, status: int) -> Response:
    resp = jsonify(message=text)
    resp.status_code = status
    return resp


def _fingerprint() -> str:
    """What was asked: the method, the path and the body (JSON compared by value)."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    data = request.get_json(silent=True) if request.is_json else None
    if data is not None:
        digest.update(json.dumps(data, sort_keys=True, ensure_ascii=False).encode())
    elif request.mimetype == "multipart/form-data":
        # The boundary differs per request: compare the fields and the files' contents.
        for name, value in sorted(request.form.items(multi=True)):
            digest.update(f"{name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda kv: (kv[0], kv[1].filename or "")):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"{name}:{upload.filename}:{hashlib.sha256(content).hexdigest()}\n".encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _caller_id():
    """The id of the user the request authenticates as (bearer token or session), or None."""
    from app.services.scope import current_user_obj

    try:
        from flask_jwt_extended import verify_jwt_in_request

        verify_jwt_in_request(optional=True)
    except SQLAlchemyError:  # the database failed: the error handler answers 503 and rolls back
        raise
    except Exception:  # a bad or expired token: the view answers 401 itself
        return None
    return getattr(current_user_obj(), "id", None)


def _expired_before() -> dt.datetime:
    from flask import current_app

    return utcnow() - dt.timedelta(hours=float(current_app.config["JIEFEN_IDEMPOTENCY_TTL_HOURS"]))


def _stored(user_id: int, key: str):
    """The live stored row of ``key`` (expired rows are removed first)."""
    from app.extensions import db

    with db.engine.begin() as conn:
        conn.execute(delete(IdempotencyKey.__table__).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key,
            IdempotencyKey.created_at < _expired_before()))
        return conn.execute(select(IdempotencyKey.__table__).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).first()


def _answer_from(row, fingerprint: str) -> Response:
    """What a request repeating ``row``'s key gets."""
    if row.fingerprint != fingerprint:
        return _message(gettext("This Idempotency-Key was already used for a different request. "
                                "Use a new key for a new request."), 422)
    if row.status == PENDING:
        return _message(gettext("A request with this Idempotency-Key was carried out but its answer is not "
                                "available yet. Look the result up before sending it again."), 409)
    resp = Response(row.body, status=row.status, headers={k: v for k, v in (row.headers or {}).items()})
    resp.headers[REPLAYED] = "true"
    return resp


def _replay_or_claim():
    """Before a keyed API POST: answer it from the stored key, or note the key for the commit."""
    if request.method != "POST" or not request.path.startswith("/api/") or HEADER not in request.headers:
        return None
    key = request.headers[HEADER].strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return _message(gettext("The Idempotency-Key header must be 1 to 255 printable ASCII characters."), 400)
    user_id = _caller_id()
    if user_id is None:
        return None  # not signed in: the view answers 401 and nothing is stored
    fingerprint = _fingerprint()
    row = _stored(user_id, key)
    if row is not None:
        return _answer_from(row, fingerprint)
    g.idempotency = {"user_id": user_id, "key": key, "fingerprint": fingerprint, "written": False,
                     "stored": False}
    return None


def _store_with_commit(session) -> None:
    """Write the request's key in the transaction being committed (its first commit only)."""
    if not has_request_context():
        return
    claim = g.get("idempotency")
    if not claim or claim["stored"] or claim["written"]:
        return
    session.connection().execute(insert(IdempotencyKey.__table__), [{
        "user_id": claim["user_id"], "key": claim["key"], "fingerprint": claim["fingerprint"],
        "status": PENDING, "body": "", "headers": {}, "created_at": utcnow(),
    }])
    claim["written"] = True


def _committed(_session) -> None:
    claim = g.get("idempotency") if has_request_context() else None
    if claim and claim["written"]:
        claim["stored"] = True


def _rolled_back(_session) -> None:
    claim = g.get("idempotency") if has_request_context() else None
    if claim and not claim["stored"]:
        claim["written"] = False  # the key went with the rolled-back rows


def _remember_answer(response: Response) -> Response:
    """After a keyed POST: keep the answer on the key it committed with, or, when another
    request with the same key committed first, answer what that one answered."""
    from app.extensions import db

    claim = g.get("idempotency")
    if not claim:
        return response
    try:
        if claim["stored"]:
            with db.engine.begin() as conn:
                conn.execute(update(IdempotencyKey.__table__).where(
                    IdempotencyKey.user_id == claim["user_id"], IdempotencyKey.key == claim["key"],
                ).values(dict(zip(("status", "body", "headers"), _kept_answer(response)))))
                # expired keys of everyone go with each new one (an index on created_at)
                conn.execute(delete(IdempotencyKey.__table__).where(IdempotencyKey.created_at < _expired_before()))
            return response
        row = _stored(claim["user_id"], claim["key"])
    except Exception:  # the answer is already decided; a lost record only means a 409 on retry
        log.exception("could not record the answer of an idempotent request")
        return response
    if row is not None:
        return _answer_from(row, claim["fingerprint"])
    return response
