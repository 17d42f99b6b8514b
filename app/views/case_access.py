"""What every case page and case endpoint starts with: the case by id or a 404, the JSON
object the API was sent, and a lifecycle call's refusal answered the same way everywhere.

One lookup means one id bound and one scope: an id that is malformed, zero, negative, past
what the ``cases.id`` column holds or past a signed 64-bit integer, a missing case and a case
the user may not see (``app.services.scope``) all answer the same 404 — never a 500, never a
hint that the case exists.
"""
from __future__ import annotations

from typing import Optional

from flask import abort, flash, request
from flask_babel import gettext, lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.lifecycle.workflow import StaleCase, TransitionRefused
from app.models.case import Case
from app.services.scope import can_see
from app.services.uploads import UploadRefused
from app.views.keys import is_valid_pk

STALE = _l("Someone else changed this case after you opened it. Nothing was changed; check the case and try again.")
BAD_VERSION = _l("The version must be a whole number.")


def case_in_sight(pk, within=None) -> Optional[Case]:
    """The case ``pk`` names if it exists and the current user may see it, else ``None``.

    ``within``: a FAB view or API over cases whose base filters (a plugin's typed list, say)
    narrow the lookup further; the scope applies all the same.
    """
    if not is_valid_pk(pk):
        return None
    if within is not None:
        case = within.datamodel.get(int(str(pk)), within._base_filters)
    else:
        case = db.session.get(Case, int(str(pk)))
    return case if case is not None and can_see(case) else None


def visible_case(pk) -> Case:
    """The case, if it exists and the current user may see it; 404 otherwise (pages)."""
    case = case_in_sight(pk)
    if case is None:
        abort(404)
    return case


def attempt(call, *, missing: tuple = ()):
    """Run a lifecycle call for a page: ``None`` when done; otherwise the reasons are flashed
    (in the user's language, as the lifecycle wrote them) and the status to show the form
    again with (422 refused, 409 stale, a refused upload's own status). The exceptions in
    ``missing`` (a row of another case, say) answer 404."""
    try:
        call()
    except missing:
        abort(404)
    except TransitionRefused as exc:
        for reason in exc.reasons:
            flash(str(reason), "danger")
        return 422
    except UploadRefused as exc:
        flash(str(exc.reason), "danger")
        return exc.status
    except StaleCase:
        flash(str(STALE), "warning")
        db.session.expire_all()  # the page shows the case as the other user left it
        return 409
    return None


def api_attempt(api, key: str, call, *, missing: tuple = (), bad_version: bool = False):
    """Run a lifecycle call for the API: ``None`` when done, else the response to send.

    422 with the reasons under ``key`` when refused, 409 when the version is stale; 404 for
    the exceptions in ``missing`` (checked first: some refine ``TransitionRefused``) and,
    with ``bad_version``, 400 when the version sent is not a number.
    """
    try:
        call()
    except missing:
        return api.response_404()
    except TransitionRefused as exc:
        return refused(api, key, exc)
    except StaleCase:
        return api.response(409, message=str(STALE))
    except (TypeError, ValueError):
        if not bad_version:
            raise
        return api.response_400(message=str(BAD_VERSION))
    return None


def refused(api, key: str, exc: TransitionRefused):
    """The API's 422 for a refusal: ``{"message": {key: [reasons]}}``."""
    return api.response_422(message={key: [str(r) for r in exc.reasons]})


def json_object(api, message=None, optional: bool = False):
    """``(body, None)`` when the request's JSON is an object, else ``(None, response)``: 400
    saying ``message`` (each endpoint names what it needs), 413 past MAX_CONTENT_LENGTH.
    With ``optional`` (every field may be left out) a request with no body at all reads as ``{}``."""
    try:
        if optional and not request.get_data(cache=True):
            return {}, None
        body = request.get_json(silent=True)
    except RequestEntityTooLarge:  # @safe would answer 500
        return None, api.response(413, message=gettext("The upload is larger than the server accepts."))
    if isinstance(body, dict):
        return body, None
    return None, api.response_400(message=str(message or gettext("Send a JSON object.")))
