"""The property plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.plugins import CLASSIFICATIONS, ORDINARY_LIMITATION
from app.plugins import today as china_today  # China time, as the advice counts
from app.plugins.testing import CONTRACT_CHECKS

HOUSING = {
    "subtype": "commercial_housing",
    "developer": "汕尾市海景房地产开发有限公司",
    "project": "海景名苑",
    "contract_no": "SW2024-0012345",
    "agreed_delivery_date": "2025-12-31",
    "housing_issue": "late_delivery",
    "owners_affected": 3,
}


def intake_errors(jiefen, intake):
    """The fields the intake form finds in error in ``intake``."""
    return set(jiefen.intake_errors("property", intake))


def advice_codes(jiefen, **intake):
    return jiefen.advice_codes(jiefen.case_like("property", intake), plugin="property")


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_property_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("property", only=[check])


def test_register_dispute_types_owns_property(jiefen):
    assert jiefen.plugin("property").dispute_types == ("property",)
    dtype = jiefen.dispute_type("property")
    assert dtype.code == "property" and dtype.category and str(dtype.description)


def test_intake_fields_are_all_classified_and_cover_both_subtypes(jiefen):
    fields = jiefen.fields("property")
    assert {"subtype", "estate", "property_company", "owners_committee", "arrears_months", "arrears_amount",
            "service_defects", "developer", "project", "contract_no", "agreed_delivery_date",
            "housing_issue"} <= set(fields)
    assert {v for v, _label in fields["subtype"].choices} == {"property_service", "commercial_housing"}
    assert {v for v, _label in fields["housing_issue"].choices} == {
        "quality_defect", "late_delivery", "title_certificate", "other"}
    for f in fields.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert jiefen.owner_of("family") != "property"  # the family form is not the property plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert intake_errors(jiefen, jiefen.sample("property")) == set()
    assert jiefen.owner_of("family") != "property"


def test_commercial_housing_dispute_is_accepted_with_developer_and_contract(jiefen):
    assert intake_errors(jiefen, HOUSING) == set()


def test_commercial_housing_dispute_registers_through_the_intake(jiefen, make_case):
    sample = jiefen.sample("property")
    case = make_case("property", **dict({k: None for k in sample}, **HOUSING))
    assert case.view.intake_data["developer"] == HOUSING["developer"]


def test_commercial_housing_requires_developer_contract_and_issue(jiefen):
    errors = intake_errors(jiefen, {"subtype": "commercial_housing", "project": "海景名苑"})
    assert {"developer", "contract_no", "housing_issue"} <= errors


def test_late_delivery_needs_the_agreed_delivery_date(jiefen):
    assert "agreed_delivery_date" in intake_errors(jiefen, dict(HOUSING, agreed_delivery_date=""))


def test_property_service_requires_the_property_company(jiefen):
    sample = jiefen.sample("property")
    assert "property_company" in intake_errors(jiefen, dict(sample, property_company=""))
    # a commercial-housing dispute needs no property company
    assert "property_company" not in intake_errors(jiefen, HOUSING)


def test_fee_arrears_need_both_months_and_amount(jiefen):
    sample = jiefen.sample("property")
    assert "arrears_amount" in intake_errors(jiefen, dict(sample, arrears_amount=""))
    assert "arrears_amount" in intake_errors(jiefen, dict(sample, arrears_months=""))


def test_settings_have_legal_sources(jiefen):
    settings = jiefen.settings_of("property")
    assert "property.prefiling_mediation_days" not in settings  # the core's one period counts (issue 12)
    assert "property.limitation_years" not in settings  # the core's one setting (民法典 第188条)
    for s in settings.values():
        assert s.key.startswith("property.") and s.source and s.unit


def test_the_core_counts_the_pre_filing_period(jiefen):
    assert jiefen.deadlines(jiefen.case_like("property"), plugin="property") == []
    # the core's court period counts
    assert jiefen.deadlines(jiefen.case_like("property", track="court_entrusted"), plugin="property") == []


def test_commercial_housing_is_screened_for_group_dispute_risk(jiefen):
    assert "property.group_screening" in advice_codes(jiefen, **HOUSING)
    crowd = advice_codes(jiefen, **dict(HOUSING, owners_affected=56))
    assert "property.group_dispute" in crowd and "property.group_screening" not in crowd


def test_long_arrears_suggest_instalment_terms(jiefen):
    assert advice_codes(jiefen, subtype="property_service", arrears_months=21) == ["property.instalments"]
    assert advice_codes(jiefen, subtype="property_service", arrears_months=2) == []


def test_arrears_beyond_the_limitation_period_are_warned_about(jiefen):
    assert "property.limitation" in advice_codes(jiefen, subtype="property_service", arrears_months=40)


def test_a_newer_core_limitation_period_changes_the_property_advice(jiefen):
    """The limitation period is the core's one setting (民法典 第188条): an administrator's
    newer row of it reaches the property advice."""
    jiefen.add_setting(ORDINARY_LIMITATION, "4", china_today() - dt.timedelta(days=30))
    assert "property.limitation" not in advice_codes(jiefen, subtype="property_service", arrears_months=40)
    assert "property.limitation" in advice_codes(jiefen, subtype="property_service", arrears_months=49)


def test_late_delivery_points_to_the_buyers_right_to_rescind(jiefen):
    assert "property.late_delivery" in advice_codes(jiefen, **HOUSING)
    delivered = dict(HOUSING, delivered_on="2026-03-01")
    assert "property.late_delivery" not in advice_codes(jiefen, **delivered)


def test_overdue_title_certificate_is_a_breach_by_the_developer(jiefen):
    old = (china_today() - dt.timedelta(days=200)).isoformat()
    recent = (china_today() - dt.timedelta(days=10)).isoformat()
    title = dict(HOUSING, housing_issue="title_certificate")
    assert "property.title_certificate_overdue" in advice_codes(jiefen, **dict(title, delivered_on=old))
    assert "property.title_certificate_overdue" not in advice_codes(jiefen, **dict(title, delivered_on=recent))


def test_a_title_certificate_period_ending_on_national_day_runs_to_the_next_working_day(jiefen):
    """90 days from delivery on 3 July 2026 end on 1 October, National Day: the period runs to
    Thursday 8 October (Civil Code art. 203), so the developer is not late until the 9th."""
    title = dict(HOUSING, housing_issue="title_certificate", delivered_on="2026-07-03")
    with jiefen.on_day(dt.date(2026, 10, 8)):
        assert "property.title_certificate_overdue" not in advice_codes(jiefen, **title)
    with jiefen.on_day(dt.date(2026, 10, 9)):
        assert "property.title_certificate_overdue" in advice_codes(jiefen, **title)


def test_diversion_advice_ignores_other_types(jiefen):
    assert jiefen.advice_codes(jiefen.case_like("family"), plugin="property") == []


def test_agreement_template_ships_with_sample_terms(jiefen):
    (template,) = jiefen.templates("property")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert all(t.text and t.manner and t.due for t in template.sample_terms)
    assert template not in jiefen.templates("family")


def test_linkage_partners_start_with_the_housing_bureau(jiefen):
    partners = jiefen.partners("property")
    assert partners[0].code == "housing-bureau"
    assert {"property-association", "street-office", "community-committee"} <= {p.code for p in partners}
    assert "housing-bureau" not in {p.code for p in jiefen.partners("debt")}


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("property")
    assert spec.kind == "case_list" and spec.dispute_type == "property"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("property")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("property")
    assert meta.version and meta.requires_core
