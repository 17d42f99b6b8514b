"""A partner agency's own figures and ledger: its referrals only, the terms and states of each
and what the referral shares — never the rest of a case.

Every function takes the organisation id the caller resolved from the signed-in user
(:func:`app.lifecycle.referrals.partner_org_id`); nothing here widens it.
"""
from __future__ import annotations

import datetime as dt
import io

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.lifecycle.referrals import AWAITING
from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS, REJECT_REASONS, Referral
from app.services.classification import mask_numbers_in_text
from app.services.scope import LIVE_REFERRALS
from app.services.settings import court_day, today
from app.services.spreadsheet import write_cell

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
    the last twelve months (referrals received and answered per court month)."""
    counts = {code: 0 for code in REFERRAL_STATUS}
    for status, n in db.session.execute(
        select(Referral.status, func.count(Referral.id)).where(Referral.partner_id == org_id).group_by(Referral.status)
    ):
        counts[status] = n
    overdue = db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.partner_id == org_id, Referral.status.in_(AWAITING), Referral.due_on < today())
    ) or 0
    months = {key: {"month": key, "received": 0, "answered": 0} for key in _month_keys(today())}
    spans = []
    for sent_at, responded_at, status in db.session.execute(
        select(Referral.sent_at, Referral.responded_at, Referral.status).where(Referral.partner_id == org_id)
    ):
        sent_key = court_day(sent_at).strftime("%Y-%m") if sent_at else None
        if sent_key in months:
            months[sent_key]["received"] += 1
        if responded_at is not None and status in ("answered", "completed"):
            answered_key = court_day(responded_at).strftime("%Y-%m")
            if answered_key in months:
                months[answered_key]["answered"] += 1
            if sent_at is not None:
                spans.append((_aware(responded_at) - _aware(sent_at)).total_seconds())
    average = round(sum(spans) / len(spans) / 86400, 1) if spans else None
    return {"by_status": counts, "total": sum(counts.values()), "overdue": overdue,
            "average_days_to_answer": average, "by_month": list(months.values())}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def ledger_headers() -> list[str]:
    """The ledger's columns, in the reader's language."""
    return [gettext("No."), gettext("Kind"), gettext("Summary"), gettext("Purpose"), gettext("Legal basis"),
            gettext("Sent on"), gettext("Due on"), gettext("Status"), gettext("Overdue"), gettext("Answered on"),
            gettext("Reason"), gettext("Answer")]


def ledger_row(referral: Referral, on: dt.date) -> list:
    """One referral as a ledger line; the case's summary only if the referral shares it and is live.

    A file leaves the platform and travels on (printed, mailed): mobile and ID numbers typed
    into its free text are masked, whatever the referral shares on its page.
    """
    shares_title = "title" in (referral.shared_fields or []) and referral.status in LIVE_REFERRALS
    overdue = referral.status in AWAITING and referral.due_on < on
    return [
        referral.id,
        str(REFERRAL_KINDS.get(referral.kind, referral.kind)),
        mask_numbers_in_text(referral.case.title) if shares_title else "",
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


def ledger_xlsx(org_name: str, referrals: list[Referral]) -> bytes:
    """The organisation's referral ledger as an .xlsx workbook (title, frozen bold header)."""
    on = today()
    wb = Workbook()
    ws = wb.active
    ws.title = gettext("Referrals")[:31]
    headers = ledger_headers()
    ws.cell(row=1, column=1, value=gettext("Referral ledger of %(org)s (as of %(day)s)", org=org_name,
                                           day=on.isoformat())).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    for col, header in enumerate(headers, start=1):
        cell = ws.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for line, referral in enumerate(referrals, start=3):
        for col, value in enumerate(ledger_row(referral, on), start=1):
            cell = write_cell(ws, line, col, value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for col, width in enumerate((8, 10, 30, 30, 24, 12, 12, 10, 8, 12, 16, 40), start=1):
        ws.column_dimensions[ws.cell(row=2, column=col).column_letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
