"""Giving a pool mediator a login: ``/mediators/<id>/login/`` (page) and
``POST /api/v1/mediator/<id>/login`` (API).

Whoever keeps the pool opens the mediator's record and either creates a login there (the
one-time password is shown once, on the answer to the POST, never stored in clear nor sent
again) or links the record to an existing user. ``app.services.mediator_accounts`` does both.
"""
from __future__ import annotations

from flask import abort, flash, g, make_response, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.api import BaseApi, protect, safe
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional as Opt

from app.extensions import db
from app.idempotency import answer_holds_secret
from app.models.mediator import Mediator
from app.services.mediator_accounts import LoginProblem, create_login, link_login, split_name
from app.services.org_scope import may_act_for
from app.services.scope import current_user_obj
from app.views.case_access import json_object
from app.views.keys import is_valid_pk

PERMISSION = "MediatorLogin"
MODES = (("create", _l("Create a new login for this mediator")), ("link", _l("Link an existing user")))


class MediatorLoginForm(FlaskForm):
    """Create a login (username, surname, given name, optional e-mail) or link a user by name."""

    mode = RadioField(_l("What to do"), choices=MODES, default="create", validators=[DataRequired()])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           description=_l("Letters, digits, dots, hyphens or underscores, e.g. med_chenhy."))
    last_name = StringField(_l("Surname"), validators=[Opt(), Length(max=64)])
    first_name = StringField(_l("Given name"), validators=[Opt(), Length(max=64)])
    email = StringField(_l("E-mail (optional)"), validators=[Opt(), Length(max=320)])


def _find(pk):
    """The pool record, or ``None`` for a missing or malformed id or another body's record
    (``app/services/org_scope.py``: out of scope reads as missing)."""
    mediator = db.session.get(Mediator, int(pk)) if is_valid_pk(pk) else None
    return mediator if mediator is not None and may_act_for(mediator.organization_id) else None


def _mediator(pk) -> Mediator:
    mediator = _find(pk)
    if mediator is None:
        abort(404)
    return mediator


def _no_store(response):
    """The answer carries a password: no browser or proxy may keep a copy."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _give_login(mediator: Mediator, mode: str, username: str, actor, **names):
    """Create or link; returns ``(user, password or None)`` or raises :class:`LoginProblem`."""
    if mode == "link":
        return link_login(mediator, username, actor=actor), None
    return create_login(mediator, username, actor=actor, **names)


class MediatorLoginView(BaseView):
    """The login page of one pool record, reached from the mediator's page in the pool."""

    route_base = "/mediators"
    class_permission_name = PERMISSION
    base_permissions = ["can_link"]
    method_permission_name = {"login": "link"}

    @expose("/<pk>/login/", methods=["GET", "POST"])
    @has_access
    def login(self, pk):
        """GET: the form, prefilled from the pool record; POST: create or link, or say why not."""
        mediator = _mediator(pk)
        form = MediatorLoginForm(formdata=request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.last_name.data, form.first_name.data = split_name(mediator.name)
        elif form.validate():
            names = {"last_name": form.last_name.data, "first_name": form.first_name.data,
                     "email": form.email.data}
            try:
                user, password = _give_login(mediator, form.mode.data, form.username.data, g.user, **names)
            except LoginProblem as problem:
                getattr(form, problem.field).errors = [problem.message]
                status = 422
            else:
                flash(gettext("%(name)s can now sign in as %(username)s.", name=mediator.name,
                              username=user.username), "success")
                page = self.render_template("jiefen/mediator_login_done.html", mediator=mediator, user=user,
                                            password=password)
                return _no_store(make_response(page))
        else:
            status = 422
        if status == 422:
            flash(gettext("Please correct the fields marked in red."), "danger")
        page = self.render_template("jiefen/mediator_login.html", mediator=mediator, form=form)
        return make_response(page, status)


class MediatorLoginApi(BaseApi):
    """``POST /api/v1/mediator/<id>/login``: ``{"mode": "create"|"link", "username": …}``."""

    resource_name = "mediator"
    class_permission_name = PERMISSION
    base_permissions = ["can_link"]
    method_permission_name = {"login": "link"}
    openapi_spec_tag = "Mediator pool"

    @expose("/<pk>/login", methods=["POST"])
    @protect()
    @safe
    def login(self, pk):
        """Create a login for the pool record (201 with the one-time password) or link a user (200).
        ---
        post:
          parameters:
          - in: path
            name: pk
            schema: {type: integer}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    mode: {type: string, enum: [create, link]}
                    username: {type: string}
                    last_name: {type: string}
                    first_name: {type: string}
                    email: {type: string}
          responses:
            200: {description: The existing user is linked}
            201: {description: The login is created; the password is in the body, once}
            400: {description: The body is not a JSON object}
            404: {description: No such mediator}
            422: {description: Refused, with the reason by field}
        """
        mediator = _find(pk)
        if mediator is None:
            return self.response_404()
        body, error = json_object(self)
        if error:
            return error
        mode = body.get("mode", "create")
        if mode not in ("create", "link"):
            return self.response_422(message={"mode": [gettext("Choose create or link.")]})
        texts = {k: body.get(k) for k in ("username", "last_name", "first_name", "email")}
        bad = [k for k, v in texts.items() if v is not None and not isinstance(v, str)]
        if bad:
            return self.response_422(message={k: [gettext("Must be text.")] for k in bad})
        username = texts.pop("username")
        try:
            user, password = _give_login(mediator, mode, username, current_user_obj(), **texts)
        except LoginProblem as problem:
            return self.response_422(message={problem.field: [problem.message]})
        result = {"mediator": mediator.id, "user_id": user.id, "username": user.username}
        if password is None:
            return _no_store(self.response(200, **result))
        answer_holds_secret()  # a retry with the same Idempotency-Key gets no copy of the password
        return _no_store(self.response(201, password=password, **result))


def register_mediator_login_views(appbuilder) -> None:
    """The page (no menu entry: it is opened from the mediator's record) and the API."""
    appbuilder.add_view_no_menu(MediatorLoginView)
    appbuilder.add_api(MediatorLoginApi)
