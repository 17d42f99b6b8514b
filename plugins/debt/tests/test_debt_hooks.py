"""The debt plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.plugins import CLASSIFICATIONS
from app.plugins import today as china_today  # China time, as the advice counts
from plugins.debt import plugin
from plugins.debt.fields import SAMPLE


def debt_case(**changes):
    return SimpleNamespace(dispute_type="debt", intake_data=dict(SAMPLE, **changes))


def advice_for(app, **changes):
    with app.app_context():
        return {a.code: a for a in plugin.diversion_advice(case=debt_case(**changes))}


def intake_errors(app, **changes):
    """The intake form's verdict on the sample with ``changes``: {field: [messages]}."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    sample = {k: v for k, v in dict(SAMPLE, **changes).items() if v is not None}
    with app.test_request_context(), force_locale("en"):
        form = intake_form("debt", flatten({"intake": sample}), api=True)
        form.validate()
        return {k: [str(m) for m in v] for k, v in form.intake.errors.items()}


def years_ago(years, days=0):
    today = china_today()
    try:
        start = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - years, day=28)
    return (start + dt.timedelta(days=days)).isoformat()


def test_register_dispute_types_owns_debt():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "debt" and dtype.category == "contract"


def test_intake_fields_are_all_classified_and_the_guarantor_is_personal():
    fields = plugin.intake_fields(dispute_type="debt")
    by_name = {f.name: f for f in fields}
    assert {"principal", "interest_rate", "contract_date", "due_date", "security", "guarantor",
            "evidence", "knew_of_harm_on"} <= set(by_name)
    for f in fields:
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert by_name["guarantor"].classification == "personal"
    assert by_name["principal"].required and by_name["contract_date"].required
    assert by_name["contract_date"].not_in_future
    assert {v for v, _ in by_name["security"].choices} == {"none", "guarantee", "mortgage", "pledge"}
    assert {v for v, _ in by_name["evidence"].choices} == {"iou", "transfer", "contract", "other"}
    assert plugin.intake_fields(dispute_type="traffic") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert plugin.sample_intake(dispute_type="consumer") is None
    assert intake_errors(app) == {}


def test_due_date_before_the_contract_date_is_refused(app):
    errors = intake_errors(app, due_date="2025-06-01")
    assert errors == {"due_date": ["The due date cannot be before the contract date."]}
    assert intake_errors(app, due_date="2025-06-10") == {}


def test_knowing_of_the_harm_before_the_contract_is_refused(app):
    errors = intake_errors(app, knew_of_harm_on="2025-01-01")
    assert list(errors) == ["knew_of_harm_on"]


def test_a_guaranteed_debt_needs_a_guarantor(app):
    assert list(intake_errors(app, guarantor=None)) == ["guarantor"]
    assert intake_errors(app, guarantor=None, security="mortgage") == {}


def test_principal_must_be_positive_and_contract_not_in_the_future(app):
    assert list(intake_errors(app, principal="0")) == ["principal"]
    assert list(intake_errors(app, principal="-100")) == ["principal"]
    assert list(intake_errors(app, contract_date="2099-01-01", due_date=None, knew_of_harm_on=None)) == ["contract_date"]


def test_settings_have_legal_sources_and_units():
    settings = {s.key: s for s in plugin.register_settings()}
    assert set(settings) == {
        "debt.limitation_years", "debt.limitation_warning_days", "debt.lpr_multiple",
        "debt.lpr_1y", "debt.pre_filing_mediation_days",
    }
    for s in settings.values():
        assert s.key.startswith("debt.") and s.source and s.unit
    assert settings["debt.limitation_years"].value == 3 and "第188条" in settings["debt.limitation_years"].source
    assert settings["debt.lpr_multiple"].value == 4 and "第25条" in settings["debt.lpr_multiple"].source
    lpr = settings["debt.lpr_1y"]
    assert lpr.value == "3.0" and lpr.valid_from == dt.date(2025, 5, 20) and lpr.check
    assert settings["debt.limitation_warning_days"].check


def test_deadlines_read_the_mediation_setting():
    (rule,) = plugin.deadlines(case=SimpleNamespace(dispute_type="debt", track="pre_filing"))
    settings = {s.key: s for s in plugin.register_settings()}
    assert settings[rule.setting_key].value == 30
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic")) is None
    # a court-entrusted case counts the core's court period instead
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="debt", track="court_entrusted")) == []


def test_interest_above_four_times_lpr_is_flagged(app):
    advice = advice_for(app, interest_rate="18.00")
    warning = advice["debt.interest_above_cap"]
    assert warning.severity == "warning" and "第25条" in warning.source
    with app.test_request_context(), force_locale("en"):
        text = str(warning.message)
    assert "12.00%" in text and "3.00%" in text and "2025-06-10" in text
    assert "9,600.00" in text  # 80,000 × 12 %


def test_interest_within_the_cap_is_not_flagged(app):
    assert "debt.interest_above_cap" not in advice_for(app, interest_rate="12.00")
    assert "debt.interest_above_cap" not in advice_for(app, interest_rate=None)


