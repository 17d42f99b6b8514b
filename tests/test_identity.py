"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100)."""
from __future__ import annotations

import datetime as dt

import pytest

from app.validation.identity import (
    IdNumberError,
    age_on,
    is_valid_credit_code,
    is_valid_mobile,
    mask_id_number,
    mask_mobile,
    parse_id_number,
)


def test_standard_example_number_is_valid_and_gives_the_birth_date():
    assert parse_id_number("11010519491231002x") == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    "number,code",
    [
        ("110105194912310021", "checksum"),
        ("11010519491231", "length"),
        ("1101051949123100AX", "format"),
        ("110105194902300023", "birth_date"),  # 30 February
        ("110105209912310026", "birth_date"),  # born in the future
    ],
)
def test_bad_id_numbers_say_why(number, code):
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(number, today=dt.date(2026, 11, 28))
    assert exc.value.code == code


def test_age_counts_whole_years():
    assert age_on(dt.date(2010, 11, 29), dt.date(2026, 11, 28)) == 15
    assert age_on(dt.date(2010, 11, 28), dt.date(2026, 11, 28)) == 16


@pytest.mark.parametrize("code,ok", [
    ("I1350100M000100Y43", False),  # I is not in the GB 32100 alphabet
    ("91350100M000100Y43", True),
    ("91350100M000100Y44", False),
    ("9135010", False),
])
def test_credit_code_check_character(code, ok):
    assert is_valid_credit_code(code) is ok


def test_mobile_numbers_and_masks():
    assert is_valid_mobile("13802661234") and not is_valid_mobile("12345678901")
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_mobile("13802661234") == "138****1234"
