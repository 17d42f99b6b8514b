"""Signed webhooks: a JSON POST with an HMAC-SHA256 signature, and signed callbacks back.

Signature: ``X-Jiefen-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``
where ``timestamp`` is ``X-Jiefen-Timestamp`` (Unix seconds) and ``body`` the raw request
body. Every delivery carries ``Idempotency-Key`` (the outbox row's key, stable across
retries) so the partner can drop a duplicate. The partner signs its callbacks the same way.

The secret is never stored in the database: the partner's settings name it
(``secret_ref``) and the value comes from the configuration ``JIEFEN_WEBHOOK_SECRETS``
(a dict name → secret) or the environment variable ``JIEFEN_WEBHOOK_SECRET_<NAME>``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.linkage.address_guard import AddressRefused, guarded_handlers
from app.linkage.mechanisms import DeliveryError, Mechanism, SettingField

SIGNATURE_HEADER = "X-Jiefen-Signature"
TIMESTAMP_HEADER = "X-Jiefen-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
NONCE_HEADER = "X-Jiefen-Nonce"
DEFAULT_TIMEOUT = 5.0
TOLERANCE_SECONDS = 300
USER_AGENT = "Jiefen-Linkage/1"
# Answers worth trying again; any other 4xx means the partner refuses this message.
RETRYABLE_STATUS = {408, 425, 429}


def secret_for(ref: str) -> bytes | None:
    """The secret named ``ref``: ``JIEFEN_WEBHOOK_SECRETS[ref]``, else the environment."""
    if not ref:
        return None
    secrets = current_app.config.get("JIEFEN_WEBHOOK_SECRETS") or {}
    value = secrets.get(ref)
    if not value:
        env = "JIEFEN_WEBHOOK_SECRET_" + re.sub(r"[^0-9A-Za-z]", "_", ref).upper()
        value = os.environ.get(env)
    if not value:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def signed_headers(secret: bytes, body: bytes, key: str, timestamp: int | None = None) -> dict:
    """The headers of a signed request (also what a partner's callback must carry)."""
    ts = str(int(time.time()) if timestamp is None else int(timestamp))
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: ts,
        SIGNATURE_HEADER: sign(secret, ts, body),
        IDEMPOTENCY_HEADER: key,
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:  # a plain dict with other capitalisation
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return (value or "").strip()


def verify_signature(headers: Mapping[str, str], body: bytes, secret: bytes | None,
                     now: float | None = None, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """True when the signature matches and the timestamp is within ``tolerance`` seconds."""
    if not secret:
        return False
    ts = _header(headers, TIMESTAMP_HEADER)
    given = _header(headers, SIGNATURE_HEADER)
    if not (ts.isascii() and ts.isdigit()) or len(ts) > 12 or not given:
        return False
    now = time.time() if now is None else now
    if abs(now - int(ts)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, ts, body), given)


def message_body(message) -> bytes:
    """The JSON body of an outbox message: compact, UTF-8, keys sorted."""
    doc = {
        "event": message.event,
        "idempotency_key": message.idempotency_key,
        "referral_id": message.referral_id,
        "payload": message.payload or {},
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET without body: refuse it instead."""

    def redirect_request(self, *args, **kwargs):
        return None


def _opener() -> urllib.request.OpenerDirector:
    """Only http(s) — no file://, ftp:// or data: opener, whatever an administrator types — and
    only to the addresses ``address_guard`` allows, checked on the connection itself (so at
    every delivery, with the allow-list configured now)."""
    opener = urllib.request.OpenerDirector()
    for handler in (*guarded_handlers(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor(), _NoRedirect()):
        opener.add_handler(handler)
    return opener


def _refused(refused: AddressRefused) -> DeliveryError:
    # Final, not retried: an administrator corrects the URL (or the operator trusts the host)
    # and re-sends from the outbox page.
    return DeliveryError(
        f"webhook: refused to connect: {refused.host} resolves to {refused.address}, a {refused.kind} address; "
        "if this partner is trusted, add it to JIEFEN_WEBHOOK_ALLOWED_HOSTS", retryable=False)


class WebhookMechanism(Mechanism):
    """JSON POST to the partner's URL, signed with the partner's shared secret."""

    name = "webhook"
    label = _l("Signed webhook")
    accepts_callbacks = True

    def settings_schema(self):
        return (
            SettingField("url", _l("Partner endpoint (https://…)"), kind="url", required=True),
            SettingField(
                "secret_ref", _l("Name of the shared secret"), required=True, secret_ref=True,
                help=_l("The secret itself is kept in JIEFEN_WEBHOOK_SECRETS or the "
                        "JIEFEN_WEBHOOK_SECRET_<NAME> environment variable, never here."),
            ),
        )

    def _secret(self, partner) -> bytes | None:
        return secret_for(str((partner.linkage_settings or {}).get("secret_ref") or ""))

    def send(self, message, partner) -> None:
        settings = partner.linkage_settings or {}
        url = str(settings.get("url") or "")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise DeliveryError("webhook: no usable http(s) url in the partner's settings", retryable=False)
        secret = self._secret(partner)
        if not secret:
            # Configuration, not the message, is wrong: keep retrying while an operator fixes it.
            raise DeliveryError("webhook: the partner's secret_ref names no configured secret")
        body = message_body(message)
        headers = signed_headers(secret, body, message.idempotency_key)
        headers["User-Agent"] = USER_AGENT
        timeout = float(current_app.config.get("JIEFEN_WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with _opener().open(request, timeout=timeout) as response:
                response.read(65536)
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except AddressRefused as refused:
            raise _refused(refused) from None
        except TimeoutError:
            raise DeliveryError(f"webhook: no answer within {timeout:g} s") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, AddressRefused):
                raise _refused(reason) from None
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise DeliveryError(f"webhook: no answer within {timeout:g} s") from None
            raise DeliveryError(f"webhook: cannot reach the partner ({type(reason).__name__})") from None
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"webhook: connection failed ({type(exc).__name__})") from None
        if 200 <= status < 300:
            return
        retryable = status >= 500 or status in RETRYABLE_STATUS
        raise DeliveryError(f"webhook: partner answered HTTP {status}", retryable=retryable)

    def verify(self, request_headers, body, partner) -> bool:
        return verify_signature(request_headers, body, self._secret(partner))
