"""Appointments and mediation sessions: the rules, the first-time transitions, the timeline.

The first appointment of an "assigned" case performs "schedule", and the first session of a
"scheduled" case performs "start_mediation", each in the same transaction as the rows they
add. Later appointments and sessions only add rows and a timeline entry, but still move the
case's version so that a concurrent change of state makes one of the two writers fail.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import StaleCase, TransitionRefused, latest_consents, perform, record
from app.models.case import Case
from app.models.mediation import MODES, Appointment, MediationSession
from app.models.mediator import Mediator
from app.models.types import utcnow
from app.services.clock import court_day, court_time, stored_utc, to_utc
from app.services.settings import today as local_today
from app.services.uploads import add_attachment_rows, discard_all, not_stored
from app.views.keys import is_valid_pk

ONLINE_MODES = frozenset({"online", "audio", "video"})
APPOINTMENT_STATES = frozenset({"assigned", "scheduled", "in_mediation"})
SESSION_STATES = frozenset({"scheduled", "in_mediation"})
MAX_PARTICIPANTS = 30
MAX_NAME = 100
MAX_PLACE = 200
MAX_TEXT = 100_000  # minutes of a long session; the form limit (MAX_FORM_MEMORY_SIZE) is larger
MAX_AHEAD = dt.timedelta(days=366)  # further ahead is a typing mistake, not a plan


def as_utc(value) -> Optional[dt.datetime]:
    """An aware UTC datetime (naive values are China wall-clock time, as typed in a form);
    ``None`` if unusable."""
    return to_utc(value)


def local_date(value: dt.datetime) -> dt.date:
    """The calendar day of a stored ``value`` in China time."""
    return court_day(value)


def _version_check(case: Case, expected_version) -> None:
    if expected_version is not None and int(expected_version) != case.version:
        raise StaleCase()


def missing_online_consent(case: Case) -> list[str]:
    """Names of the parties (agents aside) whose latest answer on online mediation is not "given"."""
    answers = latest_consents(case, "online")
    return [p.name for p in case.parties if p.role != "agent" and answers.get(p.id) != "given"]


def _online_problem(case: Case, mode: str) -> Optional[str]:
    # 人民法院在线调解规则 arts. 3–5: online mediation only once every party has agreed to it.
    if mode not in ONLINE_MODES:
        return None
    missing = missing_online_consent(case)
    if missing:
        return gettext(
            "Online, audio or video mediation needs every party's consent to online mediation; "
            "not yet given by: %(names)s.",
            names="、".join(missing),
        )
    return None


def clean_participants(raw) -> tuple[list[str], list[str]]:
    """The participants' names as a list, and the problems with them."""
    if raw is None:
        return [], []
    if not isinstance(raw, (list, tuple)) or not all(isinstance(n, str) for n in raw):
        return [], [gettext("Participants are a list of names.")]
    names = []
    for name in (n.strip() for n in raw):
        if name and name not in names:
            names.append(name)
    problems = []
    if len(names) > MAX_PARTICIPANTS:
        problems.append(gettext("At most %(n)s participants.", n=MAX_PARTICIPANTS))
    if any(len(n) > MAX_NAME for n in names):
        problems.append(gettext("A participant's name is at most %(n)s characters.", n=MAX_NAME))
    return names, problems


def appointment_problems(case: Case, starts_at, mode, place, online_room, note) -> list[str]:
    """Every reason the appointment cannot be made as given (empty when it can)."""
    problems = []
    if case.status not in APPOINTMENT_STATES:
        problems.append(gettext("An appointment can be made once a mediator has accepted the case, "
                                "and until mediation ends."))
    if mode not in MODES:
        problems.append(gettext("Choose how the mediation is held."))
    starts_at = as_utc(starts_at)
    if starts_at is None:
        problems.append(gettext("Give the date and time of the appointment."))
    elif local_date(starts_at) < local_today():
        problems.append(gettext("The appointment cannot be in the past."))
    elif starts_at > utcnow() + MAX_AHEAD:
        problems.append(gettext("The appointment is more than a year ahead; check the date."))
    if mode == "offline" and not place:
        problems.append(gettext("An appointment in person needs a place."))
    if mode in ONLINE_MODES and not online_room:
        problems.append(gettext("An online, audio or video appointment needs a room number or link."))
    if len(place) > MAX_PLACE or len(online_room) > MAX_PLACE:
        problems.append(gettext("The place and the room are at most %(n)s characters.", n=MAX_PLACE))
    if len(note) > MAX_TEXT:
        problems.append(gettext("The note is too long."))
    consent = _online_problem(case, mode) if mode in MODES else None
    if consent:
        problems.append(consent)
    return problems


