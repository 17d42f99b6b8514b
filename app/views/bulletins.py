"""Bulletins (通报): the pages under ``/bulletins/`` (the API under ``/api/v1/bulletins/`` is
:mod:`app.views.bulletins_api`), both through :mod:`app.reports.bulletin`.

Pages: the list (paged), a new draft (period and level), the bulletin with its tables, its
editing (title and text; "regenerate figures"), issuing (with a confirmation) and the download.
Who may do what is decided in :mod:`app.reports.bulletin`: a bulletin out of the reader's
reach answers 404 like a missing one; a reader who may not draft gets 403; any change to an
issued bulletin answers 409 (the page says why).
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from app.models.bulletin import BULLETIN_STATUS, Bulletin
from app.names import person_name
from app.reports import bulletin as service
from app.reports.bulletin_docx import DOCX_MIME, disposition
from app.reports.evaluation import LEVEL_LABELS, MEASURE_LABELS
from app.reports.evaluation_sql import RANKED_LEVELS
from app.reports.evaluation_table import cells, columns
from app.services.clock import local_wall_time, today
from app.services.scope import current_user_obj
from app.views.evaluation import STATISTICS, STATISTICS_LABEL, recent_periods

PERMISSION = "Bulletin"
PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
NOT_YOURS = _l("Bulletins are drafted and issued by administrators and the clerks of the court's departments.")


def bulletin_json(bulletin: Bulletin) -> dict:
    """A bulletin as the API answers it (figures as frozen)."""
    return {
        "id": bulletin.id, "period": bulletin.period, "level": bulletin.level, "title": bulletin.title,
        "body": bulletin.body, "status": bulletin.status, "figures": bulletin.figures,
        "created_at": _iso(bulletin.created_at), "issued_at": _iso(bulletin.issued_at),
        "issued_by": person_name(bulletin.issued_by) if bulletin.issued_by else None,
        "version": bulletin.version,
    }


def _iso(value):
    if value is None:
        return None
    from app.services.clock import stored_utc

    return stored_utc(value).isoformat()


def _when(value) -> str:
    return local_wall_time(value).strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def _page_number(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


class NewBulletinForm(FlaskForm):
    """The period and level of a new draft."""

    period = StringField(_l("Period covered"), description=_l("A month (2026-11), a quarter (2026-Q4) or a year (2026)."))
    level = SelectField(_l("Level"), choices=lambda: [(c, str(LEVEL_LABELS[c])) for c in RANKED_LEVELS],
                        validate_choice=False)


class EditBulletinForm(FlaskForm):
    """The title and text of a draft, and the version read."""

    version = HiddenField()
    title = StringField(_l("Title"))
    body = TextAreaField(_l("Text"), description=_l("One paragraph per line; the tables and the best and last "
                                                    "units are added from the figures."))


class VersionForm(FlaskForm):
    """Issuing or regenerating: only the version read."""

    version = HiddenField()


class BulletinView(BaseView):
    """``/bulletins/``: list, new, show, edit, regenerate, issue, download."""

    route_base = "/bulletins"
    default_view = "index"
    class_permission_name = PERMISSION
    base_permissions = ["can_read", "can_edit"]
    method_permission_name = {"index": "read", "show": "read", "download": "read",
                              "new": "edit", "edit": "edit", "regenerate": "edit", "issue": "edit"}

    def _bulletin(self, pk) -> Bulletin:
        bulletin = service.bulletin_in_sight(pk, current_user_obj())
        if bulletin is None:
            abort(404)
        return bulletin

    def _drafter(self) -> None:
        if not service.may_draft(current_user_obj()):
            abort(403, description=str(NOT_YOURS))

    def _render(self, template: str, status: int = 200, **values):
        values.setdefault("statuses", BULLETIN_STATUS)
        values.setdefault("levels", LEVEL_LABELS)
        return self.render_template(template, may_draft=service.may_draft(current_user_obj()), when=_when,
                                    **values), status

    @expose("/")
    @has_access
    def index(self):
        """The bulletins the reader may read, newest first, 20 a page."""
        page = _page_number(request.args.get("page", "0"))
        rows, total = service.page_of(current_user_obj(), page, PAGE_SIZE)
        return self._render("jiefen/bulletin_list.html", rows=rows, total=total, page=page, size=PAGE_SIZE)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        """A draft for a period and level, its figures frozen now."""
        self._drafter()
        form = NewBulletinForm(formdata=request.form if request.method == "POST" else None)
        if request.method == "GET":
            form.period.data = request.args.get("period") or recent_periods(today())[1].code
            form.level.data = request.args.get("level") if request.args.get("level") in RANKED_LEVELS else "centre"
            return self._render("jiefen/bulletin_new.html", form=form, periods=recent_periods(today()))
        if form.validate():
            try:
                bulletin = service.create(form.period.data, form.level.data, current_user_obj())
            except service.BulletinRefused as exc:
                getattr(form, exc.field).errors = [str(exc.message)]
            else:
                flash(gettext("The draft bulletin was made with the figures as they stand today; edit its text, "
                              "then issue it."), "success")
                return redirect(url_for("BulletinView.show", pk=bulletin.id))
        flash(gettext("Please correct the fields marked in red."), "danger")
        return self._render("jiefen/bulletin_new.html", 422, form=form, periods=recent_periods(today()))

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        """The bulletin: its text, its frozen tables, and what the reader may do with it."""
        bulletin = self._bulletin(pk)
        figures = bulletin.figures or {}
        level = figures.get("level", bulletin.level)
        return self._render("jiefen/bulletin_show.html", bulletin=bulletin, figures=figures,
                            columns=columns(level), cells=cells, measure_labels=MEASURE_LABELS,
                            version_form=VersionForm(formdata=None, version=str(bulletin.version)))

    @expose("/<pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        """Title and text of a draft; an issued bulletin says it can no longer change (409)."""
        bulletin = self._bulletin(pk)
        self._drafter()
        form = EditBulletinForm(formdata=request.form if request.method == "POST" else None)
        if bulletin.status == "issued":  # the page says why, in place of the form
            return self._render("jiefen/bulletin_edit.html", 409, bulletin=bulletin, form=None)
        if request.method == "GET":
            form.version.data, form.title.data, form.body.data = str(bulletin.version), bulletin.title, bulletin.body
            return self._render("jiefen/bulletin_edit.html", bulletin=bulletin, form=form)
        status = 422
        if form.validate():
            try:
                service.update(bulletin, current_user_obj(), form.title.data, form.body.data, form.version.data)
            except service.BulletinRefused as exc:
                target = getattr(form, exc.field, None)
                if target is not None and exc.field != "version":
                    target.errors = [str(exc.message)]
                else:
                    flash(str(exc.message), "danger")
            except service.BulletinStale:
                flash(str(service.STALE), "warning")
                status = 409
            except service.BulletinIssued:
                flash(str(service.ISSUED), "warning")
                status = 409
            else:
                flash(gettext("The bulletin was saved."), "success")
                return redirect(url_for("BulletinView.show", pk=bulletin.id))
        if status == 422:
            flash(gettext("Please correct the fields marked in red."), "danger")
        return self._render("jiefen/bulletin_edit.html", status, bulletin=bulletin, form=form)

    def _step(self, pk, call, done_message):
        bulletin = self._bulletin(pk)
        self._drafter()
        form = VersionForm(formdata=request.form)
        if not form.validate():
            abort(400)
        try:
            call(bulletin, current_user_obj(), form.version.data)
        except service.BulletinIssued:
            flash(str(service.ISSUED), "warning")
        except service.BulletinStale:
            flash(str(service.STALE), "warning")
        except service.BulletinRefused as exc:
            flash(str(exc.message), "danger")
        else:
            flash(done_message, "success")
        return redirect(url_for("BulletinView.show", pk=bulletin.id))

    @expose("/<pk>/regenerate", methods=["POST"])
    @has_access
    def regenerate(self, pk):
        """Freeze the draft's figures again."""
        return self._step(pk, service.regenerate, gettext("The figures were taken again as they stand today."))

    @expose("/<pk>/issue", methods=["GET", "POST"])
    @has_access
    def issue(self, pk):
        """GET: what issuing does, and the confirmation; POST: issue."""
        if request.method == "POST":
            return self._step(pk, service.issue, gettext("The bulletin was issued; its document is archived and "
                                                         "can be downloaded."))
        bulletin = self._bulletin(pk)
        self._drafter()
        if bulletin.status == "issued":
            flash(str(service.ISSUED), "warning")
            return redirect(url_for("BulletinView.show", pk=bulletin.id))
        return self._render("jiefen/bulletin_issue.html", bulletin=bulletin,
                            form=VersionForm(formdata=None, version=str(bulletin.version)))

    @expose("/<pk>/download")
    @has_access
    def download(self, pk):
        """The issued DOCX as archived; a draft's preview, marked as a draft."""
        bulletin = self._bulletin(pk)
        return Response(service.document(bulletin), mimetype=DOCX_MIME,
                        headers={"Content-Disposition": disposition(bulletin)})


def register_bulletin_views(appbuilder) -> None:
    """The pages (Statistics › Bulletins) and the API (:mod:`app.views.bulletins_api`)."""
    from app.views.bulletins_api import BulletinApi

    appbuilder.add_view(BulletinView, "Bulletins", label=_l("Bulletins"), icon="fa-bullhorn",
                        category=STATISTICS, category_label=STATISTICS_LABEL)
    appbuilder.add_api(BulletinApi)
