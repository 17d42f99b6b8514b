"""Bounds on the list APIs' ``q`` argument (issue 11, finding 12).

FAB reads ``page`` and ``page_size`` from the rison in ``q`` and hands them to the database as
they are: a page number past what SQLite's integers hold raised an OverflowError (500). A page
no list can reach is refused before FAB sees it, with a 400 that says why.
"""
from __future__ import annotations

import json

import prison
from flask import Flask, current_app, jsonify, request
from flask_babel import gettext

MAX_PAGE = 1_000_000  # 25 cases a page: far past any court's volume, far below any int limit


def _problem(q: str):
    try:
        args = prison.loads(q)
    except Exception:  # noqa: BLE001 — prison also raises TypeError/RecursionError on some input
        # FAB then reads ``q`` as JSON (FAB_API_ALLOW_JSON_QS): a negative page sent that way
        # answered 500 on PostgreSQL. What neither reads is refused here: FAB's own handler
        # catches only prison's ParserException, and the rest (an unclosed "(page:") was a 500.
        try:
            args = json.loads(q) if current_app.config.get("FAB_API_ALLOW_JSON_QS", True) else None
        except (ValueError, RecursionError):
            return gettext("The query argument “q” is neither valid rison nor JSON.")
    if not isinstance(args, dict):
        return None
    for key in ("page", "page_size"):
        value = args.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PAGE:
            return gettext("“%(key)s” must be a whole number from 0 to %(max)d.", key=key, max=MAX_PAGE)
    return None


def install_api_limits(app: Flask) -> None:
    """Refuse list-API queries whose paging no list can reach."""

    @app.before_request
    def _check_paging():
        if not request.path.startswith("/api/") or "q" not in request.args:
            return None
        problem = _problem(request.args.get("q", ""))
        if problem:
            return jsonify(message=problem), 400
        return None
