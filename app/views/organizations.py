"""Organisations admin page: centres, committees and the partner agencies plugins seed."""
from __future__ import annotations

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.extensions import jiefen
from app.models.organization import ORGANIZATION_KINDS, Organization


def _kinds():
    return [(code, str(label)) for code, label in ORGANIZATION_KINDS.items()]


def _types(codes):
    return "、".join(str(jiefen().dispatcher.type_label(c)) for c in codes or [])


class OrganizationModelView(ModelView):
    """Administrators edit the seeded partners and add their own organisations."""

    datamodel = SQLAInterface(Organization)
    route_base = "/admin/organizations"
    class_permission_name = "OrganizationAdmin"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Organisations")
    list_columns = ["name", "kind", "area", "dispute_types", "active"]
    show_columns = ["name", "kind", "parent", "area", "dispute_types", "description", "active", "code"]
    add_columns = ["name", "kind", "parent", "area", "description", "active"]
    edit_columns = add_columns
    search_columns = ["name", "kind", "area", "active"]
    order_columns = ["name", "kind", "active"]
    base_order = ("name", "asc")
    label_columns = {
        "name": _l("Name"),
        "kind": _l("Kind"),
        "area": _l("Area"),
        "dispute_types": _l("Dispute types"),
        "description": _l("Description"),
        "active": _l("Active"),
        "code": _l("Code"),
        "parent": _l("Part of"),
    }
    formatters_columns = {
        "kind": lambda k: ORGANIZATION_KINDS.get(k, k),
        "dispute_types": _types,
    }
    add_form_extra_fields = {
        "kind": SelectField(_l("Kind"), choices=_kinds, validators=[DataRequired()]),
    }
    edit_form_extra_fields = add_form_extra_fields

    def pre_add(self, item):
        if item.dispute_types is None:
            item.dispute_types = []
