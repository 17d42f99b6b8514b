"""The mediator's agreement draft form: who signs, and the agreed terms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional as Opt, ValidationError

from app.agreements.kinds import DEFAULT_KIND, kind_choices
from app.intake.fields import LocalisedDateField, LocalisedForm, RecordsField
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
    terms = RecordsField(FormField(TermForm), min_entries=1, max_entries=30, label=_l("Agreed terms"))

    def validate_terms(self, field):
        """An agreement without a term agrees nothing."""
        if not field.entries:
            raise ValidationError(_l("Write at least one agreed term."))

    def agreed_terms(self) -> list[AgreementTerm]:
        """The terms as value objects, in the order written."""
        return [AgreementTerm(t["text"].strip(), (t["manner"] or "").strip(), t["due"], t.get("kind") or DEFAULT_KIND)
                for t in self.terms.data]
