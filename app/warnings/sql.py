"""SQL pieces the warning rules share, written once for PostgreSQL and SQLite: the town of an
area, the first instant of a China-time day, intake answers read in SQL, and the cases behind
each group a rule found (newest first, bounded) in one windowed query."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Subquery

from app.extensions import db
from app.models.area import Area
from app.models.case import Case
from app.services.clock import court_zone

# An alert lists at most this many of the cases behind it (newest first); it counts them all.
EVIDENCE_LIMIT = 200
# A rule raises at most this many alerts in one scan (the largest groups first): a threshold set
# far too low must not flood the page, and the scan stays bounded whatever the data.
MAX_FINDINGS = 500
# Keys longer than this are hashed (``evidence_key`` is 200 characters; names may be long).
_KEY_LIMIT = 150


def day_start_utc(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in China time, in UTC (timestamps are stored in UTC)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=court_zone()).astimezone(dt.timezone.utc)


def town_map() -> Subquery:
    """``(area_id, town_id)`` for every area: the town or street an area lies in (itself for a
    town, its parent for a village, its grandparent for a grid; ``NULL`` above the towns).
    Levels only go down a tree, so a town is at most two steps up."""
    area, parent, grand = aliased(Area), aliased(Area), aliased(Area)
    town = case((area.level == "town", area.id), (parent.level == "town", parent.id),
                (grand.level == "town", grand.id), else_=None)
    return (select(area.id.label("area_id"), town.label("town_id"))
            .select_from(area)
            .outerjoin(parent, area.parent_id == parent.id)
            .outerjoin(grand, parent.parent_id == grand.id)
            .subquery("town_map"))


def intake_text(field: str) -> ColumnElement:
    """The intake answer ``field`` of a case as trimmed text (``NULL`` when not given)."""
    return func.trim(Case.intake_data[field].as_string())


def intake_ticked(field: str) -> ColumnElement:
    """True where the boolean intake answer ``field`` is ticked."""
    return Case.intake_data[field].as_boolean() == True  # noqa: E712 (SQL, not Python)


def nonempty(expr: ColumnElement) -> ColumnElement:
    """``expr``, or ``NULL`` when it is empty text."""
    return func.nullif(expr, "")


def key_part(value: str) -> str:
    """A group's value as a piece of an ``evidence_key``: as it is when short, else a digest
    (the key identifies the situation; the figures keep the readable name)."""
    value = str(value)
    if len(value) <= _KEY_LIMIT:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()


def person_digest(value: str) -> str:
    """A person's identity (ID number, or name and mobile) as it may be kept in a key: a digest,
    never the number itself (the alert table is read more widely than the case)."""
    return hashlib.sha256(str(value).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Evidence:
    """The cases behind one group: the newest ``EVIDENCE_LIMIT`` ids, and the town of the newest."""

    case_ids: list
    town_id: Optional[int]


def evidence(rows: Subquery, subjects: Iterable) -> dict:
    """``{subject: Evidence}`` for the groups ``subjects`` of ``rows``, a subquery of
    ``(subject, case_id, created_at, town_id)`` (a case may appear more than once per subject:
    it is counted once). One statement: a window numbers each group's cases newest first."""
    wanted = list(dict.fromkeys(subjects))
    if not wanted:
        return {}
    distinct = (select(rows.c.subject, rows.c.case_id, rows.c.created_at, rows.c.town_id)
                .where(rows.c.subject.in_(wanted)).distinct().subquery("distinct_rows"))
    numbered = select(
        distinct.c.subject, distinct.c.case_id, distinct.c.town_id,
        func.row_number().over(partition_by=distinct.c.subject,
                               order_by=(distinct.c.created_at.desc(), distinct.c.case_id.desc())).label("rn"),
    ).subquery("numbered")
    query = (select(numbered.c.subject, numbered.c.case_id, numbered.c.town_id, numbered.c.rn)
             .where(numbered.c.rn <= EVIDENCE_LIMIT).order_by(numbered.c.subject, numbered.c.rn))
    found: dict = {}
    for subject, case_id, town_id, rn in db.session.execute(query):
        if rn == 1:
            found[subject] = Evidence([case_id], town_id)
        else:
            found[subject].case_ids.append(case_id)
    return found
