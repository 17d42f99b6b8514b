"""The intake-field validators the plugin API builds from a message (app/plugins/validators.py):
one rule, written once, that several dispute types state with their own words."""
from __future__ import annotations

import datetime as dt

from app.plugins import not_before, only_when, only_with, required_when

D = dt.date


def test_a_later_date_may_not_come_before_the_earlier_one():
    check = not_before("accident_date", "determined before the accident")
    assert check(D(2026, 9, 17), {"accident_date": D(2026, 9, 18)}) == "determined before the accident"
    assert check(D(2026, 9, 18), {"accident_date": D(2026, 9, 18)}) is None  # the same day is fine
    assert check(D(2026, 9, 25), {"accident_date": D(2026, 9, 18)}) is None


def test_a_date_compared_with_a_missing_one_is_left_to_other_rules():
    check = not_before("treatment_start", "ended before it started")
    assert check(D(2026, 6, 1), {"treatment_start": None}) is None
    assert check(None, {"treatment_start": D(2026, 6, 3)}) is None


def test_an_answer_required_by_the_choice_of_another_field():
    check = required_when("subtype", ("commercial_housing",), "name the developer")
    assert check("", {"subtype": "commercial_housing"}) == "name the developer"
    assert check("   ", {"subtype": "commercial_housing"}) == "name the developer"  # blanks are empty
    assert check(None, {"subtype": "commercial_housing"}) == "name the developer"
    assert check("汕尾市海景房地产开发有限公司", {"subtype": "commercial_housing"}) is None
    assert check("", {"subtype": "property_service"}) is None


def test_a_requirement_may_follow_several_choices():
    check = required_when("relationship", ("married", "divorced"), "marriage date")
    assert check(None, {"relationship": "divorced"}) == "marriage date"
    assert check(None, {"relationship": "siblings"}) is None
    assert check(D(2012, 10, 1), {"relationship": "married"}) is None


def test_an_answer_that_only_makes_sense_with_another():
    check = only_with("domestic_violence", "only for domestic violence")
    assert check(True, {"domestic_violence": False}) == "only for domestic violence"
    assert check(True, {}) == "only for domestic violence"
    assert check(True, {"domestic_violence": True}) is None
    assert check(False, {"domestic_violence": False}) is None  # nothing asked, nothing needed


def test_a_date_that_needs_another_date_given():
    check = only_with("determination_date", "give the determination date")
    assert check(D(2026, 9, 28), {"determination_date": None}) == "give the determination date"
    assert check(D(2026, 9, 28), {"determination_date": D(2026, 9, 25)}) is None
    assert check(None, {"determination_date": None}) is None


def test_an_answer_that_only_fits_some_states_of_another():
    check = only_when("appraisal_status", ("applied", "done"), "set the status")
    assert check(D(2026, 8, 10), {"appraisal_status": "not_started"}) == "set the status"
    assert check(D(2026, 8, 10), {"appraisal_status": ""}) == "set the status"
    assert check(D(2026, 8, 10), {"appraisal_status": "applied"}) is None
    assert check(None, {"appraisal_status": "not_started"}) is None
