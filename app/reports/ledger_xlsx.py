"""The dispute ledger as an XLSX workbook, written in constant memory: the rows on the first
sheet (read from the database in batches), the summary table on the second.

The same :class:`~app.reports.ledger.Ledger` gives the page, the API and this file, so the
three hold the same cases and the same figures.
"""
from __future__ import annotations

from typing import Callable, Optional

from flask_babel import gettext, pgettext

from app.reports.ledger import GROUPS, OVERDUE_NOTE, Ledger, summary, town_map
from app.reports.ledger_rows import COLUMNS, RowBuilder, days_note, iter_batches
from app.services.xlsx_stream import Column, StreamingWorkbook


def ledger_title(ledger: Ledger) -> str:
    """``Dispute ledger of <scope>, <period>`` with the type when one was chosen."""
    title = gettext("Dispute ledger of %(scope)s, %(period)s", scope=ledger.scope_label, period=ledger.period.label)
    if ledger.dispute_type:
        title += " · " + ledger.type_label
    return title


def download_name(ledger: Ledger) -> str:
    """The file name offered for the download (the browser keeps the Chinese)."""
    return gettext("Dispute ledger") + f" {ledger.period.code}.xlsx"


def success_rate_note() -> str:
    """How the success rate is counted, in a sentence (on the page and the summary sheet)."""
    return gettext("Success rate: agreements reached ÷ mediations concluded (an agreement reached or a mediation "
                   "failed), over the ledger's cases.")


def summary_columns(group_label: str) -> list[Column]:
    """The summary sheet's columns."""
    return [Column(group_label, 22), Column(pgettext("ledger", "Registered"), 10, "int"),
            Column(pgettext("ledger", "Closed"), 10, "int"), Column(pgettext("ledger", "Agreements reached"), 12, "int"),
            Column(pgettext("ledger", "Mediations concluded"), 12, "int"),
            Column(gettext("Success rate"), 10, "percent"), Column(gettext("Agreed amount (yuan)"), 16, "money"),
            Column(gettext("Overdue now"), 10, "int")]


def summary_cells(label: str, figures: dict) -> list:
    """One line of the summary sheet."""
    rate = figures["success_rate"]
    return [label, figures["registered"], figures["closed"], figures["agreements"], figures["concluded"],
            None if rate is None else round(rate / 100, 4), figures["agreed_amount"], figures["overdue"]]


def write_ledger(ledger: Ledger, path: str, progress: Optional[Callable[[int], None]] = None) -> int:
    """Write the ledger to ``path``; ``progress(n)`` is told after each batch of ``n`` rows.
    Returns how many rows were written."""
    towns = town_map()
    book = StreamingWorkbook(path)
    try:
        notes = [days_note(ledger.today), gettext("Parties' names are masked; organisations are named.")]
        sheet = book.add_sheet(gettext("Ledger"), ledger_title(ledger),
                               [Column(str(header), width, kind) for _key, header, width, kind in COLUMNS], notes)
        builder = RowBuilder(ledger, towns)
        for batch in iter_batches(ledger, builder=builder):
            for row in batch:
                sheet.append(row.cells())
            if progress is not None:
                progress(len(batch))
        figures = summary(ledger, towns)
        totals = book.add_sheet(pgettext("ledger", "Summary"), ledger_title(ledger), summary_columns(str(GROUPS[ledger.group_by])),
                                [success_rate_note(), str(OVERDUE_NOTE)])
        for group in figures["groups"]:
            totals.append(summary_cells(str(group["label"]), group))
        totals.append_text_row(summary_cells(pgettext("ledger", "Total"), figures["total"]), style="bold")
    finally:
        book.close()
    return sheet.rows_written
