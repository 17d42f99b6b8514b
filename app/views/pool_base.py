"""What the mediator-pool and team views share: labels, the list base view, field builders
and the form validators backed by ``app.services.mediators``."""
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
from wtforms.validators import DataRequired, StopValidation, ValidationError

from app.errors import database_error
from app.extensions import db, jiefen
from app.models.mediator import (
    MediationTeam,
    Mediator,
    TeamMember,
    TrainingRecord,
)
from app.models.organization import Organization
from app.services import mediators as pool
from app.services.org_scope import may_act_for, scoped
from app.validation.identity import is_valid_mobile, normalise_mobile
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
    "user": _l("Login"),
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


# -- organisation scope (app/services/org_scope.py) -----------------------------------------
# Each returns a WHERE clause keeping the rows of the bodies the user acts for, or None for all:
# a base filter of the views (out of scope → 404) and the query of their select lists.


def organization_choices():
    """Organisations the user acts for (the affiliation and team owner offered on forms)."""
    return scoped(Organization.id)


def mediators_in_scope():
    """Pool records of the bodies the user acts for."""
    return scoped(Mediator.organization_id)


def teams_in_scope():
    """Teams of the bodies the user acts for."""
    return scoped(MediationTeam.organization_id)


def members_in_scope():
    """Team memberships, through their team."""
    clause = teams_in_scope()
    return None if clause is None else TeamMember.team_id.in_(select(MediationTeam.id).where(clause))


def trainings_in_scope():
    """Training records, through their mediator."""
    clause = mediators_in_scope()
    return None if clause is None else TrainingRecord.mediator_id.in_(select(Mediator.id).where(clause))


def _acts_for(*organizations):
    """Refuse a save naming a body the user does not act for (or none, unless they act for
    every body): the forms offer only theirs, this holds for a forged or bypassing save."""
    for org in organizations:
        if not may_act_for(org.id if org is not None else None):
            raise ValueError(gettext("Choose one of the organisations you work for."))


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


def _by_name(model, *where, scope=None):
    def rows():
        clause = scope() if scope is not None else None  # per request: whose form it is
        stmt = select(model).where(*where) if clause is None else select(model).where(*where, clause)
        return db.session.scalars(stmt.order_by(model.name, model.id)).all()

    return rows


def _relation(label, model, *where, required=False, validators=(), scope=None):
    return QuerySelectField(
        label,
        query_func=_by_name(model, *where, scope=scope),
        get_pk_func=lambda obj: obj.id,
        allow_blank=not required,
        validators=[DataRequired()] + list(validators) if required else list(validators),
        widget=Select2Widget(),
    )


class _OfferedOnly(QuerySelectMultipleField):
    """FAB's multiple select drops a posted id it does not offer without a word when no
    offered id comes with it; resolving the ids first makes any such id an error."""

    def pre_validate(self, form):
        self.data  # noqa: B018 — flags ids that are not among the choices
        super().pre_validate(form)


def _relations(label, model, *where, scope=None):
    """A multiple select of ``model`` by name (``scope`` as for :func:`_relation`)."""
    return _OfferedOnly(
        label,
        query_func=_by_name(model, *where, scope=scope),
        get_pk_func=lambda obj: obj.id,
        widget=Select2ManyWidget(),
    )


def _check(problem):
    # StopValidation: FAB appends Optional() after these validators, and Optional() would
    # clear a plain ValidationError raised for an empty field.
    if problem:
        raise StopValidation(problem)


def _mobile(form, field):
    typed = (field.data or "").strip()
    # As at intake: full-width １３８… and "138 0266-1234" are stored as 13802661234; other
    # scripts' digits are not mainland numbers and are refused.
    field.data = normalise_mobile(typed) or None
    if field.data and not is_valid_mobile(field.data):
        field.data = typed
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
