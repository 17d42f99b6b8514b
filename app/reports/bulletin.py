"""Bulletins (通报): a period's evaluation written up, edited as a draft and archived once issued.

- **Drafting, editing, issuing**: administrators and the clerks of the court's own bodies
  (:func:`may_draft`). A draft freezes the evaluation's figures (``figures``, the whole
  district's, JSON) when it is created; "regenerate figures" freezes them again while it is a
  draft. Title and text are edited freely while it is a draft.
- **Issuing** renders the DOCX once and keeps it in ``document``; ``issued_at`` and
  ``issued_by`` are set; from then on the bulletin is read-only: every change is refused
  (:class:`BulletinIssued`, 409 on the API), an ORM guard refuses any UPDATE or DELETE of an
  issued row, and the table's check constraint refuses an issued row without its document or
  date. (A change written with raw SQL past the ORM would need a database trigger to stop.)
- **Reading**: the district's readers (administrators, Leadership, the court's bodies) read
  drafts and issued bulletins; a centre reads issued bulletins only; anyone else none.
- Every change carries the version last read (optimistic locking): a stale one is refused
  (:class:`BulletinStale`, 409) and nothing is written.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask_babel import force_locale, gettext, lazy_gettext as _l
from sqlalchemy import event, false, inspect, select, true
from sqlalchemy.orm.attributes import flag_modified

from app.extensions import db
from app.lifecycle.tx import StaleCase, unit_of_work
from app.models.bulletin import Bulletin
from app.models.membership import Membership
from app.models.types import utcnow
from app.reports.bulletin_docx import court_locale, render
from app.reports.evaluation import evaluate, parse_level, period_json
from app.reports.periods import Period, parse_period
from app.reports.scope import ReportScope, report_scope
from app.services.clock import court_day, today

TITLE_MAX, BODY_MAX = 200, 20000
QUARTER_TITLES = {
    1: _l("the first quarter of %(year)d"),
    2: _l("the second quarter of %(year)d"),
    3: _l("the third quarter of %(year)d"),
    4: _l("the fourth quarter of %(year)d"),
}
ISSUED = _l("This bulletin has been issued: it is archived as issued and can no longer be changed.")
STALE = _l("Someone else changed this bulletin after you opened it. Nothing was changed; reload it and try again.")


class BulletinRefused(ValueError):
    """A change refused for a reason the user can fix; ``field`` names what to fix."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field, self.message = field, message


class BulletinIssued(Exception):
    """The bulletin is issued: nothing about it may change."""


class BulletinStale(Exception):
    """The bulletin changed since the user read it."""


# -- who -------------------------------------------------------------------------------------

def _roles(user) -> set[str]:
    return {r.name for r in getattr(user, "roles", None) or []}


def _court_member(user) -> bool:
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()
    return membership is not None and membership.organization.is_court


def may_draft(user) -> bool:
    """Administrators, and clerks of the court's own bodies (district scope)."""
    if user is None or getattr(user, "id", None) is None:
        return False
    roles = _roles(user)
    return "Admin" in roles or ("Clerk" in roles and _court_member(user))


def reach(user):
    """A WHERE clause on :class:`Bulletin`: every bulletin for the district's readers, issued
    ones for a centre, none for anyone else."""
    scope = report_scope(user)
    if scope.is_district:
        return true()
    if scope.kind == "centre":
        return Bulletin.status == "issued"
    return false()


def bulletin_in_sight(pk, user) -> Optional[Bulletin]:
    """The bulletin ``pk`` if it exists and ``user`` may read it, else ``None`` (answered like
    a missing one)."""
    from app.views.keys import is_valid_pk

    if not is_valid_pk(pk):
        return None
    return db.session.scalars(select(Bulletin).where(Bulletin.id == int(str(pk)), reach(user))).first()


def page_of(user, page: int, size: int) -> tuple[list[Bulletin], int]:
    """One page of the bulletins ``user`` may read, newest first, and how many there are."""
    from sqlalchemy import func

    clause = reach(user)
    total = db.session.scalar(select(func.count(Bulletin.id)).where(clause)) or 0
    from sqlalchemy.orm import defer, selectinload

    # the archived document and the frozen figures stay in the database until one is opened
    rows = db.session.scalars(select(Bulletin).where(clause)
                              .options(defer(Bulletin.document), defer(Bulletin.figures),
                                       selectinload(Bulletin.issued_by), selectinload(Bulletin.created_by))
                              .order_by(Bulletin.created_at.desc(), Bulletin.id.desc())
                              .limit(size).offset(page * size)).all()
    return list(rows), total


# -- words -----------------------------------------------------------------------------------

