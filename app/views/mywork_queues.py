"""The queues of My work: what waits for each role, as bounded, scoped queries.

A queue is a :class:`QueueSpec`: a SELECT (ordered, oldest or earliest due first) and a way
to turn one of its rows into an :class:`Item` (a link straight to the action, a due date and
how urgent it is). The card shows a count and the first few items; ``/mywork/queue/<key>/``
pages through the whole queue. Every query carries the request's case scope, every list a
LIMIT, and the deadlines of all listed cases are counted together, so the page costs the same
number of statements whatever the volume.

Which queues a person gets follows from who they are (:class:`Desk`): the pool mediator linked
to their login, the court body or centre they work for (``app/services/scope.py``), the partner
agency, the administrator's role — and everyone's own cases (the responsible staff member).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from app.extensions import appbuilder, db
from app.lifecycle.deadlines import Deadline, deadlines_for_cases
from app.models.case import Case
from app.models.mediator import Mediator
from app.services.scope import request_scope
from app.services.settings import today as court_today

LIMIT = 5  # items on a card
SCAN = 100  # rows a card ranks by urgency before keeping LIMIT (the rest are one click away)
PAGE = 25  # rows on a queue's full page
URGENCY_ORDER = {"overdue": 0, "today": 1, "soon": 2, "": 3}
URGENCY_LABELS = {"overdue": _l("Overdue"), "today": _l("Due today"), "soon": _l("Due soon")}


@dataclass
class Item:
    """One thing to do: where to do it, what it is about, by when."""

    url: str
    label: str  # the case number (or the referral's, the setting's name)
    text: str = ""
    meta: str = ""
    action: Any = ""  # the button's words
    due: Optional[dt.date] = None
    urgency: str = ""  # overdue | today | soon | ""
    case_id: Optional[int] = None
    css: str = ""  # an extra class for the row (e.g. "offer")

    @property
    def urgency_label(self):
        """How urgent, in the reader's language ("" when not)."""
        return URGENCY_LABELS.get(self.urgency, "")


@dataclass
class Queue:
    """A card of My work: its items (most urgent first) and how many there are in all."""

    key: str
    title: Any
    items: list[Item]
    count: int
    empty: Any = ""
    note: Any = ""

    @property
    def more(self) -> bool:
        """True when the card does not show everything."""
        return self.count > len(self.items)

    @property
    def tone(self) -> str:
        """The card's colour: red with an overdue item, orange with one due today, else plain."""
        found = {i.urgency for i in self.items}
        return "danger" if "overdue" in found else "warning" if "today" in found else "default"


@dataclass
class Desk:
    """Who the signed-in person is, for their queues; read once per page."""

    user: Any
    today: dt.date
    roles: frozenset
    mediator: Optional[Mediator] = None
    organization: Any = None
    deadlines: dict = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        """FAB's break-glass role."""
        return "Admin" in self.roles

    @property
    def is_partner(self) -> bool:
        """Staff of a partner agency (they work through the partner pages)."""
        return self.organization is not None and self.organization.kind == "partner_agency"

    @property
    def is_court(self) -> bool:
        """Staff of one of the court's own bodies, or a judge. A mediator of the court's
        mediation centre works in the court but does not rule on applications."""
        at_court = self.organization is not None and self.organization.is_court
        return (at_court and bool(self.roles - {"Mediator"})) or "Judge" in self.roles

    @property
    def is_centre_clerk(self) -> bool:
        """A clerk of a centre (or a clerk filed under no organisation yet)."""
        return "Clerk" in self.roles and not self.is_court and not self.is_partner


def desk_for(user) -> Desk:
    """The :class:`Desk` of ``user``: roles, linked pool record, organisation (three queries)."""
    from app.models.membership import Membership

    roles = frozenset(r.name for r in appbuilder.sm.get_user_roles(user))  # groups' roles too
    mediator = db.session.scalars(
        select(Mediator).where(Mediator.user_id == user.id).options(lazyload(Mediator.areas))
    ).first()
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    return Desk(user=user, today=court_today(), roles=roles, mediator=mediator,
                organization=membership.organization if membership else None)


@dataclass(frozen=True)
class QueueSpec:
    """How to find a queue's rows and turn each into an :class:`Item`."""

    key: str
    title: Any
    empty: Any
    applies: Callable[[Desk], bool]
    query: Callable[[Desk], Select]  # ordered; the scope is added here
    build: Callable[[Desk, Any], Item]
    deadlines: bool = False  # rank the cases by their deadlines
    only_urgent: bool = False  # keep only items due soon or overdue (counted among SCAN rows)
    scoped: bool = True  # a query over cases (False: outbox, settings…)
    note: Any = ""


