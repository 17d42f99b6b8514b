"""The people's mediation pool (调解库): mediators, their training records and their teams.

A mediator is never deleted (cases keep naming them): removal is a status with a reason.
Workload is never stored: list and show pages count open cases in one grouped query.
"""
from __future__ import annotations

from decimal import Decimal

from flask import abort, request
from flask_appbuilder import ModelView
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.fieldwidgets import Select2ManyWidget, Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value
from wtforms import DecimalField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, StopValidation, ValidationError

from app.errors import database_error
from app.extensions import db, jiefen
from app.models.area import Area
from app.models.mediator import (
    EMPLOYMENT,
    ENGAGEMENT,
    MEDIATOR_STATUS,
    TEAM_ROLES,
    MediationTeam,
    Mediator,
    TeamMember,
    TrainingRecord,
)
from app.models.organization import Organization
from app.services import mediators as pool
from app.templating import local_time
from app.validation.identity import is_valid_mobile
from app.views.keys import is_valid_pk

MEDIATION = "Mediation"
# The team page and its members list share one permission name, so both need the same set
# (FAB's permission sync would otherwise remove one view's grants when adding the other's).
TEAM_PERMISSIONS = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
MAX_HOURS = Decimal("9999.9")  # training_record.hours is NUMERIC(5, 1)
LABELS = {
    "name": _l("Name"),
    "kind_label": _l("Kind"),
    "mediator.kind_label": _l("Kind"),
    "employment": _l("Employment"),
    "engagement": _l("Engagement"),
    "organization": _l("Organisation"),
    "mobile": _l("Mobile"),
    "certificate_no": _l("Certificate number"),
    "specialties": _l("Specialties"),
    "areas": _l("Areas served"),
    "register_entered_on": _l("On the register since"),
    "register_expires_on": _l("Register expires on"),
    "status": _l("Status"),
    "status_reason": _l("Reason for the status"),
    "status_changed_at": _l("Status changed at"),
    "workload": _l("Open cases"),
    "mediator": _l("Mediator"),
    "held_on": _l("Held on"),
    "hours": _l("Hours"),
    "topic": _l("Topic"),
    "organizer": _l("Organiser"),
    "team": _l("Team"),
    "role": _l("Duties"),
    "lead": _l("Team lead"),
    "description": _l("Description"),
}


class _PoolInterface(SQLAInterface):
    """FAB's interface, loading the many-to-one relations named in ``preload`` for a whole
    page in one query each (not one per row), and never flashing SQL on a failed add."""

    def __init__(self, obj, preload=(), **kwargs):
        super().__init__(obj, **kwargs)
        self.preload = preload

    def query(self, *args, **kwargs):
        count, items = super().query(*args, **kwargs)
        for name in self.preload:
            relation = inspect(self.obj).relationships[name]
            model, fk = relation.mapper.class_, next(iter(relation.local_columns)).key
            ids = {getattr(item, fk) for item in items} - {None}
            if not ids:
                continue
            stmt = select(model).where(model.id.in_(ids))
            if model is Mediator:  # a page of names does not need the areas served
                stmt = stmt.options(lazyload(Mediator.areas))
            loaded = {row.id: row for row in db.session.scalars(stmt)}
            for item in items:
                # Set on the row itself: the session's identity map holds objects only weakly.
                set_committed_value(item, name, loaded.get(getattr(item, fk)))
        return count, items

    def add(self, item, commit=True):
        try:
            super().add(item, commit)
        except SQLAlchemyError as exc:
            raise ValueError(database_error(exc)[1]) from None


