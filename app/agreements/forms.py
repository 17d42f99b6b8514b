"""The mediator's agreement draft form: who signs, and the agreed terms."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional as Opt, ValidationError

from app.agreements.kinds import DEFAULT_KIND, kind_choices
from app.intake.fields import (MAX_AMOUNT, LocalisedDateField, LocalisedDecimalField, LocalisedForm, RecordsField,
                               _range, max_two_decimals)
from app.plugins.types import AgreementTerm
from app.services.clock import today as clock_today  # China time, not the server's day

REQUIRED = _l("This field is required.")


class TermForm(LocalisedForm):
    """One agreed term: what, what kind of term, how, by when."""

    text = TextAreaField(_l("Agreed term"), validators=[DataRequired(message=REQUIRED), Length(max=1000)])
    # The kind decides whether a court may confirm the term (app.agreements.kinds). Left empty
    # it is "other"; a code outside the vocabulary is refused by the service, with the term's number.
    kind = SelectField(_l("Kind of term"), choices=kind_choices, default=DEFAULT_KIND, validate_choice=False)
    manner = StringField(_l("How it is performed"), validators=[Opt(), Length(max=200)])
    due = LocalisedDateField(_l("Performed by"), validators=[Opt()], format="%Y-%m-%d")


class AgreementDraftForm(FlaskForm):
    """Everything an agreement needs beyond the case itself."""

    committee = StringField(_l("Mediation committee"), validators=[DataRequired(message=REQUIRED), Length(max=200)])
    mediator = StringField(_l("Mediator"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    signed_on = LocalisedDateField(_l("Date of the agreement"), validators=[DataRequired(message=REQUIRED)], format="%Y-%m-%d", default=clock_today)
    # 协议金额, for the ledgers: bounded and rounded like every amount of the intake.
    amount = LocalisedDecimalField(_l("Agreed amount (yuan)"), places=None, validators=[
        Opt(), _range({"min": Decimal("0"), "max": MAX_AMOUNT}), max_two_decimals],
        description=_l("The money the parties agreed on; leave it empty when nothing is paid."))
    terms = RecordsField(FormField(TermForm), min_entries=1, max_entries=30, label=_l("Agreed terms"))

    def validate_terms(self, field):
        """An agreement without a term agrees nothing."""
        if not field.entries:
            raise ValidationError(_l("Write at least one agreed term."))

    def agreed_terms(self) -> list[AgreementTerm]:
        """The terms as value objects, in the order written."""
        return [AgreementTerm(t["text"].strip(), (t["manner"] or "").strip(), t["due"], t.get("kind") or DEFAULT_KIND)
                for t in self.terms.data]


class AgreedAmountForm(LocalisedForm):
    """The agreed amount alone: the API validates it with the web form's own field."""

    amount = AgreementDraftForm.amount


def parse_amount(raw) -> tuple[Optional[Decimal], list[str]]:
    """``(amount, [])`` from what an API client sent (a string, a number or null), or
    ``(None, [reasons])`` refused exactly as the web form refuses it."""
    from werkzeug.datastructures import MultiDict

    if raw is None or raw == "":
        return None, []
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        return None, [str(LocalisedDecimalField.parse_message)]
    form = AgreedAmountForm(formdata=MultiDict({"amount": str(raw)}))
    if form.validate():
        return form.amount.data, []
    return None, [str(e) for e in form.amount.errors]