def make_appointment(case: Case, actor, starts_at, mode, place, online_room, participants, note,
                     expected_version=None) -> Appointment:
    """Make an appointment (预约调解); raises ``TransitionRefused`` or ``StaleCase``, writing nothing."""
    place, online_room, note = (str(v or "").strip() for v in (place, online_room, note))
    mode = mode if isinstance(mode, str) else ""  # a list or object from JSON is no mode
    names, problems = clean_participants(participants)
    problems = appointment_problems(case, starts_at, mode, place, online_room, note) + problems
    if problems:
        raise TransitionRefused(problems)
    appointment = Appointment(
        case_id=case.id, starts_at=as_utc(starts_at), mode=mode,
        place=place if mode == "offline" else None,
        online_room=online_room if mode in ONLINE_MODES else None,
        participants=names, status="planned", note=note or None,
        created_by_id=getattr(actor, "id", None),
    )

    def add(case: Case) -> None:
        db.session.add(appointment)
        db.session.flush()  # the id goes into the timeline entry
        record(case, actor, "session", "appointment", note,
               {"appointment_id": appointment.id, "mode": mode, "starts_at": appointment.starts_at.isoformat()})

    if case.status == "assigned":
        perform(case, "schedule", actor, expected_version=expected_version, before_commit=add)
    else:
        _commit_with_case(case, expected_version, add)
    return appointment


def cancel_appointment(case: Case, appointment_id, actor, note: str = "", expected_version=None) -> Appointment:
    """Cancel a planned appointment of ``case``; the reason goes into the timeline."""
    appointment = _appointment_of(case, appointment_id)
    if appointment is None:
        raise TransitionRefused([gettext("There is no such appointment in this case.")])
    if appointment.status != "planned":
        raise TransitionRefused([gettext("Only a planned appointment can be cancelled.")])
    note = str(note or "").strip()
    if not note:
        raise TransitionRefused([gettext("Give the reason; it is kept in the case's timeline.")])

    def cancel(case: Case) -> None:
        appointment.status = "cancelled"
        record(case, actor, "session", "appointment_cancelled", note, {"appointment_id": appointment.id})

    _commit_with_case(case, expected_version, cancel)
    return appointment


def _appointment_of(case: Case, appointment_id) -> Optional[Appointment]:
    # is_valid_pk refuses booleans, fractions and ids past BIGINT (which would be a 500).
    if not is_valid_pk(appointment_id) or int(appointment_id) >= 2**31:
        return None
    appointment = db.session.get(Appointment, int(appointment_id))
    return appointment if appointment is not None and appointment.case_id == case.id else None


def _commit_with_case(case: Case, expected_version, change) -> None:
    """Apply ``change(case)`` and move the case's version, in one transaction."""
    with unit_of_work():
        _version_check(case, expected_version)
        change(case)
        # No column of the case changes, but the version must: a concurrent transition
        # (say, mediation failed) and this row cannot both commit on the old state.
        flag_modified(case, "status")


def can_read_caucus(user, case: Case) -> bool:
    """True only for the user linked to the mediator who holds ``case`` (背对背 notes)."""
    user_id = getattr(user, "id", None)
    if user_id is None or case.mediator_id is None:
        return False
    return db.session.scalar(select(Mediator.user_id).where(Mediator.id == case.mediator_id)) == user_id


def session_problems(case: Case, actor, held_at, mode, minutes, caucus_notes, appointment) -> list[str]:
    """Every reason the session cannot be recorded as given."""
    problems = []
    if case.status not in SESSION_STATES:
        problems.append(gettext("A session can be recorded once an appointment is made, and until "
                                "mediation ends."))
    if mode not in MODES:
        problems.append(gettext("Choose how the mediation was held."))
    if as_utc(held_at) is None:
        problems.append(gettext("Give the date and time the session was held."))
    else:
        day = local_date(as_utc(held_at))
        if day > local_today():
            problems.append(gettext("A session is recorded once it has been held, not before."))
        elif case.created_at is not None and day < local_date(case.created_at):
            problems.append(gettext("The session cannot be before the case was registered."))
        else:
            early = _before_its_appointment(case, as_utc(held_at), appointment)
            if early:
                problems.append(early)
    if not minutes:
        problems.append(gettext("Write the minutes of the session."))
    if len(minutes) > MAX_TEXT or len(caucus_notes) > MAX_TEXT:
        problems.append(gettext("The minutes or the caucus notes are too long."))
    if caucus_notes and not can_read_caucus(actor, case):
        # Someone who could never read them again must not write them either.
        problems.append(gettext("Only the case's mediator can keep caucus notes."))
    if appointment is False:
        problems.append(gettext("There is no such appointment in this case."))
    elif appointment is not None and appointment.status != "planned":
        problems.append(gettext("That appointment is already held or cancelled."))
    consent = _online_problem(case, mode) if mode in MODES else None
    if consent:
        problems.append(consent)
    return problems


