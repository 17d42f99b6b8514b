"""Whose figures a reader sees.

- administrators, ``Leadership`` and the court's own bodies: the whole district;
- a centre (or committee, workstation, company) with an area: the cases it may see
  (:func:`app.services.scope.visible_cases`: its area and the areas below, and its own
  cases), and the hazards, alerts and meetings of those areas or of itself;
- a partner agency: only its own referral figures (``partner``);
- anyone else: the cases they may see, and no area-wide records.

A narrower ``area`` the reader asks for is intersected with this, never widened; an area
outside the scope is answered as if it did not exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext
from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql import ColumnElement

from app.extensions import db
from app.models.area import Area
from app.models.case import Case
from app.models.membership import Membership
from app.services.areas import descendant_ids
from app.services.scope import visible_cases

DISTRICT_ROLES = frozenset({"Admin", "Leadership"})


@dataclass(frozen=True)
class ReportScope:
    """What one reader's reports cover.

    ``kind`` is ``district``, ``centre``, ``partner`` or ``own``. ``area_ids`` is ``None`` for
    every area; ``organization_id`` is the reader's body (centre or partner).
    """

    kind: str
    cases: Optional[ColumnElement]  # WHERE clause on cases; None: all
    area_ids: Optional[frozenset]
    organization_id: Optional[int]
    label: str

    @property
    def is_district(self) -> bool:
        """True when the reader sees the whole district."""
        return self.kind == "district"

    def case_clause(self) -> ColumnElement:
        """The cases in scope, as a WHERE clause (``true`` for the district)."""
        return true() if self.cases is None else self.cases

    def records(self, area_column, org_column=None) -> ColumnElement:
        """A WHERE clause for area-wide records (hazards, alerts, meetings): those located in
        the scope's areas or belonging to the reader's body."""
        if self.area_ids is None and self.kind == "district":
            return true()
        clauses = []
        if self.area_ids:
            clauses.append(area_column.in_(sorted(self.area_ids)))
        if org_column is not None and self.organization_id is not None and self.kind == "centre":
            clauses.append(org_column == self.organization_id)
        return or_(*clauses) if clauses else false()

    def narrowed(self, area: Optional[Area]) -> "ReportScope":
        """This scope limited to ``area`` and below; ``None`` keeps it. Raises ``LookupError``
        when the area is outside the scope (answer it like an unknown area)."""
        if area is None:
            return self
        below = frozenset(descendant_ids([area.id]))
        if self.area_ids is not None and area.id not in self.area_ids:
            raise LookupError(area.id)
        if self.kind not in ("district", "centre"):
            raise LookupError(area.id)
        cases = Case.area_id.in_(sorted(below))
        if self.cases is not None:
            cases = and_(self.cases, cases)
        return ReportScope(self.kind, cases, below, None, area.name)


def report_scope(user) -> ReportScope:
    """The scope of ``user``'s reports (see the module docstring)."""
    if user is None or getattr(user, "id", None) is None:
        return ReportScope("own", false(), frozenset(), None, "")
    roles = {r.name for r in getattr(user, "roles", [])}
    if roles & DISTRICT_ROLES:
        return ReportScope("district", None, None, None, gettext("The whole district"))
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    org = membership.organization if membership else None
    if org is not None and org.is_court:
        return ReportScope("district", None, None, None, gettext("The whole district"))
    if org is not None and org.kind == "partner_agency":
        return ReportScope("partner", false(), frozenset(), org.id, org.name)
    clause = visible_cases(user)
    # A pool mediator's login belongs to a committee, but a mediator reads only their own cases.
    if org is not None and not (roles and roles <= {"Mediator"}):
        areas = frozenset(descendant_ids([org.area_id])) if org.area_id else frozenset()
        return ReportScope("centre", clause, areas, org.id, org.name)
    return ReportScope("own", clause, frozenset(), None, gettext("My cases"))
