"""Screening campaign pages (排查专项): the list, creating a campaign with a task per centre, the
campaign page with its progress per centre, and a centre's task page where it reports and
marks its task done. Registered with the hazard pages, the risk step and their APIs by
:func:`register_screening_views`."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db, jiefen
from app.models.screening import Hazard
from app.services import screening as svc
from app.services.clock import today
from app.services.hazards import screening_scope
from app.views.case_access import attempt
from app.views.screening_forms import CampaignForm, TaskReportForm, blank_task

PERMISSION_NAME = "ScreeningCampaign"
CAMPAIGN_PERMISSIONS = ["can_list", "can_show", "can_add", "can_report"]
SPARE_TASK_ROWS = 2


def _page_arg() -> int:
    raw = request.args.get("page", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


def _pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def campaign_form(formdata=None) -> CampaignForm:
    """The campaign form with this request's choices (types, areas; task centres follow the
    areas ticked)."""
    form = CampaignForm(formdata=formdata)
    form.dispute_type.choices = [("", "—")] + [(t.code, str(t.label)) for t in jiefen().dispatcher.enabled_types()]
    form.areas.choices = svc.area_choices()
    return form


def _chosen_areas(form) -> list[int]:
    offered = {value for value, _label in form.areas.choices}
    return [a for a in (form.areas.data or []) if a in offered]


def _task_choices(form, pad: bool = True) -> None:
    """Every task row offers the bodies located in the areas ticked (with ``pad``, keeping a
    spare row or two for the page)."""
    bodies = svc.task_bodies(_chosen_areas(form))
    choices = [(None, "—")] + [(o.id, f"{o.name}（{o.kind_label}）") for o in bodies]
    while pad and sum(1 for e in form.tasks.entries if blank_task(e) or not e.form.organization_id.data) \
            < SPARE_TASK_ROWS and len(form.tasks.entries) < (form.tasks.max_entries or 200):
        form.tasks.append_entry()
    for entry in form.tasks.entries:
        entry.form.organization_id.choices = choices


def offer_tasks(form) -> int:
    """Add a task row for every centre located in the areas ticked that has none yet (the
    instructions start as the focus, the due date as the campaign's end); returns how many."""
    form.tasks.entries = [e for e in form.tasks.entries if not blank_task(e)]
    present = {e.form.organization_id.data for e in form.tasks.entries}
    added = 0
    for centre in svc.offered_centres(_chosen_areas(form)):
        if centre.id in present or len(form.tasks.entries) >= (form.tasks.max_entries or 200):
            continue
        form.tasks.append_entry({"organization_id": centre.id, "instructions": form.focus.data or "",
                                 "due_on": form.ends_on.data})
        added += 1
    return added


def _input(form) -> svc.CampaignInput:
    return svc.CampaignInput(
        title=form.title.data, focus=form.focus.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        area_ids=_chosen_areas(form), dispute_type=form.dispute_type.data or None,
        tasks=[svc.TaskInput(t["organization_id"], t["instructions"], t["due_on"]) for t in form.tasks.data])


def _attach(form, problems: dict) -> None:
    """Show the problems beside their fields (a task row's own message is not repeated)."""
    shown = {str(e) for entry in form.tasks.entries for f in entry.form for e in f.errors}
    for name, messages in problems.items():
        field = getattr(form, name)
        field.errors = list(field.errors or []) + [m for m in messages if m not in shown]


def visible_campaign(pk):
    """The campaign in the reader's scope, or 404."""
    campaign = svc.campaign_in_scope(pk, screening_scope())
    if campaign is None:
        abort(404)
    return campaign


class CampaignView(BaseView):
    """``/screening/campaigns/…``."""

    route_base = "/screening/campaigns"
    default_view = "list"
    class_permission_name = PERMISSION_NAME
    base_permissions = CAMPAIGN_PERMISSIONS
    method_permission_name = {"list": "list", "show": "show", "add": "add", "task": "show", "report": "report"}

    @expose("/list/")
    @has_access
    def list(self):
        """The campaigns in scope, newest first, each with its tasks done and hazards found."""
        scope = screening_scope()
        campaigns, total, counts = svc.campaign_page(scope, _page_arg())
        page = min(_page_arg(), max(0, (total - 1) // svc.PAGE_SIZE))
        return self.render_template(
            "jiefen/screening_campaigns.html", campaigns=campaigns, counts=counts, total=total, page=page,
            pages=_pages(total, svc.PAGE_SIZE), may_create=svc.may_create(g.user, scope), title=_l("Screening campaigns"))

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """Create a campaign (the district only): the areas ticked offer their centres' tasks
        (``offer``), which are edited before saving."""
        scope = screening_scope()
        if not svc.may_create(g.user, scope):
            abort(404)
        form = campaign_form(request.form if request.method == "POST" else None)
        status = 200
        if request.method == "POST" and "offer" in request.form:
            form.areas.validate(form)  # the areas alone decide the offer
            added = offer_tasks(form)
            if _chosen_areas(form):
                flash(gettext("%(n)d centres offered a task: check each one, then save the campaign.", n=added), "info")
        elif request.method == "POST":
            _task_choices(form, pad=False)  # the rows are checked against the areas ticked
            valid = form.validate()
            problems = svc.campaign_problems(_input(form))
            if valid and not problems:
                done = []
                status = attempt(lambda: done.append(svc.create_campaign(g.user, scope, _input(form))))
                if status is None:
                    flash(gettext("Campaign created: %(title)s, %(n)d centres with a task.", title=done[0].title,
                                  n=len(done[0].tasks)), "success")
                    return redirect(url_for(".show", pk=done[0].id))
            else:
                _attach(form, problems)
                flash(gettext("Please correct the fields marked in red."), "danger")
                status = 422
        _task_choices(form)
        return self.render_template("jiefen/screening_campaign_form.html", form=form,
                                    title=_l("New screening campaign")), status

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        """The campaign: focus, period, areas, and its progress per centre (paged), with the
        reader's own tasks first for a centre."""
        scope = screening_scope()
        campaign = visible_campaign(pk)
        rows, totals, page = svc.progress(campaign, scope, _page_arg(), svc.PROGRESS_PAGE_SIZE)
        return self.render_template(
            "jiefen/screening_campaign.html", campaign=campaign, rows=rows, totals=totals, page=page,
            pages=_pages(totals["tasks"], svc.PROGRESS_PAGE_SIZE), task_states=svc.TASK_STATES,
            type_label=jiefen().dispatcher.type_label(campaign.dispute_type) if campaign.dispute_type else "—",
            today_date=today(), title=campaign.title)

    @expose("/task/<pk>")
    @has_access
    def task(self, pk, form=None, status: int = 200):
        """A centre's task: the instructions, its hazards, the report and marking it done."""
        scope = screening_scope()
        task = svc.task_in_scope(pk, scope)
        if task is None:
            abort(404)
        hazards = db.session.scalar(select(func.count(Hazard.id)).where(
            Hazard.campaign_id == task.campaign_id, Hazard.organization_id == task.organization_id)) or 0
        if form is None:
            form = TaskReportForm(formdata=None)
            form.report.data = task.report or ""
        return self.render_template(
            "jiefen/screening_task.html", task=task, campaign=task.campaign, form=form, hazards=hazards,
            state=svc.task_state(task.due_on, task.done_on), task_states=svc.TASK_STATES,
            may_report=self.appbuilder.sm.has_access("can_report", PERMISSION_NAME)
            and svc.may_report(task, screening_scope(), g.user), title=task.campaign.title), status

    @expose("/task/<pk>/report", methods=["POST"])
    @has_access
    def report(self, pk):
        """Save the report; with ``done``, mark the task done today."""
        scope = screening_scope()
        task = svc.task_in_scope(pk, scope)
        if task is None:
            abort(404)
        if not svc.may_report(task, scope, g.user):
            abort(403)  # readable, but another body's task
        form = TaskReportForm()
        done = "done" in request.form
        if not form.validate():
            flash(gettext("Please correct the fields marked in red."), "danger")
            return self.task(pk, form=form, status=422)
        status = attempt(lambda: svc.report_task(task, g.user, form.report.data, done))
        if status is not None:
            return self.task(pk, form=form, status=status)
        flash(gettext("The task is marked done.") if done else gettext("The report is saved."), "success")
        return redirect(url_for(".show", pk=task.campaign_id) if done else url_for(".task", pk=task.id))


def register_screening_views(appbuilder) -> None:
    """Campaigns and hazards under "Screening and warning", the risk step on the case page,
    the hazard and risk APIs, and the template helpers they share."""
    from flask import current_app

    from app.lifecycle.risk import risk_colour, risk_label
    from app.models.screening import HAZARD_STATUS
    from app.views.hazards import HazardView
    from app.views.hazards_api import HazardApi
    from app.views.risk import RiskApi, RiskView, case_screening

    category = {"category": "Warning", "category_label": _l("Screening and warning"), "category_icon": "fa-bell"}
    appbuilder.add_view(CampaignView, "Screening campaigns", label=_l("Screening campaigns"), icon="fa-search",
                        **category)
    appbuilder.add_view(HazardView, "Hazards", label=_l("Hazards"), icon="fa-exclamation-triangle", **category)
    appbuilder.add_view_no_menu(RiskView)
    appbuilder.add_api(RiskApi)
    appbuilder.add_api(HazardApi)
    current_app.jinja_env.globals.update(
        risk_label=risk_label, risk_colour=risk_colour, case_screening=case_screening,
        hazard_status_label=lambda code: HAZARD_STATUS.get(code, code))
