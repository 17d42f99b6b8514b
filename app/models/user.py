"""The staff user: FAB's ``User`` with names written as people write them.

Mapped on FAB's ``ab_user`` table by single-table inheritance with no column of its own,
so the schema and the migrations do not change. The security manager loads signed-in
users, the users admin pages and ``find_user`` as this class (``user_model``), so FAB's
navbar (``get_full_name()``) and anything printing a user (``__repr__``: select options,
list cells) shows 许晓东, not "晓东 许".
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User

from app.names import person_name


class StaffUser(User):
    """A user whose full name follows ``app.names.person_name``."""

    def get_full_name(self) -> str:
        """Surname first without a space for Chinese names, "First Last" otherwise."""
        return person_name(self)

    def __repr__(self) -> str:
        return self.get_full_name()
