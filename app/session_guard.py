"""Ending sessions and tokens: a per-user session epoch, idle and absolute timeouts.

Flask's session is a signed cookie: logging out only tells the browser to forget it, so a
copied cookie stayed valid, and so did a JWT (15 minutes) and its refresh token (30 days)
after a password change. Every user row carries ``session_epoch`` (``app/models/user.py``);
a session stores the epoch it was opened under, a JWT carries it as the ``jiefen_epoch`` claim,
and both are refused once the user's epoch has moved on. The epoch moves on

* at logout (``JiefenSecurityManager.on_user_logout``), and
* whenever a flush changes a user's password, ``active`` flag, roles or groups — FAB's own
  forms, ``reset_password``, the CLI or any other code alike (a ``before_flush`` listener,
  so no path can forget it).

Sessions also end after ``JIEFEN_SESSION_IDLE_MINUTES`` without a request and
``JIEFEN_SESSION_ABSOLUTE_HOURS`` after login, measured on :mod:`app.services.clock` (which
tests freeze). The check costs nothing extra: the epoch is read with the user row flask-login
loads on every signed-in request, and a JWT's with the row FAB's user loader reads next.

An ended session answers the API with 401 JSON and a page with the login form and a
message; a form registered with :func:`keep_drafts` keeps what was typed
(:mod:`app.form_drafts`).
"""
from __future__ import annotations

from typing import Optional

from flask import current_app, flash, has_request_context, jsonify, redirect, request, session
from flask_babel import gettext
from flask_login import logout_user, user_logged_in
from flask_wtf.csrf import ValidationError, validate_csrf
from sqlalchemy import event, inspect, select, update

from app.extensions import db
from app.services import clock

EPOCH_KEY = "_jf_epoch"
LOGIN_AT_KEY = "_jf_login_at"
SEEN_AT_KEY = "_jf_seen_at"
JWT_CLAIM = "jiefen_epoch"
# The last-seen time is written back at most this often: not a new cookie on every request.
TOUCH_EVERY_SECONDS = 60
_PENDING = "_jiefen_epoch_users"
_USER_ATTRS = ("password", "active", "roles", "groups")


# -- the epoch ------------------------------------------------------------------------------

def _user_table():
    from app.models.user import StaffUser

    return StaffUser.__table__


def end_every_session(user_id: int) -> None:
    """End every session and token of ``user_id`` from its next request on, and commit."""
    table = _user_table()
    db.session.execute(update(table).where(table.c.id == user_id).values(session_epoch=table.c.session_epoch + 1))
    db.session.commit()


def _changed_users(db_session) -> set:
    """Ids of users whose password, activity, roles or groups this flush changes."""
    from flask_appbuilder.security.sqla.models import Role, User

    ids = set()
    for obj in db_session.dirty:
        if isinstance(obj, User):
            state = inspect(obj)
            if any(name in state.attrs and state.attrs[name].history.has_changes() for name in _USER_ATTRS):
                ids.add(obj.id)
        elif isinstance(obj, Role):
            history = inspect(obj).attrs.user.history
            ids.update(u.id for u in list(history.added) + list(history.deleted) if u.id is not None)
    return ids


def _before_flush(db_session, _context, _instances):
    ids = _changed_users(db_session)
    if ids:
        db_session.info.setdefault(_PENDING, set()).update(ids)


def _after_flush(db_session, _context):
    ids = db_session.info.pop(_PENDING, None)
    if ids:
        table = _user_table()
        conn = db_session.connection()
        conn.execute(update(table).where(table.c.id.in_(sorted(ids))).values(session_epoch=table.c.session_epoch + 1))
        db_session.info["_jiefen_epoch_expire"] = ids
        _keep_own_session(conn, table, ids)


def _keep_own_session(conn, table, ids) -> None:
    """A user who changes their own password (or roles) keeps the session they did it in:
    only the other sessions, copies of this cookie from before and old tokens end."""
    if not has_request_context() or "_user_id" not in session:
        return
    try:
        own = int(session["_user_id"])
    except (TypeError, ValueError):
        return
    if own in ids and session.get(EPOCH_KEY) is not None:
        session[EPOCH_KEY] = conn.execute(select(table.c.session_epoch).where(table.c.id == own)).scalar()


