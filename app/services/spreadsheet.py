"""Writing what people typed into Excel cells safely: in openpyxl's cells, openpyxl's
write-only cells and the streamed sheets of app/services/xlsx_stream.py."""
from __future__ import annotations

import re

# The control characters the XLSX format cannot store (openpyxl's ILLEGAL_CHARACTERS_RE, kept
# here so a streamed export does not import openpyxl for one expression).
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# Excel (and LibreOffice) treat a cell starting with one of these as a formula: a case title
# such as =HYPERLINK("http://…") would run when a partner opens its ledger.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """``value`` as a cell may hold it: control characters the XLSX format cannot store (a
    vertical tab pasted into a text) become U+FFFD instead of failing the whole export."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS.sub("\ufffd", value)
    return value


def looks_like_formula(value) -> bool:
    """True for text Excel would read as a formula if it were not stored as text."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_cell(ws, row: int, column: int, value):
    """Put ``value`` in the cell; text that looks like a formula is stored as plain text."""
    value = cell_value(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell


def write_only_text_cell(ws, value, **style):
    """An openpyxl write-only cell holding ``value``; text that looks like a formula stays text."""
    from openpyxl.cell import WriteOnlyCell

    value = cell_value(value)
    cell = WriteOnlyCell(ws, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def xml_text(value) -> str:
    """``value`` as the text of an inline-string cell of a streamed sheet
    (:mod:`app.services.xlsx_stream`): characters the format cannot store replaced, XML escaped.
    An inline string is always text: one that starts like a formula is shown, never run."""
    text = cell_value(str(value))
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text
