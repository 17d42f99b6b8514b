"""Writing what people typed into Excel cells safely."""
from __future__ import annotations

# Excel (and LibreOffice) treat a cell starting with one of these as a formula: a case title
# such as =HYPERLINK("http://…") would run when a partner opens its ledger.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """``value`` as a cell may hold it: control characters the XLSX format cannot store (a
    vertical tab pasted into a text) become U+FFFD instead of failing the whole export."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def write_cell(ws, row: int, column: int, value):
    """Put ``value`` in the cell; text that looks like a formula is stored as plain text."""
    value = cell_value(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell
