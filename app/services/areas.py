"""The area hierarchy: district → town/street → village/community → grid."""
from __future__ import annotations

from typing import Iterable, Optional

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.models.area import AREA_LEVELS, Area

LEVEL_ORDER = list(AREA_LEVELS)  # district, town, village, grid


def descendant_ids(area_ids: Iterable[int], include_self: bool = True) -> set[int]:
    """Every area below the given ones, found with one recursive query."""
    ids = [i for i in area_ids if i is not None]
    if not ids:
        return set()
    tree = select(Area.id).where(Area.id.in_(ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(Area.id).where(Area.parent_id == tree.c.id))
    found = set(db.session.scalars(select(tree.c.id)))
    return found if include_self else found - set(ids)


def ancestors(area: Optional[Area]) -> list[Area]:
    """The chain above ``area``, nearest first (the district last)."""
    chain, seen = [], set()
    node = area.parent if area else None
    while node is not None and node.id not in seen:
        seen.add(node.id)
        chain.append(node)
        node = node.parent
    return chain


def ancestor_at_level(area: Optional[Area], level: str) -> Optional[Area]:
    """``area`` itself or the first ancestor at ``level`` (e.g. the town of a village)."""
    for node in [area, *ancestors(area)] if area else []:
        if node.level == level:
            return node
    return None


def path_label(area: Optional[Area]) -> str:
    """``汕尾市城区 / 香洲街道 / …`` from the top down."""
    if area is None:
        return ""
    return " / ".join(a.name for a in reversed([area, *ancestors(area)]))


def check_placement(area: Area) -> None:
    """A child sits one level or more below its parent, never under itself.

    Raises ``ValueError`` with a sentence for the administrator.
    """
    if area.level not in LEVEL_ORDER:
        raise ValueError(gettext("Choose a level."))
    parent = area.parent
    if parent is None:
        if area.level != "district":
            raise ValueError(gettext("Only a district has no parent area."))
        return
    if LEVEL_ORDER.index(parent.level) >= LEVEL_ORDER.index(area.level):
        raise ValueError(
            gettext(
                "A %(level)s cannot be placed under a %(parent)s.",
                level=AREA_LEVELS[area.level],
                parent=AREA_LEVELS[parent.level],
            )
        )
    if area.id is not None and (parent.id == area.id or parent.id in descendant_ids([area.id])):
        raise ValueError(gettext("An area cannot be placed under itself or one of its own areas."))


def references(area_id: int) -> dict[str, int]:
    """What still points at an area: children, cases, organisations, mediators."""
    from sqlalchemy import func

    from app.models.case import Case
    from app.models.mediator import mediator_area
    from app.models.organization import Organization

    def count(stmt):
        return db.session.scalar(select(func.count()).select_from(stmt.subquery()))

    return {
        "children": count(select(Area.id).where(Area.parent_id == area_id)),
        "cases": count(select(Case.id).where(Case.area_id == area_id)),
        "organisations": count(select(Organization.id).where(Organization.area_id == area_id)),
        "mediators": count(select(mediator_area.c.mediator_id).where(mediator_area.c.area_id == area_id)),
    }