def test_the_cap_uses_the_lpr_in_force_on_the_contract_date(app):
    from app.extensions import db
    from app.models import Setting

    with app.app_context():
        db.session.add(Setting(key="debt.lpr_1y", value="3.10", valid_from=dt.date(2024, 10, 21),
                               source="LPR 2024-10-21"))
        db.session.commit()
    advice = advice_for(app, contract_date="2025-01-15", interest_rate="12.20")
    assert "debt.interest_above_cap" not in advice  # 12.20 % is below 4 × 3.10 %
    advice = advice_for(app, contract_date="2025-01-15", interest_rate="15.00")
    with app.test_request_context(), force_locale("en"):
        assert "12.40%" in str(advice["debt.interest_above_cap"].message)


def test_a_contract_before_any_recorded_lpr_asks_the_administrator(app):
    advice = advice_for(app, contract_date="2023-03-01", interest_rate="15.00")
    assert advice["debt.lpr_missing"].severity == "warning"


def test_a_loan_before_the_lpr_cap_points_to_the_transitional_rule(app):
    advice = advice_for(app, contract_date="2019-03-01", interest_rate="24.00")
    assert "第31条" in advice["debt.cap_transitional"].source


def test_a_bank_loan_is_not_held_to_the_private_lending_cap(app):
    advice = advice_for(app, lender_kind="financial", interest_rate="18.00")
    assert "debt.interest_above_cap" not in advice and "debt.financial_lender" in advice


def test_limitation_period_past_three_years_is_danger(app):
    advice = advice_for(app, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=-1), interest_rate=None)
    assert advice["debt.limitation_expired"].severity == "danger"
    assert "第188条" in advice["debt.limitation_expired"].source


def test_limitation_period_ending_within_the_warning_window_is_a_warning(app):
    advice = advice_for(app, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=30), interest_rate=None)
    assert advice["debt.limitation_near"].severity == "warning"
    assert "debt.limitation_expired" not in advice
    with app.test_request_context(), force_locale("en"):
        assert "30" in str(advice["debt.limitation_near"].message)


def test_limitation_far_away_raises_nothing(app):
    advice = advice_for(app, knew_of_harm_on=years_ago(1))
    assert not {"debt.limitation_near", "debt.limitation_expired"} & set(advice)


def test_limitation_counts_from_the_due_date_when_the_knowledge_date_is_missing(app):
    advice = advice_for(app, contract_date="2020-01-01", due_date=years_ago(3, days=-10),
                        knew_of_harm_on=None, interest_rate=None)
    assert "debt.limitation_expired" in advice


def test_the_limitation_window_follows_the_settings(app):
    from app.extensions import db
    from app.models import Setting

    with app.app_context():
        db.session.add(Setting(key="debt.limitation_warning_days", value="10",
                               valid_from=dt.date(2020, 1, 1), source="test"))
        db.session.commit()
    advice = advice_for(app, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=30), interest_rate=None)
    assert "debt.limitation_near" not in advice


def test_every_debt_gets_small_claims_advice(app):
    advice = advice_for(app)
    assert advice["debt.small_claims"].severity == "info" and "第165条" in advice["debt.small_claims"].source


def test_diversion_advice_ignores_other_types(app):
    with app.app_context():
        assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="traffic", intake_data={})) is None


def test_advice_survives_a_sparse_intake(app):
    with app.app_context():
        advice = plugin.diversion_advice(case=SimpleNamespace(dispute_type="debt", intake_data=None))
    assert [a.code for a in advice] == ["debt.small_claims"]


@pytest.mark.parametrize("when, expected", [
    (dt.date(2024, 2, 29), dt.date(2027, 2, 28)),
    (dt.date(2025, 12, 11), dt.date(2028, 12, 11)),
])
def test_years_are_counted_to_the_corresponding_day(when, expected):
    assert plugin._plus_years(when, 3) == expected


def test_agreement_template_ships_a_docx_and_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="debt")
    assert os.path.exists(template.path) and len(template.sample_terms) >= 2
    assert all(t.due for t in template.sample_terms)
    assert plugin.agreement_templates(dispute_type="consumer") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "debt"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_include_financial_mediation_and_the_notary():
    codes = [p.code for p in plugin.linkage_partners(dispute_type="debt")]
    assert {"banks", "financial-mediation", "notary"} <= set(codes)
    assert plugin.linkage_partners(dispute_type="traffic") is None


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core


def test_the_interest_warning_reads_in_chinese(app):
    warning = advice_for(app, interest_rate="18.00")["debt.interest_above_cap"]
    with app.test_request_context(), force_locale("zh_CN"):
        text = str(warning.message)
    assert "一年期贷款市场报价利率" in text and "12.00%" in text


def test_the_case_page_shows_the_interest_warning(app, clerk_client, client, clerk_token, places):
    from tests import helpers

    payload = dict(helpers.traffic_payload(places), dispute_type="debt", intake=dict(SAMPLE),
                   title="林晓明与黄丽娟民间借贷纠纷", claim_amount="80000.00")
    r = client.post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()
    clerk_client.get("/lang/en")
    en = clerk_client.get(f"/case/show/{r.get_json()['id']}").get_data(as_text=True)
    assert "12.00% a year" in en and "small-claims" in en and "Loan principal (CNY)" in en
