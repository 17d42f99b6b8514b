"""Joint analysis meetings (联席研判): whose meetings a reader sees, who may record them, what
may be discussed and who may be given a follow-up — the reading half, shared by the pages,
the API, the minutes and My work (the writes are in :mod:`app.services.meeting_records`).

Scope follows the convening body (``app/reports/scope.py``, ``records``):

- the district (administrators, leadership, the court's bodies) reads every meeting;
- a centre reads the meetings convened by itself or by a body located in its area and below;
- a meeting convened by one of the court's bodies (or by no body) is the district's: it
  belongs to the district's root area, so only district readers and a district-level centre
  see it, never a town's centre — even when the court sits in that town;
- anyone else (a partner agency, a pool mediator) reads none: a task owner among them reaches
  only their own tasks (:func:`own_task`).

What a meeting discussed is named only when the reader may see it (cases through
``app/services/scope.py``, alerts and hazards through the report scope); the rest is counted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from flask import g, has_request_context
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import and_, case, false, func, null, or_, select, true
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import ColumnElement

from app.extensions import appbuilder, db
from app.models.area import Area
from app.models.case import Case
from app.models.meeting import JointMeeting, MeetingItem, MeetingTask, meeting_organization
from app.models.membership import Membership
from app.models.organization import COURT_KINDS, Organization
from app.models.screening import Hazard
from app.models.warning import Alert
from app.reports.scope import ReportScope, report_scope
from app.services.scope import visible_cases
from app.views.keys import is_valid_pk

ITEM_KINDS = {"case": _l("Case"), "alert": _l("Alert"), "hazard": _l("Hazard")}
TASK_STATUS = {"open": _l("Not done yet"), "overdue": _l("Overdue"), "done": _l("Reported done")}
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Bounds that keep every page and document of a meeting a bounded read.
MAX_ITEMS = 200
MAX_TASKS = 100
MAX_CHOICES = 300  # bodies and people offered in one select


def scope_of(user) -> ReportScope:
    """The report scope of ``user``, computed once per request."""
    if not has_request_context():
        return report_scope(user)
    cache = g.setdefault("_jiefen_meeting_scopes", {})
    key = getattr(user, "id", None)
    if key not in cache:
        cache[key] = report_scope(user)
    return cache[key]


def district_area_id() -> Optional[int]:
    """The district's own area (the root of the hierarchy), where the district's meetings
    belong; looked up once per request."""
    if has_request_context() and "_jiefen_district_area" in g:
        return g._jiefen_district_area
    found = db.session.scalar(select(Area.id).where(Area.parent_id.is_(None), Area.level == "district")
                              .order_by(Area.id).limit(1))
    if has_request_context():
        g._jiefen_district_area = found
    return found


def home_area(root: Optional[int]) -> ColumnElement:
    """The area a body's meetings belong to, as SQL over ``Organization``: a court body's are
    the district's, another body's are its own area's (the district's when it has none)."""
    root_value = null() if root is None else root
    located = Organization.area_id if root is None else func.coalesce(Organization.area_id, root)
    return case((Organization.kind.in_(sorted(COURT_KINDS)), root_value), else_=located)


def meeting_clause(scope: ReportScope) -> ColumnElement:
    """A WHERE clause on ``JointMeeting``: the meetings ``scope`` may read."""
    if scope.is_district:
        return true()
    if scope.kind != "centre":
        return false()
    root = district_area_id()
    bodies = select(Organization.id).where(scope.records(home_area(root), Organization.id))
    clause = JointMeeting.organization_id.in_(bodies)
    if root is not None and root in (scope.area_ids or ()):
        clause = or_(clause, JointMeeting.organization_id.is_(None))
    return clause


def visible_meeting(pk, user) -> Optional[JointMeeting]:
    """The meeting ``pk`` if it exists and ``user`` may read it, else ``None`` (answer 404)."""
    if not is_valid_pk(pk):
        return None
    query = select(JointMeeting).where(JointMeeting.id == int(str(pk)), meeting_clause(scope_of(user)))
    return db.session.scalars(query).first()


# --- the list ------------------------------------------------------------------------------------


@dataclass
class MeetingRow:
    """One line of the list: the meeting and its counts."""

    meeting: JointMeeting
    items: int = 0
    tasks: int = 0
    open_tasks: int = 0


@dataclass
class MeetingPage:
    """One page of meetings, newest first, and how many there are in all."""

    rows: list[MeetingRow]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """How many pages the filtered list has (at least one)."""
        return max(1, -(-self.total // self.size))


def _filtered(user, year: Optional[int], organization_id: Optional[int]):
    clauses = [meeting_clause(scope_of(user))]
    if year is not None:
        clauses += [JointMeeting.held_on >= dt.date(year, 1, 1), JointMeeting.held_on < dt.date(year + 1, 1, 1)]
    if organization_id is not None:
        clauses.append(JointMeeting.organization_id == organization_id)
    return and_(*clauses)


def meeting_page(user, *, year: Optional[int] = None, organization_id: Optional[int] = None,
                 page: int = 0, size: int = PAGE_SIZE) -> MeetingPage:
    """The meetings ``user`` may read, newest first, one page at a time, with the number of
    items discussed and of tasks (open and all) of each — four statements whatever the volume."""
    where = _filtered(user, year, organization_id)
    total = db.session.scalar(select(func.count(JointMeeting.id)).where(where)) or 0
    page = min(max(page, 0), max(0, (total - 1) // size))
    meetings = db.session.scalars(
        select(JointMeeting).where(where).options(selectinload(JointMeeting.organization))
        .order_by(JointMeeting.held_on.desc(), JointMeeting.id.desc()).limit(size).offset(page * size)
    ).all()
    rows = {m.id: MeetingRow(m) for m in meetings}
    if rows:
        ids = sorted(rows)
        for meeting_id, n in db.session.execute(
                select(MeetingItem.meeting_id, func.count(MeetingItem.id))
                .where(MeetingItem.meeting_id.in_(ids)).group_by(MeetingItem.meeting_id)):
            rows[meeting_id].items = n
        open_count = func.sum(case((MeetingTask.done_on.is_(None), 1), else_=0))
        for meeting_id, n, n_open in db.session.execute(
                select(MeetingTask.meeting_id, func.count(MeetingTask.id), open_count)
                .where(MeetingTask.meeting_id.in_(ids)).group_by(MeetingTask.meeting_id)):
            rows[meeting_id].tasks, rows[meeting_id].open_tasks = n, int(n_open or 0)
    return MeetingPage([rows[m.id] for m in meetings], total, page, size)


def meeting_years(user) -> list[int]:
    """The years in which the reader's meetings were held, newest first (for the filter)."""
    first, last = db.session.execute(
        select(func.min(JointMeeting.held_on), func.max(JointMeeting.held_on)).where(meeting_clause(scope_of(user)))
    ).one()
    if first is None:
        return []
    return list(range(last.year, first.year - 1, -1))


