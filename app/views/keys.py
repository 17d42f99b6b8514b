"""Primary keys and versions as they arrive in URLs and forms."""
import functools

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

MAX_PK = 2**31 - 1  # ids are INTEGER: PostgreSQL refuses a larger bound value with a 500


def is_valid_pk(pk) -> bool:
    """True for a positive integer id the database can hold."""
    text = str(pk)
    # isascii: "²" is a digit to str.isdigit() but not to int().
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_PK


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
    from app.extensions import db
    from app.models.case import Case
    from app.services.scope import can_see

    case = db.session.get(Case, int(pk)) if is_valid_pk(pk) else None
    return case is not None and can_see(case)


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
