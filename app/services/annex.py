"""The plan's annex "各镇（街道）驻点法官名单" as an Excel sheet and a Word table.

The annex is attached to the court's plan, so it is written in Chinese whatever the
language of the person downloading it.
"""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from app.services.duty import AnnexRow
from app.services.spreadsheet import write_cell

TITLE = "各镇（街道）驻点法官名单"
HEADERS = ["序号", "镇（街道）", "驻点单位", "驻点法官", "驻点时间", "值班半天数"]
# Column widths in Excel characters; the Word table uses the same proportions.
WIDTHS = [6, 16, 30, 18, 40, 12]
NO_TOWN = "未指定镇（街道）"
NOTHING = "本期间无驻点值班安排。"
WEEKDAYS = "一二三四五六日"
SPANS = {"am": "上午", "pm": "下午", "full": "全天"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ANNEX_FORMATS = ("xlsx", "docx")


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(period: tuple[dt.date, dt.date]) -> str:
    """期间：2026年1月1日至2026年12月31日."""
    return f"期间：{_cn_date(period[0])}至{_cn_date(period[1])}"


def annex_filename(period: tuple[dt.date, dt.date], extension: str) -> str:
    """驻点法官名单-YYYYMMDD-YYYYMMDD.<extension>."""
    return f"驻点法官名单-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.{extension}"


def slots_text(slots: list[tuple[int, str]], weekly: bool = True) -> str:
    """每周二全天、每周四上午; a stand-in's days without 每."""
    every = "每" if weekly else ""
    return "、".join(f"{every}周{WEEKDAYS[weekday]}{SPANS[span]}" for weekday, span in slots)


def row_cells(index: int, row: AnnexRow) -> list:
    """The six cells of one town's line, shared by both formats."""
    return [
        index,
        row.town or NO_TOWN,
        "、".join(row.centres),
        "、".join(j.name for j in row.judges),
        "\n".join(f"{j.name}：{slots_text(j.slots, j.weekly)}（{j.half_days}个半天）" for j in row.judges),
        row.half_days,
    ]


def annex_xlsx(rows: list[AnnexRow], period: tuple[dt.date, dt.date]) -> bytes:
    """The annex as an .xlsx workbook: title, period, bold frozen header, one line per town."""
    # Imported here: openpyxl (and numpy with it) would otherwise load into every web worker.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "驻点法官名单"
    last_col = len(HEADERS)
    ws.cell(row=1, column=1, value=TITLE).font = Font(name="宋体", bold=True, size=16)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(row=2, column=1, value=period_text(period)).font = Font(name="宋体")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=3, column=col, value=header)
        cell.font = Font(name="宋体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = border
    for offset, row in enumerate(rows, start=1):
        for col, value in enumerate(row_cells(offset, row), start=1):
            cell = write_cell(ws, 3 + offset, col, value)
            cell.font = Font(name="宋体")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    if not rows:
        ws.cell(row=4, column=1, value=NOTHING).font = Font(name="宋体")
        ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=last_col)
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=3, column=col).column_letter].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _east_asian(style_or_run, font: str = "宋体") -> None:
    # Word picks Chinese glyphs from w:eastAsia, which python-docx's font.name leaves unset.
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _paragraph(doc_or_cell, text: str, *, bold=False, size=None, align=None):
    p = doc_or_cell.add_paragraph()
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    return p


def annex_docx(rows: list[AnnexRow], period: tuple[dt.date, dt.date]) -> bytes:
    """The annex as a .docx table on a landscape A4 page, in 宋体."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    normal = doc.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(11)
    _east_asian(normal)
    _paragraph(doc, TITLE, bold=True, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, period_text(period), align=WD_ALIGN_PARAGRAPH.CENTER)
    table = doc.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every printed page
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for col, header in enumerate(HEADERS):
        cell = table.rows[0].cells[col]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.paragraphs[0].add_run(header).bold = True
    for index, row in enumerate(rows, start=1):
        cells = table.add_row().cells
        for col, value in enumerate(row_cells(index, row)):
            lines = str(value).split("\n")
            cells[col].paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                cells[col].add_paragraph(line)
    # Word reads each cell's width, LibreOffice the table grid: set both.
    table.autofit = False
    usable = 29.7 - 4
    for col, width in enumerate(WIDTHS):
        table.columns[col].width = Cm(usable * width / sum(WIDTHS))
        for cell in table.columns[col].cells:
            cell.width = Cm(usable * width / sum(WIDTHS))
    if not rows:
        _paragraph(doc, NOTHING)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def annex_file(rows: list[AnnexRow], period: tuple[dt.date, dt.date], kind: str) -> tuple[bytes, str, str]:
    """The annex as ``kind`` (xlsx or docx): its bytes, MIME type and Content-Disposition.

    The Chinese file name travels as RFC 5987 ``filename*``; old clients get an ASCII name.
    """
    data, mimetype = (annex_xlsx(rows, period), XLSX_MIME) if kind == "xlsx" else (annex_docx(rows, period), DOCX_MIME)
    fallback = f"duty-annex-{period[0]:%Y%m%d}-{period[1]:%Y%m%d}.{kind}"
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(annex_filename(period, kind))}"
    return data, mimetype, disposition
