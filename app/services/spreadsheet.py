"""Writing what people typed into Excel cells safely."""
from __future__ import annotations

# Excel (and LibreOffice) treat a cell starting with one of these as a formula: a case title
# such as =HYPERLINK("http://…") would run when a partner opens its ledger.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_cell(ws, row: int, column: int, value):
    """Put ``value`` in the cell; text that looks like a formula is stored as plain text."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
    return cell