class _PoolView(ModelView):
    """Ids from URLs are checked before FAB looks them up: a bad or huge id is a 404, not a 500."""

    def _show(self, pk):
        return super()._show(_valid_pk(pk))

    def _edit(self, pk):
        return super()._edit(_valid_pk(pk))

    def _add(self):
        self._check_filter_ids()
        return super()._add()

    def _list(self, **kwargs):
        self._check_filter_ids()
        return super()._list(**kwargs)

    def _check_filter_ids(self):
        # Related lists link here with ?_flt_0_<relation>=<id>; FAB looks that id up as is.
        properties = self.datamodel.list_properties
        for key, value in request.args.items(multi=True):
            column = key.split("_", 3)[-1] if key.startswith("_flt_") else None
            if column in properties and self.datamodel.is_relation(column):
                _valid_pk(value)


def _valid_pk(pk):
    if not is_valid_pk(pk):
        abort(404)
    return pk


def _refuse(problem):
    """Refuse a save that bypassed the form's validators (FAB flashes the message)."""
    if problem:
        raise ValueError(problem)


# -- form pieces ---------------------------------------------------------------------------


def _choices(mapping):
    return lambda: [(code, str(label)) for code, label in mapping.items()]


def _by_name(model, *where):
    return lambda: db.session.scalars(select(model).where(*where).order_by(model.name, model.id)).all()


def _relation(label, model, *where, required=False, validators=()):
    return QuerySelectField(
        label,
        query_func=_by_name(model, *where),
        get_pk_func=lambda obj: obj.id,
        allow_blank=not required,
        validators=[DataRequired()] + list(validators) if required else list(validators),
        widget=Select2Widget(),
    )


def _check(problem):
    # StopValidation: FAB appends Optional() after these validators, and Optional() would
    # clear a plain ValidationError raised for an empty field.
    if problem:
        raise StopValidation(problem)


def _mobile(form, field):
    field.data = (field.data or "").strip() or None
    if field.data and not is_valid_mobile(field.data):
        raise ValidationError(gettext("Enter an 11-digit mainland mobile number, e.g. 13802661234."))


def _expiry_after_entry(form, field):
    _check(pool.register_dates_problem(form.register_entered_on.data, field.data))


def _reason_for_status(form, field):
    if "status" in form:
        _check(pool.status_reason_problem(form.status.data, field.data))


def _positive_hours(form, field):
    if field.data is not None and field.data <= 0:
        raise ValidationError(gettext("Training hours must be more than 0."))
    if field.data is not None and field.data > MAX_HOURS:
        raise ValidationError(gettext("Training hours must be at most %(max)s.", max=MAX_HOURS))


def _not_in_future(form, field):
    if field.data and field.data > pool.local_today():
        raise ValidationError(gettext("The date cannot be in the future."))


def _role_fits(form, field):
    if "team" in form:  # adding: team and mediator come from the form (or the page's filter)
        team, mediator, member_id = form.team.data, form.mediator.data, None
    else:  # editing: only the duties change
        member = db.session.get(TeamMember, int(form._id))
        team, mediator, member_id = member.team, member.mediator, member.id
    if team is not None and mediator is not None:
        _check(pool.team_member_problem(team, mediator, field.data, member_id))


def _lead_is_member(form, field):
    team_id = getattr(form, "_id", None)
    if team_id is not None:
        _check(pool.team_lead_problem(int(team_id), field.data))


def _specialties(codes):
    return "、".join(str(jiefen().dispatcher.type_label(c)) for c in codes or [])


def _names(items):
    return "、".join(item.name for item in items or [])


# -- views -----------------------------------------------------------------------------------


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
    label_columns = dict(LABELS)
    description_columns = {"organizer": _l("e.g. held jointly with the district justice bureau")}
    validators_columns = {"held_on": [_not_in_future]}
    add_form_extra_fields = {
        "mediator": _relation(_l("Mediator"), Mediator, required=True),
        "hours": DecimalField(_l("Hours"), places=1, validators=[InputRequired(), _positive_hours]),
    }
    edit_form_extra_fields = add_form_extra_fields


