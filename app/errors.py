"""Error responses that never show SQL, parameters or stack traces."""
from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def _respond(status: int, message: str):
    if _wants_json():
        return jsonify(message=message), status
    appbuilder = current_app.appbuilder
    page = render_template(
        "jiefen/error.html",
        status=status,
        message=message,
        appbuilder=appbuilder,
        base_template=appbuilder.base_template,
    )
    return page, status


def database_error(exc: SQLAlchemyError) -> tuple[int, str]:
    """The status and neutral sentence for a database error; the details go to the log."""
    db.session.rollback()
    if isinstance(exc, IntegrityError):
        log.warning("integrity error on %s %s", request.method, request.path, exc_info=exc)
        return 409, gettext("This change conflicts with data already saved.")
    if isinstance(exc, StaleDataError):
        return 409, gettext("Someone else saved this record first; reload it to see their change.")
    if isinstance(exc, OperationalError):
        log.error("database unavailable on %s %s", request.method, request.path, exc_info=exc)
        return 503, gettext("The database is busy or unavailable; please try again.")
    log.error("database error on %s %s", request.method, request.path, exc_info=exc)
    return 500, gettext("An internal error occurred; it has been logged.")


def install_error_handlers(app) -> None:
    """Answer errors with neutral 409/503/500 pages or JSON and log the details instead."""

    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(StaleDataError)
    def _database(exc):
        return _respond(*database_error(exc))

    @app.errorhandler(HTTPException)
    def _http(exc):
        if _wants_json():
            return jsonify(message=exc.description or exc.name), exc.code
        return exc

    @app.errorhandler(Exception)
    def _any(exc):
        if isinstance(exc, HTTPException):
            return _http(exc)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, gettext("An internal error occurred; it has been logged."))
