"""The holiday calendar an administrator enters from the State Council's yearly notice."""
from flask_appbuilder import Model
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from app.models.types import utcnow

HOLIDAY = "holiday"
MAKE_UP_WORKDAY = "workday"
HOLIDAY_KINDS = (HOLIDAY, MAKE_UP_WORKDAY)


class HolidayDay(Model):
    """One day of the notice: a statutory day off, or a weekend day worked in exchange (调休).

    The days of a year that has rows here replace the ``chinese_calendar`` package's for
    that year (app/services/holidays.py); every other day of it is a working day from Monday
    to Friday.
    """

    __tablename__ = "holiday_day"

    id = Column(Integer, primary_key=True)
    day = Column(Date, nullable=False, unique=True)
    kind = Column(String(20), nullable=False)  # HOLIDAY_KINDS
    name = Column(String(50), nullable=False, default="")  # e.g. 春节
    source = Column(Text, nullable=False, default="")  # the notice, e.g. 国办发明电〔2026〕…号
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    created_by_fk = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_fk])

    def __repr__(self):
        return f"{self.day} {self.kind}"
