"""The labour plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os
from types import SimpleNamespace

import pytest

from app.plugins import CLASSIFICATIONS
from app.plugins import today as china_today  # China time, as the advice counts
from app.plugins.testing import CONTRACT_CHECKS


def labour_case(jiefen, **intake):
    return jiefen.case_like("labour", intake)


def advice_for(jiefen, case):
    """The labour plugin's advice for ``case``, messages rendered in English."""
    return [SimpleNamespace(code=a.code, severity=a.severity, source=a.source, message=jiefen.text(a.message, "en"))
            for a in jiefen.advice(case, plugin="labour")]


def validate(jiefen, changes):
    """Errors of the labour intake form for the sample with ``changes``."""
    return jiefen.intake_errors("labour", dict(jiefen.sample("labour"), **changes))


def days_ago(n):
    return (china_today() - dt.timedelta(days=n)).isoformat()


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_labour_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("labour", only=[check])


def test_register_dispute_types_owns_labour(jiefen):
    assert jiefen.plugin("labour").dispute_types == ("labour",)
    dtype = jiefen.dispute_type("labour")
    assert dtype.code == "labour" and dtype.category and dtype.description


def test_intake_fields_are_all_classified(jiefen):
    by_name = jiefen.fields("labour")
    assert {"employer", "employer_credit_code", "employment_start", "employment_end", "monthly_wage",
            "claim_wage_arrears", "claim_overtime", "claim_compensation", "claim_social_insurance",
            "claim_work_injury", "arbitration_started", "arbitration_case_no",
            "mediation_applied_on"} <= set(by_name)
    for f in by_name.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert by_name["employer"].required and by_name["employment_start"].required
    assert by_name["claim_work_injury"].classification == "sensitive"
    assert jiefen.owner_of("medical") != "labour"  # the medical form is not the labour plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert validate(jiefen, {}) == {}


def test_employer_is_required(jiefen):
    assert "employer" in validate(jiefen, {"employer": ""})


@pytest.mark.parametrize("code", ["91441502MA4W8K2L3N", "91441502ma4w8k2l3n", ""])
def test_a_credit_code_of_18_characters_or_none_is_accepted(jiefen, code):
    assert validate(jiefen, {"employer_credit_code": code}) == {}


@pytest.mark.parametrize("code", ["91441502MA4W8K2L3", "914415A2MA4W8K2L3N", "91441502MA4W8K2L3O"])
def test_a_malformed_credit_code_is_refused(jiefen, code):
    assert "employer_credit_code" in validate(jiefen, {"employer_credit_code": code})


def test_employment_cannot_end_before_it_started(jiefen):
    errors = validate(jiefen, {"employment_start": "2024-05-01", "employment_end": "2024-04-30"})
    assert "cannot end before it started" in errors["employment_end"][0]
    assert validate(jiefen, {"employment_start": "2024-05-01", "employment_end": "2024-05-01"}) == {}


def test_employment_end_is_optional_while_the_job_goes_on(jiefen):
    assert validate(jiefen, {"employment_end": ""}) == {}


def test_mediation_cannot_be_applied_for_before_the_employment(jiefen):
    assert "mediation_applied_on" in validate(jiefen, {"mediation_applied_on": "2020-01-01"})


def test_a_case_claims_at_least_one_item(jiefen):
    no_claims = {name: False for name in ("claim_wage_arrears", "claim_overtime", "claim_compensation",
                                          "claim_social_insurance", "claim_work_injury")}
    assert "claim_other" in validate(jiefen, no_claims)
    assert validate(jiefen, dict(no_claims, claim_other="未签订书面劳动合同的二倍工资差额")) == {}


def test_an_arbitration_case_number_needs_arbitration_started(jiefen):
    number = "汕城劳人仲案字〔2026〕第215号"
    assert "arbitration_case_no" in validate(jiefen, {"arbitration_case_no": number})
    assert validate(jiefen, {"arbitration_case_no": number, "arbitration_started": True}) == {}


def test_a_wage_iou_goes_with_a_wage_arrears_claim(jiefen):
    assert "wage_iou" in validate(jiefen, {"wage_iou": True, "claim_wage_arrears": False})


def test_settings_have_a_legal_source_and_a_unit(jiefen):
    settings = jiefen.settings_of("labour")
    assert settings["labour.mediation_days"].value == 15
    assert "劳动争议调解仲裁法 第14条" in settings["labour.mediation_days"].source
    assert settings["labour.arbitration_limitation_years"].value == 1
    assert settings["labour.arbitration_limitation_years"].unit == "years"
    assert "第27条" in settings["labour.arbitration_limitation_years"].source
    for s in settings.values():
        assert s.key.startswith("labour.") and s.source and s.unit
    assert settings["labour.limitation_warning_days"].check


def test_mediation_window_deadline_reads_the_15_day_setting(jiefen):
    (rule,) = jiefen.deadlines(labour_case(jiefen), plugin="labour")
    assert rule.setting_key == "labour.mediation_days"
    assert rule.starts_from == "intake.mediation_applied_on" and not rule.working_days
    assert jiefen.deadlines(jiefen.case_like("traffic"), plugin="labour") == []


def test_arbitration_is_marked_as_the_next_step_when_mediation_fails(jiefen):
    advice = advice_for(jiefen, labour_case(jiefen, mediation_applied_on=days_ago(3)))
    (nxt,) = [a for a in advice if a.code == "labour.arbitration_next"]
    assert nxt.severity == "info" and "第14条" in nxt.source
    assert "15 days" in str(nxt.message) and "arbitration, not the court" in str(nxt.message)
    assert "labour.mediation_window_passed" not in {a.code for a in advice}


