"""Text no database can store is refused at the door (issue 11, finding 12).

PostgreSQL's ``text`` cannot hold a NUL character, and neither database driver can encode a
lone UTF-16 surrogate (JSON allows ``"\\ud800"``): either reached the database as a 500 after
the view had done its work. No legitimate form or API call carries them, so every request is
checked once — query string, form fields, upload file names and JSON bodies, keys and values —
and refused with a 400 that says which field, before any view runs: identically on SQLite and
PostgreSQL, and nothing stored.
"""
from __future__ import annotations

import re

from flask import Flask, abort, jsonify, request
from flask_babel import gettext

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_MAX_DEPTH = 64  # deeper JSON is not ours; stop walking rather than recurse without bound


def _bad_text(value: str) -> bool:
    return bool(_UNSTORABLE.search(value))


def _first_bad_in_json(value, path: str = "", depth: int = 0) -> str | None:
    """The dotted path of the first string (key or value) that cannot be stored, if any."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, str):
        return path or "body" if _bad_text(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _bad_text(key):
                return path or "body"
            found = _first_bad_in_json(item, here, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad_in_json(item, f"{path}[{index}]", depth + 1)
            if found:
                return found
    return None


def first_unstorable_field() -> str | None:
    """Name the first field of the current request holding text that cannot be stored."""
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            if _bad_text(key) or _bad_text(value):
                return key if not _bad_text(key) else "?"
    for key, storage in request.files.items(multi=True):
        if storage.filename and _bad_text(storage.filename):
            return key
    if request.is_json:
        return _first_bad_in_json(request.get_json(silent=True))
    return None


def install_input_guard(app: Flask) -> None:
    """Refuse, before any view, a request carrying text the database cannot store."""

    @app.before_request
    def _refuse_unstorable_text():
        if request.method == "OPTIONS":
            return None
        field = first_unstorable_field()
        if field is None:
            return None
        message = gettext(
            "The field “%(field)s” contains a control character or invalid text that cannot be "
            "saved. Remove it and try again.", field=field)
        if request.path.startswith("/api/"):
            return jsonify(message=message), 400
        abort(400, description=message)
