"""The family plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.plugins import AGE_OF_MAJORITY, CLASSIFICATIONS
from app.plugins import today as china_today  # China time, as the advice counts
from app.plugins.testing import CONTRACT_CHECKS


def intake_errors(jiefen, **changes):
    """The intake form's verdict on the family sample with ``changes``: {field: [messages]}."""
    return jiefen.intake_errors("family", dict(jiefen.sample("family"), **changes))


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_family_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("family", only=[check])


def test_register_dispute_types_owns_family(jiefen):
    assert jiefen.plugin("family").dispute_types == ("family",)
    dtype = jiefen.dispute_type("family")
    assert dtype.code == "family" and dtype.category and str(dtype.description)


def test_intake_fields_are_all_classified_and_children_are_minors_data(jiefen):
    fields = jiefen.fields("family")
    assert {"relationship", "marriage_date", "children", "property_summary", "support_claim",
            "support_monthly_amount", "domestic_violence", "protection_order_requested"} <= set(fields)
    for f in fields.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert fields["children"].classification == "minor"
    assert {s.name: s.classification for s in fields["children"].subfields}["birth_date"] == "minor"
    assert {s.name: s.classification for s in fields["children"].subfields}["name"] == "minor"
    assert fields["domestic_violence"].classification == "sensitive"
    assert fields["property_summary"].classification == "personal"
    assert jiefen.owner_of("traffic") != "family"  # the traffic form is not the family plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert intake_errors(jiefen) == {}
    assert jiefen.owner_of("property") != "family"


def test_married_couple_needs_a_marriage_date(jiefen):
    errors = intake_errors(jiefen, relationship="married", marriage_date="", divorce_date="")
    assert "marriage_date" in errors
    assert "marriage_date" not in intake_errors(jiefen, relationship="siblings", marriage_date="", divorce_date="",
                                                support_claim="none", support_monthly_amount="")


def test_divorce_cannot_precede_the_marriage(jiefen):
    assert "divorce_date" in intake_errors(jiefen, divorce_date="2010-01-01")
    assert "divorce_date" in intake_errors(jiefen, relationship="married")


def test_child_support_claim_needs_children_and_an_amount(jiefen):
    assert "support_claim" in intake_errors(jiefen, children=[])
    assert "support_monthly_amount" in intake_errors(jiefen, support_monthly_amount="")
    assert "support_claim" in intake_errors(jiefen, support_claim="none")
    assert intake_errors(jiefen, support_claim="elderly", children=[]) == {}


def test_protection_order_is_only_for_domestic_violence(jiefen):
    assert "protection_order_requested" in intake_errors(jiefen, protection_order_requested=True)
    assert "protection_order_urgent" in intake_errors(jiefen, protection_order_urgent=True)
    assert intake_errors(jiefen, domestic_violence=True, protection_order_requested=True,
                         protection_order_urgent=True) == {}


def test_children_need_a_name_and_a_real_birth_date(jiefen):
    errors = intake_errors(jiefen, children=[{"name": "林小雨", "birth_date": "2030-01-01", "lives_with": "applicant"}])
    assert errors  # a birth date in the future
    errors = intake_errors(jiefen, children=[{"name": "", "birth_date": "2014-08-12", "lives_with": "applicant"}])
    assert errors


def test_settings_have_legal_sources_and_units(jiefen):
    settings = jiefen.settings_of("family")
    assert "family.full_age_years" not in settings  # the core's one setting (民法典 第17条)
    assert settings["family.protection_order_hours"].value == 72
    assert settings["family.protection_order_urgent_hours"].value == 24
    for s in settings.values():
        assert s.key.startswith("family.") and "第" in s.source and s.unit


def test_domestic_violence_routes_to_protection_order_guidance(jiefen):
    advice = jiefen.advice(jiefen.case_like("family", {"domestic_violence": True}), plugin="family")
    danger = [a for a in advice if a.severity == "danger"]
    assert [a.code for a in danger] == ["family.protection_order"]
    assert "反家庭暴力法" in danger[0].source
    text = jiefen.text(danger[0].message, "zh_CN")
    assert "72" in text and "24" in text


