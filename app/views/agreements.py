"""What the agreement downloads share: the Word MIME type and a Content-Disposition that keeps
a Chinese file name.

The agreement itself has one page, the stored agreement with its signatures
(``app/views/outcome.py``): it is written, saved, signed, downloaded as Word and printed there.
"""
from __future__ import annotations

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(filename: str) -> str:
    """A Content-Disposition that keeps a Chinese file name (RFC 5987) with an ASCII fallback."""
    from urllib.parse import quote

    return f"attachment; filename=\"agreement.docx\"; filename*=UTF-8''{quote(filename, safe='')}"
