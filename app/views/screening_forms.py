"""The forms of screening: a campaign with its centres' tasks, a centre's report on its task, a
hazard with the people and organisations involved, dissolving a hazard, rating a case's risk.

People's ID numbers and mobiles are checked and normalised exactly as the intake's parties are
(:class:`app.intake.case_form.PartyForm`'s own validators), so a hazard's people can become a
case's parties unchanged.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, InputRequired, Length, Optional as Opt, ValidationError

from app.intake.case_form import PartyForm, ScopedSelectField, _optional_int
from app.intake.fields import LocalisedDateField, LocalisedForm, RecordsField, not_in_future
from app.models.screening import HAZARD_PARTY_KINDS, RISK_LEVELS
from app.services.hazards import MAX_PARTIES

REQUIRED = _l("This field is required.")
MAX_TASKS = 200


def _risk_choices():
    return [("", "—")] + [(k, str(v)) for k, v in RISK_LEVELS.items()]


class HazardPartyForm(LocalisedForm):
    """A person or organisation involved in a hazard."""

    kind = SelectField(_l("Kind"), choices=list(HAZARD_PARTY_KINDS.items()), default="person")
    name = StringField(_l("Name"), validators=[DataRequired(message=REQUIRED), Length(max=100)])
    id_number = StringField(
        _l("ID number"), validators=[Opt()],
        description=_l("Resident ID for a person, unified social credit code for an organisation."))
    mobile = StringField(_l("Phone"), validators=[Opt()])
    note = StringField(_l("Involvement"), validators=[Opt(), Length(max=200)])

    # The intake's own checks (GB 11643, credit code, mobile or an organisation's landline).
    validate_id_number = PartyForm.validate_id_number
    validate_mobile = PartyForm.validate_mobile


class HazardForm(FlaskForm):
    """A hazard as a centre records it; the area, type and campaign choices are set per request."""

    title = StringField(_l("Hazard"), description=_l("One line: who, with whom, about what."),
                        validators=[DataRequired(message=REQUIRED), Length(max=200)])
    description = TextAreaField(_l("What was found"), validators=[DataRequired(message=REQUIRED), Length(max=4000)])
    area_id = ScopedSelectField(
        _l("Area"), coerce=_optional_int, validators=[DataRequired(message=_l("Choose the area where it was found."))],
        outside=_l("This area is outside what your organisation handles: choose one of the areas offered."))
    found_on = LocalisedDateField(_l("Found on"), validators=[InputRequired(message=REQUIRED), not_in_future])
    dispute_type = ScopedSelectField(_l("Dispute type"), validators=[Opt()],
                                     outside=_l("Choose one of the dispute types offered."))
    risk_level = SelectField(_l("Risk level"), choices=_risk_choices, validate_choice=False,
                             validators=[DataRequired(message=_l("Choose the risk level: low, medium or high."))])
    campaign_id = ScopedSelectField(_l("Screening campaign"), coerce=_optional_int, validators=[Opt()],
                                    outside=_l("Choose a campaign your centre takes part in."))
    parties = RecordsField(FormField(HazardPartyForm), min_entries=0, max_entries=MAX_PARTIES,
                           label=_l("People and organisations involved"))

    def validate_risk_level(self, field):
        """One of low, medium, high."""
        if field.data not in RISK_LEVELS:
            raise ValidationError(_l("Choose the risk level: low, medium or high."))


class DissolveForm(FlaskForm):
    """How a hazard was dissolved."""

    note = TextAreaField(_l("How it was dissolved"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])


class TaskForm(LocalisedForm):
    """One centre's task in a campaign; the centres offered are set per request."""

    organization_id = ScopedSelectField(
        _l("Centre"), coerce=_optional_int, validators=[DataRequired(message=_l("Choose the centre."))],
        outside=_l("Each task goes to a centre located in the areas taking part."))
    instructions = TextAreaField(_l("Instructions"), validators=[DataRequired(message=REQUIRED), Length(max=2000)])
    due_on = LocalisedDateField(_l("Task due"), validators=[InputRequired(message=REQUIRED)])


def blank_task(entry) -> bool:
    """A spare task row nobody used: no centre chosen and nothing typed."""
    return all(not f.raw_data or all(str(x).strip() in ("", "None") for x in f.raw_data) for f in entry.form)


class TaskList(FieldList):
    """The campaign's tasks; spare rows are ignored, not refused."""

    def validate(self, form, extra_validators=()):
        self.entries = [e for e in self.entries if not blank_task(e)]
        return super().validate(form, extra_validators)

    @property
    def data(self):
        return [e.data for e in self.entries if not blank_task(e)]


class AreaChoices(SelectMultipleField):
    """The areas taking part, ticked; a value not offered is refused with a sentence."""

    def pre_validate(self, form):
        """Refuse values outside the offered areas with a readable message."""
        offered = {value for value, _label in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(_l("Choose among the areas offered."))


class CampaignForm(FlaskForm):
    """A screening campaign; its areas, types and task centres are set per request."""

    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=200)],
                        description=_l("e.g. Year-end wage arrears screening"))
    focus = TextAreaField(_l("Focus"), validators=[DataRequired(message=REQUIRED), Length(max=2000)],
                          description=_l("What the centres look for, and why now."))
    dispute_type = ScopedSelectField(_l("Dispute type"), validators=[Opt()],
                                     outside=_l("Choose one of the dispute types offered."))
    starts_on = LocalisedDateField(_l("Starts on"), validators=[InputRequired(message=REQUIRED)])
    ends_on = LocalisedDateField(_l("Ends on"), validators=[InputRequired(message=REQUIRED)])
    areas = AreaChoices(_l("Areas taking part"), coerce=int, choices=[],
                        validators=[DataRequired(message=_l("Choose the areas taking part."))])
    tasks = TaskList(FormField(TaskForm), min_entries=0, max_entries=MAX_TASKS, label=_l("Tasks"))


class TaskReportForm(FlaskForm):
    """A centre's report on its task."""

    report = TextAreaField(_l("Report"), validators=[Opt(), Length(max=2000)],
                           description=_l("What was screened, what was found, what was done."))


class RiskForm(FlaskForm):
    """A case's risk rating."""

    version = HiddenField()
    level = SelectField(_l("Risk level"), choices=_risk_choices, validate_choice=False,
                        validators=[DataRequired(message=_l("Choose the risk level: low, medium or high."))])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(message=REQUIRED), Length(max=2000)],
                            description=_l("What makes the case more or less likely to escalate: group, petition, "
                                           "threats, vulnerable parties, amounts."))

    def validate_level(self, field):
        """One of low, medium, high."""
        if field.data not in RISK_LEVELS:
            raise ValidationError(_l("Choose the risk level: low, medium or high."))