def test_after_15_days_the_party_may_apply_for_arbitration(jiefen):
    # A Wednesday of an ordinary week: the 15th day, Tuesday 8 December, is a working day.
    with jiefen.on_day(dt.date(2026, 12, 9)):
        codes = {a.code for a in advice_for(jiefen, labour_case(jiefen, mediation_applied_on=days_ago(16)))}
    assert "labour.mediation_window_passed" in codes


def test_a_mediation_window_ending_on_national_day_runs_to_the_next_working_day(jiefen):
    """domain-rules.md, labour row: "no agreement within **15 days** of the application → party
    may apply for arbitration"; "Counting periods": a last day on a statutory holiday moves to
    the first working day after it (Civil Code art. 203). Applied 16 September: day 15 is
    1 October, so the window runs to Thursday 8 October, the deadline's due day."""
    case = labour_case(jiefen, mediation_applied_on="2026-09-16")
    with jiefen.on_day(dt.date(2026, 10, 8)):
        assert "labour.mediation_window_passed" not in {a.code for a in advice_for(jiefen, case)}
    with jiefen.on_day(dt.date(2026, 10, 9)):
        (passed,) = [a for a in advice_for(jiefen, case) if a.code == "labour.mediation_window_passed"]
    assert "ended on 2026-10-08" in passed.message


def test_employment_ended_over_a_year_ago_is_a_danger(jiefen):
    advice = advice_for(jiefen, labour_case(jiefen, employment_end=days_ago(400)))
    (limit,) = [a for a in advice if a.code.startswith("labour.limitation")]
    assert limit.code == "labour.limitation_passed" and limit.severity == "danger"


def test_employment_ended_nearly_a_year_ago_is_a_warning(jiefen):
    advice = advice_for(jiefen, labour_case(jiefen, employment_end=days_ago(330)))
    (limit,) = [a for a in advice if a.code.startswith("labour.limitation")]
    assert limit.code == "labour.limitation_near" and limit.severity == "warning"


def test_recent_end_of_employment_gives_no_limitation_advice(jiefen):
    codes = {a.code for a in advice_for(jiefen, labour_case(jiefen, employment_end=days_ago(30)))}
    assert not {c for c in codes if c.startswith("labour.limitation")}


def test_no_limitation_warning_once_arbitration_has_started(jiefen):
    case = labour_case(jiefen, employment_end=days_ago(400), arbitration_started=True)
    assert {a.code for a in advice_for(jiefen, case)} == {"labour.arbitration_pending"}


def test_claims_bring_payment_order_work_injury_and_social_insurance_advice(jiefen):
    case = labour_case(jiefen, claim_compensation=True, claim_work_injury=True, claim_social_insurance=True)
    codes = {a.code for a in advice_for(jiefen, case)}
    assert {"labour.payment_order", "labour.work_injury", "labour.social_insurance"} <= codes


def test_diversion_advice_is_only_for_labour_cases(jiefen):
    assert advice_for(jiefen, jiefen.case_like("medical")) == []


def test_labour_case_cannot_go_to_court_before_arbitration(jiefen):
    reasons = jiefen.vetoes(labour_case(jiefen, arbitration_started=False), "litigation_screening")
    assert reasons and any("arbitration" in r for r in reasons)


def test_labour_case_may_go_to_court_after_arbitration(jiefen):
    assert jiefen.vetoes(labour_case(jiefen, arbitration_started=True), "litigation_screening") == []


def test_a_wage_iou_alone_may_go_straight_to_court(jiefen):
    assert jiefen.vetoes(labour_case(jiefen, wage_iou=True, claim_wage_arrears=True), "litigation_screening") == []
    more = labour_case(jiefen, wage_iou=True, claim_wage_arrears=True, claim_compensation=True)
    assert jiefen.vetoes(more, "litigation_screening") != []


def test_the_veto_leaves_other_states_and_types_alone(jiefen):
    assert jiefen.vetoes(labour_case(jiefen), "mediation_accepted") == []
    assert jiefen.vetoes(jiefen.case_like("traffic"), "litigation_screening") == []


def test_the_core_refuses_litigation_screening_of_a_labour_case(jiefen):
    case = jiefen.case_like("labour", jiefen.sample("labour"), status="screening")
    reasons = jiefen.vetoes(case, "litigation_screening", from_state="screening", lang="zh_CN")
    assert any("仲裁" in r for r in reasons)


def test_linkage_partners_start_with_labour_arbitration(jiefen):
    partners = jiefen.partners("labour")
    assert partners[0].code == "arbitration-commission"
    assert {"hrss-bureau", "trade-union", "labour-inspection"} <= {p.code for p in partners}
    assert "arbitration-commission" not in {p.code for p in jiefen.partners("debt")}


def test_agreement_template_ships_the_docx_with_dated_sample_terms(jiefen):
    (template,) = jiefen.templates("labour")
    assert os.path.exists(template.path)
    assert 2 <= len(template.sample_terms) <= 3 and all(t.due for t in template.sample_terms)
    assert template.suggested_terms
    assert template not in jiefen.templates("traffic")


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("labour")
    assert spec.kind == "case_list" and spec.dispute_type == "labour"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("labour")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("labour")
    assert meta.version and meta.requires_core