def _after_flush_postexec(db_session, _context):
    from flask_appbuilder.security.sqla.models import User

    ids = db_session.info.pop("_jiefen_epoch_expire", None)
    if ids:  # the rows' new epoch is read again when next used
        for obj in list(db_session.identity_map.values()):
            if isinstance(obj, User) and obj.id in ids and "session_epoch" in inspect(obj).attrs:
                db_session.expire(obj, ["session_epoch"])


def install_epoch_listeners(session_target) -> None:
    """Raise the epoch of every user a flush changes the password, activity or roles of
    (idempotent, like ``app.audit.install_audit``)."""
    for name, fn in (("before_flush", _before_flush), ("after_flush", _after_flush),
                     ("after_flush_postexec", _after_flush_postexec)):
        if not event.contains(session_target, name, fn):
            event.listen(session_target, name, fn)


def epoch_of(user_id) -> Optional[int]:
    """The current epoch of a user, ``None`` for an unknown id."""
    from app.models.user import StaffUser

    try:
        user = db.session.get(StaffUser, int(user_id))
    except (TypeError, ValueError):
        return None
    return None if user is None else user.session_epoch


# -- JWTs -----------------------------------------------------------------------------------

def install_jwt_epoch(jwt_manager) -> None:
    """Put the epoch into every access and refresh token and refuse tokens of an old epoch."""

    @jwt_manager.additional_claims_loader
    def _claims(identity):
        return {JWT_CLAIM: epoch_of(identity)}

    @jwt_manager.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        current = epoch_of(payload.get("sub"))
        return current is None or payload.get(JWT_CLAIM) != current

    @jwt_manager.revoked_token_loader
    def _answer(_header, _payload):
        return jsonify(message=gettext("Your session has ended. Please sign in again.")), 401

    install_jwt_answers(jwt_manager)


def install_jwt_answers(jwt_manager) -> None:
    """Every refused token answers like the rest of the API: ``{"message"}`` in the reader's
    language, never flask-jwt-extended's English ``{"msg"}`` (same status codes as its own)."""

    @jwt_manager.expired_token_loader
    def _expired(_header, _payload):
        return jsonify(message=gettext("Your sign-in has expired. Please sign in again.")), 401

    @jwt_manager.unauthorized_loader
    def _missing(_reason):
        return jsonify(message=gettext("Sign in to continue.")), 401

    @jwt_manager.invalid_token_loader
    def _invalid(_reason):
        return jsonify(message=gettext("The sign-in token is not valid here. Please sign in again.")), 422

    @jwt_manager.needs_fresh_token_loader
    def _stale(_header, _payload):
        return jsonify(message=gettext("Please sign in again to do this.")), 401

    @jwt_manager.user_lookup_error_loader
    def _gone(_header, _payload):
        return jsonify(message=gettext("Your session has ended. Please sign in again.")), 401


# -- sessions -------------------------------------------------------------------------------

def _now() -> float:
    return clock.utc_now().timestamp()


def _on_login(_sender, user, **_extra) -> None:
    now = _now()
    session[EPOCH_KEY] = getattr(user, "session_epoch", 0)
    session[LOGIN_AT_KEY] = now
    session[SEEN_AT_KEY] = now


def session_problem() -> Optional[str]:
    """Why the browser's signed-in session may no longer be used (``"ended"``, ``"idle"``,
    ``"expired"``), or ``None`` when it is fine or nobody is signed in."""
    from flask_login import current_user

    if "_user_id" not in session:
        return None
    if not current_user.is_authenticated:  # deleted or deactivated since
        return "ended"
    if session.get(EPOCH_KEY) != getattr(current_user, "session_epoch", None):
        return "ended"
    config, now = current_app.config, _now()
    login_at, seen_at = session.get(LOGIN_AT_KEY), session.get(SEEN_AT_KEY)
    if login_at is None or now - login_at > config["JIEFEN_SESSION_ABSOLUTE_HOURS"] * 3600:
        return "expired"
    if seen_at is None or now - seen_at > config["JIEFEN_SESSION_IDLE_MINUTES"] * 60:
        return "idle"
    return None


