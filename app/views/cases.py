"""Case list, detail and registration pages."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from sqlalchemy.exc import SQLAlchemyError

from app.errors import database_error
from app.extensions import jiefen
from app.intake.fields import RecordsField, blank_record
from app.intake.payload import form_errors
from app.models.case import CASE_CHANNELS, CASE_STATES, Case
from app.services.duplicates import flags_of
from app.services.hazard_intake import converting, hazard_for_intake, prefill_from_hazard
from app.services.intake import TYPE_UNAVAILABLE, intake_form, register_unless_duplicate
from app.templating import local_time
from app.views.case_filters import LIST_FILTERS
from app.views.case_access import attempt
from app.views.keys import is_valid_pk
from app.views.scope_filter import SCOPE

# Every column a user may search or sort by is listed: nothing personal is searchable.
CASE_SEARCH_COLUMNS = ["case_no", "title", "dispute_type", "status", "area", "created_at"]
CASE_ORDER_COLUMNS = ["case_no", "title", "dispute_type", "status", "created_at"]
# Every view and API on cases shares the permission name "Case" and this exact set, so
# FAB's permission sync never removes one view's grant while adding another's.
CASE_PERMISSIONS = ["can_list", "can_show", "can_add"]


class CaseModelView(ModelView):
    """All cases, whatever their type; registration goes through :class:`CaseIntakeView`."""

    datamodel = SQLAInterface(Case)
    class_permission_name = "Case"
    base_permissions = CASE_PERMISSIONS
    route_base = "/case"
    include_route_methods = {"list", "show"}
    method_permission_name = {"list": "list", "show": "show"}
    list_title = _l("Cases")
    show_title = _l("Case")
    # risk_level: the list flags high-risk cases (风险研判, app/lifecycle/risk.py)
    list_columns = ["case_no", "title", "dispute_type", "status", "area", "created_at", "risk_level"]
    show_columns = [
        "case_no",
        "dispute_type",
        "status",
        "track",
        "channel",
        "title",
        "description",
        "claim_amount_display",
        "area",
        "organization",
        "created_at",
    ]
    search_columns = CASE_SEARCH_COLUMNS
    order_columns = CASE_ORDER_COLUMNS
    base_order = ("created_at", "desc")
    base_filters = [SCOPE]
    page_size = 25
    show_template = "jiefen/case_show.html"
    list_template = "jiefen/case_list.html"
    label_columns = {
        "case_no": _l("Case number"),
        "title": _l("Summary"),
        "dispute_type": _l("Dispute type"),
        "status": _l("Status"),
        "track": _l("Track"),
        "channel": _l("Intake channel"),
        "description": _l("Facts and claims"),
        "claim_amount_display": _l("Claim amount (CNY)"),
        "area": _l("Area"),
        "organization": _l("Handling centre"),
        "created_at": _l("Registered at"),
        "risk_level": _l("Risk level"),
    }
    formatters_columns = {
        "dispute_type": lambda code: jiefen().dispatcher.type_label(code),
        "status": lambda code: CASE_STATES.get(code, code),
        "track": lambda code: _track_label(code),
        "channel": lambda code: CASE_CHANNELS.get(code, code),
        "created_at": local_time,
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Every case list (the plugins' typed lists subclass this view with base filters of
        # their own) takes the quick filters, selects and search box of the list page.
        self._base_filters.add_filter_list([LIST_FILTERS])

    def _show(self, pk):
        if not is_valid_pk(pk):
            abort(404)
        return super()._show(pk)

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        widgets = super()._get_show_widget(
            pk, item, widgets=widgets, actions=actions, show_fieldsets=show_fieldsets
        )
        widgets["case"] = item
        # Possible duplicates in other centres: for the users who see every case only.
        widgets["duplicate_flags"] = flags_of(item)
        return widgets


def _default_roles(form) -> None:
    """A new form suggests applicant then respondent, the usual order at the window."""
    for entry, role in zip(form.parties.entries, ("applicant", "respondent"), strict=False):
        entry.form.role.data = role


def _pad_rows(form, rows: int = 3) -> None:
    """Offer a few blank rows in every list of records (blank rows are ignored on save)."""
    lists = [form.parties] + [f for f in form.intake.form if isinstance(f, RecordsField)]
    for field in lists:
        while len(field.entries) < min(rows, field.max_entries or rows):
            field.append_entry()
    # Spare party rows offer the roles still missing, applicant then respondent: after a refused
    # form, the blank respondent row the clerk left for later must not come back as an applicant.
    present = {e.form.role.data for e in form.parties.entries if not blank_record(e)}
    missing = [r for r in ("applicant", "respondent") if r not in present]
    for entry in form.parties.entries:
        if missing and blank_record(entry):
            entry.form.role.data = missing.pop(0)


def _track_label(code):
    from app.models.case import CASE_TRACKS

    return CASE_TRACKS.get(code, code)


class CaseIntakeView(BaseView):
    """Register a dispute: choose its type, then fill in the type's form."""

    route_base = "/case/intake"
    default_view = "choose"
    class_permission_name = "Case"
    base_permissions = CASE_PERMISSIONS
    method_permission_name = {"choose": "add", "register": "add"}

    @expose("/")
    @has_access
    def choose(self):
        """The dispute types open for new cases."""
        return self.render_template(
            "jiefen/intake_choose.html", types=jiefen().dispatcher.enabled_types()
        )

    @expose("/<dispute_type>", methods=["GET", "POST"])
    @has_access
    def register(self, dispute_type):
        """The intake form of one type; on success, the new case's page."""
        state = jiefen()
        if not state.dispatcher.is_type_enabled(dispute_type):
            if state.dispatcher.owner_of(dispute_type):
                flash(str(TYPE_UNAVAILABLE), "danger")
                return redirect(url_for(".choose"))
            abort(404)
        # A hazard registered as a case (?hazard=<id>): in scope on GET and POST alike.
        hazard = hazard_for_intake(request.args.get("hazard"))
        form = intake_form(dispute_type, formdata=request.form if request.method == "POST" else None)
        duplicates = []
        if request.method == "GET":
            _default_roles(form)
            if hazard is not None:
                prefill_from_hazard(form, hazard)
        elif not form.validate():
            flash(gettext("Please correct the fields marked in red."), "danger")
        else:
            done = []
            try:
                refused = attempt(lambda: done.append(
                    register_unless_duplicate(form, dispute_type, g.user, bool(form.confirm_duplicates.data),
                                              before_commit=converting(hazard, g.user))))
            except SQLAlchemyError as exc:
                # Show the form again with everything typed, and a neutral reason.
                flash(database_error(exc)[1], "danger")
                refused = 422
            if not refused:
                outcome = done[0]
                if outcome.case is not None:
                    flash(gettext("Case %(no)s registered.", no=outcome.case.case_no), "success")
                    return redirect(url_for("CaseModelView.show", pk=outcome.case.id))
                duplicates = outcome.duplicates
                flash(gettext("The same person appears in other open cases: check them before registering."), "warning")
        _pad_rows(form)
        return self.render_template(
            "jiefen/intake_form.html",
            form=form,
            errors=form_errors(form) if request.method == "POST" else {},
            dispute_type=state.registry.dispute_types[dispute_type],
            specs=state.registry.field_specs(dispute_type),
            duplicates=duplicates,
            hazard=hazard,
        )
