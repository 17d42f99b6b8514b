"""Write the bulletin's DOCX template (docxtpl tags), ``app/reports/bulletin_template.docx``.

    .venv/bin/python tools/build_bulletin_template.py

The file is committed; this script is how it was made, so that a change of layout is made
here and the file rebuilt. Every word of the document comes from the context
(:func:`app.reports.bulletin_docx.context`), in the court's language; the template holds
only the layout: title, body paragraphs, where the ranked table goes, the best and the last
units, where the weights table goes, and the date.
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "app" / "reports" / "bulletin_template.docx"


def _east_asian(style_or_run, font: str) -> None:
    # Word picks Chinese glyphs from w:eastAsia, which python-docx's font.name leaves unset.
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def build(path: Path) -> None:
    """The template: A4, 仿宋 body text, 方正小标宋-like bold title."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.6))
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    _east_asian(normal, "仿宋")

    def para(text: str, *, bold=False, size=None, align=None, indent=False):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)  # two characters, as official texts are set
        return p

    para("{{ draft_mark }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    title = para("{{ title }}", bold=True, size=20, align=WD_ALIGN_PARAGRAPH.CENTER)
    _east_asian(title.runs[0], "黑体")
    para("{{ period_line }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para("{%p for text in paragraphs %}")
    para("{{ text }}", indent=True)
    para("{%p endfor %}")
    para("{{ heading_results }}", bold=True)
    para("{{ scope_line }}", indent=True)
    para("{{ ranking }}")
    para("{{ heading_top }}", bold=True)
    para("{%p for text in top %}")
    para("{{ text }}", indent=True)
    para("{%p endfor %}")
    para("{{ heading_bottom }}", bold=True)
    para("{%p for text in bottom %}")
    para("{{ text }}", indent=True)
    para("{%p endfor %}")
    para("{{ heading_weights }}", bold=True)
    para("{{ weights_line }}", indent=True)
    para("{{ weights }}")
    para("")
    para("{{ date_line }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    doc.save(str(path))


if __name__ == "__main__":
    build(TARGET)
    print(f"wrote {TARGET.relative_to(ROOT)}")
