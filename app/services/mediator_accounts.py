"""A pool mediator's login: create one from the pool record, or link an existing user.

A mediator answers offers and works their cases only through a login, so the pool page (and
the API) is where a mediator becomes a user. One user is at most one pool record and a pool
record has at most one user (``mediator.user_id`` is unique). The link is an update of the
audited ``mediator`` row, and a new login's Staff membership an insert into the audited
``membership`` table, so both reach the audit log in the same transaction as the change.
"""
from __future__ import annotations

import re
from typing import Optional

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.mediator import Mediator
from app.models.membership import Membership

MEDIATOR_ROLE = "Mediator"
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
# Two-character surnames that a name split must keep whole (the common ones).
COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "南宫", "西门", "独孤",
)


class LoginProblem(Exception):
    """The login cannot be created or linked; ``message`` says why, in the user's language."""

    def __init__(self, message: str, field: str = "username"):
        super().__init__(message)
        self.message, self.field = message, field


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name, e.g. 许晓东 → (许, 晓东); 欧阳娜娜 → (欧阳, 娜娜)."""
    name = (name or "").strip()
    if " " in name:  # a name written in Latin letters: "Given Family"
        given, _, family = name.rpartition(" ")
        return family, given
    size = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:size], name[size:] or name[:size]


def _check_free(mediator: Mediator) -> None:
    if mediator.user_id is not None:
        raise LoginProblem(gettext("%(name)s already has a login: %(username)s.",
                                   name=mediator.name, username=mediator.user.username))
    if mediator.status == "removed":
        raise LoginProblem(gettext("%(name)s has been removed from the pool and cannot be given a login.",
                                   name=mediator.name))


def _mediator_role(sm):
    role = sm.find_role(MEDIATOR_ROLE)
    if role is None:  # the role matrix is applied by `jiefen setup`
        raise LoginProblem(gettext("The Mediator role does not exist yet: run the setup command first."))
    return role


def create_login(mediator: Mediator, username: str, actor=None, last_name: Optional[str] = None,
                 first_name: Optional[str] = None, email: Optional[str] = None):
    """Create a user for ``mediator`` with role Mediator, a Staff membership in the pool
    record's affiliation and a one-time password; return ``(user, password)``.

    Nothing is stored when a check fails (:class:`LoginProblem`).
    """
    from app.cli import generate_password

    sm = current_app.appbuilder.sm
    _check_free(mediator)
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise LoginProblem(gettext(
            "A username is 3 to 64 letters, digits, dots, hyphens or underscores, starting with a letter or digit."))
    if sm.find_user(username=username) is not None:
        raise LoginProblem(gettext("The username %(username)s is taken.", username=username))
    surname, given = split_name(mediator.name)
    last_name = (last_name or "").strip() or surname
    first_name = (first_name or "").strip() or given
    email = (email or "").strip() or f"{username}@mediators.invalid"
    if sm.find_user(email=email) is not None:
        raise LoginProblem(gettext("The e-mail address %(email)s belongs to another user.", email=email), "email")
    role, password = _mediator_role(sm), generate_password()
    try:
        # FAB's own user creation (hashing, signals), committed here with the link below.
        user = sm.add_user(username=username, first_name=first_name, last_name=last_name, email=email,
                           role=role, password=password, commit=False)
        if not user:  # FAB logged why and rolled back
            raise LoginProblem(gettext("The login could not be created; nothing was stored. Try again."))
        user.created_by_fk = user.changed_by_fk = getattr(actor, "id", None)
    except IntegrityError:
        db.session.rollback()
        raise LoginProblem(gettext("Someone else has just given this mediator or this username a login; reload the page."))
    _link(mediator, user, join_affiliation=True)
    return user, password


def link_login(mediator: Mediator, username: str, actor=None):
    """Link ``mediator`` to the existing user ``username`` and give that user the Mediator role.

    The user keeps their organisation and other roles: a clerk who also mediates stays a
    clerk; a user with no organisation joins the pool record's affiliation. Refused when the user is already another pool record's login.
    """
    sm = current_app.appbuilder.sm
    _check_free(mediator)
    user = sm.find_user(username=(username or "").strip())
    if user is None:
        raise LoginProblem(gettext("There is no user %(username)s.", username=(username or "").strip()))
    other = db.session.scalars(select(Mediator).where(Mediator.user_id == user.id)).first()
    if other is not None:
        raise LoginProblem(gettext("%(username)s is already the login of %(name)s in the pool.",
                                   username=user.username, name=other.name))
    role = _mediator_role(sm)
    if not any(r.name in (MEDIATOR_ROLE, sm.auth_role_admin) for r in user.roles):
        user.roles = list(user.roles) + [role]
    has_membership = db.session.scalar(select(Membership.id).where(Membership.user_id == user.id))
    _link(mediator, user, join_affiliation=has_membership is None)
    return user


def _link(mediator: Mediator, user, join_affiliation: bool) -> None:
    """Set the pool record's login (and the user's Staff membership in the affiliation) and
    commit with whatever the caller changed; a race lost to another link is a LoginProblem."""
    try:
        if join_affiliation and mediator.organization_id is not None:
            db.session.add(Membership(user_id=user.id, organization_id=mediator.organization_id,
                                      title=gettext("Mediator")))
        mediator.user_id = user.id
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise LoginProblem(gettext("Someone else has just given this mediator or this username a login; reload the page."))

