"""Demo data for the dispute map (民情地图): approximate points of Shanwei Chengqu's streets and
towns (around each one's government seat, to about a kilometre), so a new user of
``make run`` sees a map. The map's cells are drawn from these points (app/reports/map_cells.py)
and say that they are approximations, not official boundaries.
"""
from __future__ import annotations

from sqlalchemy import select

from app.demo import DISTRICT
from app.extensions import db
from app.models.area import Area

# name → (latitude, longitude), WGS 84 degrees; approximate.
DISTRICT_POINT = (22.786, 115.375)
TOWN_COORDINATES = {
    "香洲街道": (22.787, 115.368),
    "凤山街道": (22.776, 115.389),
    "新港街道": (22.770, 115.347),
    "马宫街道": (22.828, 115.270),
    "红草镇": (22.842, 115.405),
    "东涌镇": (22.800, 115.470),
    "捷胜镇": (22.715, 115.476),
}


def load_map_demo() -> int:
    """Record the demo district's and towns' points where none is recorded (an administrator's
    own coordinates are kept); returns how many areas were given one."""
    district = db.session.scalars(select(Area).where(Area.code == DISTRICT[0])).one_or_none()
    if district is None:
        return 0
    placed = 0
    towns = db.session.scalars(select(Area).where(Area.parent_id == district.id,
                                                  Area.name.in_(list(TOWN_COORDINATES))))
    for area, point in [(district, DISTRICT_POINT), *((t, TOWN_COORDINATES[t.name]) for t in towns)]:
        if area.latitude is None and area.longitude is None:
            area.latitude, area.longitude = point
            placed += 1
    db.session.commit()
    return placed
