"""Mainland landline numbers (固定电话), which organisations give beside or instead of a mobile.

A landline is the area code (0 and 2–3 digits) and a subscriber number of 7 or 8 digits that
starts with 2–9, optionally with an extension. Area codes are prefix-free — 010 and 02X have
three digits, every other one four (0660 is Shanwei) — so a number typed without separators
splits in one way only. Whether the area code exists and takes numbers of that length
(Shanwei's have 7 digits, Guangzhou's 8) is the numbering plan's question, answered by
``phonenumbers`` (Google's libphonenumber metadata); the typing habits it does not know (转 for
an extension, a hyphenated extension) are read here first.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

import phonenumbers

_EXTENSION = re.compile(r"(?:转|ext\.?|x|#)(\d{1,4})$", re.IGNORECASE)


def _area_code_length(digits: str) -> int:
    return 3 if digits.startswith(("010", "02")) else 4


def normalise_landline(value: Optional[str]) -> Optional[str]:
    """``0660-3312345`` (or ``0660-3312345-12`` with an extension) from what was typed —
    ``0660 3312345``, ``(0660)33123456``, ``066033123456`` — or ``None`` if it is no landline."""
    text = re.sub(r"[\s\u3000()（）]", "", unicodedata.normalize("NFKC", str(value or "")))
    extension = None
    found = _EXTENSION.search(text)
    if found:
        text, extension = text[:found.start()], found.group(1)
    groups = text.split("-")
    if len(groups) >= 3 and len(groups[-1]) <= 4 and extension is None:
        groups, extension = groups[:-1], groups[-1]  # 0660-3312345-12: the last group is the extension
    digits = "".join(groups)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) >= 11:
        digits = digits[2:]
    if not digits.isascii() or not digits.isdigit():
        return None
    if not digits.startswith("0"):
        digits = "0" + digits  # +86 660 3312345: the trunk 0 is dropped after the country code
    area_len = _area_code_length(digits)
    area, number = digits[:area_len], digits[area_len:]
    if len(number) not in (7, 8) or number[0] in "01" or not _in_numbering_plan(digits):
        return None
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


_FIXED = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _in_numbering_plan(digits: str) -> bool:
    """True when ``digits`` (0, area code, number) is a fixed line China's plan can hold."""
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _FIXED


def is_valid_landline(value: Optional[str]) -> bool:
    """True for a mainland landline with its area code."""
    return normalise_landline(value) is not None
