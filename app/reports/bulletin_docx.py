"""The bulletin as a Word document: docxtpl fills ``bulletin_template.docx`` (made by
``tools/build_bulletin_template.py``) with the bulletin's title and text and its frozen
figures; the two tables (the ranking, the weights) are then built with python-docx where the
template's marker paragraphs stand (docxtpl's sub-documents would need docxcompose).

The document is written in the court's language (``BABEL_DEFAULT_LOCALE``), whoever
generates it: an issued bulletin reads the same for everyone who downloads it.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import quote

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docxtpl import DocxTemplate
from flask import current_app
from flask_babel import force_locale, gettext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.reports.evaluation import LEVEL_LABELS, MEASURE_LABELS
from app.reports.evaluation_table import cells, columns
from app.services.clock import court_day

TEMPLATE = Path(__file__).with_name("bulletin_template.docx")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def court_locale() -> str:
    """The language documents are written in: the court's default."""
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE") or "zh_CN")


def long_date(day: dt.date) -> str:
    """``2026年12月6日`` in Chinese documents (``2026-12-06`` in English)."""
    return gettext("%(year)d-%(month)02d-%(day)02d", year=day.year, month=day.month, day=day.day)


RANKING_MARK, WEIGHTS_MARK = "[[ranking]]", "[[weights]]"


def _table(document, headers: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every printed page
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for col, header in enumerate(headers):
        paragraph = table.rows[0].cells[col].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(header)
        run.bold = True
        run.font.size = Pt(10.5)
    for row in rows:
        row_cells = table.add_row().cells
        for col, text in enumerate(row):
            row_cells[col].paragraphs[0].add_run(text).font.size = Pt(10.5)
    return table


def _ranked_line(index: int, row: dict) -> str:
    return gettext("%(index)d. %(name)s, score %(score)s", index=index, name=row["name"],
                   score=f"{row['score']:.1f}" if row.get("score") is not None else "—")


def tables(bulletin) -> dict[str, tuple[list[str], list[list[str]]]]:
    """``{marker: (headers, rows)}`` of the document's tables, every cell as text."""
    figures = bulletin.figures or {}
    level = figures.get("level", bulletin.level)
    ranking = ([header for _code, header in columns(level)], [cells(level, row) for row in figures.get("rows", [])])
    weights = ([gettext("Measure"), gettext("Weight"), gettext("In force from"), gettext("Source")],
               [[str(MEASURE_LABELS.get(w["measure"], w["measure"])), _weight_text(w["weight"]),
                 w.get("valid_from") or "—", w.get("source") or "—"] for w in figures.get("weights", [])])
    return {RANKING_MARK: ranking, WEIGHTS_MARK: weights}


def _place_tables(document, found: dict) -> None:
    """Each table where its marker paragraph stands; the marker goes (a table with no rows
    leaves a sentence saying so)."""
    for paragraph in list(document.paragraphs):
        mark = paragraph.text.strip()
        if mark not in found:
            continue
        headers, rows = found[mark]
        if not rows:
            paragraph.text = gettext("No unit had figures in this period.")
            continue
        table = _table(document, headers, rows)
        paragraph._p.addnext(table._tbl)  # add_table appends at the end of the body: move it here
        paragraph._p.getparent().remove(paragraph._p)


def context(bulletin, issued_on: dt.date | None = None) -> dict:
    """What the template receives: words in the court's language and the bulletin's own text
    (the tables are placed afterwards, :func:`tables`). ``issued_on``: the day it is issued
    (else its stored issue day; a draft has none and says it is a draft)."""
    figures = bulletin.figures or {}
    level = figures.get("level", bulletin.level)
    rows = figures.get("rows", [])
    count = figures.get("ranked_count", 3)
    issued = issued_on or (court_day(bulletin.issued_at) if bulletin.issued_at else None)
    period = figures.get("period", {})
    return {
        "draft_mark": "" if issued else gettext("Draft, not issued"),
        "title": bulletin.title,
        "period_line": gettext("Period: %(first)s to %(last)s", first=_long(period.get("first")),
                               last=_long(period.get("last"))),
        "paragraphs": [line.strip() for line in (bulletin.body or "").splitlines() if line.strip()],
        "heading_results": gettext("1. Results of the evaluation: %(level)s", level=LEVEL_LABELS.get(level, level)),
        "scope_line": gettext("%(count)d units were evaluated; they are ranked by their weighted score.",
                              count=len(rows)),
        "ranking": RANKING_MARK,
        "heading_top": gettext("2. The best %(count)d", count=count),
        "top": [_ranked_line(i, row) for i, row in enumerate(figures.get("top", []), start=1)]
        or [gettext("None.")],
        "heading_bottom": gettext("3. The %(count)d that must improve", count=count),
        "bottom": [_ranked_line(i, row) for i, row in enumerate(figures.get("bottom", []), start=1)]
        or [gettext("None.")],
        "heading_weights": gettext("4. How the score is made"),
        "weights_line": gettext("The weights in force on %(day)s; each measure is scored from 0 to 1 and the "
                                "score is the weighted average, out of 100.", day=_long(figures.get("weights_on"))),
        "weights": WEIGHTS_MARK,
        "date_line": long_date(issued) if issued else "",
    }


def _long(iso) -> str:
    """An ISO day of the figures written in full (documents write 2026年9月30日)."""
    try:
        return long_date(dt.date.fromisoformat(iso))
    except (TypeError, ValueError):
        return "—"


def _weight_text(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def render(bulletin, issued_on: dt.date | None = None) -> bytes:
    """The bulletin's DOCX, in the court's language, as issued on ``issued_on`` (else as it is
    stored: issued, or a draft marked as such). Autoescaped: the title and text people typed
    cannot break the document's XML."""
    doc = DocxTemplate(str(TEMPLATE))
    with force_locale(court_locale()):
        values = context(bulletin, issued_on)
        doc.render(values, ImmutableSandboxedEnvironment(), autoescape=True)
        _place_tables(doc.docx, tables(bulletin))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def disposition(bulletin) -> str:
    """``Content-Disposition`` of the download: the title as the file name (RFC 5987), an
    ASCII name for old clients."""
    fallback = f"bulletin-{bulletin.id}-{bulletin.period}.docx"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(bulletin.title + '.docx')}"