def period_words(period: Period) -> str:
    """The period as a document names it (``2026年第四季度``, ``2026年11月``, ``2026年度``)."""
    year = period.first.year
    if period.kind == "quarter":
        return str(QUARTER_TITLES[(period.first.month - 1) // 3 + 1]) % {"year": year}
    if period.kind == "month":
        return gettext("%(year)d-%(month)02d", year=year, month=period.first.month)
    return gettext("the year %(year)d", year=year)


def default_title(period: Period) -> str:
    """关于2026年第四季度矛盾纠纷多元化解工作情况的通报, in the court's language."""
    with force_locale(court_locale()):
        return gettext("Bulletin on the diversified resolution of disputes in %(period)s", period=period_words(period))


def default_body(period: Period, level: str) -> str:
    """An opening and a closing paragraph for the drafter to rewrite, in the court's language."""
    from app.reports.evaluation import LEVEL_LABELS

    with force_locale(court_locale()):
        words = period_words(period)
        return "\n".join([
            gettext("In %(period)s every unit of the district carried out the work of resolving disputes by diverse "
                    "means. Under the evaluation rules, the evaluation of %(level)s for %(period)s is reported below.",
                    period=words, level=str(LEVEL_LABELS[level])),
            gettext("Every unit should compare itself with the results, learn from what went well, find what fell "
                    "short and improve the quality and speed of dispute resolution."),
        ])


# -- figures ---------------------------------------------------------------------------------

def district_scope() -> ReportScope:
    """The scope bulletins are computed in: the whole district (a bulletin goes to every unit)."""
    return ReportScope("district", None, None, None, gettext("The whole district"))


def freeze_figures(period: Period, level: str, on: dt.date) -> dict:
    """The evaluation of ``level`` for ``period`` as JSON, with the best and the last units,
    as it stands on ``on``."""
    evaluation = evaluate(period, level, district_scope(), on)
    count = evaluation.book.ranked_count
    figures = evaluation.as_json(0, max(len(evaluation.rows), 1))
    figures.update(
        ranked_count=count,
        top=[r.as_json() for r in evaluation.top(count)],
        bottom=[r.as_json() for r in evaluation.bottom(count)],
        generated_on=on.isoformat(),
    )
    figures["period"] = period_json(period)
    return figures


# -- changes ---------------------------------------------------------------------------------

def _parse(period_text, level_text) -> tuple[Period, str]:
    from app.reports.evaluation import LevelError
    from app.reports.periods import PeriodError

    if not str(period_text or "").strip():  # parse_period would read "this month"
        raise BulletinRefused("period", gettext("Choose the period of the bulletin."))
    try:
        period = parse_period(str(period_text), today())
    except PeriodError as exc:
        raise BulletinRefused("period", str(exc)) from None
    try:
        level = parse_level(str(level_text or ""), staff=False)
    except LevelError as exc:
        raise BulletinRefused("level", str(exc)) from None
    return period, level


def _text(value, field: str, limit: int, required: bool) -> str:
    text = str(value if value is not None else "").replace("\r\n", "\n").strip()
    if required and not text:
        raise BulletinRefused(field, gettext("This field is required."))
    if len(text) > limit:
        raise BulletinRefused(field, gettext("At most %(n)d characters.", n=limit))
    return text


def _check(bulletin: Bulletin, expected_version) -> None:
    if bulletin.status == "issued":
        raise BulletinIssued()
    try:
        sent = int(str(expected_version).strip())
    except (TypeError, ValueError):
        raise BulletinRefused("version", gettext("Send “version”: the version of the bulletin you read.")) from None
    if sent != bulletin.version:
        raise BulletinStale()


def create(period_text, level_text, actor, title=None, body=None) -> Bulletin:
    """A draft for the period and level with its figures frozen now; a title and text given
    replace the default ones. Raises :class:`BulletinRefused`."""
    period, level = _parse(period_text, level_text)
    title = _text(title, "title", TITLE_MAX, False) or default_title(period)
    body = _text(body, "body", BODY_MAX, False) or default_body(period, level)
    figures, actor_id = freeze_figures(period, level, today()), actor.id
    bulletin = Bulletin(period=period.code, level=level, title=title, body=body, status="draft",
                        figures=figures, created_by_id=actor_id)
    with unit_of_work():
        db.session.add(bulletin)
    return bulletin


def _write(bulletin: Bulletin, change) -> Bulletin:
    try:
        with unit_of_work():
            change()
    except StaleCase:
        raise BulletinStale() from None
    return bulletin


def update(bulletin: Bulletin, actor, title, body, expected_version) -> Bulletin:
    """New title and text of a draft. Raises :class:`BulletinIssued`, :class:`BulletinStale`,
    :class:`BulletinRefused`."""
    _check(bulletin, expected_version)
    title = _text(title, "title", TITLE_MAX, True)
    body = _text(body, "body", BODY_MAX, False)

    def change():
        bulletin.title, bulletin.body = title, body

    return _write(bulletin, change)


def regenerate(bulletin: Bulletin, actor, expected_version) -> Bulletin:
    """Freeze the draft's figures again, as they stand today."""
    _check(bulletin, expected_version)
    period = parse_period(bulletin.period, today())
    figures = freeze_figures(period, bulletin.level, today())

    def change():
        bulletin.figures = figures
        flag_modified(bulletin, "figures")  # taken again even when unchanged: the version moves on

    return _write(bulletin, change)


def issue(bulletin: Bulletin, actor, expected_version) -> Bulletin:
    """Issue the draft: its DOCX is rendered once and kept; from now on it is read-only."""
    _check(bulletin, expected_version)
    # Rendered before anything changes: reading while rendering must not flush a half-issued row.
    moment, actor_id = utcnow(), actor.id
    document = render(bulletin, issued_on=court_day(moment))

    def change():
        bulletin.status = "issued"
        bulletin.issued_at = moment
        bulletin.issued_by_id = actor_id
        bulletin.document = document

    return _write(bulletin, change)


def document(bulletin: Bulletin) -> bytes:
    """The issued document as kept, or a draft's preview rendered now."""
    return bulletin.document if bulletin.status == "issued" and bulletin.document else render(bulletin)


# -- the guard -------------------------------------------------------------------------------

def _was_issued(target: Bulletin) -> bool:
    history = inspect(target).attrs.status.history
    before = list(history.deleted) or list(history.unchanged)
    return "issued" in before


@event.listens_for(Bulletin, "before_update")
def _issued_stays_as_issued(_mapper, _connection, target):
    """No UPDATE of an issued bulletin through the ORM, whoever asks."""
    if _was_issued(target):
        raise BulletinIssued()


@event.listens_for(Bulletin, "before_delete")
def _issued_is_kept(_mapper, _connection, target):
    """No DELETE of an issued bulletin through the ORM: it is archived."""
    if _was_issued(target) or target.status == "issued":
        raise BulletinIssued()
