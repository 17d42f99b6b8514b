"""The dispute map's shapes: one cell per area, approximated from the areas' recorded
coordinates, because no open data set with the boundaries of Chinese towns and villages can
be shipped with the application (the registries hold county outlines at best).

Each area with a latitude and longitude gets the Voronoi cell of its point (the places nearer
to it than to any sibling's point), clipped to a hull drawn around all the points: the cells
tile the hull without overlapping and each contains its own point. The result says so in
every feature's properties; it is not an official boundary.

The cells are computed in a local plane (longitude scaled by the cosine of the mean
latitude), so a cell is not stretched east–west, and cached per set of areas: the cache key
is the areas themselves (ids, names and coordinates), so editing an area's coordinates, or
adding one, gives a new key and a new map, and a court with other areas gets its own.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import median
from typing import Iterable, Optional


# The hull reaches this share of the typical distance between neighbouring points beyond the
# outermost points, so an outer area's point is not on the map's edge.
MARGIN_SHARE = 0.6
# Bounds of that margin, in degrees of latitude (0.004° ≈ 450 m, 0.05° ≈ 5.5 km): a lone
# area, or two areas far apart, still get a cell of a readable size.
MIN_MARGIN, MAX_MARGIN, LONE_RADIUS = 0.004, 0.05, 0.02
DECIMALS = 6  # about 0.1 m: what Area stores


@dataclass(frozen=True)
class Site:
    """An area placed on the map by its recorded point."""

    id: int
    name: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Cells:
    """The approximated cells of a set of sites.

    ``shapes`` maps a site id to its GeoJSON geometry (a dict); ``shared`` maps the id of a
    site left without a cell, because another site of the set has the same point, to the id
    of that site.
    """

    shapes: dict
    shared: dict


def sites_key(sites: Iterable[Site]) -> tuple:
    """A hashable key of the sites, in a fixed order (the cache key)."""
    return tuple(sorted(sites, key=lambda s: s.id))


def cells_for(sites: Iterable[Site]) -> Cells:
    """The cells of ``sites``, from the cache when the same sites were seen before."""
    return _cells(sites_key(sites))


@lru_cache(maxsize=64)
def _cells(sites: tuple) -> Cells:
    unique: dict = {}
    shared: dict = {}
    for site in sites:
        point = (round(site.longitude, DECIMALS), round(site.latitude, DECIMALS))
        if point in unique:
            shared[site.id] = unique[point].id
        else:
            unique[point] = site
    placed = list(unique.values())
    if not placed:
        return Cells({}, shared)
    scale = math.cos(math.radians(sum(s.latitude for s in placed) / len(placed)))
    # shapely (and numpy under it) loads with the first map drawn, not with every worker
    import shapely
    from shapely.geometry import MultiPoint, Point

    points = [Point(s.longitude * scale, s.latitude) for s in placed]
    hull = _hull(points)
    shapes = {}
    if len(points) == 1:
        shapes[placed[0].id] = hull
    else:
        regions = shapely.voronoi_polygons(MultiPoint(points), extend_to=hull.envelope.buffer(1.0)).geoms
        for site, point in zip(placed, points):
            region = next(r for r in regions if r.covers(point))
            shapes[site.id] = region.intersection(hull)
    return Cells({sid: _geojson(shapely.transform(shape, lambda xy: xy / (scale, 1.0)))
                  for sid, shape in shapes.items()}, shared)


def _hull(points: list):
    """The convex hull of the points, widened by a margin proportional to their spacing."""
    from shapely.geometry import MultiPoint

    if len(points) == 1:
        return points[0].buffer(LONE_RADIUS)
    nearest = [min(p.distance(q) for q in points if q is not p) for p in points]
    margin = min(max(MARGIN_SHARE * median(nearest), MIN_MARGIN), MAX_MARGIN)
    return MultiPoint(points).convex_hull.buffer(margin)


def _geojson(shape) -> dict:
    """A Polygon or MultiPolygon as GeoJSON, exterior rings counter-clockwise (RFC 7946),
    coordinates rounded to what the database stores."""
    from shapely.geometry import mapping
    from shapely.geometry.polygon import orient

    if shape.geom_type == "Polygon":
        shape = orient(shape, 1.0)
    elif shape.geom_type == "MultiPolygon":
        shape = type(shape)([orient(p, 1.0) for p in shape.geoms])
    else:  # the intersection of a region with the hull is never anything else
        raise ValueError(shape.geom_type)
    geometry = mapping(shape)
    return {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}


def _rounded(value):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
        return [round(v, DECIMALS) for v in value]
    return [_rounded(v) for v in value]


def feature_collection(features: list, source: str, extra: Optional[dict] = None) -> dict:
    """A GeoJSON FeatureCollection with the statement of where its shapes come from."""
    collection = {"type": "FeatureCollection", "features": features, "properties": {"source": source}}
    if extra:
        collection["properties"].update(extra)
    return collection
