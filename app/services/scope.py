"""Which cases a user may see, from the organisation they belong to.

- the court's own bodies (mediation centre, divisions, tribunals, reception window) and
  administrators: every case;
- a governance centre, workstation, mediation committee or company: cases in its area and
  the areas below it, cases it handles, and cases its user registered;
- a partner agency: what its users registered; the cases referred to it are read through the
  partner pages (app/views/referrals.py), which show only the fields the referral shares;
- a user who belongs to no organisation: only the cases they registered;
- a user whose only role is Mediator: only their own cases (below), whatever their committee;
- and everyone: the cases they mediate or are offered, and those they are responsible for.

Every read path uses :func:`visible_cases`: lists, detail pages, the API, agreements.
Writes that place a case use :func:`write_scope`: the areas and handling organisations a user
may register a case under, so nobody files a case into another body's scope.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask import g, has_request_context
from sqlalchemy import false, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models.case import Case
from app.models.membership import Membership
from app.models.organization import Organization
from app.services.areas import descendant_ids

ALL = None  # no restriction
# A partner sees a case while a referral to it is open or done; not once rejected or withdrawn.
LIVE_REFERRALS = ("sent", "accepted", "answered", "completed")
# Roles whose holders see only their own cases, whatever organisation they belong to.
MEDIATOR_ONLY = frozenset({"Mediator"})
# Roles that read every case of the district: administrators, and leadership (read-only:
# the role has no write permission, and personal data stays masked without can_reveal).
DISTRICT_READERS = frozenset({"Admin", "Leadership"})


def current_user_obj():
    """The signed-in user of this request, from the session or the API's bearer token."""
    user = getattr(g, "user", None) if has_request_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    try:
        from flask_jwt_extended import current_user as jwt_user

        if jwt_user and getattr(jwt_user, "is_authenticated", True):
            return jwt_user._get_current_object() if hasattr(jwt_user, "_get_current_object") else jwt_user
    except SQLAlchemyError:  # the database failed: the error handler answers 503 and rolls back
        raise
    except Exception:  # no JWT in this request
        return None
    return None


def visible_cases(user) -> Optional[ColumnElement]:
    """A WHERE clause limiting cases to what ``user`` may see, or ``None`` for all."""
    if user is None or getattr(user, "id", None) is None:
        return false()
    if any(r.name in DISTRICT_READERS for r in getattr(user, "roles", [])):
        return ALL
    own = or_(Case.created_by_fk == user.id, _mediated_by(user.id), Case.responsible_staff_id == user.id)
    roles = {r.name for r in getattr(user, "roles", [])}
    if roles and roles <= MEDIATOR_ONLY:
        # A pool mediator's login belongs to their committee, but a mediator reads only the
        # cases offered to or assigned to them, never the committee's whole area.
        return own
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    if membership is None:
        return own
    org = membership.organization
    if org.is_court:
        return ALL
    if org.kind == "partner_agency":
        # Referred cases are read only through the partner pages, which show exactly the
        # shared fields; the full case views stay closed to partners.
        return own
    clauses = [own, Case.organization_id == org.id]
    if org.area_id is not None:
        clauses.append(Case.area_id.in_(descendant_ids([org.area_id])))
    return or_(*clauses)


def _mediated_by(user_id: int) -> ColumnElement:
    """Cases the user mediates, or has been offered and not yet refused."""
    from app.models.lifecycle import Assignment
    from app.models.mediator import Mediator

    mine = select(Mediator.id).where(Mediator.user_id == user_id)
    offered = select(Assignment.case_id).where(
        Assignment.mediator_id.in_(mine), Assignment.response.in_(("pending", "accepted"))
    )
    return or_(Case.mediator_id.in_(mine), Case.id.in_(offered))


def request_scope() -> Optional[ColumnElement]:
    """:func:`visible_cases` for the current request, computed once per request."""
    if has_request_context():
        if "_jiefen_case_scope" not in g:
            g._jiefen_case_scope = (visible_cases(current_user_obj()),)
        return g._jiefen_case_scope[0]
    return visible_cases(current_user_obj())


def can_see(case: Case) -> bool:
    """True when the current user may read ``case``."""
    clause = request_scope()
    if clause is None:
        return True
    return db.session.scalar(select(Case.id).where(Case.id == case.id, clause)) is not None


@dataclass(frozen=True)
class WriteScope:
    """Where a user may place a case. ``None`` means any; an empty set means none."""

    areas: Optional[frozenset]
    organizations: Optional[frozenset]

    def allows_area(self, area_id) -> bool:
        """True when a case may be placed in ``area_id``."""
        return self.areas is None or area_id in self.areas

    def allows_organization(self, org_id) -> bool:
        """True when ``org_id`` may be named as the handling body (no body is always allowed)."""
        return org_id is None or self.organizations is None or org_id in self.organizations


ANYWHERE = WriteScope(None, None)
NOWHERE = WriteScope(frozenset(), frozenset())


def write_scope(user) -> WriteScope:
    """The areas and handling organisations ``user`` may register a case under.

    - administrators, the court's own bodies and users tied to no organisation (the court's
      window staff before the administrator files them): anywhere;
    - a centre, workstation, committee or company with an area: its area and the areas below,
      handled by itself or by a body located there; without an area: itself only;
    - a partner agency: its own area (if it has one) and no handling body — it cannot hand a
      case to a centre, let alone file one into another agency's scope.
    """
    if user is None or getattr(user, "id", None) is None:
        return NOWHERE
    if any(r.name == "Admin" for r in getattr(user, "roles", [])):
        return ANYWHERE
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    if membership is None or membership.organization.is_court:
        return ANYWHERE
    org = membership.organization
    areas = frozenset(descendant_ids([org.area_id])) if org.area_id is not None else None
    if org.kind == "partner_agency":
        return WriteScope(areas, frozenset())
    if areas is None:
        return WriteScope(None, frozenset({org.id}))
    located = db.session.scalars(
        select(Organization.id).where(Organization.area_id.in_(areas), Organization.kind != "partner_agency")
    )
    return WriteScope(areas, frozenset({org.id, *located}))
