"""My work: what the signed-in person has to do now — offers to answer, cases whose
deadlines are running out, today's duty.

Every case query goes through the request's scope, and the deadlines of all listed cases
are counted together (one timeline query, one settings query), so the page costs the same
few queries whether a person has three cases or three hundred.
"""
from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field

from flask import g
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import defaultload, lazyload

from app.extensions import appbuilder, db
from app.lifecycle.referrals import overdue_for
from app.lifecycle.visits import due_visits
from app.lifecycle.deadlines import Deadline, deadlines_for_cases, urgency
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.duty import DutyShift
from app.models.lifecycle import Assignment
from app.models.mediator import Mediator
from app.services.scope import request_scope
from app.services.settings import today

JUDGE_ROLE = "Judge"
# Mediator.areas loads with "selectin" (a statement of its own); this page never shows it.
_NO_AREAS = lazyload(Mediator.areas)


@dataclass
class CaseWork:
    """A case on someone's desk and its deadlines, most urgent first."""

    case: Case
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def attention(self) -> list[Deadline]:
        """The deadlines that are overdue or due soon."""
        return [d for d in self.deadlines if d.needs_attention]

    @property
    def current(self) -> list[Deadline]:
        """The deadlines still counting (met and not-yet-started ones left out)."""
        return [d for d in self.deadlines if d.status in ("overdue", "due_soon", "running")]


def _scoped(query):
    scope = request_scope()
    return query if scope is None else query.where(scope)


def _most_urgent_first(items: list[CaseWork]) -> list[CaseWork]:
    def key(item):
        first = item.deadlines[0] if item.deadlines else None
        return (urgency(first) if first else (99, 0), item.case.created_at, item.case.id)

    return sorted(items, key=key)


def pending_offers(mediator: Mediator) -> list[tuple[Assignment, Case]]:
    """Offers waiting for this mediator's answer, on cases the user may see, oldest first."""
    query = (
        select(Assignment, Case)
        .join(Case, Case.id == Assignment.case_id)
        # an offer is open only while the case waits for a mediator (see the "assign" action)
        .where(Assignment.mediator_id == mediator.id, Assignment.response == "pending",
               Case.status == "assigned", Case.mediator_id.is_(None))
        .order_by(Assignment.offered_at, Assignment.id)
        .options(defaultload(Assignment.mediator).lazyload(Mediator.areas))
    )
    return [tuple(row) for row in db.session.execute(_scoped(query)).unique().all()]


def open_cases(*conditions) -> list[Case]:
    """Open cases matching any of ``conditions``, within the request's scope."""
    query = select(Case).where(Case.status.in_(OPEN_STATES), or_(*conditions)).order_by(Case.id)
    return list(db.session.scalars(_scoped(query)).unique())


def todays_shifts(user) -> list[DutyShift]:
    """The user's duty shifts today, morning first."""
    query = select(DutyShift).where(DutyShift.judge_id == user.id, DutyShift.day == today())
    return list(db.session.scalars(query.order_by(DutyShift.half)).unique())


def todays_appointments(case_ids: list[int]) -> list:
    """Planned appointments today on the user's cases, earliest first (one query)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    from app.models.mediation import Appointment

    if not case_ids:
        return []
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai"))
    start = dt.datetime.combine(today(), dt.time.min, tzinfo=zone)
    query = (
        select(Appointment, Case)
        .join(Case, Case.id == Appointment.case_id)
        .where(Appointment.case_id.in_(case_ids), Appointment.status == "planned",
               Appointment.starts_at >= start, Appointment.starts_at < start + dt.timedelta(days=1))
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return [tuple(row) for row in db.session.execute(query).all()]


def my_work(user) -> dict:
    """Everything the page shows for ``user``, in a bounded number of queries."""
    mediator = db.session.scalars(select(Mediator).where(Mediator.user_id == user.id).options(_NO_AREAS)).first()
    offers = pending_offers(mediator) if mediator else []
    mediated = open_cases(Case.mediator_id == mediator.id) if mediator else []
    staffed = open_cases(Case.responsible_staff_id == user.id, Case.created_by_fk == user.id)
    counted = deadlines_for_cases({c.id: c for c in mediated + staffed}.values())
    mediating = _most_urgent_first([CaseWork(c, counted[c.id]) for c in mediated])
    mediated_ids = {c.id for c in mediated}
    # A case already listed as the user's mediation is not repeated under their staff work.
    staff = [CaseWork(c, counted[c.id]) for c in staffed if c.id not in mediated_ids]
    # through FAB 5 groups as well as direct roles
    is_judge = any(r.name == JUDGE_ROLE for r in appbuilder.sm.get_user_roles(user))
    my_case_ids = [c.id for c in mediated] + [c.id for c in staffed]
    return {
        "mediator": mediator,
        "offers": offers,
        "appointments": todays_appointments(my_case_ids),
        "overdue_referrals": overdue_for(user),
        "visits": due_visits(today(), case_ids=my_case_ids) if my_case_ids else [],
        "mediating": mediating,
        "staff": _most_urgent_first([w for w in staff if w.attention]),
        "shifts": todays_shifts(user) if is_judge else [],
        "is_judge": is_judge,
    }


class MyWorkView(BaseView):
    """``/mywork/``: the signed-in person's offers, urgent cases and duty today."""

    route_base = "/mywork"
    default_view = "index"
    class_permission_name = "MyWork"

    @expose("/")
    @has_access
    def index(self):
        """The page, most urgent work first."""
        return self.render_template("jiefen/mywork.html", work=my_work(g.user), today=today())


def register_mywork_views(appbuilder) -> None:
    """Add My work as a top-level menu item."""
    appbuilder.add_view(MyWorkView, "My work", label=_l("My work"), icon="fa-tasks")
