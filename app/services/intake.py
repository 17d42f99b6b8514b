"""Registering a case from a validated intake form (web or API alike)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.extensions import db, jiefen
from app.intake.payload import to_json
from app.models.case import Case
from app.models.party import Party
from app.models.types import utcnow
from app.services.clock import court_zone
from app.services.duplicates import DuplicateCheck, find_duplicates, flag_for_coordinators, guard_open_case_keys
from app.services.numbering import format_case_no, next_serial
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import enter_first_state
from app.validation.identity import parse_id_number

TYPE_UNAVAILABLE = _l("This dispute type is not available for new cases.")


def intake_form(dispute_type: str, formdata=None, api: bool = False, scope=None):
    """The bound intake form of ``dispute_type``, offering only the areas and handling centres
    the signed-in user may file a case under (``scope``: a :class:`~app.services.scope.WriteScope`
    for callers with no user, such as the demo loader).

    ``api=True`` turns CSRF off: API callers authenticate with a bearer token instead. A value
    outside the offered choices fails validation with a sentence saying so, web and API alike.
    """
    from app.models.area import Area
    from app.models.organization import Organization
    from app.services.scope import current_user_obj, write_scope

    if scope is None:
        scope = write_scope(current_user_obj())
    form_cls = jiefen().case_forms[dispute_type]
    kwargs = {"meta": {"csrf": False}} if api else {}
    form = form_cls(formdata=formdata, **kwargs)
    session = db.session
    form.area_id.choices = [
        (a.id, a.name) for a in session.query(Area).order_by(Area.level, Area.name) if scope.allows_area(a.id)
    ]
    form.organization_id.choices = [(None, "—")] + [
        (o.id, o.name)
        for o in session.query(Organization)
        .filter(Organization.kind != "partner_agency", Organization.active.is_(True))
        .order_by(Organization.name)
        if scope.allows_organization(o.id)
    ]
    return form


@dataclass
class IntakeOutcome:
    """The new case, or ``None`` when the user must first look at ``duplicates``."""

    case: Optional[Case]
    duplicates: list = field(default_factory=list)


def register_unless_duplicate(form, dispute_type: str, actor, confirmed: bool,
                              channel: str | None = None, before_commit=None) -> IntakeOutcome:
    """Register ``form`` unless a party is in an open case the user may see and they have
    not ``confirmed`` it; the web and the API register through here. ``before_commit(case)``
    (e.g. marking the hazard the case comes from as converted) runs inside the registering
    transaction: it commits with the case, or its refusal leaves nothing behind.

    The party keys stay locked from the check to the commit, so of two registrations of the
    same person at once the second sees the first. Matches the user may not see change
    nothing in the answer: they are audited and flagged on the new case for coordinators.
    """
    check = DuplicateCheck()
    # Not a unit_of_work: this block commits nothing itself (register_case's unit does), and
    # a refused duplicate must end the guard's transaction by rolling back, not committing;
    # the audit runs after either ending, in a transaction of its own.
    try:
        guard_open_case_keys(form.parties.data)
        check = find_duplicates(form.parties.data)
        if check.warns and not confirmed:
            db.session.rollback()  # ends the guard
            return IntakeOutcome(None, check.visible)
        case = register_case(form, dispute_type, actor, channel, check=check, before_commit=before_commit)
    except Exception:
        db.session.rollback()
        raise
    finally:
        check.audit()
    return IntakeOutcome(case, check.visible)


def register_case(form, dispute_type: str, actor, channel: str | None = None,
                  check: Optional[DuplicateCheck] = None, before_commit=None) -> Case:
    """Store a validated intake form as a new case in state ``registered``.

    Everything (number, case, parties, plugin reactions, the coordinators' duplicate flags
    of ``check``, what ``before_commit(case)`` adds) commits together or not at all.
    """
    session = db.session
    now = utcnow()  # the one clock: the year of the case number and created_at agree
    # numbered in the court's year: 00:00–08:00 on 1 January is already the new year in China
    year = now.astimezone(court_zone()).year
    with unit_of_work(session):
        serial = next_serial(session, year)
        case = Case(
            case_no=format_case_no(current_app.config["JIEFEN_CASE_NO_PREFIX"], year, serial),
            dispute_type=dispute_type,
            channel=channel or form.channel.data,
            track=form.track.data or "pre_filing",
            procedure=form.procedure.data or None,
            area_id=form.area_id.data,
            organization_id=form.organization_id.data,
            title=form.title.data.strip(),
            description=form.description.data.strip(),
            claim_amount=form.claim_amount.data,
            intake_data=to_json(form.intake.data),
            created_at=now,
            created_by_fk=getattr(actor, "id", None),
            # Every case has a named court staff member answerable for it (seed 四(二)):
            # the registering user until someone else is named.
            responsible_staff_id=getattr(actor, "id", None),
        )
        for entry in form.parties.data:
            case.parties.append(_party(entry))
        session.add(case)
        enter_first_state(case, actor, data={"channel": case.channel})
        if check is not None:
            flag_for_coordinators(case, check)
        if before_commit is not None:
            before_commit(case)
    return case


def _party(entry: dict) -> Party:
    number = entry.get("id_number") or None
    birth = None
    if number and entry.get("kind") == "person":
        birth = parse_id_number(number)
    return Party(
        kind=entry.get("kind") or "person",
        role=entry["role"],
        name=entry["name"].strip(),
        id_number=number,
        birth_date=birth,
        mobile=entry.get("mobile") or None,
        address=(entry.get("address") or "").strip() or None,
    )