def convening_bodies(user) -> list[Organization]:
    """The bodies that convened the reader's meetings, by name (for the filter)."""
    ids = select(JointMeeting.organization_id).where(meeting_clause(scope_of(user))).distinct()
    return list(db.session.scalars(select(Organization).where(Organization.id.in_(ids))
                                   .order_by(Organization.name, Organization.id).limit(MAX_CHOICES)))


# --- who records, who takes part, who follows up ---------------------------------------------------


def _roles(user) -> set[str]:
    return {r.name for r in appbuilder.sm.get_user_roles(user)} if user is not None else set()


def _membership_org(user) -> Optional[Organization]:
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    return membership.organization if membership else None


def _district_level_centres():
    """Governance centres of the district itself (located in no town: the district's area or none)."""
    at_district = select(Area.id).where(Area.level == "district")
    return and_(Organization.kind == "governance_centre",
                or_(Organization.area_id.is_(None), Organization.area_id.in_(at_district)))


def conveners(user) -> list[Organization]:
    """The bodies ``user`` may record a meeting for: an administrator any centre or court body;
    the court's staff the district's (a court body or the district's centre); a centre's staff
    their own centre; anyone else none."""
    if user is None or getattr(user, "id", None) is None:
        return []
    base = select(Organization).where(Organization.active.is_(True))
    court = Organization.kind.in_(sorted(COURT_KINDS))
    if appbuilder.sm.auth_role_admin in _roles(user):
        query = base.where(or_(court, Organization.kind == "governance_centre"))
    else:
        org = _membership_org(user)
        if org is None or not (org.is_court or org.kind == "governance_centre"):
            return []
        if not org.is_court:
            return [org]
        query = base.where(or_(court, _district_level_centres()))
    # the district's bodies first (court bodies, then centres), each group by name
    order = case((court, 0), else_=1)
    return list(db.session.scalars(query.order_by(order, Organization.name, Organization.id).limit(MAX_CHOICES)))