def _before_its_appointment(case: Case, held_at: dt.datetime, appointment) -> Optional[str]:
    """Why a session held at ``held_at`` cannot belong to its appointment, or ``None``.

    The session of an appointment is held at or after its start. A session recorded without
    naming an appointment while the case is still "scheduled" is the one its first appointment
    planned, so that appointment's start counts.
    """
    if appointment is None and case.status == "scheduled":
        appointment = db.session.scalars(
            select(Appointment).where(Appointment.case_id == case.id, Appointment.status == "planned")
            .order_by(Appointment.starts_at, Appointment.id).limit(1)
        ).first()
    if not appointment:  # None, or False for an appointment of another case (reported apart)
        return None
    starts_at = as_utc(stored_utc(appointment.starts_at))
    if held_at >= starts_at:
        return None
    return gettext(
        "The session cannot be held before its appointment, which starts at %(start)s: check the time, "
        "or make a new appointment if the parties met earlier.",
        start=court_time(starts_at).strftime("%Y-%m-%d %H:%M"),
    )


def record_session(case: Case, actor, held_at, mode, minutes, caucus_notes, appointment_id=None,
                   files: Iterable = ()) -> MediationSession:
    """Record a session held (and its prepared ``files``); raises ``TransitionRefused`` or ``StaleCase``."""
    # ``files`` (uploads.PreparedFile) commit with the session; on any failure they leave the disk.
    files = list(files)
    try:
        return _record_session(case, actor, held_at, mode, minutes, caucus_notes, appointment_id, files)
    except OSError as exc:  # placing a file failed; perform() has rolled back
        discard_all(files)
        raise not_stored(exc) from None
    except BaseException:
        discard_all(files)
        raise


def _record_session(case, actor, held_at, mode, minutes, caucus_notes, appointment_id, files):
    mode = mode if isinstance(mode, str) else ""
    minutes = str(minutes or "").strip()
    caucus_notes = str(caucus_notes or "").strip()
    appointment = None
    if appointment_id not in (None, ""):
        appointment = _appointment_of(case, appointment_id) or False
    problems = session_problems(case, actor, held_at, mode, minutes, caucus_notes, appointment)
    if problems:
        raise TransitionRefused(problems)
    session = MediationSession(
        case_id=case.id, appointment_id=appointment.id if appointment else None, held_at=as_utc(held_at),
        mode=mode, mediator_id=case.mediator_id, minutes=minutes, caucus_notes=caucus_notes or None,
        created_by_id=getattr(actor, "id", None), created_at=utcnow(),
    )

    def add(case: Case) -> None:
        db.session.add(session)
        if appointment:
            appointment.status = "held"
        db.session.flush()
        add_attachment_rows(case, files, actor, session)
        # The caucus notes never leave their column: not in the note, not in the data.
        record(case, actor, "session", "session", "",
               {"session_id": session.id, "mode": mode, "appointment_id": session.appointment_id,
                "attachments": len(files)})

    if case.status == "scheduled":
        perform(case, "start_mediation", actor, before_commit=add)
    else:
        _commit_with_case(case, None, add)
    return session


def appointments_of(case: Case) -> list[Appointment]:
    """The case's appointments, soonest first."""
    return list(db.session.scalars(
        select(Appointment).where(Appointment.case_id == case.id).order_by(Appointment.starts_at, Appointment.id)
    ))


def sessions_of(case: Case) -> list[MediationSession]:
    """The case's sessions, in the order they were held."""
    return list(db.session.scalars(
        select(MediationSession).where(MediationSession.case_id == case.id)
        .order_by(MediationSession.held_at, MediationSession.id)
    ))
