"""The staff user: FAB's ``User`` with names written as people write them.

Mapped on FAB's ``ab_user`` table by single-table inheritance (one added column, below).
The security manager loads signed-in
users, the users admin pages and ``find_user`` as this class (``user_model``), so FAB's
navbar (``get_full_name()``) and anything printing a user (``__repr__``: select options,
list cells) shows 许晓东, not "晓东 许".

The one column Jiefen adds to ``ab_user`` is ``session_epoch`` (migration 0011): a counter
raised whenever every session and token of the user must end (logout, a new password, a
change of roles, deactivation; ``app/session_guard.py``). Sessions and JWTs carry the value
they were issued under and are refused once it has moved on.
"""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, Integer

from app.names import person_name


class StaffUser(User):
    """A user whose full name follows ``app.names.person_name``."""

    # Read with the user row that every signed-in request loads anyway: no extra query.
    session_epoch = Column(Integer, nullable=False, default=0, server_default="0")

    def get_full_name(self) -> str:
        """Surname first without a space for Chinese names, "First Last" otherwise."""
        return person_name(self)

    def __repr__(self) -> str:
        return self.get_full_name()
