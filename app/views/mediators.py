"""The people's mediation pool (调解库): mediators and their training records.

A mediator is never deleted (cases keep naming them): removal is a status with a reason.
Workload is never stored: list and show pages count open cases in one grouped query.
"""
from __future__ import annotations

from flask_appbuilder.fields import QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from wtforms import DecimalField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired

from app.extensions import jiefen
from app.models.area import Area
from app.models.mediator import EMPLOYMENT, ENGAGEMENT, MEDIATOR_STATUS, Mediator, TrainingRecord
from app.models.organization import Organization
from app.services import mediators as pool
from app.templating import local_time
from app.views.pool_base import (
    LABELS,
    MEDIATION,
    _acts_for,
    _by_name,
    _choices,
    _expiry_after_entry,
    _mobile,
    _names,
    _not_in_future,
    _PoolInterface,
    _PoolView,
    _positive_hours,
    _reason_for_status,
    _refuse,
    _relation,
    _specialties,
    mediators_in_scope,
    organization_choices,
    trainings_in_scope,
)
from app.views.scope_filter import organization_scope
from app.views.teams import MediationTeamModelView, TeamMemberModelView
from app.services.reveal import mask_mediator_values


class TrainingRecordModelView(_PoolView):
    """Training a mediator attended; added from the mediator's page."""

    datamodel = _PoolInterface(TrainingRecord, preload=("mediator",))
    route_base = "/mediators/training"
    class_permission_name = "MediatorTraining"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Training records")
    show_title = _l("Training record")
    add_title = _l("Add a training record")
    edit_title = _l("Edit training record")
    list_columns = ["mediator", "held_on", "hours", "topic", "organizer"]
    show_columns = list_columns
    add_columns = list_columns
    edit_columns = list_columns
    search_columns = ["held_on", "topic", "organizer"]
    order_columns = ["held_on", "hours", "topic"]
    base_order = ("held_on", "desc")
    base_filters = [organization_scope(trainings_in_scope)]  # through the mediator: another body's → 404
    label_columns = dict(LABELS)
    description_columns = {"organizer": _l("e.g. held jointly with the district justice bureau")}
    validators_columns = {"held_on": [_not_in_future]}
    add_form_extra_fields = {
        "mediator": _relation(_l("Mediator"), Mediator, required=True, scope=mediators_in_scope),
        "hours": DecimalField(_l("Hours"), places=1, validators=[InputRequired(), _positive_hours]),
    }
    edit_form_extra_fields = add_form_extra_fields

    def pre_add(self, item):
        _acts_for(item.mediator.organization)

    def pre_update(self, item):
        _acts_for(item.mediator.organization)


