"""Recording joint analysis meetings: the facts (version-checked), the items discussed, the
follow-up tasks and their completion — the one write path of the pages, the API and the demo.

Every function checks what the forms cannot (the convening body, the bodies taking part, the
person given a task, a reference within reach, a due day not before the meeting) and raises
:class:`MeetingRefused` with messages by field, in the reader's language, before anything is
stored; :class:`StaleMeeting` when someone else saved the meeting first; ``LookupError`` for
a record out of the writer's reach (answer it as missing).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext
from sqlalchemy import func, select, update

from app.extensions import db
from app.lifecycle.tx import StaleCase, unit_of_work
from app.models.meeting import JointMeeting, MeetingItem, MeetingTask
from app.models.organization import Organization
from app.services import meetings as reading
from app.services.clock import today

TITLE_MAX, PLACE_MAX, CHAIR_MAX, TEXT_MAX, NOTE_MAX = 200, 200, 100, 20000, 2000
EARLIEST = dt.date(2000, 1, 1)


class MeetingRefused(ValueError):
    """A change that cannot be made; ``errors`` maps a field to its messages."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


class StaleMeeting(Exception):
    """The meeting changed since the writer read it; nothing was changed."""


@dataclass
class MeetingFacts:
    """What the meeting form (or a caller) gives: the facts of the minutes."""

    held_on: Optional[dt.date]
    title: str
    chair: str
    organization_id: Optional[int]
    place: str = ""
    participant_ids: list = field(default_factory=list)
    summary: str = ""
    decisions: str = ""


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int_or_none(value) -> Optional[int]:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _check_facts(user, facts: MeetingFacts, meeting: Optional[JointMeeting] = None) -> tuple[Organization, list]:
    """The convening body and the participating bodies, or :class:`MeetingRefused` with every problem."""
    errors: dict = {}
    if not isinstance(facts.held_on, dt.date):
        errors["held_on"] = [gettext("Enter the day the meeting was held.")]
    elif facts.held_on > today():
        errors["held_on"] = [gettext("A meeting is recorded once it has been held: the day cannot be in the future.")]
    elif facts.held_on < EARLIEST:
        errors["held_on"] = [gettext("Enter a day from %(year)d on.", year=EARLIEST.year)]
    elif meeting is not None:
        early = db.session.scalar(select(func.min(MeetingTask.due_on)).where(MeetingTask.meeting_id == meeting.id))
        if early is not None and early < facts.held_on:
            errors["held_on"] = [gettext("A follow-up is due on %(day)s, before this day: change its due day first.",
                                         day=early.isoformat())]
    for name, limit, required in (("title", TITLE_MAX, True), ("chair", CHAIR_MAX, True), ("place", PLACE_MAX, False),
                                  ("summary", TEXT_MAX, False), ("decisions", TEXT_MAX, False)):
        value = _text(getattr(facts, name))
        if required and not value:
            errors[name] = [gettext("This field is required.")]
        elif len(value) > limit:
            errors[name] = [gettext("Keep this under %(n)d characters.", n=limit)]
    allowed = {o.id: o for o in reading.conveners(user)}
    convener = allowed.get(_int_or_none(facts.organization_id))
    if meeting is not None and convener is None and facts.organization_id == meeting.organization_id:
        convener = meeting.organization  # an administrator's old choice, still the same body
    if convener is None:
        errors["organization_id"] = [gettext("Choose the body that convened the meeting.")]
    wanted = {_int_or_none(i) for i in facts.participant_ids or []}
    participants = []
    if None in wanted or len(wanted) > reading.MAX_CHOICES:
        errors["participant_ids"] = [gettext("Choose the participating bodies from the list.")]
    elif wanted:
        participants = list(db.session.scalars(select(Organization).where(
            Organization.id.in_(sorted(wanted)), Organization.active.is_(True)).order_by(Organization.id)))
        if len(participants) != len(wanted):
            errors["participant_ids"] = [gettext("Choose the participating bodies from the list.")]
    if errors:
        raise MeetingRefused(errors)
    return convener, participants


def _apply(meeting: JointMeeting, facts: MeetingFacts, convener: Organization, participants: list) -> None:
    with db.session.no_autoflush:  # one UPDATE, one version step: loading the old bodies must not flush half
        _set(meeting, facts, convener, participants)


def _set(meeting: JointMeeting, facts: MeetingFacts, convener: Organization, participants: list) -> None:
    meeting.held_on = facts.held_on
    meeting.title = _text(facts.title)
    meeting.chair = _text(facts.chair)
    meeting.place = _text(facts.place) or None
    meeting.organization = convener
    meeting.participants = participants
    meeting.summary = _text(facts.summary)
    meeting.decisions = _text(facts.decisions)


def record_meeting(user, facts: MeetingFacts) -> JointMeeting:
    """Store a new meeting convened by a body ``user`` records for."""
    convener, participants = _check_facts(user, facts)
    meeting = JointMeeting(created_by_id=user.id)
    _apply(meeting, facts, convener, participants)
    with unit_of_work() as session:
        session.add(meeting)
    return meeting


def update_meeting(user, meeting: JointMeeting, facts: MeetingFacts, expected_version) -> None:
    """Change the facts of ``meeting``, unless someone else saved it after ``expected_version``."""
    if not reading.may_edit(user, meeting):
        raise LookupError(meeting.id)
    version = _int_or_none(expected_version)
    if version is None:
        raise MeetingRefused({"version": [gettext(
            "Send “version”: the version of the record you read. It makes sure nobody else's change "
            "is overwritten; read it again to get it.")]})
    if version != meeting.version:
        raise StaleMeeting()
    convener, participants = _check_facts(user, facts, meeting)
    try:
        with unit_of_work():
            _apply(meeting, facts, convener, participants)
    except StaleCase:
        raise StaleMeeting() from None


