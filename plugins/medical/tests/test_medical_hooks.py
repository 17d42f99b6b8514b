"""The medical plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

from app.plugins import CLASSIFICATIONS
from app.plugins.testing import CONTRACT_CHECKS


def medical_case(jiefen, track="pre_filing", **intake):
    return jiefen.case_like("medical", intake, track=track)


def advice_for(jiefen, case, lang="en"):
    """The medical plugin's advice for ``case``, messages rendered in ``lang``."""
    return [SimpleNamespace(code=a.code, severity=a.severity, source=a.source, message=jiefen.text(a.message, lang))
            for a in jiefen.advice(case, plugin="medical")]


def validate(jiefen, changes):
    """Errors of the medical intake form for the sample with ``changes``."""
    return jiefen.intake_errors("medical", dict(jiefen.sample("medical"), **changes))


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_medical_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("medical", only=[check])


def test_register_dispute_types_owns_medical(jiefen):
    assert jiefen.plugin("medical").dispute_types == ("medical",)
    dtype = jiefen.dispute_type("medical")
    assert dtype.code == "medical" and dtype.category and dtype.description


def test_health_data_fields_are_sensitive(jiefen):
    fields = jiefen.fields("medical")
    assert {"hospital", "department", "treatment_start", "treatment_end", "diagnosis",
            "alleged_harm", "appraisal_needed", "appraisal_status"} <= set(fields)
    for f in fields.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert fields["diagnosis"].classification == "sensitive"
    assert fields["alleged_harm"].classification == "sensitive"
    assert fields["alleged_harm"].kind == "textarea"
    assert fields["hospital"].required and fields["treatment_start"].required
    assert fields["treatment_start"].not_in_future
    assert jiefen.owner_of("labour") != "medical"  # the labour form is not the medical plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert validate(jiefen, {}) == {}


def test_hospital_is_required(jiefen):
    assert "hospital" in validate(jiefen, {"hospital": ""})


def test_treatment_cannot_start_in_the_future(jiefen):
    assert "treatment_start" in validate(jiefen, {"treatment_start": "2099-01-01"})


def test_treatment_cannot_end_before_it_started(jiefen):
    errors = validate(jiefen, {"treatment_start": "2026-06-03", "treatment_end": "2026-06-02"})
    assert "end of treatment" in errors["treatment_end"][0]
    assert validate(jiefen, {"treatment_start": "2026-06-03", "treatment_end": "2026-06-03"}) == {}


def test_a_patient_still_in_treatment_has_no_end_date(jiefen):
    assert validate(jiefen, {"treatment_end": ""}) == {}


def test_appraisal_status_must_be_one_of_the_three(jiefen):
    assert "appraisal_status" in validate(jiefen, {"appraisal_status": "lost"})


def test_an_appraisal_done_means_an_appraisal_is_needed(jiefen):
    assert "appraisal_status" in validate(jiefen, {"appraisal_needed": False})


def test_appraisal_cannot_finish_before_it_was_applied_for(jiefen):
    errors = validate(jiefen, {"appraisal_applied_on": "2026-08-10", "appraisal_done_on": "2026-08-01"})
    assert "appraisal_done_on" in errors


def test_appraisal_dates_follow_the_status(jiefen):
    assert "appraisal_done_on" in validate(jiefen, {"appraisal_status": "applied"})
    assert "appraisal_applied_on" in validate(
        jiefen, {"appraisal_status": "not_started", "appraisal_done_on": ""})
    assert validate(jiefen, {"appraisal_status": "applied", "appraisal_done_on": ""}) == {}
    assert validate(jiefen, {"appraisal_needed": False, "appraisal_status": "",
                             "appraisal_applied_on": "", "appraisal_done_on": ""}) == {}


def test_medical_mediation_counts_working_days(jiefen):
    (rule,) = jiefen.deadlines(medical_case(jiefen), plugin="medical")
    setting = jiefen.settings_of("medical")[rule.setting_key]
    assert rule.working_days and rule.replaces == "core.pre_filing_mediation"  # one period, not two
    assert setting.value == 30 and setting.unit == "working days"
    assert jiefen.deadlines(jiefen.case_like("traffic"), plugin="medical") == []
    assert jiefen.deadlines(medical_case(jiefen, track="court_entrusted"), plugin="medical") == []