class TeamMemberModelView(_PoolView):
    """A mediator's place and duties in a team; shown on both the team's and the mediator's page."""

    datamodel = _PoolInterface(TeamMember, preload=("team",))
    route_base = "/mediators/team-members"
    class_permission_name = "MediationTeam"
    base_permissions = TEAM_PERMISSIONS
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Team memberships")
    show_title = _l("Team membership")
    add_title = _l("Add a team member")
    edit_title = _l("Edit team membership")
    list_columns = ["team", "mediator", "mediator.kind_label", "role"]
    show_columns = list_columns
    add_columns = ["team", "mediator", "role"]
    # Team and mediator are what a membership is: to change them, remove it and add another.
    edit_columns = ["role"]
    search_columns = ["team", "role"]
    order_columns = ["role"]
    base_order = ("role", "desc")  # lead, then intake and follow-up, then analysis
    label_columns = dict(LABELS)
    formatters_columns = {"role": lambda code: TEAM_ROLES.get(code, code)}
    add_form_extra_fields = {
        "team": _relation(_l("Team"), MediationTeam, required=True),
        "mediator": _relation(_l("Mediator"), Mediator, required=True),
        "role": SelectField(_l("Duties"), choices=_choices(TEAM_ROLES), validators=[DataRequired(), _role_fits]),
    }
    edit_form_extra_fields = {"role": add_form_extra_fields["role"]}

    def pre_add(self, item):
        self._check(item, None)

    def pre_update(self, item):
        self._check(item, item.id)

    def pre_delete(self, item):
        _refuse(pool.leaving_lead_problem(item))

    def _check(self, item, member_id):
        _refuse(pool.team_member_problem(item.team, item.mediator, item.role, member_id))
        pool.sync_lead(item)


class MediationTeamModelView(_PoolView):
    """Full-time and part-time, resident and invited mediators working together."""

    datamodel = _PoolInterface(MediationTeam, preload=("organization", "lead"))
    route_base = "/mediators/teams"
    class_permission_name = "MediationTeam"
    base_permissions = TEAM_PERMISSIONS
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Mediation teams")
    show_title = _l("Mediation team")
    add_title = _l("Add a mediation team")
    edit_title = _l("Edit mediation team")
    list_columns = ["name", "organization", "lead"]
    show_columns = ["name", "organization", "lead", "description"]
    # A new team has no members yet, so its lead is chosen once they are added.
    add_columns = ["name", "organization", "description"]
    edit_columns = ["name", "organization", "lead", "description"]
    search_columns = ["name", "organization"]
    order_columns = ["name"]
    base_order = ("name", "asc")
    related_views = [TeamMemberModelView]
    label_columns = dict(LABELS)
    description_columns = {"lead": _l("Must be a member of the team.")}
    add_form_extra_fields = {"organization": _relation(_l("Organisation"), Organization)}
    edit_form_extra_fields = {
        "organization": add_form_extra_fields["organization"],
        "lead": _relation(_l("Team lead"), Mediator, validators=[_lead_is_member]),
    }

    def pre_update(self, item):
        _refuse(pool.team_lead_problem(item.id, item.lead))


class MediatorModelView(_PoolView):
    """The pool: who may mediate, what they know, where they serve, and whether they may now."""

    datamodel = _PoolInterface(Mediator)
    route_base = "/mediators"
    class_permission_name = "Mediator"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Mediator pool")
    show_title = _l("Mediator")
    add_title = _l("Add a mediator")
    edit_title = _l("Edit mediator")
    list_columns = [
        "name", "kind_label", "organization", "specialties", "status", "register_expires_on", "workload",
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
        "organization": _relation(_l("Affiliation"), Organization),
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
        args["value_columns"] = values
        return widgets

    def pre_add(self, item):
        item.specialties = list(item.specialties or [])
        _refuse(pool.register_dates_problem(item.register_entered_on, item.register_expires_on))
        _refuse(pool.status_reason_problem(item.status, item.status_reason))
        item.status_reason = (item.status_reason or "").strip() or None

    def pre_update(self, item):
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
