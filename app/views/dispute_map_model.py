"""What the dispute map page, its GeoJSON and its case lists are built from: the request's
filters, the map's focus within the reader's scope, the shapes and the figures per area.

Routes are in :mod:`app.views.dispute_map`; shapes in :mod:`app.reports.map_cells`; SQL in
:mod:`app.reports.map_data`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask import request
from flask_babel import gettext, lazy_gettext as _l

from app.extensions import db, jiefen
from app.models.area import Area
from app.models.organization import Organization
from app.reports.map_cells import cells_for, feature_collection
from app.reports.map_data import LAYERS, Filters, MapArea, all_counts, map_areas, root_areas, source_statement
from app.reports.periods import PeriodError, parse_period, parse_range, year_period
from app.reports.scope import ReportScope
from app.services.areas import ancestors
from app.services.clock import today
from app.views.keys import is_valid_pk

LAYER_LABELS = {"cases": _l("Cases"), "hazards": _l("Hazards"), "alerts": _l("Alerts")}
# One colour scale per layer, light to dark, in the status colours' families
# (blue: cases in progress; orange: hazards to watch; red: alerts).
LAYER_COLOURS = {
    "cases": ["#e6f0fa", "#1d6fb8", "#0b3d6e"],
    "hazards": ["#fdf0e0", "#f0932b", "#a0520a"],
    "alerts": ["#fbe7e6", "#d9534f", "#8b1c19"],
}
MAP_SCOPES = ("district", "centre")


class NotInScope(LookupError):
    """An area the reader may not see, or that does not exist: answered 404 alike."""


@dataclass
class Request:
    """The filters as typed (kept to show them again) and as understood."""

    layer: str = "cases"
    dispute_type: str = ""
    period_text: str = ""
    first_text: str = ""
    last_text: str = ""
    filters: Optional[Filters] = None
    error: str = ""

    def query(self, **changes) -> dict:
        """The query string of these filters, with ``changes`` (empty values left out)."""
        values = {"layer": self.layer, "type": self.dispute_type, "period": self.period_text,
                  "from": self.first_text, "to": self.last_text}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def read_request(args=None) -> Request:
    """The map's filters from the query string: layer, type, and a period (``period`` as a
    month, quarter or year, or ``from``/``to``; this year when none is given). A period that
    cannot be read leaves ``filters`` empty and says why in ``error``."""
    args = request.args if args is None else args
    layer = args.get("layer", "cases")
    dispute_type = args.get("type", "")[:32]
    wanted = Request(
        layer=layer if layer in LAYERS else "cases",
        dispute_type=dispute_type if dispute_type in jiefen().registry.dispute_types else "",
        period_text=args.get("period", "").strip()[:20],
        first_text=args.get("from", "").strip()[:10],
        last_text=args.get("to", "").strip()[:10],
    )
    day = today()
    try:
        if wanted.first_text or wanted.last_text:
            period = parse_range(wanted.first_text or None, wanted.last_text or None, day)
        elif wanted.period_text:
            period = parse_period(wanted.period_text, day)
        else:
            period = year_period(day.year)
    except PeriodError as exc:
        wanted.error = str(exc)
        return wanted
    wanted.filters = Filters(wanted.layer, wanted.dispute_type, period)
    return wanted


def scope_root(scope: ReportScope) -> Optional[Area]:
    """The area at the top of the reader's map: the centre's own area, or the district."""
    if scope.kind == "centre":
        org = db.session.get(Organization, scope.organization_id)
        return org.area if org is not None else None
    roots = root_areas()
    return roots[0] if roots else None


def area_in_scope(scope: ReportScope, raw) -> Area:
    """The area ``raw`` names, if the reader may see it; :class:`NotInScope` otherwise."""
    area = db.session.get(Area, int(raw)) if is_valid_pk(raw) else None
    if area is None:
        raise NotInScope(raw)
    try:
        scope.narrowed(area)
    except LookupError:
        raise NotInScope(raw) from None
    return area


def focus_of(scope: ReportScope, raw) -> Optional[Area]:
    """The area whose parts the map shows: ``raw`` when given (and in scope), else the top of
    the reader's map."""
    if raw:
        return area_in_scope(scope, raw)
    return scope_root(scope)


def trail(scope: ReportScope, focus: Area) -> list[Area]:
    """The areas from the top of the reader's map down to ``focus`` (for the breadcrumb)."""
    top = scope_root(scope)
    chain = [focus]
    for node in ancestors(focus):
        if top is not None and chain[-1].id == top.id:
            break
        chain.append(node)
    return list(reversed(chain))


@dataclass
class Row:
    """One line of the figures table."""

    area: MapArea
    counts: dict
    placed: bool
    note: str = ""


@dataclass
class MapModel:
    """Everything one map shows."""

    focus: Area
    areas: list
    rows: list
    geojson: dict
    unplaced: list
    focus_counts: dict
    totals: dict
    max_value: int
    values: dict = field(default_factory=dict)


def build_map(scope: ReportScope, focus: Area, filters: Optional[Filters]) -> MapModel:
    """Shapes, figures and the unplaced areas of the map of ``focus``; figures only when the
    filters were understood."""
    areas = map_areas(focus)
    cells = cells_for([a.site for a in areas if a.site is not None])
    source = source_statement()
    features, unplaced = [], []
    by_id = {a.id: a for a in areas}
    for area in areas:
        shape = cells.shapes.get(area.id)
        if shape is None:
            if area.site is None:
                reason = gettext("No coordinates recorded")
            else:
                other = by_id.get(cells.shared.get(area.id))
                reason = gettext("Same coordinates as %(area)s", area=other.name if other else "—")
            unplaced.append({"id": area.id, "name": area.name, "reason": reason})
            continue
        features.append({
            "type": "Feature", "id": area.id, "geometry": shape,
            "properties": {"key": str(area.id), "id": area.id, "name": area.name, "level": area.level,
                           "approximate": True, "source": source},
        })
    geojson = feature_collection(features, source, {
        "focus": {"id": focus.id, "name": focus.name},
        "unplaced": unplaced,
    })
    counted = all_counts(scope, focus.id, filters) if filters is not None else {k: {} for k in LAYERS}
    shown = {a.id for a in areas}
    rows = [Row(a, {k: counted[k].get(a.id, 0) for k in LAYERS}, a.id in cells.shapes,
                next((u["reason"] for u in unplaced if u["id"] == a.id), "")) for a in areas]
    # Records placed at the focus itself (not in any smaller area) have a line of their own.
    focus_counts = {k: (counted[k].get(focus.id, 0) if focus.id not in shown else 0) for k in LAYERS}
    totals = {k: sum(counted[k].values()) for k in LAYERS}
    layer = filters.layer if filters is not None else "cases"
    values = {str(r.area.id): r.counts[layer] for r in rows if r.placed}
    return MapModel(focus, areas, rows, geojson, unplaced, focus_counts, totals,
                    max([1, *values.values()]), values)
