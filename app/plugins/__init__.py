"""The plugin API: the only part of the core a plugin may import.

A plugin needs the hook marker, the value types it returns, lazy translation of its labels,
and a few validators; everything else in the core may change behind this module.
"""
import pluggy
from flask_babel import lazy_gettext

from app.plugins.types import (
    CLASSIFICATIONS,
    FIELD_KINDS,
    Advice,
    AgreementTemplate,
    DeadlineRule,
    DisputeType,
    IntakeField,
    LinkagePartner,
    ViewSpec,
)
from app.validation.identity import is_valid_mobile, parse_id_number

hookimpl = pluggy.HookimplMarker("jiefen")
_ = lazy_gettext

__all__ = [
    "hookimpl",
    "_",
    "lazy_gettext",
    "CLASSIFICATIONS",
    "FIELD_KINDS",
    "Advice",
    "AgreementTemplate",
    "DeadlineRule",
    "DisputeType",
    "IntakeField",
    "LinkagePartner",
    "ViewSpec",
    "is_valid_mobile",
    "parse_id_number",
]
