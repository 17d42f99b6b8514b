"""Spotting a dispute registered twice: the same person in another open case."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.lifecycle.machine import TERMINAL
from app.models.case import Case
from app.models.party import Party
from app.services.scope import request_scope


def find_duplicates(parties: list[dict]) -> tuple[list[Case], int]:
    """Open cases naming one of ``parties`` (same ID number, or same name and mobile).

    Returns the matches the current user may see, and how many others exist that they may
    not see (counted, never shown: a clerk learns to ask, not what the other case is).
    """
    matchers = []
    for p in parties:
        number = (p.get("id_number") or "").strip()
        if number:
            matchers.append(Party.id_number == number)
        name, mobile = (p.get("name") or "").strip(), (p.get("mobile") or "").strip()
        if name and mobile:
            matchers.append(and_(Party.name == name, Party.mobile == mobile))
    if not matchers:
        return [], 0
    base = (
        select(Case.id)
        .join(Party, Party.case_id == Case.id)
        .where(or_(*matchers), Case.status.not_in(TERMINAL))
        .distinct()
    )
    scope = request_scope()
    visible_q = select(Case).where(Case.id.in_(base if scope is None else base.where(scope))).order_by(Case.created_at.desc())
    visible = list(db.session.scalars(visible_q.limit(20)))
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    return visible, max(0, total - len(visible))