def problem_message(problem: str) -> str:
    """The sentence shown (or answered on the API) when a session is ended."""
    if problem == "idle":
        return gettext("You were signed out after %(minutes)s minutes without activity. Please sign in again.",
                       minutes=current_app.config["JIEFEN_SESSION_IDLE_MINUTES"])
    if problem == "expired":
        return gettext("You were signed out: a session lasts at most %(hours)s hours. Please sign in again.",
                       hours=current_app.config["JIEFEN_SESSION_ABSOLUTE_HOURS"])
    if problem == "anonymous":
        return gettext("Your session had expired. Please sign in again.")
    return gettext("Your session has ended. Please sign in again.")


def _forget_session() -> None:
    """Sign the browser out without raising the epoch (its other sessions stay)."""
    logout_user()
    for key in (EPOCH_KEY, LOGIN_AT_KEY, SEEN_AT_KEY):
        session.pop(key, None)


def _to_login(next_path: Optional[str]):
    return redirect(current_app.appbuilder.get_url_for_login_with(next_path))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _check_session():
    if request.endpoint and (request.endpoint == "static" or request.endpoint.endswith(".static")):
        return None
    problem = session_problem()
    if problem is None:
        if "_user_id" in session and _now() - session.get(SEEN_AT_KEY, 0) >= TOUCH_EVERY_SECONDS:
            session[SEEN_AT_KEY] = _now()
        return None
    _forget_session()
    message = problem_message(problem)
    if _wants_json():
        return jsonify(message=message), 401
    flash(message, "warning")
    return _to_login(request.full_path.rstrip("?") if request.method == "GET" else None)


# -- forms that keep what was typed ------------------------------------------------------------

_DRAFT_FORMS: dict = {}


def keep_drafts(endpoint: str, fields: tuple, permission: tuple) -> None:
    """When a POST to ``endpoint`` arrives with an ended session or an expired CSRF token, keep
    ``fields`` as typed (``app.form_drafts``) instead of losing them; the form's GET takes
    them back with ``app.form_drafts.take``. ``permission`` is the view's (permission, view
    name): a signed-in user without it gets the plain refusal, and no draft."""
    _DRAFT_FORMS[endpoint] = (tuple(fields), permission)


def _rescue_typed_text():
    """Before CSRF protection: a POST to a draft-keeping form that CSRF or the session guard
    would refuse keeps its text, and the user is led back to the form (after signing in)."""
    if request.method != "POST" or request.endpoint not in _DRAFT_FORMS:
        return None
    from flask_login import current_user

    from app import form_drafts

    names, permission = _DRAFT_FORMS[request.endpoint]
    problem = session_problem()
    if problem is None and "_user_id" not in session:
        problem = "anonymous"
    csrf_ok = True
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            csrf_ok = False
    if problem is None and (csrf_ok or not current_app.appbuilder.sm._has_view_access(current_user, *permission)):
        return None  # accepted, or refused as usual further on
    fields = {name: request.form.get(name, "") for name in names}
    # an ended (not deleted) user's session still names them: the draft goes back only to them
    user_id = current_user.id if current_user.is_authenticated else None
    kept = form_drafts.keep(request.path, fields, user_id,
                            signed_form=form_drafts.signed_by_us(request.form.get("csrf_token")))
    if problem is None:  # signed in, only the form's token had expired
        flash(gettext("The form had expired, so nothing was saved. What you typed is back in the form: "
                      "check it and send it again."), "warning")
        return redirect(request.path)
    _forget_session()
    flash(problem_message(problem), "warning")
    if kept:
        flash(gettext("Nothing was saved. What you typed is kept: it will be back in the form once you sign in."),
              "info")
    return _to_login(request.path)


def install_session_guard(app) -> None:
    """Check every request's session before anything else runs (CSRF protection, replayed
    idempotent answers, views); before that, keep the typed text of draft-keeping forms."""
    user_logged_in.connect(_on_login)
    app.before_request_funcs.setdefault(None, [])[:0] = [_rescue_typed_text, _check_session]
    install_epoch_listeners(db.session)
