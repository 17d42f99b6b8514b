"""Linkage mechanisms: how a referral reaches a partner agency and how its answer comes back.

Built in: ``in_platform`` (the partner signs in), ``webhook`` (signed JSON POST through the
transactional outbox, signed callbacks to :mod:`app.linkage.inbound`) and ``email`` (SMTP).
Plugins add mechanisms through the ``register_linkage_mechanisms`` hook.
"""
from app.linkage.mechanisms import (
    BUILTIN_MECHANISMS,
    DeliveryError,
    InPlatformMechanism,
    Mechanism,
    SettingField,
    get_mechanism,
    mechanism_classes,
)

__all__ = [
    "BUILTIN_MECHANISMS",
    "DeliveryError",
    "InPlatformMechanism",
    "Mechanism",
    "SettingField",
    "get_mechanism",
    "mechanism_classes",
]
