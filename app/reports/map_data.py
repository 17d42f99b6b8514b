"""The dispute map's figures: how many cases, hazards and alerts lie in each area of the map,
and the cases of one area, always inside the reader's scope.

A map shows the areas one level below its *focus* (the district's towns and streets; a town's
villages when the reader zooms into it). Records sit in areas at any depth, so each is rolled
up to the area of the map it lies in through one recursive mapping (``map_cells``: every area
below the focus → the focus's child above it; the focus itself → itself), joined inside the
one GROUP BY statement of each layer. Nothing is counted in Python.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db, jiefen
from app.models.area import Area
from app.models.case import CASE_STATES, Case
from app.models.screening import Hazard
from app.models.warning import Alert
from app.reports.map_cells import Site
from app.reports.periods import Period
from app.reports.scope import ReportScope
from app.reports.sql import local_date

LAYERS = ("cases", "hazards", "alerts")
PAGE_SIZE = 20
# Areas shown on one map: a town has a few dozen villages; past this the list is cut.
MAX_AREAS = 500


@dataclass(frozen=True)
class Filters:
    """What the map is asked for: the layer coloured, a dispute type (cases and hazards;
    alerts carry no type), and the period."""

    layer: str
    dispute_type: str
    period: Period


@dataclass(frozen=True)
class MapArea:
    """An area of the map: one of the focus's children, or the focus itself."""

    id: int
    name: str
    level: str
    latitude: Optional[float]
    longitude: Optional[float]
    has_children: bool

    @property
    def site(self) -> Optional[Site]:
        """Its point on the map, when its coordinates are recorded."""
        if self.latitude is None or self.longitude is None:
            return None
        return Site(self.id, self.name, self.latitude, self.longitude)


def root_areas() -> list[Area]:
    """The areas at the top of the hierarchy (normally one district), oldest first."""
    return list(db.session.scalars(select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(20)))


def map_areas(focus: Area) -> list[MapArea]:
    """The areas the map of ``focus`` shows: its children (with whether each has areas
    below it, for zooming in), or ``focus`` itself when it has none. One statement."""
    child = aliased(Area)
    has_children = select(child.id).where(child.parent_id == Area.id).exists()
    rows = db.session.execute(
        select(Area.id, Area.name, Area.level, Area.latitude, Area.longitude, has_children)
        .where(Area.parent_id == focus.id).order_by(Area.code, Area.id).limit(MAX_AREAS)
    ).all()
    if not rows:
        rows = [(focus.id, focus.name, focus.level, focus.latitude, focus.longitude, False)]
    return [MapArea(r[0], r[1], r[2], _float(r[3]), _float(r[4]), bool(r[5])) for r in rows]


def _float(value) -> Optional[float]:
    return None if value is None else float(value)


def cell_mapping(focus_id: int):
    """A recursive CTE ``(area_id, cell_id)``: every area of the focus's subtree and the area
    of the map it belongs to (the focus's child above it; the focus itself for itself)."""
    anchor = select(Area.id.label("area_id"), Area.id.label("cell_id")).where(
        or_(Area.id == focus_id, Area.parent_id == focus_id))
    tree = anchor.cte("map_cells", recursive=True)
    below = aliased(Area)
    return tree.union_all(
        select(below.id, tree.c.cell_id).where(below.parent_id == tree.c.area_id, tree.c.area_id != focus_id))


def _case_filters(filters: Filters) -> list:
    clauses = [Case.created_at >= filters.period.start_utc, Case.created_at < filters.period.end_utc]
    if filters.dispute_type:
        clauses.append(Case.dispute_type == filters.dispute_type)
    return clauses


def _hazard_filters(filters: Filters) -> list:
    clauses = [Hazard.found_on >= filters.period.first, Hazard.found_on <= filters.period.last]
    if filters.dispute_type:
        clauses.append(Hazard.dispute_type == filters.dispute_type)
    return clauses


def _alert_filters(filters: Filters) -> list:
    # An alert belongs to a period when it was seen in it: raised before its end and seen
    # again (or first) after its start.
    return [Alert.first_seen_at < filters.period.end_utc, Alert.last_seen_at >= filters.period.start_utc]


def counts(scope: ReportScope, focus_id: int, filters: Filters, layer: str) -> dict:
    """``{cell id: count}`` of ``layer`` in the map of ``focus_id``, within ``scope``: one
    GROUP BY statement."""
    tree = cell_mapping(focus_id)
    if layer == "cases":
        table, area_col, where = Case, Case.area_id, [scope.case_clause(), *_case_filters(filters)]
    elif layer == "hazards":
        table, area_col = Hazard, Hazard.area_id
        where = [scope.records(Hazard.area_id, Hazard.organization_id), *_hazard_filters(filters)]
    elif layer == "alerts":
        table, area_col = Alert, Alert.area_id
        where = [scope.records(Alert.area_id, Alert.organization_id), *_alert_filters(filters)]
    else:
        raise ValueError(layer)
    stmt = (select(tree.c.cell_id, func.count()).select_from(table)
            .join(tree, area_col == tree.c.area_id).where(and_(*where)).group_by(tree.c.cell_id))
    return {cell: n for cell, n in db.session.execute(stmt)}


def all_counts(scope: ReportScope, focus_id: int, filters: Filters) -> dict:
    """``{layer: {cell id: count}}`` for every layer (one statement each)."""
    return {layer: counts(scope, focus_id, filters, layer) for layer in LAYERS}


@dataclass(frozen=True)
class CasePage:
    """One page of an area's cases."""

    rows: list
    total: int
    page: int
    pages: int


def area_cases(scope: ReportScope, area: Area, filters: Filters, page: int) -> CasePage:
    """The cases in ``area`` and below, within ``scope`` (already narrowed to the area) and
    the filters' type and period, newest first, ``PAGE_SIZE`` a page (pages count from 1)."""
    tree = select(Area.id.label("id")).where(Area.id == area.id).cte("map_subtree", recursive=True)
    below = aliased(Area)
    tree = tree.union_all(select(below.id).where(below.parent_id == tree.c.id))
    where = and_(scope.case_clause(), Case.area_id.in_(select(tree.c.id)), *_case_filters(filters))
    total = db.session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    placed = aliased(Area)
    rows = db.session.execute(
        select(Case.id, Case.case_no, Case.title, Case.dispute_type, Case.status, placed.name,
               local_date(Case.created_at))
        .outerjoin(placed, placed.id == Case.area_id).where(where)
        .order_by(Case.created_at.desc(), Case.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    dispatcher = jiefen().dispatcher
    return CasePage([
        {"id": r[0], "case_no": r[1], "title": r[2], "type": str(dispatcher.type_label(r[3])),
         "status": str(CASE_STATES.get(r[4], r[4])), "area": r[5] or "—", "registered": r[6]}
        for r in rows
    ], total, page, pages)


def source_statement() -> str:
    """Where the map's shapes come from, in the reader's language."""
    return gettext("Approximated from the areas' recorded coordinates; not an official boundary.")
