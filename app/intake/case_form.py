"""The case intake form: common case fields, the parties, and the plugin's intake fields.

One class per dispute type is built at start-up (FAB builds forms when views are created,
so per-type forms must exist before an administrator enables a type).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional as Opt, ValidationError

from app.intake.fields import (
    MAX_AMOUNT,
    LocalisedDecimalField,
    LocalisedForm,
    RecordsField,
    build_form_class,
    max_two_decimals,
    _range,
)
from app.models.case import CASE_CHANNELS, CASE_TRACKS

PROCEDURES = {"ordinary": _l("Ordinary procedure (15 days)"), "simplified": _l("Simplified procedure (7 days)")}
from app.models.party import PARTY_KINDS, PARTY_ROLES
from app.validation.identity import (
    IdNumberError,
    has_foreign_digits,
    is_valid_credit_code,
    is_valid_mobile,
    normalise_id_number,
    normalise_mobile,
    parse_id_number,
)
from app.validation.phone import normalise_landline

FOREIGN_DIGITS = _l("Write this number with the digits 0–9.")

ID_ERRORS = {
    "digits": FOREIGN_DIGITS,
    "length": _l("A resident ID number has 18 characters."),
    "format": _l("A resident ID number is 17 digits followed by a digit or X."),
    "birth_date": _l("The birth date in this ID number is not a real date."),
    "checksum": _l("The check digit of this ID number is wrong: please check the number."),
}

MAX_PARTIES = 10


class ScopedSelectField(SelectField):
    """A select whose choices are the caller's scope; a value not offered is refused with a
    sentence that says why (not WTForms' bare "Not a valid choice")."""

    def __init__(self, *args, outside=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.outside = outside

    def pre_validate(self, form):
        """Refuse a value outside the offered choices with the field's own message."""
        try:
            super().pre_validate(form)
        except ValidationError:
            if self.outside:
                raise ValidationError(self.outside) from None
            raise


def _optional_int(value):
    """Coerce a select value to int, keeping the blank choice as None."""
    if value in (None, "", "None"):
        return None
    return int(value)


class PartyForm(LocalisedForm):
    """One party to the case."""

    kind = SelectField(_l("Kind"), choices=list(PARTY_KINDS.items()), default="person")
    role = SelectField(_l("Role"), choices=list(PARTY_ROLES.items()))
    name = StringField(
        _l("Name"),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=100)],
    )
    id_number = StringField(
        _l("ID number"),
        description=_l("Resident ID for a person, unified social credit code for an organisation."),
        validators=[Opt()],
    )
    mobile = StringField(
        _l("Phone"),
        description=_l("A mobile number; an organisation may give a landline with its area code (0660-3312345)."),
        validators=[Opt()],
    )
    address = StringField(_l("Address"), validators=[Opt(), Length(max=300)])

    def validate_id_number(self, field):
        """Check a resident ID by GB 11643 (birth date and check digit), stored in ASCII
        (full-width １１０… is read as 110…, so the duplicate check finds it)."""
        number = normalise_id_number(field.data)
        field.data = number
        if has_foreign_digits(number):
            raise ValidationError(FOREIGN_DIGITS)
        if self.kind.data == "organization":
            if not is_valid_credit_code(number):
                raise ValidationError(
                    _l("This is not a valid unified social credit code (18 characters with a check character).")
                )
            return
        try:
            parse_id_number(number)
        except IdNumberError as exc:
            raise ValidationError(ID_ERRORS[exc.code]) from None

    def validate_mobile(self, field):
        """An 11-digit mainland mobile number; an organisation may give a landline instead."""
        typed = field.data or ""
        field.data = normalise_mobile(typed)  # full-width １３８… is stored as 138…
        if has_foreign_digits(field.data):
            field.data = typed.strip()
            raise ValidationError(FOREIGN_DIGITS)
        if is_valid_mobile(field.data):
            return
        if self.kind.data == "organization":
            landline = normalise_landline(typed)
            if landline:
                field.data = landline  # kept as 0660-3312345
                return
            field.data = typed.strip()  # what was typed comes back as typed
            raise ValidationError(_l("Give a mobile number (11 digits, starting with 1) or a landline with its "
                                     "area code, e.g. 0660-3312345."))
        field.data = typed.strip()  # what was typed comes back as typed
        raise ValidationError(_l("A mobile number has 11 digits and starts with 1."))


class CaseFormBase(FlaskForm):
    """Fields every case has, whatever its dispute type."""

    title = StringField(
        _l("Summary"),
        description=_l("One line: who is in dispute with whom, about what."),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Facts and claims"),
        validators=[DataRequired(message=_l("This field is required.")), Length(max=20000)],
    )
    claim_amount = LocalisedDecimalField(
        _l("Claim amount (CNY)"),
        places=None,
        validators=[Opt(), _range({"min": 0, "max": MAX_AMOUNT}), max_two_decimals],
    )
    area_id = ScopedSelectField(
        _l("Area"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the area where the dispute arose."))],
        outside=_l("This area is outside what your organisation handles: choose one of the areas offered."),
    )
    organization_id = ScopedSelectField(
        _l("Handling centre"), coerce=_optional_int, validators=[Opt()],
        outside=_l("Your organisation cannot hand a case to this body: choose one of the centres offered."),
    )
    channel = SelectField(_l("Intake channel"), choices=list(CASE_CHANNELS.items()), default="window")
    # Since 2025-01-01 a court mediates only a filed case: the court track and the pre-filing
    # (综治 / people's mediation) track are kept apart from the start.
    track = SelectField(
        _l("Track"),
        choices=[(k, v) for k, v in CASE_TRACKS.items() if k != "litigation"],
        default="pre_filing",
    )
    procedure = SelectField(
        _l("Court procedure"),
        choices=[("", "—")] + list(PROCEDURES.items()),
        default="",
        validate_choice=True,
    )

    def validate_procedure(self, field):
        """Court-entrusted mediation runs 15 or 7 days by procedure; pre-filing has none."""
        if self.track.data == "court_entrusted" and not field.data:
            raise ValidationError(_l("Court-entrusted mediation needs the procedure (ordinary or simplified)."))
        if self.track.data != "court_entrusted" and field.data:
            raise ValidationError(_l("Only a filed case entrusted by the court has a procedure."))
    parties = RecordsField(FormField(PartyForm), min_entries=2, max_entries=MAX_PARTIES, label=_l("Parties"))
    # Ticked after the clerk has seen the open cases naming the same person.
    confirm_duplicates = BooleanField(_l("Register anyway: this is a different dispute"))

    def validate_parties(self, field):
        """A dispute needs someone who raises it and someone it is raised against."""
        roles = {entry.form.role.data for entry in field.entries}
        if "applicant" not in roles or "respondent" not in roles:
            raise ValidationError(_l("A case needs at least one applicant and one respondent."))


def build_case_form(dispute_type: str, intake_specs) -> type:
    """The intake form class for one dispute type."""
    intake_cls = build_form_class(f"Intake_{dispute_type}", intake_specs)
    return type(
        f"CaseForm_{dispute_type}",
        (CaseFormBase,),
        {"intake": FormField(intake_cls, label=_l("Dispute details"))},
    )
