"""Administrative areas: district → town/street → village/community → grid."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import relationship

AREA_LEVELS = {
    "district": _l("District"),
    "town": _l("Town / street"),
    "village": _l("Village / community"),
    "grid": _l("Grid"),
}


class Area(Model):
    """A node of the area hierarchy a case, centre or mediator belongs to."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint(
            "level IN ('district', 'town', 'village', 'grid')", name="ck_area_level"
        ),
    )

    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("area.id", ondelete="RESTRICT"), index=True)
    level = Column(String(16), nullable=False)
    name = Column(String(100), nullable=False)
    # Statistical division code (e.g. 441502 for Shanwei Chengqu); unique when known.
    code = Column(String(20), unique=True)
    latitude = Column(Numeric(9, 6))
    longitude = Column(Numeric(9, 6))

    parent = relationship("Area", remote_side=[id], backref="children")

    @property
    def level_label(self):
        """The level in the reader's language."""
        return AREA_LEVELS.get(self.level, self.level)

    def __repr__(self):
        return self.name
