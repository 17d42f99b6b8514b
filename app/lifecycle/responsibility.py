"""Every case is someone's (plan 四(二)): the staff member responsible for it.

Registration makes the registering user responsible (``app/services/intake.py``). Afterwards
the responsibility is assigned and reassigned here, by

- an administrator, or a member of one of the court's own bodies (they see every case);
- the lead of an organisation whose scope covers the case (``Membership.lead``): the body
  handling the case, or a body located in the case's area or an area above it.

The new responsible person must be an active staff member of such a body (never a partner
agency's). Anyone else is refused with the same sentence whether or not the user exists, so the
form and the API never reveal who works outside the case's scope. The change is a step like
the lifecycle's: the case's version guards it, a timeline entry tells it, the audit log keeps
the changed column, and all of it commits together or not at all.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import and_, false, or_, select

from app.extensions import db
from app.lifecycle.machine import TERMINAL
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import StaleCase, TransitionRefused, record
from app.models.case import Case
from app.names import person_name
from app.models.membership import Membership
from app.models.organization import COURT_KINDS, Organization
from app.names import person_name
from app.services.areas import ancestors

KIND = "responsibility"
ACTION = "assign_responsible"
# The choice offered on the page; a centre has a few dozen staff, the court a few hundred.
ELIGIBLE_LIMIT = 200
TIMELINE_LABEL = _l("Responsible staff member: %(name)s")


def staff_name(user) -> str:
    """A user's name as people read it (许晓东: surname first, no space), or ``—``."""
    return person_name(user)


def _membership(user) -> Optional[Membership]:
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()


def _is_admin(user) -> bool:
    return any(r.name == "Admin" for r in getattr(user, "roles", None) or [])


def _case_area_ids(case: Case) -> list[int]:
    """The case's area and every area above it (a town's centre covers its villages)."""
    if case.area is None:
        return []
    return [case.area.id] + [a.id for a in ancestors(case.area)]


def covering(case: Case):
    """A WHERE clause on ``Organization``: the bodies whose scope covers ``case``."""
    areas = _case_area_ids(case)
    local = or_(
        Organization.id == case.organization_id if case.organization_id is not None else false(),
        Organization.area_id.in_(areas) if areas else false(),
    )
    return and_(Organization.kind != "partner_agency",
                or_(Organization.kind.in_(sorted(COURT_KINDS)), local))


def may_assign(actor, case: Case) -> bool:
    """True when ``actor`` may choose who is responsible for ``case``."""
    if actor is None or getattr(actor, "id", None) is None:
        return False
    if _is_admin(actor):
        return True
    membership = _membership(actor)
    if membership is None:
        return False
    org = membership.organization
    if org.is_court:
        return True
    if not membership.lead or org.kind == "partner_agency":
        return False
    return db.session.scalar(select(Organization.id).where(Organization.id == org.id, covering(case))) is not None


def _eligible_query(case: Case):
    from flask_appbuilder.security.sqla.models import User

    return (
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(User.active.is_(True), Organization.active.is_(True), covering(case))
    )


def eligible_staff(case: Case, limit: int = ELIGIBLE_LIMIT) -> list:
    """``[(user, membership)]`` who may be made responsible for ``case``: the handling body's
    staff first, then the area's bodies, then the court's; at most ``limit``."""
    from flask_appbuilder.security.sqla.models import User

    handling = Organization.id == case.organization_id if case.organization_id is not None else false()
    query = _eligible_query(case).order_by(
        handling.desc() if case.organization_id is not None else Organization.id,
        Organization.kind.in_(sorted(COURT_KINDS)), Organization.name, User.last_name, User.first_name, User.id,
    ).limit(limit)
    return [tuple(row) for row in db.session.execute(query).unique().all()]


def is_eligible(case: Case, user_id) -> bool:
    """True when the user exists, is active and works for a body covering ``case``."""
    from flask_appbuilder.security.sqla.models import User

    if not isinstance(user_id, int) or isinstance(user_id, bool) or not 0 < user_id < 2**31:
        return False
    return db.session.execute(_eligible_query(case).where(User.id == user_id).limit(1)).first() is not None


def parse_user_id(value) -> Optional[int]:
    """A user id from a form field or JSON (``"12"`` or ``12``); ``None`` when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def assign_responsible(case: Case, actor, user_id, expected_version=None, note: str = "") -> Case:
    """Make the user ``user_id`` responsible for ``case``; raises ``TransitionRefused`` with
    every reason, or ``StaleCase`` when the case changed since ``expected_version``."""
    from flask_appbuilder.security.sqla.models import User

    problems = []
    if not may_assign(actor, case):
        problems.append(gettext("Only the lead of the organisation handling the case, the court's staff or an "
                                "administrator may assign the staff member responsible for it."))
    if case.status in TERMINAL:
        problems.append(gettext("The case is finished: the staff member responsible for it no longer changes."))
    uid = parse_user_id(user_id)
    if uid is None or not is_eligible(case, uid):
        problems.append(gettext("Choose a staff member of an organisation that handles this case's area."))
    elif uid == case.responsible_staff_id:
        problems.append(gettext("%(name)s is already responsible for this case.",
                                name=staff_name(db.session.get(User, uid))))
    if len(note or "") > 2000:
        problems.append(gettext("The note is too long."))
    try:
        if expected_version not in (None, "") and int(expected_version) != case.version:
            raise StaleCase()
    except (TypeError, ValueError):
        problems.append(gettext("The version must be a whole number."))
    if problems:
        raise TransitionRefused(problems)
    previous = case.responsible_staff_id
    new = db.session.get(User, uid)
    with unit_of_work():
        case.responsible_staff_id = uid
        record(case, actor, KIND, ACTION, (note or "").strip(),
               {"from": previous, "to": uid, "name": staff_name(new)})
    return case


def describe(event) -> str:
    """The timeline's wording of a change of responsible staff member."""
    return str(TIMELINE_LABEL) % {"name": (event.data or {}).get("name") or "—"}