def test_minors_are_flagged_and_their_data_protected(jiefen):
    adult = (china_today() - dt.timedelta(days=365 * 20)).isoformat()
    children = [
        {"name": "林小雨", "birth_date": "2014-08-12", "lives_with": "applicant"},
        {"name": "林大海", "birth_date": adult, "lives_with": "other"},
    ]
    advice = {a.code: a for a in jiefen.advice(jiefen.case_like("family", {"children": children}), plugin="family")}
    assert {"family.minors_involved", "family.minor_sensitive_data"} <= set(advice)
    assert "1名不满18周岁" in jiefen.text(advice["family.minors_involved"].message, "zh_CN")


def test_a_newer_core_age_of_majority_changes_who_is_a_minor(jiefen):
    """The age of majority is the core's one setting (民法典 第17条): an administrator's newer
    row of it reaches the family advice."""
    nineteen = (china_today() - dt.timedelta(days=365 * 19 + 10)).isoformat()
    case = jiefen.case_like("family", {"children": [{"name": "林大海", "birth_date": nineteen}]})
    assert "family.minors_involved" not in jiefen.advice_codes(case, plugin="family")
    jiefen.add_setting(AGE_OF_MAJORITY, "20", china_today() - dt.timedelta(days=30))
    advice = {a.code: a for a in jiefen.advice(case, plugin="family")}
    assert "1名不满20周岁" in jiefen.text(advice["family.minors_involved"].message, "zh_CN")


def test_adult_children_raise_no_minors_advice(jiefen):
    case = jiefen.case_like("family", {"children": [{"name": "林大海", "birth_date": "1990-01-01"}]})
    assert set(jiefen.advice_codes(case, plugin="family")) == {"family.personal_status_excluded"}


def test_personal_status_is_excluded_from_judicial_confirmation(jiefen):
    (advice,) = jiefen.advice(jiefen.case_like("family", {"relationship": "married"}), plugin="family")
    assert advice.code == "family.personal_status_excluded" and advice.severity == "info"
    assert jiefen.advice_codes(jiefen.case_like("debt"), plugin="family") == []


@pytest.mark.parametrize("flag", [True, "true"])
def test_validate_transition_refuses_mediation_while_violence_is_reported(jiefen, flag):
    case = jiefen.case_like("family", {"domestic_violence": flag})
    reasons = jiefen.vetoes(case, "mediation_accepted", lang="zh_CN")  # the court's default language
    assert reasons
    assert any("人身安全保护令" in r for r in reasons)
    assert jiefen.vetoes(case, "referred") == []


def test_validate_transition_lets_other_cases_through(jiefen):
    case = jiefen.case_like("family", {"domestic_violence": False})
    assert jiefen.vetoes(case, "mediation_accepted") == []
    other = jiefen.case_like("traffic", {"domestic_violence": True})
    assert jiefen.vetoes(other, "mediation_accepted") == []


def test_deadlines_count_the_protection_order_hours(jiefen):
    settings = jiefen.settings_of("family")
    assert jiefen.deadlines(jiefen.case_like("family"), plugin="family") == []
    requested = {"domestic_violence": True, "protection_order_requested": True}
    (rule,) = jiefen.deadlines(jiefen.case_like("family", requested), plugin="family")
    assert rule.setting_key == "family.protection_order_hours" and settings[rule.setting_key].source
    (urgent,) = jiefen.deadlines(jiefen.case_like("family", dict(requested, protection_order_urgent=True)),
                                 plugin="family")
    assert settings[urgent.setting_key].value == 24
    assert jiefen.deadlines(jiefen.case_like("traffic", requested), plugin="family") == []


def test_agreement_template_ships_with_sample_terms(jiefen):
    (template,) = jiefen.templates("family")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert all(t.text and t.manner for t in template.sample_terms)
    assert template not in jiefen.templates("traffic")


def test_linkage_partners_start_with_the_womens_federation(jiefen):
    partners = jiefen.partners("family")
    assert [p.code for p in partners] == ["womens-federation", "civil-affairs", "community-committee", "youth-league"]
    assert "womens-federation" not in {p.code for p in jiefen.partners("debt")}


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("family")
    assert spec.kind == "case_list" and spec.dispute_type == "family"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("family")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("family")
    assert meta.version and meta.requires_core
