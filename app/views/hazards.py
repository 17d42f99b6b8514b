"""The hazard pages (矛盾隐患): the list with its filters, recording one, its page, dissolving it
and registering it as a case. Every page reads through the reader's scope
(:mod:`app.services.hazards`); a hazard out of scope is missing (404), on reads and writes alike.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.extensions import db, jiefen
from app.models.area import Area
from app.models.screening import HAZARD_STATUS, RISK_LEVELS
from app.services import hazards as svc
from app.services.clock import today
from app.services.hazard_intake import may_register
from app.services.screening import campaign_clause
from app.views.case_access import attempt
from app.views.screening_forms import DissolveForm, HazardForm

PERMISSION_NAME = "Hazard"
# The pages and the API share this exact set (FAB's sync never removes one's grant for the other's).
HAZARD_PERMISSIONS = ["can_list", "can_show", "can_add", "can_edit"]


def _page_arg() -> int:
    raw = request.args.get("page", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


def filter_choices(scope) -> dict:
    """The selects above the list: areas (district and towns in scope), the campaigns in scope,
    statuses and risk levels."""
    from sqlalchemy import select

    from app.models.screening import ScreeningCampaign

    query = select(Area.id, Area.name).where(Area.level.in_(("district", "town"))).order_by(Area.level, Area.id)
    if not scope.is_district:
        query = query.where(Area.id.in_(sorted(scope.area_ids or ())))
    campaigns = db.session.execute(
        select(ScreeningCampaign.id, ScreeningCampaign.title).where(campaign_clause(scope))
        .order_by(ScreeningCampaign.starts_on.desc(), ScreeningCampaign.id.desc()).limit(50)).all()
    return {"areas": db.session.execute(query.limit(200)).all(), "campaigns": campaigns,
            "statuses": list(HAZARD_STATUS.items()), "risks": list(RISK_LEVELS.items())}


def hazard_form(formdata=None) -> HazardForm:
    """The hazard form with the signed-in user's choices: areas of their write scope, enabled
    types, the campaigns their centre takes part in."""
    form = HazardForm(formdata=formdata)
    form.area_id.choices = [(None, "—")] + svc.area_choices()
    form.dispute_type.choices = [("", "—")] + [(t.code, str(t.label)) for t in jiefen().dispatcher.enabled_types()]
    campaigns = svc.campaign_choices(svc.recorder_organization())
    form.campaign_id.choices = [(None, "—")] + [(c.id, c.title) for c in campaigns]
    return form


def _input(form: HazardForm) -> svc.HazardInput:
    return svc.HazardInput(
        title=form.title.data, description=form.description.data, area_id=form.area_id.data,
        found_on=form.found_on.data, risk_level=form.risk_level.data, dispute_type=form.dispute_type.data or None,
        campaign_id=form.campaign_id.data, parties=form.parties.data)


def _pad(form: HazardForm, rows: int = 3) -> None:
    while len(form.parties.entries) < rows:
        form.parties.append_entry()


def visible_hazard(pk):
    """The hazard in the reader's scope, or 404."""
    hazard = svc.hazard_in_scope(pk)
    if hazard is None:
        abort(404)
    return hazard


class HazardView(BaseView):
    """``/screening/hazards/…``: list, record, show, dissolve, register as a case."""

    route_base = "/screening/hazards"
    default_view = "list"
    class_permission_name = PERMISSION_NAME
    base_permissions = HAZARD_PERMISSIONS
    method_permission_name = {"list": "list", "show": "show", "add": "add", "dissolve": "edit", "register": "edit"}

    @expose("/list/")
    @has_access
    def list(self):
        """The hazards in scope, newest found first, with filters; paged."""
        scope = svc.screening_scope()
        filters = svc.filters_from(request.args)
        try:
            rows, total = svc.hazard_page(filters, _page_arg(), svc.PAGE_SIZE, scope=scope)
        except LookupError:
            abort(404)  # an area or campaign outside the scope reads as unknown
        page = min(_page_arg(), max(0, (total - 1) // svc.PAGE_SIZE))
        return self.render_template(
            "jiefen/hazard_list.html", rows=rows, total=total, page=page, pages=max(1, -(-total // svc.PAGE_SIZE)),
            filters=filters, choices=filter_choices(scope), may_record=svc.recorder_organization() is not None,
            status_colours=svc.STATUS_COLOURS, seen_cases=svc.cases_in_sight(rows), title=_l("Hazards"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """Record a hazard for the user's centre; refused with the reasons, keeping what was typed."""
        if svc.recorder_organization() is None:
            flash(str(svc.ONLY_CENTRES), "warning")
            return redirect(url_for(".list"))
        form = hazard_form(request.form if request.method == "POST" else None)
        status = 200
        if request.method == "GET":
            form.found_on.data = today()
        elif form.validate():
            done = []
            status = attempt(lambda: done.append(svc.record_hazard(g.user, _input(form))))
            if status is None:
                flash(gettext("Hazard recorded: %(title)s.", title=done[0].title), "success")
                return redirect(url_for(".show", pk=done[0].id))
        else:
            flash(gettext("Please correct the fields marked in red."), "danger")
            status = 422
        _pad(form)
        return self.render_template("jiefen/hazard_form.html", form=form, title=_l("Record a hazard")), status

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """One hazard: its facts, people (masked), campaign, case, and what may be done with it."""
        hazard = visible_hazard(pk)
        return self.render_template(
            "jiefen/hazard_show.html", hazard=hazard, parties=[svc.masked_party(p) for p in hazard.parties],
            dissolve_form=DissolveForm(), may_change=hazard.status == "open" and self.appbuilder.sm.has_access(
                "can_edit", PERMISSION_NAME),
            may_register=may_register(hazard), status_colours=svc.STATUS_COLOURS, case_seen=svc.case_in_sight(hazard),
            type_label=jiefen().dispatcher.type_label(hazard.dispute_type) if hazard.dispute_type else "—",
            title=hazard.title)

    @expose("/dissolve/<pk>", methods=["POST"])
    @has_access
    def dissolve(self, pk):
        """Mark the hazard dissolved, with the note; refused with the reason otherwise."""
        hazard = visible_hazard(pk)
        form = DissolveForm()
        if not form.validate():
            flash(gettext("Say how the hazard was dissolved."), "danger")
            return redirect(url_for(".show", pk=hazard.id))
        if attempt(lambda: svc.dissolve(hazard, g.user, form.note.data)) is None:
            flash(gettext("The hazard is marked dissolved."), "success")
        return redirect(url_for(".show", pk=hazard.id))

    @expose("/register/<pk>")
    @has_access
    def register(self, pk):
        """Register the hazard as a case: the registration form of its type, pre-filled; the type
        is asked for first when the hazard has none (or its type is closed to new cases)."""
        hazard = visible_hazard(pk)
        if hazard.status != "open":
            flash(svc.closed_refusal(hazard), "warning")
            return redirect(url_for(".show", pk=hazard.id))
        dispatcher = jiefen().dispatcher
        if hazard.dispute_type and dispatcher.is_type_enabled(hazard.dispute_type):
            return redirect(url_for("CaseIntakeView.register", dispute_type=hazard.dispute_type, hazard=hazard.id))
        return self.render_template("jiefen/hazard_choose_type.html", hazard=hazard, types=dispatcher.enabled_types(),
                                    title=_l("Register a hazard as a case"))
