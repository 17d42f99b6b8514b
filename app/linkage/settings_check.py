"""Checking what an administrator types as a partner's linkage settings.

Every mechanism describes its settings (:meth:`Mechanism.settings_schema`); here each value is
checked by its kind, then the mechanism's own :meth:`Mechanism.validate_settings` runs. A
secret is never typed in: a ``secret_ref`` field names a secret kept in the configuration.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import gettext

from app.linkage.mechanisms import Mechanism

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_LENGTH = 500


def _kind_problem(field, value: str) -> str | None:
    if field.secret_ref:
        if not SECRET_NAME_RE.match(value):
            return gettext("%(field)s: a name of letters, digits, “_”, “.” or “-” (at most 64); "
                           "never the secret itself.", field=field.label)
        return None
    if field.kind == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return gettext("%(field)s: an http:// or https:// address.", field=field.label)
    elif field.kind == "email":
        if not EMAIL_RE.match(value):
            return gettext("%(field)s: an e-mail address such as name@example.org.", field=field.label)
    elif field.kind == "integer":
        if not (value.isascii() and value.isdigit()):
            return gettext("%(field)s: a whole number.", field=field.label)
    return None


def check_settings(mechanism: Mechanism, raw: dict) -> tuple[dict, list[str]]:
    """``(settings, problems)`` from the typed values ``raw`` (field name → text).

    ``settings`` keeps only the mechanism's declared fields, trimmed; ``problems`` are sentences
    in the reader's language, empty when the settings can be saved.
    """
    settings: dict = {}
    problems: list[str] = []
    for field in mechanism.settings_schema():
        value = str(raw.get(field.name) or "").strip()
        if "\n" in value or "\r" in value or len(value) > MAX_LENGTH:
            problems.append(gettext("%(field)s: one line of at most %(n)d characters.", field=field.label, n=MAX_LENGTH))
            continue
        if not value:
            if field.required:
                problems.append(gettext("%(field)s is required.", field=field.label))
            continue
        problem = _kind_problem(field, value)
        if problem:
            problems.append(problem)
            continue
        settings[field.name] = int(value) if field.kind == "integer" else value
    if not problems:
        problems += [str(p) for p in mechanism.validate_settings(settings)]
    return settings, problems


def missing_secrets(mechanism: Mechanism, settings: dict) -> list[str]:
    """Names of the secrets the settings refer to that the configuration does not hold."""
    from app.linkage.webhook import secret_for

    return [str(settings[f.name]) for f in mechanism.settings_schema()
            if f.secret_ref and settings.get(f.name) and secret_for(str(settings[f.name])) is None]
