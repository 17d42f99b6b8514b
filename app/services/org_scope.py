"""Which organisations' duty rosters, teams, guidance log and mediator pool a user may act for.

The rule is the one that places cases (:func:`app.services.scope.write_scope`), so a clerk
keeps exactly the bodies they may hand a case to:

- administrators, the court's own bodies and users tied to no organisation: every body;
- a centre, workstation, committee or company: itself and the bodies located in its area and
  the areas below (a street centre keeps its street's committee and its villages' stations,
  never another town's centre);
- a partner agency: none.

Rows belong to a body through their own column (a shift's or guidance entry's centre, a
team's or mediator's organisation) or through their parent's (a team member through the team,
a training record through the mediator). A row of no body is the court's: only users who act
for every body see it.
"""
from __future__ import annotations

from typing import Optional

from flask import g, has_request_context
from sqlalchemy import false
from sqlalchemy.sql import ColumnElement

from app.services.scope import current_user_obj, write_scope

EVERY_BODY = None  # no restriction


def acting_organizations(user) -> Optional[frozenset]:
    """Ids of the organisations ``user`` acts for, or ``None`` for every one."""
    return write_scope(user).organizations


def request_organizations() -> Optional[frozenset]:
    """:func:`acting_organizations` of the signed-in user, computed once per request."""
    if not has_request_context():
        return acting_organizations(current_user_obj())
    if "_jiefen_org_scope" not in g:
        g._jiefen_org_scope = (acting_organizations(current_user_obj()),)
    return g._jiefen_org_scope[0]


def scoped(column) -> Optional[ColumnElement]:
    """A WHERE clause keeping rows whose ``column`` names a body the user acts for, or
    ``None`` when the user acts for every body."""
    ids = request_organizations()
    if ids is EVERY_BODY:
        return None
    return column.in_(sorted(ids)) if ids else false()


def may_act_for(org_id) -> bool:
    """True when the signed-in user acts for ``org_id`` (``None``: the court's, see above)."""
    ids = request_organizations()
    return ids is EVERY_BODY or (org_id is not None and org_id in ids)
