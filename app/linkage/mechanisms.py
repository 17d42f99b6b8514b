"""The interface every linkage mechanism implements, and where the app finds them.

A mechanism is a class with a ``name`` (stored in ``Organization.linkage_mechanism``,
``Referral.mechanism`` and ``OutboxMessage.mechanism``), a ``label``, a description of the
settings an administrator fills in (``settings_schema``), ``send`` (one delivery of an outbox
message), ``verify`` (is a partner's callback authentic?) and ``receive`` (what did the partner
answer?).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l


class DeliveryError(Exception):
    """A delivery that did not happen.

    ``retryable=True`` (the partner is down, times out, answers 5xx): the outbox tries again
    later. ``retryable=False`` (the partner refuses the message, the settings are wrong):
    the message goes straight to the dead-letter state for an administrator to look at.
    The message text is stored as ``last_error``: it must carry no secret and no personal data.
    """

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class SettingField:
    """One setting of a mechanism, as the organisation form shows it.

    ``secret_ref=True`` marks a field that holds the *name* of a secret kept in the
    configuration (``JIEFEN_WEBHOOK_SECRETS``) or the environment, never the secret itself.
    """

    name: str
    label: Any
    kind: str = "text"  # text | url | email | integer
    required: bool = False
    secret_ref: bool = False
    help: Any = ""


class Mechanism:
    """Base class of a linkage mechanism (subclass it; instances are cheap and stateless)."""

    name: str = ""
    label: Any = ""
    # False: nothing to deliver (the partner reads the referral in Jiefen); no outbox row.
    delivers: bool = True
    # True: the partner may call back to /api/v1/linkage/inbound/<code>.
    accepts_callbacks: bool = False

    def settings_schema(self) -> tuple[SettingField, ...]:
        """The settings this mechanism reads from ``Organization.linkage_settings``."""
        return ()

    def validate_settings(self, settings: Mapping[str, Any]) -> list:
        """Problems with ``settings`` (empty when they are usable): missing required fields.

        Each problem is a sentence for the administrator, made with ``lazy_gettext`` (a
        plugin: ``app.plugins._`` and its own catalogue), so the page shows it in the reader's
        language. Override it to check more, and call ``super()`` for the required fields.
        """
        return [
            _l("%(field)s is required.", field=f.label) for f in self.settings_schema()
            if f.required and not str((settings or {}).get(f.name) or "").strip()
        ]

    def send(self, message, partner) -> None:
        """Deliver ``message`` (an :class:`~app.models.referral.OutboxMessage`) to ``partner``
        (an :class:`~app.models.organization.Organization`); raise :class:`DeliveryError`."""
        raise DeliveryError(f"mechanism {self.name!r} cannot deliver", retryable=False)

    def verify(self, request_headers: Mapping[str, str], body: bytes, partner) -> bool:
        """True when a callback from ``partner`` (headers and raw body) is authentic."""
        return False

    def receive(self, request_headers: Mapping[str, str], body: bytes, partner) -> dict:
        """The partner's answer, from an authentic callback, as Jiefen's document
        (``{"referral_id", "decision", "reason", "text"}``, see
        :mod:`app.lifecycle.referral_callbacks`); raise ``ValueError`` if it cannot be read.

        The default reads the body as exactly that JSON; a mechanism whose partner speaks
        another format translates it here.
        """
        doc = json.loads(body.decode("utf-8"))
        if not isinstance(doc, dict):
            raise ValueError("the body is not a JSON object")
        return doc


class InPlatformMechanism(Mechanism):
    """The partner's staff sign in to Jiefen and answer there: nothing to deliver."""

    name = "in_platform"
    label = _l("In the platform (the partner signs in)")
    delivers = False

    def send(self, message, partner) -> None:
        return None


def _builtins() -> tuple[type, ...]:
    from app.linkage.email import EmailMechanism
    from app.linkage.webhook import WebhookMechanism

    return (InPlatformMechanism, WebhookMechanism, EmailMechanism)


class _Builtins:
    """Lazy tuple of the built-in classes (the modules import this one)."""

    def __iter__(self):
        return iter(_builtins())

    def __len__(self):
        return len(_builtins())


BUILTIN_MECHANISMS = _Builtins()


def mechanism_classes() -> dict[str, type]:
    """name → class: what the plugins registered (once wired into the registry), else the
    built-ins."""
    if has_app_context():
        state = current_app.extensions.get("jiefen")
        registered = getattr(getattr(state, "registry", None), "linkage_mechanisms", None)
        if registered:
            return dict(registered)
    return {cls.name: cls for cls in _builtins()}


def get_mechanism(name: str) -> Mechanism | None:
    """An instance of mechanism ``name``, or ``None`` when no loaded code provides it."""
    cls = mechanism_classes().get(name)
    return cls() if cls else None
