"""The forms of the joint analysis meeting pages: the minutes' facts, an item discussed, a
follow-up task and its completion. They parse what was typed; what the choices allow (the
convening body, the bodies, the person) is checked again by :mod:`app.services.meeting_records`,
whose messages are put back beside the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional as Opt

from app.intake.fields import LocalisedDateField
from app.services.meeting_records import CHAIR_MAX, NOTE_MAX, PLACE_MAX, TEXT_MAX, TITLE_MAX, MeetingFacts
from app.views.duty import REQUIRED

LABELS = {
    "held_on": _l("Meeting date"),
    "title": _l("Meeting title"),
    "place": _l("Meeting place"),
    "chair": _l("Chaired by"),
    "organization_id": _l("Convening body"),
    "participant_ids": _l("Participating bodies"),
    "summary": _l("Situation as analysed"),
    "decisions": _l("Decisions taken"),
}


class MeetingForm(FlaskForm):
    """The facts of the minutes; ``version`` is the one read (edits are checked against it)."""

    version = HiddenField()
    held_on = LocalisedDateField(LABELS["held_on"], format="%Y-%m-%d", validators=[InputRequired(message=REQUIRED)])
    title = StringField(LABELS["title"], validators=[InputRequired(message=REQUIRED), Length(max=TITLE_MAX)])
    place = StringField(LABELS["place"], validators=[Opt(), Length(max=PLACE_MAX)])
    chair = StringField(LABELS["chair"], validators=[InputRequired(message=REQUIRED), Length(max=CHAIR_MAX)])
    # Choices are the bodies the user records for, set per request; the service checks the choice.
    organization_id = SelectField(LABELS["organization_id"], choices=[], validate_choice=False,
                                  validators=[InputRequired(message=REQUIRED)])
    participant_ids = SelectMultipleField(LABELS["participant_ids"], choices=[], validate_choice=False)
    summary = TextAreaField(LABELS["summary"], validators=[Opt(), Length(max=TEXT_MAX)])
    decisions = TextAreaField(LABELS["decisions"], validators=[Opt(), Length(max=TEXT_MAX)])

    def facts(self) -> MeetingFacts:
        """What was typed, for the service."""
        return MeetingFacts(held_on=self.held_on.data, title=self.title.data or "", chair=self.chair.data or "",
                            organization_id=self.organization_id.data, place=self.place.data or "",
                            participant_ids=list(self.participant_ids.data or []),
                            summary=self.summary.data or "", decisions=self.decisions.data or "")


ITEM_LABELS = {"kind": _l("Kind of item"), "reference": _l("Case number or alert/hazard number"),
               "note": _l("Analysis and opinion")}


class ItemForm(FlaskForm):
    """A case (by its number), an alert or a hazard (by its number) and what was said of it."""

    kind = SelectField(ITEM_LABELS["kind"], choices=[], validate_choice=False)
    reference = StringField(ITEM_LABELS["reference"], validators=[InputRequired(message=REQUIRED), Length(max=40)],
                            description=_l("A case by its case number; an alert or a hazard by its number (e.g. 12)."))
    note = TextAreaField(ITEM_LABELS["note"], validators=[Opt(), Length(max=NOTE_MAX)])


TASK_LABELS = {"text": _l("Follow-up"), "owner_id": _l("Person responsible"), "due_on": _l("Due by")}


class TaskForm(FlaskForm):
    """A follow-up: what, who, by when."""

    text = TextAreaField(TASK_LABELS["text"], validators=[InputRequired(message=REQUIRED), Length(max=NOTE_MAX)])
    # Choices are the people at the meeting's bodies, set per request; the service checks the choice.
    owner_id = SelectField(TASK_LABELS["owner_id"], choices=[], validate_choice=False,
                           validators=[InputRequired(message=REQUIRED)])
    due_on = LocalisedDateField(TASK_LABELS["due_on"], format="%Y-%m-%d", validators=[InputRequired(message=REQUIRED)])


class DoneForm(FlaskForm):
    """The owner's report that a follow-up is done."""

    note = TextAreaField(_l("What was done"), validators=[InputRequired(message=REQUIRED), Length(max=NOTE_MAX)])


def put_errors(form, errors: dict) -> None:
    """Show the service's messages beside the fields they are about (others go to ``form.form_errors``)."""
    for name, messages in errors.items():
        target = getattr(form, name, None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors or []) + [str(m) for m in messages]
        else:
            form.form_errors = list(getattr(form, "form_errors", []) or []) + [str(m) for m in messages]
