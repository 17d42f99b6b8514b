"""Primary keys and versions as they arrive in URLs and forms."""
import functools

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

# The one id bound. Ids are INTEGER columns: PostgreSQL refuses a larger bound value with a
# 500, and no row can have one, so any id past it (up to a signed 64-bit one and beyond) is
# simply not found.
MAX_PK = 2**31 - 1
_MAX_DIGITS = len(str(2**63 - 1))  # longer is never an id: int() of thousands of digits is slow or refused


def is_valid_pk(pk) -> bool:
    """True for a positive integer id the database can hold."""
    text = str(pk)
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS and 0 < int(text) <= MAX_PK


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes, at most as many digits as a signed 64-bit integer: a longer number
    matches no route (404) instead of failing inside ``int()`` (a 405 or a 500)."""

    regex = r"\d{1,%d}" % _MAX_DIGITS


def sent_version(raw):
    """The hidden version as sent; a tampered value reads as stale rather than a 500."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.isdigit() else -1


VERSION_MISSING = _l("Send “version”: the version of the record you read. It makes sure nobody else's change "
                     "is overwritten; read it again to get it.")


def version_sent() -> bool:
    """True when the POST carries a non-empty ``version`` (JSON body or form field)."""
    body = request.get_json(silent=True) if request.is_json else None
    raw = body.get("version") if isinstance(body, dict) else request.form.get("version")
    return raw is not None and str(raw).strip() != ""


def _case_in_sight(pk) -> bool:
    """True when ``pk`` names a case the current user may see."""
    from app.views.case_access import case_in_sight

    return case_in_sight(pk) is not None


def requires_version(view):
    """Refuse a POST without ``version`` before it changes anything: the stale check needs it.

    The API answers 422 naming ``version``; a page says so and shows the form again.
    """
    @functools.wraps(view)
    def checked(self, *args, **kwargs):
        if request.method != "POST" or version_sent() or not _case_in_sight(kwargs.get("pk")):
            return view(self, *args, **kwargs)  # a case out of sight reads as missing, as before
        from flask_appbuilder.api import BaseApi

        if isinstance(self, BaseApi):
            return self.response_422(message={"version": [str(VERSION_MISSING)]})
        flash(str(VERSION_MISSING), "danger")
        # Back to the case: some of these addresses take POST only.
        return redirect(url_for("CaseModelView.show", pk=kwargs["pk"]) if "pk" in kwargs else request.url)

    return checked
