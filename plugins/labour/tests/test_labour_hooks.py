"""The labour plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from app.plugins import CLASSIFICATIONS
from plugins.labour import plugin
from plugins.labour.fields import SAMPLE


def labour_case(**intake):
    return SimpleNamespace(dispute_type="labour", intake_data=intake)


def advice_for(app, case):
    """The plugin's advice for ``case``, messages rendered in English."""
    with app.app_context(), force_locale("en"):
        advice = plugin.diversion_advice(case=case)
        if advice is None:
            return None
        return [SimpleNamespace(code=a.code, severity=a.severity, source=a.source, message=str(a.message))
                for a in advice]


def validate(app, changes):
    """Errors of the labour intake form for the sample with ``changes``."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    with app.test_request_context(), force_locale("en"):
        form = intake_form("labour", flatten({"intake": dict(SAMPLE, **changes)}), api=True)
        form.validate()
        return {name: [str(m) for m in errors] for name, errors in form.intake.errors.items()}


def days_ago(n):
    return (plugin._today() - dt.timedelta(days=n)).isoformat()


def test_register_dispute_types_owns_labour():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "labour" and dtype.category and dtype.description


def test_intake_fields_are_all_classified():
    fields = plugin.intake_fields(dispute_type="labour")
    by_name = {f.name: f for f in fields}
    assert {"employer", "employer_credit_code", "employment_start", "employment_end", "monthly_wage",
            "claim_wage_arrears", "claim_overtime", "claim_compensation", "claim_social_insurance",
            "claim_work_injury", "arbitration_started", "arbitration_case_no",
            "mediation_applied_on"} <= set(by_name)
    for f in fields:
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert by_name["employer"].required and by_name["employment_start"].required
    assert by_name["claim_work_injury"].classification == "sensitive"
    assert plugin.intake_fields(dispute_type="medical") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert validate(app, {}) == {}


def test_employer_is_required(app):
    assert "employer" in validate(app, {"employer": ""})


@pytest.mark.parametrize("code", ["91441502MA4W8K2L3N", "91441502ma4w8k2l3n", ""])
def test_a_credit_code_of_18_characters_or_none_is_accepted(app, code):
    assert validate(app, {"employer_credit_code": code}) == {}


@pytest.mark.parametrize("code", ["91441502MA4W8K2L3", "914415A2MA4W8K2L3N", "91441502MA4W8K2L3O"])
def test_a_malformed_credit_code_is_refused(app, code):
    assert "employer_credit_code" in validate(app, {"employer_credit_code": code})


def test_employment_cannot_end_before_it_started(app):
    errors = validate(app, {"employment_start": "2024-05-01", "employment_end": "2024-04-30"})
    assert "cannot end before it started" in errors["employment_end"][0]
    assert validate(app, {"employment_start": "2024-05-01", "employment_end": "2024-05-01"}) == {}


def test_employment_end_is_optional_while_the_job_goes_on(app):
    assert validate(app, {"employment_end": ""}) == {}


def test_mediation_cannot_be_applied_for_before_the_employment(app):
    assert "mediation_applied_on" in validate(app, {"mediation_applied_on": "2020-01-01"})


def test_a_case_claims_at_least_one_item(app):
    no_claims = {name: False for name in ("claim_wage_arrears", "claim_overtime", "claim_compensation",
                                          "claim_social_insurance", "claim_work_injury")}
    assert "claim_other" in validate(app, no_claims)
    assert validate(app, dict(no_claims, claim_other="未签订书面劳动合同的二倍工资差额")) == {}


def test_an_arbitration_case_number_needs_arbitration_started(app):
    number = "汕城劳人仲案字〔2026〕第215号"
    assert "arbitration_case_no" in validate(app, {"arbitration_case_no": number})
    assert validate(app, {"arbitration_case_no": number, "arbitration_started": True}) == {}


def test_a_wage_iou_goes_with_a_wage_arrears_claim(app):
    assert "wage_iou" in validate(app, {"wage_iou": True, "claim_wage_arrears": False})


def test_settings_have_a_legal_source_and_a_unit():
    settings = {s.key: s for s in plugin.register_settings()}
    assert settings["labour.mediation_days"].value == 15
    assert "劳动争议调解仲裁法 第14条" in settings["labour.mediation_days"].source
    assert settings["labour.arbitration_limitation_years"].value == 1
    assert settings["labour.arbitration_limitation_years"].unit == "years"
    assert "第27条" in settings["labour.arbitration_limitation_years"].source
    for s in settings.values():
        assert s.key.startswith("labour.") and s.source and s.unit
    assert settings["labour.limitation_warning_days"].check


def test_mediation_window_deadline_reads_the_15_day_setting():
    (rule,) = plugin.deadlines(case=labour_case())
    assert rule.setting_key == "labour.mediation_days"
    assert rule.starts_from == "intake.mediation_applied_on" and not rule.working_days
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic")) is None


def test_arbitration_is_marked_as_the_next_step_when_mediation_fails(app):
    advice = advice_for(app, labour_case(mediation_applied_on=days_ago(3)))
    (nxt,) = [a for a in advice if a.code == "labour.arbitration_next"]
    assert nxt.severity == "info" and "第14条" in nxt.source
    assert "15 days" in str(nxt.message) and "arbitration, not the court" in str(nxt.message)
    assert "labour.mediation_window_passed" not in {a.code for a in advice}


def test_after_15_days_the_party_may_apply_for_arbitration(app):
    codes = {a.code for a in advice_for(app, labour_case(mediation_applied_on=days_ago(16)))}
    assert "labour.mediation_window_passed" in codes


def test_employment_ended_over_a_year_ago_is_a_danger(app):
    advice = advice_for(app, labour_case(employment_end=days_ago(400)))
    (limit,) = [a for a in advice if a.code.startswith("labour.limitation")]
    assert limit.code == "labour.limitation_passed" and limit.severity == "danger"


def test_employment_ended_nearly_a_year_ago_is_a_warning(app):
    advice = advice_for(app, labour_case(employment_end=days_ago(330)))
    (limit,) = [a for a in advice if a.code.startswith("labour.limitation")]
    assert limit.code == "labour.limitation_near" and limit.severity == "warning"


def test_recent_end_of_employment_gives_no_limitation_advice(app):
    codes = {a.code for a in advice_for(app, labour_case(employment_end=days_ago(30)))}
    assert not {c for c in codes if c.startswith("labour.limitation")}


def test_no_limitation_warning_once_arbitration_has_started(app):
    codes = {a.code for a in advice_for(app, labour_case(employment_end=days_ago(400), arbitration_started=True))}
    assert codes == {"labour.arbitration_pending"}


def test_claims_bring_payment_order_work_injury_and_social_insurance_advice(app):
    case = labour_case(claim_compensation=True, claim_work_injury=True, claim_social_insurance=True)
    codes = {a.code for a in advice_for(app, case)}
    assert {"labour.payment_order", "labour.work_injury", "labour.social_insurance"} <= codes


def test_diversion_advice_is_only_for_labour_cases(app):
    assert advice_for(app, SimpleNamespace(dispute_type="medical", intake_data={})) is None


def test_labour_case_cannot_go_to_court_before_arbitration():
    reason = plugin.validate_transition(case=labour_case(arbitration_started=False),
                                        to_state="litigation_screening")
    assert reason and "arbitration" in str(reason)


def test_labour_case_may_go_to_court_after_arbitration():
    assert plugin.validate_transition(case=labour_case(arbitration_started=True),
                                      to_state="litigation_screening") is None


def test_a_wage_iou_alone_may_go_straight_to_court():
    case = labour_case(wage_iou=True, claim_wage_arrears=True)
    assert plugin.validate_transition(case=case, to_state="litigation_screening") is None
    case.intake_data["claim_compensation"] = True
    assert plugin.validate_transition(case=case, to_state="litigation_screening") is not None


def test_the_veto_leaves_other_states_and_types_alone():
    assert plugin.validate_transition(case=labour_case(), to_state="mediation_accepted") is None
    other = SimpleNamespace(dispute_type="traffic", intake_data={})
    assert plugin.validate_transition(case=other, to_state="litigation_screening") is None


def test_the_core_refuses_litigation_screening_of_a_labour_case(app):
    from flask_babel import force_locale

    from app.models import Case
    from app.services.transitions import TransitionRefused, check_transition

    case = Case(dispute_type="labour", status="screening", intake_data=dict(SAMPLE))
    with app.test_request_context(), force_locale("zh_CN"):
        with pytest.raises(TransitionRefused) as refused:
            check_transition(case, "screening", "litigation_screening", None)
        assert any("仲裁" in str(r) for r in refused.value.reasons)


def test_linkage_partners_start_with_labour_arbitration():
    partners = plugin.linkage_partners(dispute_type="labour")
    assert partners[0].code == "arbitration-commission"
    assert {"hrss-bureau", "trade-union", "labour-inspection"} <= {p.code for p in partners}
    assert plugin.linkage_partners(dispute_type="debt") is None


def test_agreement_template_ships_the_docx_with_dated_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="labour")
    assert os.path.exists(template.path)
    assert 2 <= len(template.sample_terms) <= 3 and all(t.due for t in template.sample_terms)
    assert template.suggested_terms
    assert plugin.agreement_templates(dispute_type="traffic") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "labour"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core
