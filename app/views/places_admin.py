"""Admin pages for the area hierarchy and for who works where (staff memberships)."""
from __future__ import annotations

from decimal import Decimal

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from app.extensions import db
from app.models.area import AREA_LEVELS, Area
from app.models.membership import Membership
from app.names import person_name
from app.services.areas import check_placement, path_label, references

REFERENCE_LABELS = {
    "children": _l("areas below it"),
    "cases": _l("cases registered there"),
    "organisations": _l("organisations located there"),
    "mediators": _l("mediators serving it"),
}


class AreaModelView(ModelView):
    """District → town/street → village/community → grid, with optional coordinates."""

    datamodel = SQLAInterface(Area)
    route_base = "/admin/areas"
    class_permission_name = "AreaAdmin"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Areas")
    list_columns = ["name", "level", "parent", "code", "latitude", "longitude"]
    show_columns = ["name", "level", "parent", "code", "latitude", "longitude"]
    add_columns = ["name", "level", "parent", "code", "latitude", "longitude"]
    edit_columns = add_columns
    search_columns = ["name", "level", "parent", "code"]
    order_columns = ["name", "level", "code"]
    base_order = ("name", "asc")
    label_columns = {
        "name": _l("Name"),
        "level": _l("Level"),
        "parent": _l("Parent area"),
        "code": _l("Division code"),
        "latitude": _l("Latitude"),
        "longitude": _l("Longitude"),
    }
    formatters_columns = {"level": lambda v: AREA_LEVELS.get(v, v), "parent": path_label}
    add_form_extra_fields = {
        "level": SelectField(
            _l("Level"),
            choices=lambda: [(k, str(v)) for k, v in AREA_LEVELS.items()],
            validators=[DataRequired()],
        )
    }
    edit_form_extra_fields = add_form_extra_fields

    def pre_add(self, item):
        _check_coordinates(item)
        check_placement(item)

    def pre_update(self, item):
        _check_coordinates(item)
        check_placement(item)

    def pre_delete(self, item):
        used = {k: v for k, v in references(item.id).items() if v}
        if used:
            what = "; ".join(f"{REFERENCE_LABELS[k]}: {n}" for k, n in used.items())
            raise ValueError(
                gettext("%(area)s cannot be deleted while these refer to it: %(what)s.", area=item.name, what=what)
            )


def _check_coordinates(item) -> None:
    lat, lon = item.latitude, item.longitude
    if (lat is None) != (lon is None):
        raise ValueError(gettext("Give both latitude and longitude, or neither."))
    if lat is not None and not (Decimal(-90) <= Decimal(lat) <= Decimal(90) and Decimal(-180) <= Decimal(lon) <= Decimal(180)):
        raise ValueError(gettext("Latitude is between -90 and 90, longitude between -180 and 180."))


class MembershipModelView(ModelView):
    """Which organisation each user works for; it decides which cases they see."""

    datamodel = SQLAInterface(Membership)
    route_base = "/admin/staff"
    class_permission_name = "StaffAdmin"
    include_route_methods = {"list", "show", "add", "edit", "delete"}
    list_title = _l("Staff and their organisations")
    list_columns = ["user", "organization", "title", "lead"]
    show_columns = list_columns
    add_columns = list_columns
    edit_columns = ["organization", "title", "lead"]
    search_columns = ["organization", "title", "lead"]
    order_columns = ["title"]
    label_columns = {"user": _l("User"), "organization": _l("Organisation"), "title": _l("Position"),
                     "lead": _l("Lead of the organisation")}
    # The lead assigns the staff member responsible for a case (app/lifecycle/responsibility.py);
    # an unticked box is a valid answer (FAB would make a NOT NULL boolean "required").
    add_form_extra_fields = {"lead": BooleanField(_l("Lead of the organisation"))}
    edit_form_extra_fields = {"lead": BooleanField(_l("Lead of the organisation"))}

    def pre_add(self, item):
        if item.user is None or item.organization is None:
            raise ValueError(gettext("Choose a user and an organisation."))
        taken = db.session.query(Membership).filter_by(user_id=item.user.id).first()
        if taken is not None:
            raise ValueError(
                gettext("%(user)s already belongs to %(org)s.", user=person_name(item.user), org=taken.organization)
            )
