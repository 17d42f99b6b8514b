"""The evaluation's table as people read it: the headers and the text of every cell, written
once for the page, the bulletin's DOCX and their tests, so the three show the same figures.

Cells are built from the API's JSON row (:meth:`app.reports.evaluation.Row.as_json`): what
the page shows, the document prints and the API answers cannot drift apart.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext

EMPTY = "—"


def columns(level: str) -> list[tuple[str, str]]:
    """``(code, header)`` of the table's columns for ``level``, in order."""
    cols = [("rank", gettext("Rank")), ("name", gettext("Name"))]
    if level == "mediator":
        cols.append(("organization", gettext("Organisation")))
    cols += [
        ("score", gettext("Score")),
        ("cases_handled", gettext("Cases handled")),
        ("success_rate", gettext("Success rate (agreements/concluded)")),
        ("median_days", gettext("Median days to close")),
        ("overdue", gettext("Overdue and still open")),
        ("satisfaction", gettext("Satisfaction (of 5)")),
        ("visits_done", gettext("Return visits")),
        ("referral_timeliness", gettext("Referrals answered on time")),
        ("guidance_sessions", gettext("Guidance sessions")),
    ]
    if level == "judge":
        cols.append(("shifts", gettext("Half days on duty")))
    return cols


def percent(rate: Optional[float], part: int, whole: int) -> str:
    """A rate in percent as ``75.0% (3/4)`` (``75.0%（3/4）`` in Chinese), or — when there is
    nothing to divide."""
    if rate is None:
        return EMPTY
    return gettext("%(share)s (%(part)d/%(whole)d)", share=f"{rate:.1f}%", part=part, whole=whole)


def number(value, places: int) -> str:
    """A figure with ``places`` decimals, or — when there is none."""
    return EMPTY if value is None else f"{value:.{places}f}"


def cell(code: str, row: dict) -> str:
    """The text of one cell of an API row."""
    if code == "rank":
        return EMPTY if row.get("rank") is None else str(row["rank"])
    if code in ("name", "organization"):
        return row.get(code) or EMPTY
    if code == "score":
        return number(row.get("score"), 1)
    if code == "success_rate":
        return percent(row.get("success_rate"), row.get("reached", 0), row.get("concluded", 0))
    if code == "median_days":
        return number(row.get("median_days"), 1)
    if code == "satisfaction":
        return number(row.get("satisfaction"), 1)
    if code == "referral_timeliness":
        return percent(row.get("referral_timeliness"), row.get("referrals_on_time", 0), row.get("referrals_judged", 0))
    return str(row.get(code, 0))


def cells(level: str, row: dict) -> list[str]:
    """Every cell of an API row, in the order of :func:`columns`."""
    return [cell(code, row) for code, _header in columns(level)]
