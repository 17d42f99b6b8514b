"""My work, the page everyone lands on: one card per queue of what waits for them (offers,
applications, cases to screen or assign, visits, referrals, failed deliveries…), urgent first,
each item one click from its action; ``/mywork/queue/<key>/`` pages through one whole queue.

The queues and their queries are in :mod:`app.views.mywork_queues` (the machinery) and
:mod:`app.views.mywork_roles` (which role gets which queue); the page costs the same number of
statements whatever the volume.
"""
from __future__ import annotations

from flask import abort, g, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db, jiefen
from app.models.duty import DutyShift
from app.services import holidays
from app.views.mywork_queues import Item, Queue, build_queues, desk_for, queue_page
from app.views.mywork_roles import SPECS, SPECS_BY_KEY


def todays_shifts(desk) -> list[DutyShift]:
    """The judge's duty shifts today, morning first."""
    query = select(DutyShift).where(DutyShift.judge_id == desk.user.id, DutyShift.day == desk.today)
    return list(db.session.scalars(query.order_by(DutyShift.half)).unique())


def disabled_plugins_queue() -> Queue:
    """Dispute types switched off by an administrator (their cases cannot be registered)."""
    state = jiefen()
    names = sorted(state.dispatcher.disabled_plugins())
    items = []
    for name in names:
        info = state.registry.plugins.get(name)
        types = [str(state.registry.dispute_types[c].label) for c in (info.dispute_types if info else ())
                 if c in state.registry.dispute_types]
        items.append(Item(url=url_for("PluginAdminView.index"), label="、".join(types) or name,
                          text=str(info.description or "") if info else "", action=_l("Switch on")))
    return Queue("plugins-disabled", _l("Plugins switched off"), items[:5], len(items),
                 _l("Every plugin is switched on."))


def holiday_calendar_queue(desk) -> Queue | None:
    """From 1 November (China time), next year's holiday schedule when neither the package nor
    an administrator has it: without it, periods ending next year are guessed Monday–Friday."""
    year = desk.today.year + 1
    if desk.today.month < 11 or holidays.year_covered(year):
        return None
    item = Item(url=url_for("HolidayCalendarView.list"),
                label=gettext("Holidays of %(year)d", year=year),
                text=gettext("Enter the State Council's holiday notice for %(year)d: until then, periods ending "
                             "in %(year)d are counted Monday to Friday and marked as guessed.", year=year),
                action=_l("Enter the holidays"), urgency="soon")
    return Queue("holiday-calendar", _l("Next year's holiday calendar is missing"), [item], 1)


def my_work(user) -> dict:
    """Everything the page shows for ``user``, in a bounded number of statements."""
    desk = desk_for(user)
    queues = build_queues(desk, SPECS)
    if desk.is_admin:
        queues.append(disabled_plugins_queue())
        missing = holiday_calendar_queue(desk)
        if missing is not None:
            queues.append(missing)
    return {
        "desk": desk,
        "queues": queues,
        "shifts": todays_shifts(desk) if "Judge" in desk.roles else [],
        "is_judge": "Judge" in desk.roles,
        "organization": desk.organization,
    }


class MyWorkView(BaseView):
    """``/mywork/``: the signed-in person's queues; ``/mywork/queue/<key>/``: one whole queue."""

    route_base = "/mywork"
    default_view = "index"
    class_permission_name = "MyWork"
    method_permission_name = {"index": "index", "queue": "index"}

    @expose("/")
    @has_access
    def index(self):
        """The page, most urgent work first."""
        work = my_work(g.user)
        return self.render_template("jiefen/mywork.html", work=work, today=work["desk"].today)

    @expose("/queue/<key>/")
    @has_access
    def queue(self, key):
        """Every item of one of the user's queues, a page at a time."""
        spec = SPECS_BY_KEY.get(key)
        desk = desk_for(g.user)
        if spec is None or not spec.applies(desk):
            abort(404)
        raw = request.args.get("page", "0")
        page = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 0
        queue, pages = queue_page(desk, spec, page)
        return self.render_template("jiefen/mywork_queue.html", queue=queue, page=page, pages=pages,
                                    today=desk.today)


def register_mywork_views(appbuilder) -> None:
    """Add My work as a top-level menu item."""
    appbuilder.add_view(MyWorkView, "My work", label=_l("My work"), icon="fa-tasks")
