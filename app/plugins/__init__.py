"""The plugin API: the only part of the core a plugin may import.

A plugin needs the hook marker, the value types it returns, lazy translation of its labels,
a few validators, and the building blocks of advice rules (``app/plugins/rules.py``: intake
answers read back, the last day of a period as the deadline engine counts it); everything
else in the core may change behind this module.
"""
import pluggy
from flask_babel import lazy_gettext

from app.plugins.case_view import CaseView
from app.plugins.rules import (
    AGE_OF_MAJORITY,
    ORDINARY_LIMITATION,
    YearsPeriod,
    add_years,
    format_money,
    format_multiple,
    intake_date,
    intake_decimal,
    period_end,
    years_period,
)
from app.plugins.types import (
    CLASSIFICATIONS,
    FIELD_KINDS,
    Advice,
    AgreementTemplate,
    AgreementTerm,
    DeadlineRule,
    DisputeType,
    IntakeField,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    SettingMissing,
    TERM_KINDS,
    ViewSpec,
    WARNING_LEVELS,
    WarningRule,
)
from app.plugins.validators import not_before, only_when, only_with, required_when
from app.linkage.mechanisms import DeliveryError, Mechanism, SettingField
from app.validation.identity import is_valid_credit_code, is_valid_mobile, parse_id_number


def today():
    """Today's date in China time (the court's zone), the day every deadline is counted in.

    Never ``datetime.date.today()``: that is the server's day, a day early on a UTC server
    between 00:00 and 08:00 Beijing time.
    """
    from app.services.clock import today as _today

    return _today()


def now():
    """The current time in China time (the court's zone), as an aware datetime."""
    from app.services.clock import now as _now

    return _now()


def court_day(moment):
    """The day in China time (the court's zone) of a timestamp such as ``case.created_at``
    (stored in UTC; a naive one is read as UTC, as the database hands it back).

    Never ``moment.date()``: that is the UTC day, the day before between 00:00 and 08:00
    Beijing time.
    """
    from app.services.clock import court_day as _court_day

    return _court_day(moment)


def setting_value(key, on=None):
    """The value of dated setting ``key`` in force on ``on`` (today by default), as text."""
    from app.services.settings import setting_value as _value

    return _value(key, on)


def setting_decimal(key, on=None):
    """A numeric dated setting as an exact ``Decimal``."""
    from app.services.settings import setting_decimal as _decimal

    return _decimal(key, on)

hookimpl = pluggy.HookimplMarker("jiefen")
_ = lazy_gettext

__all__ = [
    "hookimpl",
    "_",
    "lazy_gettext",
    "CLASSIFICATIONS",
    "FIELD_KINDS",
    "TERM_KINDS",
    "Advice",
    "CaseView",
    "AgreementTemplate",
    "AgreementTerm",
    "DeadlineRule",
    "DisputeType",
    "IntakeField",
    "LinkagePartner",
    "PluginMetadata",
    "SettingDefault",
    "ViewSpec",
    "WARNING_LEVELS",
    "WarningRule",
    "setting_value",
    "SettingMissing",
    "setting_decimal",
    "DeliveryError",
    "Mechanism",
    "SettingField",
    "is_valid_credit_code",
    "is_valid_mobile",
    "today",
    "now",
    "court_day",
    "parse_id_number",
    # Building blocks of advice rules (app/plugins/rules.py).
    "AGE_OF_MAJORITY",
    "ORDINARY_LIMITATION",
    "YearsPeriod",
    "add_years",
    "format_money",
    "format_multiple",
    "intake_date",
    "intake_decimal",
    "period_end",
    "years_period",
    # Intake-field validators built from a message (app/plugins/validators.py).
    "not_before",
    "only_when",
    "only_with",
    "required_when",
]