def _editable(user, meeting: JointMeeting) -> None:
    if not reading.may_edit(user, meeting):
        raise LookupError(meeting.id)


def add_item(user, meeting: JointMeeting, kind: str, reference: str, note: str = "") -> MeetingItem:
    """Put a case (by its number), an alert or a hazard (by its number) on the meeting's list.

    A reference unknown or out of the writer's reach is refused with the same words."""
    _editable(user, meeting)
    errors: dict = {}
    note = _text(note)
    if kind not in reading.ITEM_KINDS:
        raise MeetingRefused({"kind": [gettext("Choose a case, an alert or a hazard.")]})
    subject = reading.find_subject(kind, reference, user)
    if subject is None:
        shown = _text(reference)[:40]
        errors["reference"] = [{
            "case": gettext("No case has the number %(no)s.", no=shown),
            "alert": gettext("No alert has the number %(no)s.", no=shown),
            "hazard": gettext("No hazard has the number %(no)s.", no=shown),
        }[kind] if shown else gettext("This field is required.")]
    else:
        column = {"case": MeetingItem.case_id, "alert": MeetingItem.alert_id, "hazard": MeetingItem.hazard_id}[kind]
        listed = select(MeetingItem.id).where(MeetingItem.meeting_id == meeting.id, column == subject.id).limit(1)
        if db.session.scalar(listed) is not None:
            errors["reference"] = [gettext("It is already on this meeting's list.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [gettext("Keep this under %(n)d characters.", n=NOTE_MAX)]
    count = db.session.scalar(select(func.count(MeetingItem.id)).where(MeetingItem.meeting_id == meeting.id))
    if count >= reading.MAX_ITEMS:
        errors["reference"] = [gettext("A meeting lists at most %(n)d items.", n=reading.MAX_ITEMS)]
    if errors:
        raise MeetingRefused(errors)
    item = MeetingItem(meeting_id=meeting.id, note=note, **{f"{kind}_id": subject.id})
    with unit_of_work() as session:
        session.add(item)
    return item


def remove_item(user, meeting: JointMeeting, item_id) -> None:
    """Take an item off the meeting's list (``LookupError`` for an item of another meeting)."""
    _editable(user, meeting)
    item = db.session.get(MeetingItem, item_id) if isinstance(item_id, int) else None
    if item is None or item.meeting_id != meeting.id:
        raise LookupError(item_id)
    with unit_of_work() as session:
        session.delete(item)


def add_task(user, meeting: JointMeeting, text: str, owner_id, due_on: Optional[dt.date]) -> MeetingTask:
    """Give a follow-up to a person at the meeting's bodies, due on or after the meeting day."""
    _editable(user, meeting)
    errors: dict = {}
    text = _text(text)
    if not text:
        errors["text"] = [gettext("Say what is to be done.")]
    elif len(text) > NOTE_MAX:
        errors["text"] = [gettext("Keep this under %(n)d characters.", n=NOTE_MAX)]
    owner = _int_or_none(owner_id)
    if owner is None or owner not in {u.id for u, _org in reading.owner_choices(meeting)}:
        errors["owner_id"] = [gettext("Choose who follows this up.")]
    if not isinstance(due_on, dt.date):
        errors["due_on"] = [gettext("Enter the day it is due.")]
    elif due_on < meeting.held_on:
        errors["due_on"] = [gettext("The due day cannot be before the meeting (%(day)s).",
                                    day=meeting.held_on.isoformat())]
    count = db.session.scalar(select(func.count(MeetingTask.id)).where(MeetingTask.meeting_id == meeting.id))
    if count >= reading.MAX_TASKS:
        errors["text"] = [gettext("A meeting gives at most %(n)d follow-ups.", n=reading.MAX_TASKS)]
    if errors:
        raise MeetingRefused(errors)
    task = MeetingTask(meeting_id=meeting.id, text=text, owner_id=owner, due_on=due_on)
    with unit_of_work() as session:
        session.add(task)
    return task


def remove_task(user, meeting: JointMeeting, task_id) -> None:
    """Take back a follow-up not yet done (one done stays in the minutes)."""
    _editable(user, meeting)
    task = db.session.get(MeetingTask, task_id) if isinstance(task_id, int) else None
    if task is None or task.meeting_id != meeting.id:
        raise LookupError(task_id)
    if task.done_on is not None:
        raise MeetingRefused({"task": [gettext("A follow-up already done stays in the minutes.")]})
    with unit_of_work() as session:
        session.delete(task)


def mark_done(user, task: MeetingTask, note: str) -> bool:
    """The owner reports ``task`` done with a note. ``False`` when it was already done: the
    first report stands and nothing changes (safe to send twice, even at the same moment)."""
    if task.owner_id != getattr(user, "id", None):
        raise LookupError(task.id)
    if task.done_on is not None:
        return False
    note = _text(note)
    if not note:
        raise MeetingRefused({"note": [gettext("Say in a sentence what was done.")]})
    if len(note) > NOTE_MAX:
        raise MeetingRefused({"note": [gettext("Keep this under %(n)d characters.", n=NOTE_MAX)]})
    with unit_of_work() as session:
        # Only an open task changes: of two reports sent together, the first one stands.
        done = session.execute(
            update(MeetingTask).where(MeetingTask.id == task.id, MeetingTask.done_on.is_(None))
            .values(done_on=today(), done_note=note, done_by_id=user.id)
            .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(task)
    return bool(done)
