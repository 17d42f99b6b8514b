"""How a person's name is written: one rule for every page, document and message.

FAB keeps a user's name as two fields, first name (名) and last name (姓). A Chinese name is
written surname first with no space (许晓东); a name in Latin letters keeps the Western
order with a space (Ann Lee). A name with a CJK character in either part follows the
Chinese rule, whatever the page's language, so the same person reads the same everywhere.
"""
from __future__ import annotations

import re

# CJK ideographs (with extension A and the compatibility block) and the middle dot used
# in transliterated foreign names (阿卜杜拉·买买提).
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u00b7\u30fb]")
EMPTY = "—"


def full_name(first_name: str | None, last_name: str | None) -> str:
    """``last_name + first_name`` when either part is Chinese, else ``"first last"``."""
    first, last = (first_name or "").strip(), (last_name or "").strip()
    if _CJK.search(first + last):
        return last + first
    return f"{first} {last}".strip()


def person_name(who, last_name: str | None = None) -> str:
    """A user's name as people write it; ``—`` when there is nobody.

    ``who`` is a user (anything with ``first_name`` and ``last_name``), or the first name
    itself with ``last_name`` given, for code that selected the two columns only.
    """
    if who is None and last_name is None:
        return EMPTY
    if isinstance(who, str) or who is None:
        return full_name(who, last_name) or EMPTY
    return full_name(getattr(who, "first_name", ""), getattr(who, "last_name", "")) or (
        getattr(who, "username", None) or EMPTY
    )
