"""The guidance log (指导与咨询): what judges on duty did — mediators guided, consultations
given — each entry tied to the judge's shift that day and, optionally, to a case they may see.
"""
from __future__ import annotations

from flask import g
from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterInFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional as Opt, ValidationError

from app.extensions import appbuilder, db
from app.intake.fields import LocalisedDateField, not_in_future
from app.models.case import Case
from app.models.duty import GUIDANCE_KINDS, DutyShift, GuidanceLog
from app.models.mediator import Mediator
from app.models.organization import Organization
from app.services.duty import DUTY_CENTRE_KINDS, local_today, person_name
from app.services.org_scope import may_act_for, scoped
from app.services.scope import request_scope
from app.templating import local_time
from app.views.duty import REQUIRED
from app.views.pool_base import _relations, mediators_in_scope
from app.views.scope_filter import organization_scope


def _visible_case_by_no(number: str):
    """The case numbered ``number`` if the signed-in user may see it, else ``None``."""
    query = select(Case).where(Case.case_no == number)
    scope = request_scope()
    return db.session.scalar(query.where(scope) if scope is not None else query)


def known_case_no(form, field):
    """A case number must name a registered case the judge may see (another body's case
    reads as unknown, so the field cannot probe which numbers exist)."""
    number = (field.data or "").strip()
    if number and _visible_case_by_no(number) is None:
        raise ValidationError(_l("No case has the number %(no)s.", no=number))


GUIDANCE_LABELS = {
    "day": _l("Date"), "kind": _l("Kind"), "topic": _l("Topic"), "notes": _l("Notes"), "judge": _l("Judge"),
    "centre": _l("Centre"), "case_no": _l("Case number"), "case.case_no": _l("Case number"),
    "mediators": _l("Mediators guided"), "created_at": _l("Recorded at"),
}


def _guidance_fields():
    return {
        "kind": SelectField(
            _l("Kind"),
            choices=lambda: [(k, str(v)) for k, v in GUIDANCE_KINDS.items()],
            validators=[DataRequired(message=REQUIRED)],
        ),
        "day": LocalisedDateField(
            _l("Date"), format="%Y-%m-%d", default=local_today, validators=[InputRequired(message=REQUIRED), not_in_future]
        ),
        # Typed, not chosen from a list: a select over every case loads them all on each request.
        "case_no": StringField(
            _l("Case number"),
            validators=[Opt(), Length(max=40), known_case_no],
            description=_l("Optional: the number of the case it was about, as printed on its documents."),
        ),
        "notes": TextAreaField(_l("Notes"), validators=[Opt(), Length(max=4000)]),
        # Active mediators of the bodies the user acts for; a forged id of another is refused.
        "mediators": _relations(_l("Mediators guided"), Mediator, Mediator.status == "active", scope=mediators_in_scope),
    }


class GuidanceInterface(SQLAInterface):
    """Loads each entry's case number with the page (FAB's list would load it row by row)
    and offers centres and mediators by name (FAB reuses this class for their choices)."""

    def query(self, filters=None, order_column="", order_direction="", *args, **kwargs):
        """FAB's query; related models' choices come sorted by name."""
        if self.obj is not GuidanceLog and not order_column and hasattr(self.obj, "name"):
            order_column, order_direction = "name", "asc"
        return super().query(filters, order_column, order_direction, *args, **kwargs)

    def apply_all(self, query, *args, **kwargs):
        """FAB's filters, order and page, plus the case joined in the same statement."""
        query = super().apply_all(query, *args, **kwargs)
        if self.obj is not GuidanceLog:
            return query
        return query.options(joinedload(GuidanceLog.case).load_only(Case.case_no).lazyload("*"))


class GuidanceLogView(ModelView):
    """What judges on duty did: mediators guided and legal consultations given."""

    datamodel = GuidanceInterface(GuidanceLog)
    route_base = "/duty/guidance"
    class_permission_name = "GuidanceLog"
    include_route_methods = {"list", "show", "add", "edit"}
    list_title = _l("Guidance and consultations")
    show_title = _l("Guidance or consultation")
    add_title = _l("Record guidance or a consultation")
    edit_title = _l("Edit guidance or consultation")
    list_columns = ["day", "kind", "topic", "judge", "centre", "case.case_no"]
    show_columns = ["day", "kind", "topic", "notes", "judge", "centre", "case.case_no", "mediators", "created_at"]
    add_columns = ["day", "centre", "kind", "topic", "case_no", "mediators", "notes"]
    edit_columns = add_columns
    # Topics and notes may name parties: only dates, kinds and places are searchable.
    search_columns = ["day", "kind", "centre"]
    order_columns = ["day", "kind"]
    base_order = ("day", "desc")
    page_size = 25
    # Entries of the centres the user acts for; another centre's entry answers 404.
    base_filters = [organization_scope(lambda: scoped(GuidanceLog.centre_id))]
    label_columns = GUIDANCE_LABELS
    formatters_columns = {
        "kind": lambda code: GUIDANCE_KINDS.get(code, code),
        "judge": lambda user: person_name(user.first_name, user.last_name) if user else "",
        "mediators": lambda people: "、".join(m.name for m in people or []),
        "created_at": local_time,
    }
    add_form_extra_fields = _guidance_fields()
    edit_form_extra_fields = _guidance_fields()
    add_form_query_rel_fields = {
        "centre": [
            ["kind", FilterInFunction, lambda: DUTY_CENTRE_KINDS],
            ["active", FilterEqual, True],
            organization_scope(lambda: scoped(Organization.id)),
        ],
    }
    edit_form_query_rel_fields = add_form_query_rel_fields
    search_form_query_rel_fields = {"centre": add_form_query_rel_fields["centre"]}

    def prefill_form(self, form, pk):
        """Show the linked case by its number."""
        item = self.datamodel.get(pk)
        form.case_no.data = item.case.case_no if item is not None and item.case else ""

    def pre_add(self, item):
        """The judge is whoever is signed in, whatever the form carried."""
        item.judge_id = g.user.id
        self._in_scope(item)
        self._link(item)

    def pre_update(self, item):
        """Only the judge who recorded an entry (or an administrator) changes it."""
        sm = appbuilder.sm
        if item.judge_id != g.user.id and not any(r.name == sm.auth_role_admin for r in sm.get_user_roles(g.user)):
            raise ValueError(gettext("Only the judge who recorded this entry may change it."))
        self._in_scope(item)
        self._link(item)

    @staticmethod
    def _in_scope(item):
        # The form offers only the user's centres; this holds when a save bypasses the form.
        centre_id = item.centre.id if item.centre is not None else item.centre_id
        if not may_act_for(centre_id):
            raise ValueError(gettext("You may record guidance only for the centres your organisation works for."))

    def _link(self, item):
        number = (getattr(item, "case_no", None) or "").strip()
        with db.session.no_autoflush:
            item.case = _visible_case_by_no(number) if number else None
            item.topic = (item.topic or "").strip()
            centre_id = item.centre.id if item.centre is not None else item.centre_id
            # Attach the entry to the judge's shift that day at that centre, when there was one.
            item.shift_id = db.session.scalar(
                select(DutyShift.id)
                .where(DutyShift.judge_id == item.judge_id, DutyShift.day == item.day, DutyShift.centre_id == centre_id)
                .order_by(DutyShift.half)
                .limit(1)
            )
