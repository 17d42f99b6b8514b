"""The medical plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import os
from types import SimpleNamespace

from flask_babel import force_locale

from app.plugins import CLASSIFICATIONS
from plugins.medical import plugin
from plugins.medical.fields import SAMPLE


def medical_case(track="pre_filing", **intake):
    return SimpleNamespace(dispute_type="medical", intake_data=intake, track=track)


def advice_for(app, case):
    """The plugin's advice for ``case``, messages rendered in English."""
    with app.app_context(), force_locale("en"):
        advice = plugin.diversion_advice(case=case)
        if advice is None:
            return None
        return [SimpleNamespace(code=a.code, severity=a.severity, source=a.source, message=str(a.message))
                for a in advice]


def validate(app, changes):
    """Errors of the medical intake form for the sample with ``changes``."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    with app.test_request_context(), force_locale("en"):
        form = intake_form("medical", flatten({"intake": dict(SAMPLE, **changes)}), api=True)
        form.validate()
        return {name: [str(m) for m in errors] for name, errors in form.intake.errors.items()}


def test_register_dispute_types_owns_medical():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "medical" and dtype.category and dtype.description


def test_health_data_fields_are_sensitive():
    fields = {f.name: f for f in plugin.intake_fields(dispute_type="medical")}
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
    assert plugin.intake_fields(dispute_type="labour") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert validate(app, {}) == {}


def test_hospital_is_required(app):
    assert "hospital" in validate(app, {"hospital": ""})


def test_treatment_cannot_start_in_the_future(app):
    assert "treatment_start" in validate(app, {"treatment_start": "2099-01-01"})


def test_treatment_cannot_end_before_it_started(app):
    errors = validate(app, {"treatment_start": "2026-06-03", "treatment_end": "2026-06-02"})
    assert "end of treatment" in errors["treatment_end"][0]
    assert validate(app, {"treatment_start": "2026-06-03", "treatment_end": "2026-06-03"}) == {}


def test_a_patient_still_in_treatment_has_no_end_date(app):
    assert validate(app, {"treatment_end": ""}) == {}


def test_appraisal_status_must_be_one_of_the_three(app):
    assert "appraisal_status" in validate(app, {"appraisal_status": "lost"})


def test_an_appraisal_done_means_an_appraisal_is_needed(app):
    assert "appraisal_status" in validate(app, {"appraisal_needed": False})


def test_appraisal_cannot_finish_before_it_was_applied_for(app):
    errors = validate(app, {"appraisal_applied_on": "2026-08-10", "appraisal_done_on": "2026-08-01"})
    assert "appraisal_done_on" in errors


def test_appraisal_dates_follow_the_status(app):
    assert "appraisal_done_on" in validate(app, {"appraisal_status": "applied"})
    assert "appraisal_applied_on" in validate(
        app, {"appraisal_status": "not_started", "appraisal_done_on": ""})
    assert validate(app, {"appraisal_status": "applied", "appraisal_done_on": ""}) == {}
    assert validate(app, {"appraisal_needed": False, "appraisal_status": "",
                          "appraisal_applied_on": "", "appraisal_done_on": ""}) == {}


def test_medical_mediation_counts_working_days():
    (rule,) = plugin.deadlines(case=medical_case())
    settings = {s.key: s for s in plugin.register_settings()}
    setting = settings[rule.setting_key]
    assert rule.working_days and rule.replaces == "core.pre_filing_mediation"  # one period, not two
    assert setting.value == 30 and setting.unit == "working days"
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic")) is None
    assert plugin.deadlines(case=medical_case(track="court_entrusted")) == []


def test_settings_have_a_legal_source_to_confirm():
    for s in plugin.register_settings():
        assert s.key.startswith("medical.")
        assert "医疗纠纷预防和处理条例" in s.source and s.check


def test_every_medical_case_is_flagged_as_holding_health_data(app):
    advice = advice_for(app, medical_case())
    (flag,) = [a for a in advice if a.code == "medical.sensitive_health_data"]
    assert flag.severity == "info" and "个人信息保护法" in flag.source
    assert "medical.appraisal_time_excluded" not in {a.code for a in advice}


def test_appraisal_time_does_not_count_towards_mediation(app):
    advice = advice_for(app, medical_case(appraisal_needed=True, appraisal_status="applied"))
    (excluded,) = [a for a in advice if a.code == "medical.appraisal_time_excluded"]
    assert "30 working days" in str(excluded.message) and "does not count" in str(excluded.message)
    assert "medical.appraisal_not_started" not in {a.code for a in advice}


def test_appraisal_period_is_named_when_known(app):
    case = medical_case(appraisal_needed=True, appraisal_status="done",
                        appraisal_applied_on="2026-08-10", appraisal_done_on="2026-09-28")
    (excluded,) = [a for a in advice_for(app, case) if a.code == "medical.appraisal_time_excluded"]
    assert "2026-08-10" in str(excluded.message) and "2026-09-28" in str(excluded.message)


def test_an_appraisal_not_yet_applied_for_is_a_warning(app):
    advice = advice_for(app, medical_case(appraisal_needed=True))
    (warning,) = [a for a in advice if a.code == "medical.appraisal_not_started"]
    assert warning.severity == "warning"


def test_diversion_advice_is_only_for_medical_cases(app):
    assert advice_for(app, SimpleNamespace(dispute_type="labour", intake_data={})) is None


def test_advice_reads_in_chinese(app):
    with app.test_request_context(), force_locale("zh_CN"):
        advice = plugin.diversion_advice(case=medical_case(appraisal_needed=True, appraisal_status="applied"))
        texts = [str(a.message) for a in advice]
    assert any("敏感个人信息" in t for t in texts)
    assert any("30个工作日" in t for t in texts)


def test_linkage_partners_start_with_the_medical_mediation_committee():
    partners = plugin.linkage_partners(dispute_type="medical")
    assert partners[0].code == "medical-mediation-committee"
    assert partners[0].kind == "mediation_committee"
    assert {"health-bureau", "liability-insurers"} <= {p.code for p in partners}
    assert plugin.linkage_partners(dispute_type="traffic") is None


def test_agreement_template_ships_the_docx_with_dated_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="medical")
    assert os.path.exists(template.path)
    assert 2 <= len(template.sample_terms) <= 3 and all(t.due for t in template.sample_terms)
    assert template.suggested_terms
    assert plugin.agreement_templates(dispute_type="traffic") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "medical"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core