def may_record(user) -> bool:
    """True when ``user`` may record a meeting for some body."""
    return bool(conveners(user))


def may_edit(user, meeting: JointMeeting) -> bool:
    """True when ``user`` may change ``meeting``: it was convened by a body they record for."""
    if appbuilder.sm.auth_role_admin in _roles(user):
        return True
    return meeting.organization_id is not None and meeting.organization_id in {o.id for o in conveners(user)}


def participant_choices() -> list[Organization]:
    """The bodies that may take part: every active organisation, by kind and name (bounded)."""
    return list(db.session.scalars(
        select(Organization).where(Organization.active.is_(True))
        .order_by(Organization.kind, Organization.name, Organization.id).limit(MAX_CHOICES)))


def owner_choices(meeting: JointMeeting) -> list[tuple]:
    """Who may be given a follow-up: active staff of the convening body and of the bodies that
    took part — the people at the table — as ``(user, organisation)``, by body and name.
    Leadership reads and is given no follow-up: its role writes nothing."""
    from flask_appbuilder.security.sqla.models import assoc_user_role

    user_model = appbuilder.sm.user_model
    leaders = (select(assoc_user_role.c.user_id).join(appbuilder.sm.role_model,
                                                       appbuilder.sm.role_model.id == assoc_user_role.c.role_id)
               .where(appbuilder.sm.role_model.name == "Leadership"))
    bodies = select(meeting_organization.c.organization_id).where(meeting_organization.c.meeting_id == meeting.id)
    query = (select(user_model, Organization).join(Membership, Membership.user_id == user_model.id)
             .join(Organization, Organization.id == Membership.organization_id)
             .where(user_model.active.is_(True), user_model.id.not_in(leaders),
                    or_(Membership.organization_id.in_(bodies), Membership.organization_id == meeting.organization_id))
             .order_by(Organization.name, user_model.last_name, user_model.first_name, user_model.id)
             .limit(MAX_CHOICES))
    return [tuple(row) for row in db.session.execute(query).unique().all()]


# --- what was discussed ------------------------------------------------------------------------------


def case_in_reach(user):
    """WHERE clause on ``Case`` for ``user`` (``true`` for every case)."""
    clause = visible_cases(user)
    return true() if clause is None else clause


def find_subject(kind: str, reference: str, user):
    """The case (by its number), alert or hazard (by its number, ``12`` or ``#12``) that
    ``reference`` names within ``user``'s reach, or ``None`` — unknown and out of reach alike."""
    reference = (reference or "").strip()
    if not reference:
        return None
    if kind == "case":
        return db.session.scalars(select(Case).where(Case.case_no == reference, case_in_reach(user))).first()
    number = reference.lstrip("#＃").strip()
    if kind not in ("alert", "hazard") or not is_valid_pk(number):
        return None
    model = Alert if kind == "alert" else Hazard
    scope = scope_of(user)
    return db.session.scalars(select(model).where(model.id == int(number),
                                                  scope.records(model.area_id, model.organization_id))).first()


def item_kind(item: MeetingItem) -> str:
    """``case``, ``alert`` or ``hazard``: what the item is about."""
    return "case" if item.case_id else "alert" if item.alert_id else "hazard"


@dataclass
class Discussed:
    """The items a reader may see, in the order recorded, and how many others there are by kind."""

    shown: list[MeetingItem] = field(default_factory=list)
    hidden: dict = field(default_factory=dict)

    @property
    def hidden_total(self) -> int:
        """How many items the reader may not see."""
        return sum(self.hidden.values())