class MediatorModelView(_PoolView):
    """The pool: who may mediate, what they know, where they serve, and whether they may now."""

    datamodel = _PoolInterface(Mediator, preload=("user",))
    route_base = "/mediators"
    show_template = "jiefen/mediator_show.html"
    class_permission_name = "Mediator"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Mediator pool")
    show_title = _l("Mediator")
    add_title = _l("Add a mediator")
    edit_title = _l("Edit mediator")
    list_columns = [
        "name", "kind_label", "organization", "specialties", "status", "register_expires_on", "workload", "user",
    ]
    show_columns = [
        "name", "kind_label", "organization", "mobile", "certificate_no", "specialties", "areas",
        "register_entered_on", "register_expires_on", "status", "status_reason", "status_changed_at",
        "workload",
    ]
    add_columns = [
        "name", "employment", "engagement", "organization", "mobile", "certificate_no", "specialties",
        "areas", "register_entered_on", "register_expires_on", "status", "status_reason",
    ]
    edit_columns = add_columns
    # Never the mobile number: personal data is not searchable.
    search_columns = ["name", "employment", "engagement", "organization", "status", "register_expires_on"]
    order_columns = ["name", "status", "register_expires_on"]
    base_order = ("name", "asc")
    # The pool of the bodies the user acts for; another body's mediator answers 404.
    base_filters = [organization_scope(mediators_in_scope)]
    related_views = [TrainingRecordModelView, TeamMemberModelView]
    label_columns = dict(LABELS, organization=_l("Affiliation"))
    description_columns = {
        "organization": _l("The committee, centre or mediation company the mediator belongs to."),
        "specialties": _l("Dispute types the mediator handles; only types open for new cases are offered."),
        "status_reason": _l("Required when suspending or removing a mediator."),
    }
    formatters_columns = {
        "specialties": _specialties,
        "areas": _names,
        "status": lambda code: MEDIATOR_STATUS.get(code, code),
        "status_changed_at": local_time,
        "user": lambda user: user.username if user is not None else "—",
    }
    validators_columns = {
        "mobile": [_mobile],
        "register_expires_on": [_expiry_after_entry],
        "status_reason": [_reason_for_status],
    }
    add_form_extra_fields = {
        "employment": SelectField(_l("Employment"), choices=_choices(EMPLOYMENT), validators=[DataRequired()]),
        "engagement": SelectField(_l("Engagement"), choices=_choices(ENGAGEMENT), validators=[DataRequired()]),
        "status": SelectField(
            _l("Status"), choices=_choices(MEDIATOR_STATUS), default="active", validators=[DataRequired()]
        ),
        "organization": _relation(_l("Affiliation"), Organization, scope=organization_choices),
        "specialties": SelectMultipleField(
            _l("Specialties"),
            choices=lambda: [(t.code, str(t.label)) for t in jiefen().dispatcher.enabled_types()],
            widget=Select2ManyWidget(),
        ),
        # Mediators serve a village or community at the smallest; a case in a grid finds
        # them through the grid's parent areas. Leaving grids out keeps the list short.
        "areas": QuerySelectMultipleField(
            _l("Areas served"),
            query_func=_by_name(Area, Area.level != "grid"),
            get_pk_func=lambda obj: obj.id,
            widget=Select2ManyWidget(),
        ),
    }
    edit_form_extra_fields = add_form_extra_fields
    search_form_query_rel_fields = {"organization": [organization_scope(organization_choices)]}
    search_form_extra_fields = {
        "employment": SelectField(_l("Employment"), choices=_choices(EMPLOYMENT)),
        "engagement": SelectField(_l("Engagement"), choices=_choices(ENGAGEMENT)),
        "status": SelectField(_l("Status"), choices=_choices(MEDIATOR_STATUS)),
    }

    def _get_list_widget(self, **kwargs):
        widgets = super()._get_list_widget(**kwargs)
        args = widgets["list"].template_args
        loads = pool.workloads(args["pks"])
        args["value_columns"] = [
            dict(row, workload=loads.get(pk, 0)) for pk, row in zip(args["pks"], args["value_columns"])
        ]
        return widgets

    def _get_show_widget(self, pk, item, **kwargs):
        widgets = super()._get_show_widget(pk, item, **kwargs)
        args = widgets["show"].template_args
        values = list(args["value_columns"])
        values[self.show_columns.index("workload")] = pool.workloads([item.id])[item.id]
        # mobile and certificate number masked unless this session revealed them (app/services/reveal.py)
        args["value_columns"] = mask_mediator_values(self.show_columns, values, item)
        widgets["mediator"] = item  # the login block under the record (jiefen/mediator_show.html)
        return widgets

    def pre_add(self, item):
        _acts_for(item.organization)
        item.specialties = list(item.specialties or [])
        _refuse(pool.register_dates_problem(item.register_entered_on, item.register_expires_on))
        _refuse(pool.status_reason_problem(item.status, item.status_reason))
        item.status_reason = (item.status_reason or "").strip() or None

    def pre_update(self, item):
        _acts_for(item.organization)
        _refuse(pool.register_dates_problem(item.register_entered_on, item.register_expires_on))
        state = inspect(item).attrs
        # Specialties of a type switched off since are not offered on the form: keep them.
        before = state.specialties.history.deleted
        if before:
            enabled = {t.code for t in jiefen().dispatcher.enabled_types()}
            kept = [c for c in (before[0] or []) if c not in enabled and c not in item.specialties]
            item.specialties = list(item.specialties or []) + kept
        new_status, old_status = item.status, state.status.history.deleted
        if old_status:
            item.status = old_status[0]
        pool.change_status(item, new_status, item.status_reason)
        if state.employment.history.has_changes() or state.engagement.history.has_changes():
            _refuse(pool.kind_change_problem(item))


def register_mediator_views(appbuilder) -> None:
    """Add the pool, training records and teams under the "Mediation" menu."""
    menu = (
        (MediatorModelView, "Mediator pool", _l("Mediator pool"), "fa-users"),
        (TrainingRecordModelView, "Training records", _l("Training records"), "fa-graduation-cap"),
        (MediationTeamModelView, "Mediation teams", _l("Mediation teams"), "fa-sitemap"),
    )
    for view, name, label, icon in menu:
        appbuilder.add_view(
            view, name, label=label, icon=icon, category=MEDIATION, category_label=_l("Mediation"),
            category_icon="fa-handshake-o",
        )
    appbuilder.add_view_no_menu(TeamMemberModelView)


