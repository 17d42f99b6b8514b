"""The property plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

from app.plugins import CLASSIFICATIONS
from app.plugins import today as china_today  # China time, as the advice counts
from plugins.property import plugin

HOUSING = {
    "subtype": "commercial_housing",
    "developer": "汕尾市海景房地产开发有限公司",
    "project": "海景名苑",
    "contract_no": "SW2024-0012345",
    "agreed_delivery_date": "2025-12-31",
    "housing_issue": "late_delivery",
    "owners_affected": 3,
}


def property_case(track="pre_filing", **intake):
    return SimpleNamespace(dispute_type="property", intake_data=intake, track=track)


def intake_errors(app, intake):
    """Validate ``intake`` through the form the core builds; the fields in error."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    with app.test_request_context():
        form = intake_form("property", flatten({"intake": intake}), api=True)
        form.validate()
        return {name for name, f in form.intake.form._fields.items() if f.errors}


def advice_codes(app, **intake):
    with app.app_context():
        return [a.code for a in plugin.diversion_advice(case=property_case(**intake))]


def test_register_dispute_types_owns_property():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "property" and dtype.category and str(dtype.description)


def test_intake_fields_are_all_classified_and_cover_both_subtypes():
    fields = {f.name: f for f in plugin.intake_fields(dispute_type="property")}
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
    assert plugin.intake_fields(dispute_type="family") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert intake_errors(app, plugin.sample_intake(dispute_type="property")) == set()
    assert plugin.sample_intake(dispute_type="family") is None


def test_commercial_housing_dispute_is_accepted_with_developer_and_contract(app):
    assert intake_errors(app, HOUSING) == set()


def test_commercial_housing_requires_developer_contract_and_issue(app):
    errors = intake_errors(app, {"subtype": "commercial_housing", "project": "海景名苑"})
    assert {"developer", "contract_no", "housing_issue"} <= errors


def test_late_delivery_needs_the_agreed_delivery_date(app):
    assert "agreed_delivery_date" in intake_errors(app, dict(HOUSING, agreed_delivery_date=""))


def test_property_service_requires_the_property_company(app):
    sample = plugin.sample_intake(dispute_type="property")
    assert "property_company" in intake_errors(app, dict(sample, property_company=""))
    # a commercial-housing dispute needs no property company
    assert "property_company" not in intake_errors(app, HOUSING)


def test_fee_arrears_need_both_months_and_amount(app):
    sample = plugin.sample_intake(dispute_type="property")
    assert "arrears_amount" in intake_errors(app, dict(sample, arrears_amount=""))
    assert "arrears_amount" in intake_errors(app, dict(sample, arrears_months=""))


def test_settings_have_legal_sources_and_the_mediation_period_is_checked():
    settings = {s.key: s for s in plugin.register_settings()}
    period = settings["property.prefiling_mediation_days"]
    assert period.value == 30 and period.check and "法释〔2016〕14号" in period.source
    assert settings["property.limitation_years"].source == "民法典 第188条"
    for s in settings.values():
        assert s.key.startswith("property.") and s.source and s.unit


def test_deadlines_read_the_prefiling_mediation_setting():
    (rule,) = plugin.deadlines(case=property_case())
    settings = {s.key: s for s in plugin.register_settings()}
    assert rule.setting_key in settings and rule.starts_from == "created_at"
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic", intake_data={})) is None
    assert plugin.deadlines(case=property_case(track="court_entrusted")) == []  # the core's court period counts


def test_commercial_housing_is_screened_for_group_dispute_risk(app):
    assert "property.group_screening" in advice_codes(app, **HOUSING)
    crowd = advice_codes(app, **dict(HOUSING, owners_affected=56))
    assert "property.group_dispute" in crowd and "property.group_screening" not in crowd


def test_long_arrears_suggest_instalment_terms(app):
    assert advice_codes(app, subtype="property_service", arrears_months=21) == ["property.instalments"]
    assert advice_codes(app, subtype="property_service", arrears_months=2) == []


def test_arrears_beyond_the_limitation_period_are_warned_about(app):
    assert "property.limitation" in advice_codes(app, subtype="property_service", arrears_months=40)


def test_late_delivery_points_to_the_buyers_right_to_rescind(app):
    assert "property.late_delivery" in advice_codes(app, **HOUSING)
    delivered = dict(HOUSING, delivered_on="2026-03-01")
    assert "property.late_delivery" not in advice_codes(app, **delivered)


def test_overdue_title_certificate_is_a_breach_by_the_developer(app):
    old = (china_today() - dt.timedelta(days=200)).isoformat()
    recent = (china_today() - dt.timedelta(days=10)).isoformat()
    title = dict(HOUSING, housing_issue="title_certificate")
    assert "property.title_certificate_overdue" in advice_codes(app, **dict(title, delivered_on=old))
    assert "property.title_certificate_overdue" not in advice_codes(app, **dict(title, delivered_on=recent))


def test_diversion_advice_ignores_other_types():
    assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="family", intake_data={})) is None


def test_agreement_template_ships_with_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="property")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert all(t.text and t.manner and t.due for t in template.sample_terms)
    assert plugin.agreement_templates(dispute_type="family") is None


def test_linkage_partners_start_with_the_housing_bureau():
    partners = plugin.linkage_partners(dispute_type="property")
    assert partners[0].code == "housing-bureau"
    assert {"property-association", "street-office", "community-committee"} <= {p.code for p in partners}
    assert plugin.linkage_partners(dispute_type="debt") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "property"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core
