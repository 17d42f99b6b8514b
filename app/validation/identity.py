"""Resident ID numbers (GB 11643-1999) and mainland mobile numbers."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Optional

from app.services.clock import today as china_today

_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


class IdNumberError(ValueError):
    """A resident ID number that is not valid; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def to_halfwidth(value: Optional[str]) -> str:
    """NFKC-normalise what was typed: full-width digits and letters (１３８, Ｘ) become ASCII.

    Digits of other scripts (Arabic-Indic ٠١٢, Devanagari) stay as they are; see
    :func:`has_foreign_digits`.
    """
    return unicodedata.normalize("NFKC", str(value or ""))


def has_foreign_digits(value: Optional[str]) -> bool:
    """True when ``value`` holds a digit that is not one of ASCII 0–9 (after NFKC)."""
    return any(c.isdigit() and not c.isascii() for c in to_halfwidth(value))


def normalise_id_number(value: str) -> str:
    """NFKC-normalise, strip blanks and upper-case a trailing x, as clerks type it both ways."""
    return re.sub(r"\s+", "", to_halfwidth(value)).upper()


def normalise_mobile(value: Optional[str]) -> str:
    """NFKC-normalise a mobile number and drop the blanks and hyphens typed between groups."""
    return re.sub(r"[\s-]", "", to_halfwidth(value))


def check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


def parse_id_number(value: str, today: Optional[dt.date] = None) -> dt.date:
    """Validate an 18-character resident ID and return the birth date it encodes.

    Raises :class:`IdNumberError` with code ``digits`` (digits other than 0–9),
    ``length``, ``format``, ``birth_date`` or ``checksum``.
    """
    number = normalise_id_number(value)
    if has_foreign_digits(number):
        raise IdNumberError("digits")
    if len(number) != 18:
        raise IdNumberError("length")
    if not _ID_RE.match(number):
        raise IdNumberError("format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("birth_date") from None
    today = today or china_today()
    if birth > today or birth.year < 1900:
        raise IdNumberError("birth_date")
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError("checksum")
    return birth


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# GB 32100-2015 unified social credit code: 18 characters from this alphabet, last is a check.
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def is_valid_credit_code(value: str) -> bool:
    """True for a unified social credit code with a correct GB 32100 check character."""
    code = normalise_id_number(value)
    if not _CREDIT_RE.match(code):
        return False
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def is_valid_mobile(value: str) -> bool:
    """True for an 11-digit mainland mobile number (``^1[3-9][0-9]{9}$``, ASCII digits only:
    normalise what was typed with :func:`normalise_mobile` first)."""
    return bool(_MOBILE_RE.match(value or ""))


def mask_id_number(value: Optional[str]) -> str:
    """Show the first 6 and last 4 characters of an ID number only."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: Optional[str]) -> str:
    """Show the first 3 and last 4 digits of a mobile number only."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
