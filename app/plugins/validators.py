"""Intake-field validators that several dispute types need, each built from its message.

An :class:`~app.plugins.types.IntakeField` validator is a callable ``(value, data) -> message |
None`` run on the converted intake (dates are dates, amounts decimals). Many types check the
same relations between two answers — a date not before another, an answer a choice of another
field requires, an answer that only makes sense with another — so a plugin states the rule
and its message here and never writes the comparison again.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

Validator = Callable[[Any, dict], Optional[Any]]


def _given(value: Any) -> bool:
    """True when an answer is filled in (blank text counts as empty)."""
    return bool(value.strip() if isinstance(value, str) else value)


def not_before(other: str, message: Any) -> Validator:
    """A validator: this date, when given, is not before the date of field ``other``.

    Example: ``not_before("accident_date", _("The determination date cannot be before the
    accident date."))``.
    """

    def check(value, data):
        earlier = data.get(other)
        if value and earlier and value < earlier:
            return message
        return None

    check.__doc__ = f"Not before {other}."
    return check


def required_when(other: str, values: Iterable[Any], message: Any) -> Validator:
    """A validator: this answer is required when field ``other`` holds one of ``values``.

    Example: ``required_when("subtype", ("commercial_housing",), _("Enter the developer."))``.
    """
    values = tuple(values)

    def check(value, data):
        if data.get(other) in values and not _given(value):
            return message
        return None

    check.__doc__ = f"Required when {other} is one of {values}."
    return check


def only_with(other: str, message: Any) -> Validator:
    """A validator: this answer, when given, needs field ``other`` answered (or ticked) too.

    Example: ``only_with("domestic_violence", _("A protection order is only for domestic
    violence."))``.
    """

    def check(value, data):
        if _given(value) and not _given(data.get(other)):
            return message
        return None

    check.__doc__ = f"Only with {other}."
    return check


def only_when(other: str, values: Iterable[Any], message: Any) -> Validator:
    """A validator: this answer, when given, needs field ``other`` to hold one of ``values``.

    Example: ``only_when("appraisal_status", ("done",), _("Set the status to Done."))``.
    """
    values = tuple(values)

    def check(value, data):
        if _given(value) and data.get(other) not in values:
            return message
        return None

    check.__doc__ = f"Only when {other} is one of {values}."
    return check
