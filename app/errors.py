"""Error answers: a page in the reader's language inside the app's layout, or JSON for the API.

Every HTTP error (400, 403, 404, 405, 409, 413, 429, 500, …), whether raised by our views,
by Flask-AppBuilder (``has_access`` aborts 403 for a signed-in user without the
permission; anonymous users are still sent to the login page by FAB) or by Werkzeug's
routing, answers ``jiefen/error.html``: the menu, what happened in plain words, and a way
back. API routes keep ``{"message": …}``. Database and unexpected errors never show SQL,
parameters or stack traces: the details go to the log.
"""
from __future__ import annotations

import logging

from flask import current_app, g, has_request_context, jsonify, render_template, request
from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response

from app.extensions import db

log = logging.getLogger(__name__)

# What each status means to the reader (Werkzeug's own texts are English and technical).
TITLES = {
    400: _l("The request could not be processed"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This page cannot be used this way"),
    409: _l("The change could not be saved"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The service is busy"),
}
MESSAGES = {
    400: _l("The form or link was incomplete or out of date. Go back, reload the page and try again."),
    401: _l("Sign in to continue."),
    403: _l("Your role does not allow this. If you need it for your work, ask an administrator."),
    404: _l("The page or record does not exist, has been removed, or is not within your reach."),
    405: _l("This address does not accept that kind of request. Go back and use the buttons on the page."),
    409: _l("Someone else changed this record first. Reload it to see the current state."),
    413: _l("The file or form is larger than allowed. Choose a smaller file and try again."),
    429: _l("Too many requests in a short time. Wait a minute and try again."),
    500: _l("An internal error occurred; it has been logged."),
    503: _l("The database is busy or unavailable; please try again."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _title(status: int) -> str:
    title = TITLES.get(status)
    return str(title) if title else gettext("Error %(code)s", code=status)


def _http_message(exc: HTTPException) -> str:
    """The view's own sentence when it gave one, else the plain-words meaning of the code.

    Libraries' own descriptions are English and technical ("The CSRF token is missing.",
    "5 per 1 minute"): they are never shown.
    """
    if isinstance(exc, CSRFError):
        return gettext("The form has expired or did not come from this page. Reload the page and try again.")
    own = exc.description and exc.description != type(exc).description and not isinstance(exc, RateLimitExceeded)
    if own:
        return str(exc.description)
    return str(MESSAGES.get(exc.code) or exc.name)


def _same_site_referrer() -> str | None:
    """The page the reader came from, as a path on this site (never another site's page)."""
    ref = request.referrer
    if not ref or not ref.startswith(request.host_url):
        return None
    path = "/" + ref[len(request.host_url):]
    return None if path == request.full_path.rstrip("?") else path


def _page(status: int, message: str):
    appbuilder = current_app.appbuilder
    # An error raised before FAB's own before_request (a bad CSRF token) finds no g.user,
    # which the layout's menu needs.
    g.setdefault("user", current_user)
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    context = dict(status=status, title=_title(status), message=message, back=_same_site_referrer(),
                   home=appbuilder.get_url_for_index, lang="zh-CN" if locale.startswith("zh") else "en")
    try:
        page = render_template("jiefen/error.html", appbuilder=appbuilder,
                               base_template=appbuilder.base_template, **context)
    except Exception:  # the layout itself needs the database (menu, user): keep the answer plain
        rollback()
        log.exception("error page layout failed on %s %s", request.method, request.path)
        page = render_template("jiefen/error_bare.html", **context)
    return page, status


def _respond(status: int, message: str):
    if _wants_json():
        return jsonify(message=message), status
    return _page(status, message)


def rollback() -> None:
    """Roll the session back; when the database went away meanwhile (a restart), the
    ROLLBACK itself fails: the connection is already invalidated, so only log it."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed: the database connection is gone")


def _connection_lost(exc: SQLAlchemyError) -> bool:
    """A connection invalidated by a database restart inside this request's transaction,
    whose first error some handler swallowed: SQLAlchemy then refuses to reconnect."""
    return isinstance(exc, PendingRollbackError) and "invalid transaction" in str(exc)


def database_error(exc: SQLAlchemyError) -> tuple[int, str]:
    """The status and neutral sentence for a database error; the details go to the log."""
    rollback()
    if isinstance(exc, IntegrityError):
        log.warning("integrity error on %s %s", request.method, request.path, exc_info=exc)
        return 409, gettext("This change conflicts with data already saved.")
    if isinstance(exc, StaleDataError):
        return 409, gettext("Someone else saved this record first; reload it to see their change.")
    if isinstance(exc, OperationalError) or _connection_lost(exc):
        log.error("database unavailable on %s %s", request.method, request.path, exc_info=exc)
        return 503, gettext("The database is busy or unavailable; please try again.")
    log.error("database error on %s %s", request.method, request.path, exc_info=exc)
    return 500, gettext("An internal error occurred; it has been logged.")


def install_error_handlers(app) -> None:
    """Answer every error with a page in the reader's language (JSON on the API), and
    database and unexpected errors with neutral 409/503/500 answers, details to the log."""

    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(StaleDataError)
    def _database(exc):
        return _respond(*database_error(exc))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code is None or exc.code < 400:  # not an error: a redirect or a ready response
            return exc
        if isinstance(exc, SecurityError):  # a Host outside TRUSTED_HOSTS: no URL can be built
            return Response(gettext("This server does not answer to that host name."), 400,
                            mimetype="text/plain")
        response = current_app.make_response(_respond(exc.code, _http_message(exc)))
        # Keep what Werkzeug or the limiter put on the answer (Allow on 405, Retry-After on 429).
        for name, value in exc.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _any(exc):
        if isinstance(exc, HTTPException):
            return _http(exc)
        rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, gettext("An internal error occurred; it has been logged."))

    _answer_swallowed_database_errors(app)


def _answer_swallowed_database_errors(app) -> None:
    """FAB's API decorator ``@safe`` turns any exception into its own 500 "Fatal error", so a
    database that went away (a restart) reached API clients as a 500 rather than the 503 that
    tells them to retry. The engine reports every database error here; an API 500 that
    follows one is answered as that database error."""
    from sqlalchemy import event

    def _remember(context):
        if has_request_context():
            g.jiefen_database_error = context.sqlalchemy_exception or context.original_exception

    if not event.contains(db.engine, "handle_error", _remember):
        event.listen(db.engine, "handle_error", _remember)

    @app.after_request
    def _database_error_not_fatal(response):
        exc = g.pop("jiefen_database_error", None)
        if response.status_code != 500 or not request.path.startswith("/api/"):
            return response
        # only an unreachable database is worth a retry; any other 500 stays what it is
        if not isinstance(exc, OperationalError) and not (isinstance(exc, SQLAlchemyError) and _connection_lost(exc)):
            return response
        rollback()
        return current_app.make_response(
            (jsonify(message=gettext("The database is busy or unavailable; please try again.")), 503))
