"""Demo data for bulletins (通报): last quarter's evaluation of the centres, drafted and issued by
the court's clerk early in the following month, and a draft ranking last quarter's mediators
that is still being written.

Made through the bulletins' own service (:mod:`app.reports.bulletin`) — the figures frozen
from the demo's cases, the DOCX rendered and archived on issuing — with the application's
clock set to the day of issuing, as the clerk would have done it. Run after the people and
the cases (:func:`app.demo.load_demo`); running it again adds nothing.
"""
from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.demo_story import replay_clock
from app.extensions import appbuilder, db
from app.models.bulletin import Bulletin
from app.reports import bulletin as service
from app.reports.periods import quarter_period
from app.services import clock

DRAFTER = "clerk_court"  # 余子轩, clerk of the civil division: a court body drafts and issues
ISSUE_DAY_OF_MONTH = 8
DRAFT_BODY = ("上季度，全区各调解员积极参与诉前调解工作，调解成功率总体稳定。\n"
              "本通报草稿尚在征求意见，定稿后印发。")


def last_quarter(today: dt.date):
    """The calendar quarter before the one ``today`` is in."""
    quarter = (today.month - 1) // 3 + 1
    return quarter_period(today.year, quarter - 1) if quarter > 1 else quarter_period(today.year - 1, 4)


def issue_moment(today: dt.date, period) -> dt.datetime:
    """10:00 on the 8th of the month after the quarter (a weekday on or before it), or now when
    that is still to come."""
    day = (period.last + dt.timedelta(days=1)).replace(day=ISSUE_DAY_OF_MONTH)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    if day >= today:
        return clock.utc_now()
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.court_zone()).astimezone(dt.timezone.utc)


def _exists(period_code: str, level: str) -> bool:
    return db.session.scalars(select(Bulletin.id).where(Bulletin.period == period_code, Bulletin.level == level)
                              .limit(1)).first() is not None


def load_bulletin_demo() -> str:
    """One issued bulletin of last quarter's centres and one draft of its mediators (idempotent)."""
    actor = appbuilder.sm.find_user(username=DRAFTER) or appbuilder.sm.find_user(username="admin")
    if actor is None:
        return "Bulletin demo skipped: no drafter."
    period = last_quarter(clock.today())
    made = []
    with current_app.test_request_context(), force_locale("zh_CN"):
        if not _exists(period.code, "centre"):
            with replay_clock() as set_to:
                set_to(issue_moment(clock.today(), period))
                bulletin = service.create(period.code, "centre", actor)
                service.issue(bulletin, actor, bulletin.version)
            made.append("issued")
        if not _exists(period.code, "mediator"):
            service.create(period.code, "mediator", actor, body=DRAFT_BODY)
            made.append("draft")
    return f"Bulletins: {', '.join(made) or 'already present'} ({period.code})."