def scoped(query: Select) -> Select:
    """``query`` limited to the cases the request's user may see."""
    scope = request_scope()
    return query if scope is None else query.where(scope)


def _rows(spec: QueueSpec, desk: Desk, limit: int, offset: int = 0) -> list:
    query = spec.query(desk)
    query = scoped(query) if spec.scoped else query
    return [tuple(r) for r in db.session.execute(query.limit(limit).offset(offset)).unique().all()]


def _count(spec: QueueSpec, desk: Desk) -> int:
    query = spec.query(desk)
    query = scoped(query) if spec.scoped else query
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _cases_in(rows: list) -> list[Case]:
    return [v for row in rows for v in row if isinstance(v, Case)]


def _ranked(items: list[Item]) -> list[Item]:
    """Urgent first (overdue, due today, soon), earliest due first; otherwise as the query ordered."""
    far = dt.date.max
    return [i for _n, i in sorted(enumerate(items), key=lambda p: (URGENCY_ORDER.get(p[1].urgency, 3),
                                                                    p[1].due or far, p[0]))]


def build_queues(desk: Desk, specs: list[QueueSpec]) -> list[Queue]:
    """The cards for ``desk``: two statements per queue, plus one deadline count for all cases."""
    chosen = [s for s in specs if s.applies(desk)]
    fetched = {s.key: _rows(s, desk, SCAN if (s.deadlines or s.only_urgent) else LIMIT) for s in chosen}
    with_deadlines = {c.id: c for s in chosen if s.deadlines for c in _cases_in(fetched[s.key])}
    desk.deadlines = deadlines_for_cases(with_deadlines.values()) if with_deadlines else {}
    queues = []
    for spec in chosen:
        items = _ranked([spec.build(desk, row) for row in fetched[spec.key]])
        if spec.only_urgent:
            items = [i for i in items if i.urgency]
            count = len(items)
        else:
            count = _count(spec, desk)  # always: the page's cost does not depend on the volume
        queues.append(Queue(spec.key, spec.title, items[:LIMIT], count, spec.empty, spec.note))
    return queues


def queue_page(desk: Desk, spec: QueueSpec, page: int) -> tuple[Queue, int]:
    """One page of a whole queue, in the query's order, with the urgency of each item. A queue
    of urgent items only is the card's: the urgent ones among the SCAN rows, most urgent first."""
    if spec.only_urgent:
        rows = _rows(spec, desk, SCAN)
    else:
        rows = _rows(spec, desk, PAGE, page * PAGE)
    if spec.deadlines:
        desk.deadlines = deadlines_for_cases({c.id: c for c in _cases_in(rows)}.values())
    items = [spec.build(desk, row) for row in rows]
    if spec.only_urgent:
        urgent = [i for i in _ranked(items) if i.urgency]
        total, items = len(urgent), urgent[page * PAGE:(page + 1) * PAGE]
    else:
        total = _count(spec, desk)
    return Queue(spec.key, spec.title, items, total, spec.empty, spec.note), (total + PAGE - 1) // PAGE


# --- urgency -----------------------------------------------------------------------------------


def urgency_of_day(due: Optional[dt.date], today: dt.date, soon_days: int = 3) -> str:
    """How urgent a plain due date is on ``today``."""
    if due is None:
        return ""
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    return "soon" if (due - today).days <= soon_days else ""


def urgency_of(deadline: Optional[Deadline]) -> str:
    """How urgent a counted deadline is."""
    if deadline is None:
        return ""
    if deadline.status == "overdue":
        return "overdue"
    if deadline.status == "due_soon":
        return "today" if deadline.days_left == 0 else "soon"
    return ""


def due_day(deadline: Optional[Deadline]) -> Optional[dt.date]:
    """The day a deadline falls due (periods counted in hours end on a day too)."""
    due = deadline.due if deadline else None
    if isinstance(due, dt.datetime):
        from app.services.settings import court_day

        return court_day(due)
    return due


def first_deadline(desk: Desk, case: Case, code: str = "") -> Optional[Deadline]:
    """The case's most urgent running deadline (of the rule ``code`` when given)."""
    for d in desk.deadlines.get(case.id, []):
        if (not code or d.code == code) and d.status in ("overdue", "due_soon", "running"):
            return d
    return None


def case_item(desk: Desk, case: Case, url: str, action: Any = "", code: str = "", meta: str = "") -> Item:
    """An item about a case, with its most urgent deadline (``code``'s when given)."""
    deadline = first_deadline(desk, case, code)
    if deadline is not None and not meta:
        meta = f"{deadline.label}：{due_day(deadline)}"
    return Item(url=url, label=case.case_no, text=case.title, meta=meta, action=action,
                due=due_day(deadline), urgency=urgency_of(deadline), case_id=case.id)