def discussed(meeting: JointMeeting, user) -> Discussed:
    """What ``meeting`` discussed, as ``user`` may see it (bounded by :data:`MAX_ITEMS`)."""
    items = list(db.session.scalars(
        select(MeetingItem).where(MeetingItem.meeting_id == meeting.id)
        .options(selectinload(MeetingItem.case), selectinload(MeetingItem.alert), selectinload(MeetingItem.hazard))
        .order_by(MeetingItem.id).limit(MAX_ITEMS)))
    ids = {"case": set(), "alert": set(), "hazard": set()}
    for item in items:
        ids[item_kind(item)].add(item.case_id or item.alert_id or item.hazard_id)
    seen = {kind: set() for kind in ids}
    scope = scope_of(user)
    if ids["case"]:
        seen["case"] = set(db.session.scalars(select(Case.id).where(Case.id.in_(ids["case"]), case_in_reach(user))))
    for kind, model in (("alert", Alert), ("hazard", Hazard)):
        if ids[kind]:
            seen[kind] = set(db.session.scalars(select(model.id).where(
                model.id.in_(ids[kind]), scope.records(model.area_id, model.organization_id))))
    out = Discussed()
    for item in items:
        kind = item_kind(item)
        if (item.case_id or item.alert_id or item.hazard_id) in seen[kind]:
            out.shown.append(item)
        else:
            out.hidden[kind] = out.hidden.get(kind, 0) + 1
    return out


def task_status(task: MeetingTask, today: dt.date) -> str:
    """``done``, ``overdue`` (open past its due day) or ``open``."""
    if task.done_on is not None:
        return "done"
    return "overdue" if task.due_on < today else "open"


def own_task(tid, user) -> Optional[MeetingTask]:
    """The follow-up ``tid`` if ``user`` owns it, else ``None`` (answer 404)."""
    if not is_valid_pk(tid) or user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(select(MeetingTask).where(MeetingTask.id == int(str(tid)),
                                                        MeetingTask.owner_id == user.id)).first()


def open_tasks_of(user_id: int):
    """SELECT of the open follow-ups ``user_id`` owns with their meetings, earliest due first
    (``ix_meeting_task_owner_open``)."""
    return (select(MeetingTask, JointMeeting).join(JointMeeting, JointMeeting.id == MeetingTask.meeting_id)
            .where(MeetingTask.owner_id == user_id, MeetingTask.done_on.is_(None))
            .order_by(MeetingTask.due_on, MeetingTask.id))


def has_open_tasks(user_id: int) -> bool:
    """True when ``user_id`` owns a follow-up not yet done (one indexed lookup)."""
    return db.session.scalar(select(MeetingTask.id).where(MeetingTask.owner_id == user_id,
                                                          MeetingTask.done_on.is_(None)).limit(1)) is not None


def alert_text(alert: Alert) -> str:
    """An alert in words: what its rule saw (the warning pages' own wording) and its status."""
    try:
        from app.warnings.wording import alert_title, rule_label, status_label
    except ImportError:  # the warning rules are not part of this build: say what the row says
        from app.models.warning import ALERT_LEVELS, ALERT_STATUS

        parts = [str(ALERT_LEVELS.get(alert.level, "")), alert.area.name if alert.area else "",
                 gettext("%(n)d cases", n=alert.case_count or 0), str(ALERT_STATUS.get(alert.status, ""))]
        return " · ".join(p for p in parts if p)
    return f"{rule_label(alert.rule)}：{alert_title(alert)}（{status_label(alert.status)}）"


def subject_text(item: MeetingItem) -> tuple[str, str]:
    """``(number, name)`` of what an item is about: a case's number and title, an alert's or a
    hazard's number (#12) and its description, in the reader's language."""
    if item.case_id:
        return item.case.case_no, item.case.title or ""
    if item.alert_id:
        return f"#{item.alert_id}", alert_text(item.alert)
    hazard = item.hazard
    area = f"（{hazard.area.name}）" if hazard.area else ""
    return f"#{item.hazard_id}", f"{hazard.title}{area}"
