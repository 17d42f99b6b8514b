"""The password policy: at least ten characters, not a common password, not the username.

FAB calls :func:`check_password` (``FAB_PASSWORD_COMPLEXITY_VALIDATOR``) wherever a person
types a new password: the administrator's user form, "reset a user's password" and "change my
password". The common passwords are the 30,000 of the ``zxcvbn`` package's frequency list (a
registry package, nothing fetched at run time), compared without regard to case.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

from flask import g, has_request_context, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext

MIN_LENGTH = 10


@lru_cache(maxsize=1)
def _common() -> frozenset:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: Optional[str] = None) -> Optional[str]:
    """Why ``password`` may not be used (in the reader's language), or ``None``."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return gettext("A password has at least %(n)d characters.", n=MIN_LENGTH)
    if password.lower() in _common():
        return gettext("This password is among the most common ones and easy to guess: choose another.")
    if username and password.strip().lower() == username.strip().lower():
        return gettext("A password may not be the username.")
    return None


def _username_of_request() -> Optional[str]:
    """The user whose password is being set on this request's form, if it can be told."""
    if not has_request_context():
        return None
    typed = request.form.get("username")
    if typed:  # the administrator's user form
        return typed
    pk = request.args.get("pk")
    if pk and pk.isascii() and pk.isdigit():  # "reset a user's password" (?pk=<user id>)
        from flask import current_app

        user = current_app.appbuilder.sm.get_user_by_id(int(pk))
        return getattr(user, "username", None)
    user = getattr(g, "user", None)  # "change my password"
    return getattr(user, "username", None) if getattr(user, "is_authenticated", False) else None


def check_password(password: str) -> None:
    """FAB's password validator hook: raises with the reason when the policy refuses it."""
    problem = password_problem(password, _username_of_request())
    if problem:
        raise PasswordComplexityValidationError(problem)
