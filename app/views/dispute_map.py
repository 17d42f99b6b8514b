"""民情地图, the dispute map: cases, hazards and alerts per area of the district (or of a
centre's area) as a choropleth drawn offline by the vendored ECharts, a table of the same
figures, and the cases of an area the reader clicks.

- ``GET /map/``: the page (filters: ``layer``, ``type``, ``period`` or ``from``/``to``,
  ``area`` to zoom into an area, ``cases_of``/``page`` for the case list without script);
- ``GET /map/areas.geojson``: the shapes of the map's areas (``area`` as above);
- ``GET /map/area/<id>/cases``: one page of an area's cases as JSON, same filters.

Who: the district's readers (administrators, leadership, the court's judges and staff) see the
whole district; a centre's clerk sees its own area and below. An area outside the reader's
scope answers 404 exactly like an area that does not exist. Readers with no area (partners,
pool mediators, staff attached to no organisation) get no map.
"""
from __future__ import annotations

import json
import math

from flask import Response, abort, g, jsonify, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.extensions import jiefen
from app.reports.map_data import area_cases
from app.reports.scope import report_scope
from app.views.dispute_map_model import (
    LAYER_COLOURS,
    LAYER_LABELS,
    MAP_SCOPES,
    NotInScope,
    area_in_scope,
    build_map,
    focus_of,
    read_request,
    trail,
)

PERMISSION = "DisputeMap"
MENU_NAME = "Dispute map"


def _page_number(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1


def _not_found_json():
    return jsonify(message=gettext("There is no such area.")), 404


class DisputeMapView(BaseView):
    """The map page, its GeoJSON and an area's cases, all inside the reader's scope."""

    route_base = "/map"
    default_view = "index"
    class_permission_name = PERMISSION
    method_permission_name = {"index": "read", "geojson": "read", "area_cases": "read"}

    def _scope(self):
        scope = report_scope(g.user)
        if scope.kind not in MAP_SCOPES:
            abort(403)
        return scope

    @expose("/")
    @has_access
    def index(self):
        """The map, its filters, the table of figures and, when asked, an area's cases."""
        scope = self._scope()
        wanted = read_request()
        try:
            focus = focus_of(scope, request.args.get("area", ""))
        except NotInScope:
            abort(404)
        if focus is None:
            return self.render_template("jiefen/dispute_map.html", wanted=wanted, model=None, focus=None,
                                        trail=[], types=self._types(), layers=LAYER_LABELS, selected=None,
                                        data=None)
        model = build_map(scope, focus, wanted.filters)
        selected = None
        raw = request.args.get("cases_of", "")
        if raw and wanted.filters is not None:
            try:
                area = area_in_scope(scope, raw)
            except NotInScope:
                abort(404)
            page = area_cases(scope.narrowed(area), area, wanted.filters, _page_number(request.args.get("page", "1")))
            selected = {"area": area, "page": page,
                        "list_url": url_for("CaseModelView.list", area=area.id, type=wanted.dispute_type or None)}
        data = self._data(model, wanted) if wanted.filters is not None else None
        status = 400 if wanted.error else 200
        return self.render_template("jiefen/dispute_map.html", wanted=wanted, model=model, focus=focus,
                                    trail=trail(scope, focus), types=self._types(), layers=LAYER_LABELS,
                                    selected=selected, data=data, scope_label=scope.label), status

    @expose("/areas.geojson")
    @has_access
    def geojson(self):
        """The shapes of the map's areas, with where they come from (GeoJSON)."""
        scope = self._scope()
        try:
            focus = focus_of(scope, request.args.get("area", ""))
        except NotInScope:
            return _not_found_json()
        if focus is None:
            return _not_found_json()
        body = build_map(scope, focus, None).geojson
        return Response(json.dumps(body, ensure_ascii=False), mimetype="application/geo+json")

    @expose("/area/<int:area_id>/cases")
    @has_access
    def area_cases(self, area_id):
        """One page of the cases of an area and the areas below it, within the reader's
        scope and the map's filters (JSON)."""
        scope = self._scope()
        try:
            area = area_in_scope(scope, str(area_id))
        except NotInScope:
            return _not_found_json()
        wanted = read_request()
        if wanted.filters is None:
            return jsonify(message=wanted.error), 400
        page = area_cases(scope.narrowed(area), area, wanted.filters, _page_number(request.args.get("page", "1")))
        for row in page.rows:
            row["url"] = url_for("CaseModelView.show", pk=row["id"])
        return jsonify(area={"id": area.id, "name": area.name}, total=page.total, page=page.page,
                       pages=page.pages, rows=page.rows,
                       list_url=url_for("CaseModelView.list", area=area.id, type=wanted.dispute_type or None))

    @staticmethod
    def _types() -> list:
        registry = jiefen().registry
        return sorted(((code, str(t.label)) for code, t in registry.dispute_types.items()), key=lambda x: x[1])

    @staticmethod
    def _data(model, wanted) -> dict:
        """What the page's script reads (a JSON data block: the CSP allows no inline code)."""
        layer = wanted.filters.layer
        latitudes = [a.latitude for a in model.areas if a.latitude is not None]
        return {
            "mapName": f"jiefen-area-{model.focus.id}",
            "geojson": model.geojson,
            "values": model.values,
            "names": {str(a.id): a.name for a in model.areas},
            "max": model.max_value,
            # ECharts draws degrees of longitude and latitude alike, squeezed by this factor:
            # the cosine of the map's latitude keeps the cells' true proportions.
            "aspectScale": round(math.cos(math.radians(sum(latitudes) / len(latitudes))), 4) if latitudes else 0.75,
            "colours": LAYER_COLOURS[layer],
            "casesUrl": url_for("DisputeMapView.area_cases", area_id=0).replace("/0/", "/{id}/"),
            "query": wanted.query(),
            "text": {
                "layer": str(LAYER_LABELS[layer]),
                "high": gettext("Higher count"),
                "low": gettext("Lower count"),
                "casesOf": gettext("Cases in %(area)s"),
                "total": gettext("%(count)d cases in all"),
                "none": gettext("No cases in this area for these filters."),
                "previous": gettext("Previous page"),
                "next": gettext("Next page"),
                "pageOf": gettext("Page %(n)d of %(total)d"),
                "fullList": gettext("Open in the case list"),
                "failed": gettext("The cases could not be loaded; reload the page."),
                "columns": [gettext("Case number"), gettext("Title"), gettext("Dispute type"), gettext("Status"),
                            gettext("Area"), gettext("Registered on")],
            },
        }


def register_dispute_map_views(appbuilder) -> None:
    """Add the dispute map under Statistics."""
    appbuilder.add_view(DisputeMapView, MENU_NAME, label=_l("Dispute map"), icon="fa-map",
                        category="Statistics", category_label=_l("Statistics"), category_icon="fa-bar-chart")

