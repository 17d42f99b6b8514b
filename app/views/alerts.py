"""The alert pages (Screening and warning → Alerts): a list with filters, an alert's page with
its wording, figures, cases and notes, and the acknowledge and resolve forms.

Who: a centre's clerk acts on the alerts of its area, a district clerk (and the court's) on
all; leadership and judges read them (``app/roles.py``). The same service as the API
(:mod:`app.warnings.alerts`) decides scope and steps. The sensitive periods an administrator
defines are edited under Security (:mod:`app.views.sensitive_periods`).
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional as Opt

from app.extensions import appbuilder, db, jiefen
from app.models.area import Area
from app.models.warning import ALERT_STATUS
from app.reports.scope import report_scope
from app.views.alerts_api import ALERT_PERMISSIONS, AlertApi
from app.warnings import alerts as svc
from app.warnings import wording

STATUS_FILTER_LABELS = {
    "live": _l("Open and acknowledged"),
    "open": ALERT_STATUS["open"],
    "acknowledged": ALERT_STATUS["acknowledged"],
    "resolved": ALERT_STATUS["resolved"],
    "all": _l("All"),
}


class StepForm(FlaskForm):
    """A step on an alert: the version read, and a note (required to resolve)."""

    version = HiddenField()
    note = TextAreaField(_l("Note"), validators=[Opt(), Length(max=svc.MAX_NOTE)])


def area_choices(user) -> list[Area]:
    """The towns and streets a reader may narrow the list to (the district's, or the centre's)."""
    scope = report_scope(user)
    query = select(Area).where(Area.level == "town")
    if scope.area_ids is not None:
        query = select(Area).where(Area.id.in_(sorted(scope.area_ids)), Area.level.in_(("district", "town")))
    return list(db.session.scalars(query.order_by(Area.name, Area.id).limit(200)))


def _page_arg() -> int:
    raw = request.args.get("page", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


class AlertView(BaseView):
    """``/alerts/``: the alerts in the reader's scope; ``/alerts/<id>``: one alert."""

    route_base = "/alerts"
    default_view = "list"
    class_permission_name = "Alert"
    base_permissions = ALERT_PERMISSIONS
    method_permission_name = {"list": "list", "show": "show", "acknowledge": "handle", "resolve": "handle"}

    @expose("/")
    @has_access
    def list(self):
        """A page of alerts, newest first, with the status, rule and area filters above."""
        user = g.user
        status = request.args.get("status", "live")
        rule = request.args.get("rule", "")
        area = request.args.get("area", "")
        error = None
        try:
            filters = svc.parse_filters(user, status, rule, area)
        except LookupError:
            abort(404)
        except ValueError as exc:
            error, filters = str(exc), svc.Filters()
        page = _page_arg()
        rows, total = svc.alert_page(user, filters, page)
        pages = max(1, -(-total // svc.PAGE_SIZE))
        if page >= pages and total:
            page = pages - 1
            rows, total = svc.alert_page(user, filters, page)
        return self.render_template(
            "jiefen/alert_list.html", alerts=rows, total=total, page=page, pages=pages, filters=filters,
            error=error, statuses=STATUS_FILTER_LABELS, rules=wording.rule_choices(), areas=area_choices(user),
            args={"status": filters.status, "rule": filters.rule, "area": filters.area.id if filters.area else ""},
            w=wording), 400 if error else 200

    def _show(self, alert, status=200, forms=None):
        shown, hidden = svc.evidence_for(g.user, alert)
        forms = forms or {}
        return self.render_template(
            "jiefen/alert_show.html", alert=alert, w=wording, cases=shown, hidden=hidden,
            notes=svc.notes_of(alert), type_label=jiefen().dispatcher.type_label,
            can_handle=appbuilder.sm.has_access("can_handle", "Alert"),
            ack_form=forms.get("acknowledge") or StepForm(formdata=None, version=str(alert.version)),
            resolve_form=forms.get("resolve") or StepForm(formdata=None, version=str(alert.version)),
        ), status

    @expose("/<pk>")
    @has_access
    def show(self, pk):
        """The alert: what the rule saw, the figures, the cases the reader may see, the notes."""
        alert = svc.alert_for(g.user, pk)
        if alert is None:
            abort(404)
        return self._show(alert)

    def _step(self, pk, step, action: str, done: str):
        alert = svc.alert_for(g.user, pk)
        if alert is None:
            abort(404)
        form = StepForm()
        if not form.validate():
            return self._show(alert, 422, {action: form})
        try:
            step(alert, g.user, form.note.data or "", form.version.data)
        except svc.AlertStale:
            flash(str(svc.STALE), "warning")
            db.session.expire_all()  # the page shows the alert as the other user left it
            return self._show(db.session.get(type(alert), alert.id), 409)
        except svc.AlertRefused as exc:
            for field, messages in exc.reasons.items():
                if field == "note":
                    form.note.errors = list(form.note.errors or []) + [str(m) for m in messages]
                else:
                    for message in messages:
                        flash(str(message), "danger")
            return self._show(alert, 409 if exc.conflict else 422, {action: form})
        except ValueError:
            flash(str(svc.STALE), "warning")
            return self._show(alert, 409)
        flash(done, "success")
        return redirect(url_for("AlertView.show", pk=alert.id))

    @expose("/<pk>/acknowledge", methods=["POST"])
    @has_access
    def acknowledge(self, pk):
        """Acknowledge: someone responsible is acting on the alert."""
        return self._step(pk, svc.acknowledge, "acknowledge", gettext("The alert is acknowledged."))

    @expose("/<pk>/resolve", methods=["POST"])
    @has_access
    def resolve(self, pk):
        """Resolve, saying how."""
        return self._step(pk, svc.resolve, "resolve", gettext("The alert is resolved."))


def register_alert_views(appbuilder) -> None:
    """Alerts under "Screening and warning", their API, and the sensitive periods under Security."""
    from app.views.sensitive_periods import SensitivePeriodView

    appbuilder.add_view(AlertView, "Alerts", label=_l("Alerts"), icon="fa-bell", category="Warning",
                        category_label=_l("Screening and warning"), category_icon="fa-bell")
    appbuilder.add_api(AlertApi)
    appbuilder.add_view(SensitivePeriodView, "Sensitive periods", label=_l("Sensitive periods"),
                        icon="fa-calendar-times-o", category="Security")
