"""The minutes of a joint analysis meeting (联席研判会议纪要) as a Word document.

The minutes go into the file of the centre or the court, so they are written in Chinese
whatever the language of the person downloading them, with dates as documents write them
(2026年12月6日). They list what the reader may see, like the page: an item out of the reader's
reach is counted, never named. Mobile and ID numbers typed into any text are masked.
"""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask_babel import force_locale

from app.names import person_name
from app.services.classification import mask_numbers_in_text
from app.services.meetings import Discussed, item_kind, subject_text, task_status

TITLE = "联席研判会议纪要"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ITEM_HEADERS = ["序号", "类别", "编号", "名称", "研判意见"]
ITEM_WIDTHS = [1.2, 1.6, 3.6, 5.0, 4.6]
TASK_HEADERS = ["序号", "事项", "责任人", "完成时限", "状态"]
TASK_WIDTHS = [1.2, 7.0, 2.6, 3.0, 2.2]
KINDS = {"case": "案件", "alert": "预警", "hazard": "矛盾隐患"}
NONE = "无"


def cn_date(day: dt.date) -> str:
    """2026年12月6日."""
    return f"{day.year}年{day.month}月{day.day}日"


def _clean(text) -> str:
    return mask_numbers_in_text(str(text or "").strip())


def _east_asian(style_or_run, font: str = "宋体") -> None:
    # Word picks Chinese glyphs from w:eastAsia, which python-docx's font.name leaves unset.
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _para(doc, text: str = "", *, bold: bool = False, size=None, center: bool = False, label: str = ""):
    p = doc.add_paragraph()
    if label:
        p.add_run(label).bold = True
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _lines(doc, text: str) -> None:
    """Free text as paragraphs, one per line typed; 无 when empty."""
    lines = [line for line in _clean(text).splitlines() if line.strip()]
    for line in lines or [NONE]:
        _para(doc, line)


def _table(doc, headers: list[str], widths: list[float], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every printed page
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for col, header in enumerate(headers):
        cell = table.rows[0].cells[col]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].add_run(header).bold = True
    for values in rows:
        cells = table.add_row().cells
        for col, value in enumerate(values):
            lines = str(value).split("\n")
            cells[col].paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                cells[col].add_paragraph(line)
    # Word reads each cell's width, LibreOffice the table grid: set both.
    table.autofit = False
    for col, width in enumerate(widths):
        table.columns[col].width = Cm(width)
        for cell in table.columns[col].cells:
            cell.width = Cm(width)
    return table


def item_rows(seen: Discussed) -> list[list[str]]:
    """The discussed items' lines: number, kind, reference, name, the meeting's opinion."""
    rows = []
    for index, item in enumerate(seen.shown, start=1):
        number, text = subject_text(item)
        rows.append([str(index), KINDS[item_kind(item)], number, _clean(text), _clean(item.note) or "—"])
    return rows


def task_state(task, today: dt.date) -> str:
    """已完成（2026年12月10日）, 已超期 or 未完成."""
    status = task_status(task, today)
    if status == "done":
        return f"已完成（{cn_date(task.done_on)}）"
    return "已超期" if status == "overdue" else "未完成"


def task_rows(tasks, today: dt.date) -> list[list[str]]:
    """The follow-ups' lines: 事项, 责任人, 完成时限, 状态."""
    return [[str(i), _clean(t.text), person_name(t.owner), cn_date(t.due_on), task_state(t, today)]
            for i, t in enumerate(tasks, start=1)]


def minutes_docx(meeting, seen: Discussed, tasks, today: dt.date) -> bytes:
    """The minutes of ``meeting`` with the items ``seen`` (what the reader may see) and ``tasks``."""
    with force_locale("zh_CN"):  # labels shared with the pages (alert levels, states) in Chinese
        items = item_rows(seen)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(12)
    _east_asian(normal)
    _para(doc, TITLE, bold=True, size=18, center=True)
    _para(doc, _clean(meeting.title), center=True)
    _para(doc, cn_date(meeting.held_on), label="会议时间：")
    _para(doc, _clean(meeting.place) or "—", label="会议地点：")
    _para(doc, _clean(meeting.chair), label="主持人：")
    _para(doc, meeting.organization.name if meeting.organization else "—", label="召集单位：")
    names = "、".join(o.name for o in sorted(meeting.participants, key=lambda o: (o.name, o.id)))
    _para(doc, names or "—", label="参会单位：")
    _para(doc, "一、研判事项", bold=True)
    if items:
        _table(doc, ITEM_HEADERS, ITEM_WIDTHS, items)
    else:
        _para(doc, NONE)
    if seen.hidden_total:
        counted = "、".join(f"{KINDS[k]}{n}件" for k, n in sorted(seen.hidden.items()))
        _para(doc, f"另有{counted}不在下载人的查看范围内，未列出。")
    _para(doc, "二、会议情况", bold=True)
    _lines(doc, meeting.summary)
    _para(doc, "三、会议决定", bold=True)
    _lines(doc, meeting.decisions)
    _para(doc, "四、工作任务", bold=True)
    rows = task_rows(tasks, today)
    if rows:
        _table(doc, TASK_HEADERS, TASK_WIDTHS, rows)
    else:
        _para(doc, NONE)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def minutes_disposition(meeting) -> str:
    """``attachment`` with 联席研判会议纪要-YYYYMMDD.docx (RFC 5987) and an ASCII fallback."""
    name = f"{TITLE}-{meeting.held_on:%Y%m%d}.docx"
    fallback = f"meeting-minutes-{meeting.held_on:%Y%m%d}-{meeting.id}.docx"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