def test_settings_have_a_legal_source_to_confirm(jiefen):
    for s in jiefen.settings_of("medical").values():
        assert s.key.startswith("medical.")
        assert "医疗纠纷预防和处理条例" in s.source and s.check


def test_every_medical_case_is_flagged_as_holding_health_data(jiefen):
    advice = advice_for(jiefen, medical_case(jiefen))
    (flag,) = [a for a in advice if a.code == "medical.sensitive_health_data"]
    assert flag.severity == "info" and "个人信息保护法" in flag.source
    assert "medical.record_appraisal_suspension" not in {a.code for a in advice}


def test_an_appraisal_is_left_out_of_mediation_only_once_suspended_on_the_deadline_page(jiefen):
    """The engine counts only what the staff record on the deadline page (a suspension, reason
    "appraisal"); the intake's dates change nothing, and the advice says so rather than claim
    the time is already left out."""
    advice = advice_for(jiefen, medical_case(jiefen, appraisal_needed=True, appraisal_status="applied"))
    (record,) = [a for a in advice if a.code == "medical.record_appraisal_suspension"]
    assert record.severity == "warning" and "30 working days" in record.message
    assert "deadline page" in record.message and "“Appraisal or assessment”" in record.message
    assert "does not count" not in record.message
    assert "medical.appraisal_not_started" not in {a.code for a in advice}


def test_the_recorded_appraisal_days_are_the_suspension_to_enter(jiefen):
    case = medical_case(jiefen, appraisal_needed=True, appraisal_status="done",
                        appraisal_applied_on="2026-08-10", appraisal_done_on="2026-09-28")
    (record,) = [a for a in advice_for(jiefen, case) if a.code == "medical.record_appraisal_suspension"]
    assert "suspend the medical mediation period from 2026-08-10" in record.message
    assert "resume it on 2026-09-28" in record.message
    assert "do not change the 30 working days" in record.message
    applied = medical_case(jiefen, appraisal_needed=True, appraisal_status="applied", appraisal_applied_on="2026-08-10")
    (record,) = [a for a in advice_for(jiefen, applied) if a.code == "medical.record_appraisal_suspension"]
    assert "from 2026-08-10" in record.message and "the day the appraisal opinion is received" in record.message


def test_the_appraisal_dates_help_text_points_to_the_deadline_page(jiefen):
    help_text = jiefen.text(jiefen.fields("medical")["appraisal_done_on"].help)
    assert "deadline page" in help_text and "not counted" not in help_text
    assert "期限页面中止该期限" in jiefen.text(jiefen.fields("medical")["appraisal_done_on"].help, "zh_CN")


def test_an_appraisal_not_yet_applied_for_is_a_warning(jiefen):
    advice = advice_for(jiefen, medical_case(jiefen, appraisal_needed=True))
    (warning,) = [a for a in advice if a.code == "medical.appraisal_not_started"]
    assert warning.severity == "warning"


def test_diversion_advice_is_only_for_medical_cases(jiefen):
    assert advice_for(jiefen, jiefen.case_like("labour")) == []


def test_advice_reads_in_chinese(jiefen):
    advice = advice_for(jiefen, medical_case(jiefen, appraisal_needed=True, appraisal_status="applied"), "zh_CN")
    texts = [a.message for a in advice]
    assert any("敏感个人信息" in t for t in texts)
    assert any("30个工作日" in t for t in texts)
    assert any("中止原因选“鉴定、评估”" in t for t in texts)


def test_linkage_partners_start_with_the_medical_mediation_committee(jiefen):
    partners = jiefen.partners("medical")
    assert partners[0].code == "medical-mediation-committee"
    assert partners[0].kind == "mediation_committee"
    assert {"health-bureau", "liability-insurers"} <= {p.code for p in partners}
    assert "medical-mediation-committee" not in {p.code for p in jiefen.partners("traffic")}


def test_agreement_template_ships_the_docx_with_dated_sample_terms(jiefen):
    (template,) = jiefen.templates("medical")
    assert os.path.exists(template.path)
    assert 2 <= len(template.sample_terms) <= 3 and all(t.due for t in template.sample_terms)
    assert template.suggested_terms
    assert template not in jiefen.templates("traffic")


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("medical")
    assert spec.kind == "case_list" and spec.dispute_type == "medical"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("medical")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("medical")
    assert meta.version and meta.requires_core
