"""Turn a plugin's :class:`IntakeField` declarations into a WTForms form class.

The same class validates the web form and the API payload (flattened to form data by
:mod:`app.intake.payload`), which is what makes both paths give the same verdict.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Iterable

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional as Opt
from wtforms.validators import ValidationError

from app.plugins.types import IntakeField
from app.services.clock import today  # "the future" starts tomorrow in China time


# Every number typed into an intake is bounded here, in the form (the same on SQLite and
# PostgreSQL): amounts up to 10¹² CNY with two decimals, counts up to MAX_COUNT unless a
# field declares a tighter range; NaN, Infinity and exponents past the bound are refused.
MAX_AMOUNT = Decimal(10) ** 12
MAX_COUNT = 10**9


class LocalisedForm(Form):
    """A plain form (no CSRF: nested or API use) whose built-in WTForms messages follow the
    request's language, as Flask-WTF's own forms do."""

    class Meta:
        def get_translations(self, form):
            from flask_wtf.i18n import translations

            return translations


def max_two_decimals(form, field):
    """Money and percentages carry at most two decimal places."""
    if isinstance(field.data, Decimal) and field.data.as_tuple().exponent < -2:
        raise ValidationError(_l("Use at most two decimal places."))


def not_in_future(form, field):
    """A date that has already happened (an accident, a purchase) cannot be in the future."""
    if isinstance(field.data, dt.date) and field.data > today():
        raise ValidationError(_l("This date cannot be in the future."))


class _ParseMessageMixin:
    """Replace WTForms' English parse error with a sentence in the reader's language."""

    parse_message = None

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.parse_message) from None


class LocalisedDateField(_ParseMessageMixin, DateField):
    """A date field whose parse error is translated."""

    parse_message = _l("Enter a real date as YYYY-MM-DD.")


class LocalisedDecimalField(_ParseMessageMixin, DecimalField):
    """A decimal field whose parse error is translated."""

    parse_message = _l("Enter a number, e.g. 1200.50.")

    def process_formdata(self, valuelist):
        """Refuse NaN and Infinity (``1e309`` in JSON arrives as Infinity) as not a number."""
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.parse_message)


class LocalisedIntegerField(_ParseMessageMixin, IntegerField):
    """An integer field whose parse error is translated."""

    parse_message = _l("Enter a whole number.")


class RecordsField(FieldList):
    """A list of small records; rows left entirely blank are ignored, not rejected."""

    def validate(self, form, extra_validators=()):
        self.entries = [e for e in self.entries if not blank_record(e)]
        return super().validate(form, extra_validators)

    @property
    def data(self):
        return [e.data for e in self.entries if not blank_record(e)]


def blank_record(entry) -> bool:
    """True for a spare row nobody typed into (it is dropped, not validated)."""
    # Selects and checkboxes always post a value, so only typed-in fields decide
    # whether a browser's spare row was used.
    fields = list(entry.form) if hasattr(entry, "form") else [entry]
    typed = [f for f in fields if not isinstance(f, (SelectField, BooleanField))]
    return all(not f.raw_data or all(str(x).strip() == "" for x in f.raw_data) for f in typed)


def required_validators(required: bool, kind: str):
    """InputRequired for numbers (0 is a value), DataRequired for text, or Optional."""
    if not required:
        return [Opt()]
    if kind in ("integer", "decimal", "percent", "date"):
        return [InputRequired(message=_l("This field is required."))]
    return [DataRequired(message=_l("This field is required."))]


def make_field(spec: IntakeField):
    """Build the unbound WTForms field for one declaration."""
    v = required_validators(spec.required, spec.kind)
    kw = {"label": spec.label, "description": spec.help}
    rng = {}
    if spec.min_value is not None:
        rng["min"] = spec.min_value
    if spec.max_value is not None:
        rng["max"] = spec.max_value
    if spec.kind == "text":
        return StringField(validators=v + [Length(max=spec.max_length)], **kw)
    if spec.kind == "textarea":
        return TextAreaField(validators=v + [Length(max=max(spec.max_length, 4000))], **kw)
    if spec.kind == "date":
        extra = [not_in_future] if spec.not_in_future else []
        return LocalisedDateField(validators=v + extra, format="%Y-%m-%d", **kw)
    if spec.kind == "integer":
        rng.setdefault("min", 0)
        rng.setdefault("max", MAX_COUNT)
        return LocalisedIntegerField(validators=v + [_range(rng)], **kw)
    if spec.kind in ("decimal", "percent"):
        rng.setdefault("min", Decimal("0"))
        if spec.kind == "percent":
            rng.setdefault("max", Decimal("100"))
        rng["max"] = min(rng.get("max", MAX_AMOUNT), MAX_AMOUNT)
        return LocalisedDecimalField(
            validators=v + [_range(rng), max_two_decimals], places=None, **kw
        )
    if spec.kind == "choice":
        choices = [("", "—")] if not spec.required else []
        choices += [(value, label) for value, label in spec.choices]
        return SelectField(
            choices=choices,
            validators=v,
            validate_choice=True,
            **kw,
        )
    if spec.kind == "boolean":
        # A required box must be ticked (e.g. a consent the intake cannot go on without).
        checks = [DataRequired(message=_l("Tick this box to go on."))] if spec.required else []
        return BooleanField(validators=checks, **kw)
    if spec.kind == "records":
        sub = build_form_class(f"{spec.name}_record", spec.subfields)
        return RecordsField(
            FormField(sub),
            min_entries=1,
            max_entries=spec.max_records,
            **kw,
        )
    raise ValueError(spec.kind)  # pragma: no cover - types.py rejects unknown kinds


class _Bounds(NumberRange):
    """A range whose message says what went wrong: "at least 0" for a negative amount,
    "between 0 and 1000000000000" for one past the upper bound."""

    def __call__(self, form, field):
        data = field.data
        if data is not None and self.min is not None and data < self.min:
            raise ValidationError(_l("Must be at least %(min)s.") % {"min": self.min})
        super().__call__(form, field)


def _range(rng):
    lo, hi = rng.get("min"), rng.get("max")
    if hi is None:
        msg = _l("Must be at least %(min)s.")
    else:
        msg = _l("Must be between %(min)s and %(max)s.")
    return _Bounds(min=lo, max=hi, message=msg)


def build_form_class(name: str, specs: Iterable[IntakeField], base=LocalisedForm):
    """A WTForms class whose fields are ``specs`` and whose ``validate`` also runs each
    declaration's own validators against the converted data."""
    specs = tuple(specs)
    attrs = {spec.name: make_field(spec) for spec in specs}
    attrs["_specs"] = specs

    def validate(self, extra_validators=None):
        ok = base.validate(self, extra_validators=extra_validators)
        data = {s.name: self[s.name].data for s in self._specs}
        for spec in self._specs:
            field = self[spec.name]
            if field.errors:
                continue
            for check in spec.validators:
                message = check(field.data, data)
                if message:
                    field.errors = list(field.errors) + [message]
                    ok = False
        return ok

    attrs["validate"] = validate
    return type(name, (base,), attrs)
