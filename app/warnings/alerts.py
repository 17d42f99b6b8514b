"""Alerts as people reach them: listed and read within the reader's scope, acknowledged and
resolved with a note, each step checked against the version the reader saw.

Scope is the reports' (:func:`app.reports.scope.report_scope`): the district reads every
alert; a centre reads those of its area and below, and those about itself; anyone else none.
An alert outside it answers exactly like a missing one. Of the cases behind an alert, a reader
sees those they may see (:func:`app.services.scope.visible_cases`); the rest are counted, never
named.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models.area import Area
from app.models.case import Case
from app.models.types import utcnow
from app.models.warning import ALERT_STATUS, Alert, AlertNote
from app.reports.scope import report_scope
from app.services.scope import visible_cases
from app.views.keys import is_valid_pk

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_NOTE = 4000
# What the list's status filter offers: unresolved (the default), each status, or every alert.
STATUS_FILTERS = ("live", "open", "acknowledged", "resolved", "all")
STALE = _l("Someone else changed this alert after you opened it. Nothing was changed; check the alert and "
           "try again.")


class AlertRefused(Exception):
    """A step the alert's state or the input does not allow; ``reasons`` by field, in the
    reader's language. ``conflict`` marks an impossible step (answered 409)."""

    def __init__(self, reasons: dict, conflict: bool = False):
        super().__init__(reasons)
        self.reasons = reasons
        self.conflict = conflict


class AlertStale(Exception):
    """The alert changed since the reader loaded it; nothing was written."""


@dataclass(frozen=True)
class Filters:
    """The list's filters, checked: ``status`` one of :data:`STATUS_FILTERS`, ``rule`` a code
    or empty, ``area`` an area within the scope or ``None``."""

    status: str = "live"
    rule: str = ""
    area: Optional[Area] = None


def scope_clause(user):
    """The WHERE clause of the alerts ``user`` may read."""
    return report_scope(user).records(Alert.area_id, Alert.organization_id)


def parse_filters(user, status: Optional[str], rule: Optional[str], area: Optional[str]) -> Filters:
    """The filters as typed; raises ``LookupError`` for an area unknown or out of scope (answer
    it as a missing record) and ``ValueError`` for a status that is none."""
    status = (status or "live").strip()
    if status not in STATUS_FILTERS:
        raise ValueError(gettext("Choose a status: open, acknowledged, resolved or all."))
    chosen = None
    if area not in (None, ""):
        chosen = db.session.get(Area, int(str(area))) if is_valid_pk(area) else None
        if chosen is None:
            raise LookupError(area)
        report_scope(user).narrowed(chosen)  # LookupError when outside the scope
    return Filters(status, (rule or "").strip()[:64], chosen)


def alert_query(user, filters: Filters):
    """The alerts ``user`` may read under ``filters``, newest first."""
    query = select(Alert).where(scope_clause(user))
    if filters.status == "live":
        query = query.where(Alert.status != "resolved")
    elif filters.status != "all":
        query = query.where(Alert.status == filters.status)
    if filters.rule:
        query = query.where(Alert.rule == filters.rule)
    if filters.area is not None:
        from app.services.areas import descendant_ids

        query = query.where(Alert.area_id.in_(sorted(descendant_ids([filters.area.id]))))
    return query.order_by(Alert.first_seen_at.desc(), Alert.id.desc())


def alert_page(user, filters: Filters, page: int, size: int = PAGE_SIZE) -> tuple[list[Alert], int]:
    """One page of the alerts (with their area and body), and how many there are in all."""
    query = alert_query(user, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(query.options(selectinload(Alert.area), selectinload(Alert.organization))
                              .limit(size).offset(page * size)).all()
    return list(rows), total


def alert_for(user, pk) -> Optional[Alert]:
    """Alert ``pk`` if it exists and ``user`` may read it, else ``None`` (answer 404)."""
    if not is_valid_pk(pk):
        return None
    return db.session.scalars(select(Alert).where(Alert.id == int(str(pk)), scope_clause(user))).first()


def evidence_for(user, alert: Alert) -> tuple[list[Case], int]:
    """The cases behind ``alert`` that ``user`` may see (newest first), and how many others
    there are (counted, never named)."""
    ids = [i for i in (alert.case_ids or []) if isinstance(i, int)]
    shown: list[Case] = []
    if ids:
        query = select(Case).where(Case.id.in_(ids))
        clause = visible_cases(user)
        if clause is not None:
            query = query.where(clause)
        shown = list(db.session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc())).unique())
    return shown, max(0, (alert.case_count or 0) - len(shown))


MAX_NOTES = 200  # an alert is acknowledged and resolved once; notes stay few


def notes_of(alert: Alert) -> list[AlertNote]:
    """The alert's notes, oldest first, with their authors (bounded)."""
    return list(db.session.scalars(select(AlertNote).where(AlertNote.alert_id == alert.id)
                                   .options(selectinload(AlertNote.author))
                                   .order_by(AlertNote.at, AlertNote.id).limit(MAX_NOTES)))


# --- steps ------------------------------------------------------------------------------------------------


def _check_version(alert: Alert, version) -> None:
    if version is None or str(version).strip() == "":
        raise AlertRefused({"version": [gettext("Send “version”: the version of the alert you read.")]})
    text = str(version).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(version)
    if int(text) != alert.version:
        raise AlertStale()


def _step(alert: Alert, user, action: str, note: str, version) -> Alert:
    note = (note or "").strip()
    _check_version(alert, version)
    allowed = {"acknowledge": ("open",), "resolve": ("open", "acknowledged")}[action]
    if alert.status not in allowed:
        raise AlertRefused({"status": [gettext(
            "The alert is “%(status)s”: it cannot be %(step)s.", status=ALERT_STATUS.get(alert.status, alert.status),
            step=gettext("acknowledged") if action == "acknowledge" else gettext("resolved"))]}, conflict=True)
    if action == "resolve" and not note:
        raise AlertRefused({"note": [gettext("Say how the situation was resolved.")]})
    if len(note) > MAX_NOTE:
        raise AlertRefused({"note": [gettext("A note is at most %(n)d characters.", n=MAX_NOTE)]})
    now = utcnow()
    actor = getattr(user, "id", None)
    if action == "acknowledge":
        alert.status, alert.acknowledged_at, alert.acknowledged_by_id = "acknowledged", now, actor
    else:
        alert.status, alert.resolved_at, alert.resolved_by_id = "resolved", now, actor
    db.session.add(AlertNote(alert_id=alert.id, at=now, author_id=actor, action=action, text=note))
    try:
        db.session.flush()  # the version column stops a concurrent step here
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise AlertStale() from None
    except BaseException:
        db.session.rollback()
        raise
    return alert


def acknowledge(alert: Alert, user, note: str = "", version=None) -> Alert:
    """Someone responsible has seen the alert and is acting on it (open → acknowledged)."""
    return _step(alert, user, "acknowledge", note, version)


def resolve(alert: Alert, user, note: str, version=None) -> Alert:
    """The situation is dealt with, and the note says how (open or acknowledged → resolved)."""
    return _step(alert, user, "resolve", note, version)


def stored_time(value: Optional[dt.datetime]) -> Optional[str]:
    """A stored timestamp as RFC 3339 (SQLite hands it back without its UTC offset)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).isoformat()
