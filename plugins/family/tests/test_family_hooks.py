"""The family plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest

from app.plugins import CLASSIFICATIONS
from app.plugins import today as china_today  # China time, as the advice counts
from plugins.family import plugin


def family_case(**intake):
    return SimpleNamespace(dispute_type="family", intake_data=intake)


def intake_errors(app, **changes):
    """Validate the sample with ``changes`` through the form the core builds; field errors."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    sample = dict(plugin.sample_intake(dispute_type="family"), **changes)
    with app.test_request_context():
        form = intake_form("family", flatten({"intake": sample}), api=True)
        form.validate()
        return {name: [str(m) for m in f.errors] for name, f in form.intake.form._fields.items() if f.errors}


def test_register_dispute_types_owns_family():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "family" and dtype.category and str(dtype.description)


def test_intake_fields_are_all_classified_and_children_are_minors_data():
    fields = {f.name: f for f in plugin.intake_fields(dispute_type="family")}
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
    assert plugin.intake_fields(dispute_type="traffic") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert intake_errors(app) == {}
    assert plugin.sample_intake(dispute_type="property") is None


def test_married_couple_needs_a_marriage_date(app):
    errors = intake_errors(app, relationship="married", marriage_date="", divorce_date="")
    assert "marriage_date" in errors
    assert "marriage_date" not in intake_errors(app, relationship="siblings", marriage_date="", divorce_date="",
                                                support_claim="none", support_monthly_amount="")


def test_divorce_cannot_precede_the_marriage(app):
    assert "divorce_date" in intake_errors(app, divorce_date="2010-01-01")
    assert "divorce_date" in intake_errors(app, relationship="married")


def test_child_support_claim_needs_children_and_an_amount(app):
    assert "support_claim" in intake_errors(app, children=[])
    assert "support_monthly_amount" in intake_errors(app, support_monthly_amount="")
    assert "support_claim" in intake_errors(app, support_claim="none")
    assert intake_errors(app, support_claim="elderly", children=[]) == {}


def test_protection_order_is_only_for_domestic_violence(app):
    assert "protection_order_requested" in intake_errors(app, protection_order_requested=True)
    assert "protection_order_urgent" in intake_errors(app, protection_order_urgent=True)
    assert intake_errors(app, domestic_violence=True, protection_order_requested=True,
                         protection_order_urgent=True) == {}


def test_children_need_a_name_and_a_real_birth_date(app):
    errors = intake_errors(app, children=[{"name": "林小雨", "birth_date": "2030-01-01", "lives_with": "applicant"}])
    assert errors  # a birth date in the future
    errors = intake_errors(app, children=[{"name": "", "birth_date": "2014-08-12", "lives_with": "applicant"}])
    assert errors


def test_settings_have_legal_sources_and_units():
    settings = {s.key: s for s in plugin.register_settings()}
    assert settings["family.full_age_years"].value == 18
    assert settings["family.full_age_years"].source == "民法典 第17条"
    assert settings["family.protection_order_hours"].value == 72
    assert settings["family.protection_order_urgent_hours"].value == 24
    for s in settings.values():
        assert s.key.startswith("family.") and "第" in s.source and s.unit


def test_domestic_violence_routes_to_protection_order_guidance(app):
    with app.app_context():
        advice = plugin.diversion_advice(case=family_case(domestic_violence=True))
    danger = [a for a in advice if a.severity == "danger"]
    assert [a.code for a in danger] == ["family.protection_order"]
    assert "反家庭暴力法" in danger[0].source
    with app.test_request_context():
        text = str(danger[0].message)
    assert "72" in text and "24" in text


def test_minors_are_flagged_and_their_data_protected(app):
    adult = (china_today() - dt.timedelta(days=365 * 20)).isoformat()
    children = [
        {"name": "林小雨", "birth_date": "2014-08-12", "lives_with": "applicant"},
        {"name": "林大海", "birth_date": adult, "lives_with": "other"},
    ]
    with app.app_context():
        advice = {a.code: a for a in plugin.diversion_advice(case=family_case(children=children))}
    assert {"family.minors_involved", "family.minor_sensitive_data"} <= set(advice)
    with app.test_request_context():
        assert "1名不满18周岁" in str(advice["family.minors_involved"].message)


def test_adult_children_raise_no_minors_advice(app):
    with app.app_context():
        advice = plugin.diversion_advice(case=family_case(children=[{"name": "林大海", "birth_date": "1990-01-01"}]))
    assert {a.code for a in advice} == {"family.personal_status_excluded"}


def test_personal_status_is_excluded_from_judicial_confirmation(app):
    with app.app_context():
        (advice,) = plugin.diversion_advice(case=family_case(relationship="married"))
    assert advice.code == "family.personal_status_excluded" and advice.severity == "info"
    assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="debt", intake_data={})) is None


@pytest.mark.parametrize("flag", [True, "true"])
def test_validate_transition_refuses_mediation_while_violence_is_reported(app, flag):
    case = family_case(domestic_violence=flag)
    reason = plugin.validate_transition(case=case, to_state="mediation_accepted")
    assert reason
    with app.test_request_context():
        assert "人身安全保护令" in str(reason)  # the court's default language
    assert plugin.validate_transition(case=case, to_state="referred") is None


def test_validate_transition_lets_other_cases_through():
    assert plugin.validate_transition(case=family_case(domestic_violence=False), to_state="mediation_accepted") is None
    other = SimpleNamespace(dispute_type="traffic", intake_data={"domestic_violence": True})
    assert plugin.validate_transition(case=other, to_state="mediation_accepted") is None


def test_deadlines_count_the_protection_order_hours(app):
    settings = {s.key: s for s in plugin.register_settings()}
    assert plugin.deadlines(case=family_case()) == []
    (rule,) = plugin.deadlines(case=family_case(domestic_violence=True, protection_order_requested=True))
    assert rule.setting_key == "family.protection_order_hours" and settings[rule.setting_key].source
    (urgent,) = plugin.deadlines(case=family_case(domestic_violence=True, protection_order_requested=True,
                                                   protection_order_urgent=True))
    assert settings[urgent.setting_key].value == 24
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic", intake_data={})) is None


def test_agreement_template_ships_with_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="family")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert all(t.text and t.manner for t in template.sample_terms)
    assert plugin.agreement_templates(dispute_type="traffic") is None


def test_linkage_partners_start_with_the_womens_federation():
    partners = plugin.linkage_partners(dispute_type="family")
    assert [p.code for p in partners] == ["womens-federation", "civil-affairs", "community-committee", "youth-league"]
    assert plugin.linkage_partners(dispute_type="debt") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "family"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core
