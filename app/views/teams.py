"""Mediation teams: full-time and part-time, resident and invited mediators working together.

The plan's split of duties (三(三)) is recorded as team roles; the role rules live in
``app.services.mediators`` and are checked by the forms here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.models.mediator import TEAM_ROLES, MediationTeam, Mediator, TeamMember
from app.models.organization import Organization
from app.services import mediators as pool
from app.views.pool_base import (
    LABELS,
    TEAM_PERMISSIONS,
    _acts_for,
    _choices,
    _lead_is_member,
    _PoolInterface,
    _PoolView,
    _refuse,
    _relation,
    _role_fits,
    mediators_in_scope,
    members_in_scope,
    organization_choices,
    teams_in_scope,
)
from app.views.scope_filter import organization_scope


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
    base_filters = [organization_scope(members_in_scope)]  # through the team: another body's → 404
    label_columns = dict(LABELS)
    formatters_columns = {"role": lambda code: TEAM_ROLES.get(code, code)}
    add_form_extra_fields = {
        "team": _relation(_l("Team"), MediationTeam, required=True, scope=teams_in_scope),
        "mediator": _relation(_l("Mediator"), Mediator, required=True, scope=mediators_in_scope),
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
        _acts_for(item.team.organization, item.mediator.organization)
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
    base_filters = [organization_scope(teams_in_scope)]  # another body's team → 404
    related_views = [TeamMemberModelView]
    label_columns = dict(LABELS)
    description_columns = {"lead": _l("Must be a member of the team.")}
    add_form_extra_fields = {"organization": _relation(_l("Organisation"), Organization, scope=organization_choices)}
    edit_form_extra_fields = {
        "organization": add_form_extra_fields["organization"],
        "lead": _relation(_l("Team lead"), Mediator, validators=[_lead_is_member], scope=mediators_in_scope),
    }
    search_form_query_rel_fields = {"organization": [organization_scope(organization_choices)]}

    def pre_add(self, item):
        _acts_for(item.organization)

    def pre_update(self, item):
        _acts_for(item.organization)
        _refuse(pool.team_lead_problem(item.id, item.lead))
