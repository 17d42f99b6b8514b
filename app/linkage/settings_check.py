"""Checking what an administrator types as a partner's linkage settings.

Every mechanism describes its settings (:meth:`Mechanism.settings_schema`); here each value is
checked by its kind, then the mechanism's own :meth:`Mechanism.validate_settings` runs. A
secret is never typed in: a ``secret_ref`` field names a secret kept in the configuration.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import gettext, lazy_gettext as _l

from app.linkage.address_guard import check_url_host
from app.linkage.mechanisms import Mechanism

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SECRET_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_LENGTH = 500
ADDRESS_KINDS = {
    "loopback": _l("loopback address"), "private": _l("private network address"),
    "link-local": _l("link-local address"), "unspecified": _l("unspecified address"),
    "multicast": _l("multicast address"), "reserved": _l("reserved address"), "not public": _l("non-public address"),
}


def _kind_problem(field, value: str, resolve: bool = True) -> str | None:
    if field.secret_ref:
        if not SECRET_NAME_RE.match(value):
            return gettext("%(field)s: a name of letters, digits, “_”, “.” or “-” (at most 64); "
                           "never the secret itself.", field=field.label)
        return None
    if field.kind == "url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return gettext("%(field)s: an http:// or https:// address.", field=field.label)
        return _address_problem(field, parts) if resolve else None
    elif field.kind == "email":
        if not EMAIL_RE.match(value):
            return gettext("%(field)s: an e-mail address such as name@example.org.", field=field.label)
    elif field.kind == "integer":
        if not (value.isascii() and value.isdigit()):
            return gettext("%(field)s: a whole number.", field=field.label)
    return None


def _address_problem(field, parts) -> str | None:
    """The server must not be made to call itself or the internal network (SSRF): a URL whose
    host resolves to a loopback, private, link-local … address is refused unless configured
    as trusted (``app.linkage.address_guard``). A name that does not resolve now is accepted:
    every delivery checks it again."""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return gettext("%(field)s: an http:// or https:// address.", field=field.label)
    refused = check_url_host(parts.hostname, port)
    if refused is None:
        return None
    return gettext("%(field)s: %(host)s points to %(address)s (%(kind)s); Jiefen does not send to such "
                   "addresses. If this partner is trusted, the operator adds it to JIEFEN_WEBHOOK_ALLOWED_HOSTS.",
                   field=field.label, host=refused.host, address=refused.address,
                   kind=ADDRESS_KINDS.get(refused.kind, refused.kind))


def check_settings(mechanism: Mechanism, raw: dict, resolve: bool = True) -> tuple[dict, list[str]]:
    """``(settings, problems)`` from the typed values ``raw`` (field name → text).

    ``resolve=False`` skips the DNS lookup of URL hosts: a list of every partner's state must
    not wait on one lookup per partner (each delivery checks the address anyway).

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
        problem = _kind_problem(field, value, resolve)
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
