"""A partner agency's own figures and ledger: its referrals only, the terms and states of each
and what the referral shares — never the rest of a case.

Every function takes the organisation id the caller resolved from the signed-in user
(:func:`app.lifecycle.referrals.partner_org_id`); nothing here widens it.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.lifecycle.referrals import AWAITING
from app.models.case import Case
from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS, REJECT_REASONS, Referral
from app.services.classification import mask_numbers_in_text
from app.services.scope import LIVE_REFERRALS
from app.services.settings import court_day, today

MONTHS = 12


def partner_referrals(org_id: int) -> list[Referral]:
    """Every referral to the organisation, newest first."""
    query = (
        select(Referral).where(Referral.partner_id == org_id)
        .options(joinedload(Referral.case))
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )
    return list(db.session.scalars(query).unique())


def waiting_referrals(org_id: int, limit: int = 20) -> list[Referral]:
    """The organisation's referrals still waiting for it (sent or accepted), by due date."""
    query = (
        select(Referral).where(Referral.partner_id == org_id, Referral.status.in_(AWAITING))
        .options(joinedload(Referral.case))  # the case number is shown beside each
        .order_by(Referral.due_on, Referral.id).limit(limit)
    )
    return list(db.session.scalars(query))


def _month_keys(last: dt.date, count: int = MONTHS) -> list[str]:
    year, month = last.year, last.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def partner_statistics(org_id: int) -> dict:
    """Counts by status, how many are overdue, the average days from sending to answer, and
    the last twelve months (referrals received and answered per court month).

    Five queries (three grouped), whatever the number of referrals: nothing is summed in Python."""
    from app.reports.periods import month_period
    from app.reports.sql import days_between, local_month

    counts = {code: 0 for code in REFERRAL_STATUS}
    for status, n in db.session.execute(
        select(Referral.status, func.count(Referral.id)).where(Referral.partner_id == org_id).group_by(Referral.status)
    ):
        counts[status] = n
    overdue = db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.partner_id == org_id, Referral.status.in_(AWAITING), Referral.due_on < today())
    ) or 0
    keys = _month_keys(today())
    months = {key: {"month": key, "received": 0, "answered": 0} for key in keys}
    # Court months, bounded by the first and last month's China midnights (UTC, as stored).
    first = month_period(int(keys[0][:4]), int(keys[0][5:])).start_utc
    last = month_period(int(keys[-1][:4]), int(keys[-1][5:])).end_utc
    sent_month = local_month(Referral.sent_at)
    for key, n in db.session.execute(
        select(sent_month, func.count(Referral.id)).where(
            Referral.partner_id == org_id, Referral.sent_at >= first, Referral.sent_at < last).group_by(sent_month)
    ):
        if key in months:
            months[key]["received"] = n
    answered = (Referral.partner_id == org_id, Referral.status.in_(ANSWERED), Referral.responded_at.is_not(None))
    answered_month = local_month(Referral.responded_at)
    for key, n in db.session.execute(
        select(answered_month, func.count(Referral.id)).where(
            *answered, Referral.responded_at >= first, Referral.responded_at < last).group_by(answered_month)
    ):
        if key in months:
            months[key]["answered"] = n
    mean = db.session.scalar(
        select(func.avg(days_between(Referral.responded_at, Referral.sent_at))).where(
            *answered, Referral.sent_at.is_not(None)))
    average = round(float(mean), 1) if mean is not None else None
    return {"by_status": counts, "total": sum(counts.values()), "overdue": overdue,
            "average_days_to_answer": average, "by_month": list(months.values())}


# A referral counts as answered once the partner answered it (and when it was completed after).
ANSWERED = ("answered", "completed")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


# The partner ledger's columns: (width, kind) beside each header of ledger_headers().
LEDGER_LAYOUT = ((8, "int"), (10, "text"), (30, "text"), (30, "text"), (24, "text"), (12, "date"), (12, "date"),
                 (10, "text"), (8, "text"), (12, "date"), (16, "text"), (40, "text"))
LEDGER_BATCH = 2000


def ledger_headers() -> list[str]:
    """The ledger's columns, in the reader's language."""
    return [gettext("No."), gettext("Kind"), gettext("Summary"), gettext("Purpose"), gettext("Legal basis"),
            gettext("Sent on"), gettext("Due on"), gettext("Status"), gettext("Overdue"), gettext("Answered on"),
            gettext("Reason"), gettext("Answer")]


def ledger_row(referral, on: dt.date) -> list:
    """One referral as a ledger line; the case's summary only if the referral shares it and is live.

    ``referral`` is a :class:`Referral` or a row of :func:`ledger_query` (its case's title as
    ``title``). A file leaves the platform and travels on (printed, mailed): mobile and ID
    numbers typed into its free text are masked, whatever the referral shares on its page.
    """
    shares_title = "title" in (referral.shared_fields or []) and referral.status in LIVE_REFERRALS
    overdue = referral.status in AWAITING and referral.due_on < on
    case = getattr(referral, "case", None)
    title = case.title if case is not None else getattr(referral, "title", "")
    return [
        referral.id,
        str(REFERRAL_KINDS.get(referral.kind, referral.kind)),
        mask_numbers_in_text(title) if shares_title else "",
        mask_numbers_in_text(referral.purpose),
        mask_numbers_in_text(referral.legal_basis),
        court_day(referral.sent_at) if referral.sent_at else None,
        referral.due_on,
        str(REFERRAL_STATUS.get(referral.status, referral.status)),
        gettext("Yes") if overdue else "",
        court_day(referral.responded_at) if referral.responded_at else None,
        str(REJECT_REASONS.get(referral.reject_reason, "")) if referral.reject_reason else "",
        mask_numbers_in_text(referral.response_text or ""),
    ]


def ledger_query(org_id: int):
    """The organisation's referrals, newest first, as plain rows with their case's title (no
    ORM objects: a ledger of 100,000 referrals is read, not loaded)."""
    return (
        select(Referral.id, Referral.kind, Referral.purpose, Referral.legal_basis, Referral.shared_fields,
               Referral.status, Referral.due_on, Referral.sent_at, Referral.responded_at, Referral.reject_reason,
               Referral.response_text, Case.title)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.partner_id == org_id)
        .order_by(Referral.sent_at.desc(), Referral.id.desc())
    )


def ledger_xlsx(org_id: int, org_name: str, path: str) -> int:
    """Write the organisation's referral ledger to ``path`` in constant memory (title, frozen
    bold header; :mod:`app.services.xlsx_stream`); returns how many referrals it holds.

    The rows are streamed from one query ``LEDGER_BATCH`` at a time (a server-side cursor on
    PostgreSQL), each written out before the next batch is read."""
    from app.services.xlsx_stream import Column, StreamingWorkbook

    on = today()
    columns = [Column(header, width, kind) for header, (width, kind) in zip(ledger_headers(), LEDGER_LAYOUT)]
    book = StreamingWorkbook(path)
    try:
        sheet = book.add_sheet(gettext("Referrals"), gettext("Referral ledger of %(org)s (as of %(day)s)",
                                                             org=org_name, day=on.isoformat()), columns)
        result = db.session.execute(ledger_query(org_id).execution_options(yield_per=LEDGER_BATCH))
        for batch in result.partitions():
            for referral in batch:
                sheet.append(ledger_row(referral, on))
    finally:
        book.close()
    return sheet.rows_written
