"""The debt plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.plugins import CLASSIFICATIONS, ORDINARY_LIMITATION, add_years
from app.plugins import today as china_today  # China time, as the advice counts
from app.plugins.testing import CONTRACT_CHECKS


def debt_case(jiefen, **changes):
    return jiefen.case_like("debt", dict(jiefen.sample("debt"), **changes))


def advice_for(jiefen, **changes):
    return {a.code: a for a in jiefen.advice(debt_case(jiefen, **changes), plugin="debt")}


def intake_errors(jiefen, **changes):
    """The intake form's verdict on the sample with ``changes`` (``None``: left out)."""
    return jiefen.intake_errors("debt", dict(jiefen.sample("debt"), **changes))


def years_ago(years, days=0):
    today = china_today()
    try:
        start = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - years, day=28)
    return (start + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_debt_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("debt", only=[check])


def test_register_dispute_types_owns_debt(jiefen):
    assert jiefen.plugin("debt").dispute_types == ("debt",)
    dtype = jiefen.dispute_type("debt")
    assert dtype.code == "debt" and dtype.category == "contract"


def test_intake_fields_are_all_classified_and_the_guarantor_is_personal(jiefen):
    by_name = jiefen.fields("debt")
    assert {"principal", "interest_rate", "contract_date", "due_date", "security", "guarantor",
            "evidence", "knew_of_harm_on"} <= set(by_name)
    for f in by_name.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert by_name["guarantor"].classification == "personal"
    assert by_name["principal"].required and by_name["contract_date"].required
    assert by_name["contract_date"].not_in_future
    assert {v for v, _ in by_name["security"].choices} == {"none", "guarantee", "mortgage", "pledge"}
    assert {v for v, _ in by_name["evidence"].choices} == {"iou", "transfer", "contract", "other"}
    assert jiefen.owner_of("traffic") != "debt"  # the traffic form is not the debt plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert jiefen.owner_of("consumer") != "debt"
    assert intake_errors(jiefen) == {}


def test_due_date_before_the_contract_date_is_refused(jiefen):
    errors = intake_errors(jiefen, due_date="2025-06-01")
    assert errors == {"due_date": ["The due date cannot be before the contract date."]}
    assert intake_errors(jiefen, due_date="2025-06-10") == {}


def test_knowing_of_the_harm_before_the_contract_is_refused(jiefen):
    errors = intake_errors(jiefen, knew_of_harm_on="2025-01-01")
    assert list(errors) == ["knew_of_harm_on"]


def test_a_guaranteed_debt_needs_a_guarantor(jiefen):
    assert list(intake_errors(jiefen, guarantor=None)) == ["guarantor"]
    assert intake_errors(jiefen, guarantor=None, security="mortgage") == {}


def test_principal_must_be_positive_and_contract_not_in_the_future(jiefen):
    assert list(intake_errors(jiefen, principal="0")) == ["principal"]
    assert list(intake_errors(jiefen, principal="-100")) == ["principal"]
    errors = intake_errors(jiefen, contract_date="2099-01-01", due_date=None, knew_of_harm_on=None)
    assert list(errors) == ["contract_date"]


def test_settings_have_legal_sources_and_units(jiefen):
    settings = jiefen.settings_of("debt")
    assert set(settings) == {
        "debt.limitation_warning_days", "debt.lpr_multiple", "debt.lpr_1y",
    }  # the limitation period's length is the core's one setting (民法典 第188条)
    for s in settings.values():
        assert s.key.startswith("debt.") and s.source and s.unit
    assert settings["debt.lpr_multiple"].value == 4 and "第25条" in settings["debt.lpr_multiple"].source
    lpr = settings["debt.lpr_1y"]
    assert lpr.value == "3.0" and lpr.valid_from == dt.date(2025, 5, 20) and lpr.check
    assert settings["debt.limitation_warning_days"].check


def test_the_core_counts_the_pre_filing_period(jiefen):
    # one pre-filing period for every type (issue 12): the type declares no copy of its own
    assert jiefen.deadlines(jiefen.case_like("debt", track="pre_filing"), plugin="debt") == []
    # a court-entrusted case counts the core's court period instead
    assert jiefen.deadlines(jiefen.case_like("debt", track="court_entrusted"), plugin="debt") == []


def test_interest_above_four_times_lpr_is_flagged(jiefen):
    warning = advice_for(jiefen, interest_rate="18.00")["debt.interest_above_cap"]
    assert warning.severity == "warning" and "第25条" in warning.source
    text = jiefen.text(warning.message, "en")
    assert "12.00%" in text and "3.00%" in text and "2025-06-10" in text
    assert "9,600.00" in text  # 80,000 × 12 %


def test_interest_within_the_cap_is_not_flagged(jiefen):
    assert "debt.interest_above_cap" not in advice_for(jiefen, interest_rate="12.00")
    assert "debt.interest_above_cap" not in advice_for(jiefen, interest_rate=None)


def test_the_cap_uses_the_lpr_in_force_on_the_contract_date(jiefen):
    jiefen.add_setting("debt.lpr_1y", "3.10", dt.date(2024, 10, 21), source="LPR 2024-10-21")
    advice = advice_for(jiefen, contract_date="2025-01-15", interest_rate="12.20")
    assert "debt.interest_above_cap" not in advice  # 12.20 % is below 4 × 3.10 %
    advice = advice_for(jiefen, contract_date="2025-01-15", interest_rate="15.00")
    assert "12.40%" in jiefen.text(advice["debt.interest_above_cap"].message, "en")


def test_a_contract_before_any_recorded_lpr_asks_the_administrator(jiefen):
    advice = advice_for(jiefen, contract_date="2023-03-01", interest_rate="15.00")
    assert advice["debt.lpr_missing"].severity == "warning"


def test_a_loan_before_the_lpr_cap_points_to_the_transitional_rule(jiefen):
    advice = advice_for(jiefen, contract_date="2019-03-01", interest_rate="24.00")
    assert "第31条" in advice["debt.cap_transitional"].source


def test_a_bank_loan_is_not_held_to_the_private_lending_cap(jiefen):
    advice = advice_for(jiefen, lender_kind="financial", interest_rate="18.00")
    assert "debt.interest_above_cap" not in advice and "debt.financial_lender" in advice


# A Wednesday of an ordinary week: a limitation period whose last day is a weekend or a holiday
# runs to the next working day (Civil Code art. 203), so counting back from the real today would
# pass on some weekdays only.
WEDNESDAY = dt.date(2026, 12, 9)


@pytest.fixture
def working_week(jiefen):
    """The court's clock on :data:`WEDNESDAY`."""
    with jiefen.on_day(WEDNESDAY):
        yield


def test_a_limitation_period_ending_in_the_national_day_holiday_runs_to_the_next_working_day(jiefen):
    """domain-rules.md, debt row: "limitation period **3 years**" (Civil Code art. 188), and
    "Counting periods": a last day on a statutory holiday moves to the first working day after
    it (art. 203). Three years from 3 October 2023 end on Saturday 3 October 2026, inside the
    holiday: the claim is still in time on Thursday 8 October and barred on the 9th."""
    harm = dict(contract_date="2020-01-01", due_date="2020-06-30", knew_of_harm_on="2023-10-03", interest_rate=None)
    with jiefen.on_day(dt.date(2026, 10, 8)):
        advice = advice_for(jiefen, **harm)
        assert "debt.limitation_expired" not in advice
        assert "ends on 2026-10-08, in 0 days" in jiefen.text(advice["debt.limitation_near"].message, "en")
    with jiefen.on_day(dt.date(2026, 10, 9)):
        advice = advice_for(jiefen, **harm)
        assert "ended on 2026-10-08" in jiefen.text(advice["debt.limitation_expired"].message, "en")


def test_limitation_period_past_three_years_is_danger(jiefen, working_week):
    advice = advice_for(jiefen, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=-1), interest_rate=None)
    assert advice["debt.limitation_expired"].severity == "danger"
    assert "第188条" in advice["debt.limitation_expired"].source


def test_limitation_period_ending_within_the_warning_window_is_a_warning(jiefen, working_week):
    advice = advice_for(jiefen, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=30), interest_rate=None)
    assert advice["debt.limitation_near"].severity == "warning"
    assert "debt.limitation_expired" not in advice
    assert "30" in jiefen.text(advice["debt.limitation_near"].message, "en")


def test_limitation_far_away_raises_nothing(jiefen, working_week):
    advice = advice_for(jiefen, knew_of_harm_on=years_ago(1))
    assert not {"debt.limitation_near", "debt.limitation_expired"} & set(advice)


def test_limitation_counts_from_the_due_date_when_the_knowledge_date_is_missing(jiefen, working_week):
    advice = advice_for(jiefen, contract_date="2020-01-01", due_date=years_ago(3, days=-10),
                        knew_of_harm_on=None, interest_rate=None)
    assert "debt.limitation_expired" in advice


def test_a_newer_core_limitation_period_changes_the_debt_advice(jiefen, working_week):
    """The length is the core's one setting (民法典 第188条): an administrator's newer row of
    it reaches the debt advice, for a period that began after it took effect."""
    harm = dict(contract_date="2020-01-01", due_date="2020-06-30",
                knew_of_harm_on=years_ago(3, days=-1), interest_rate=None)
    assert "debt.limitation_expired" in advice_for(jiefen, **harm)
    jiefen.add_setting(ORDINARY_LIMITATION, "5", dt.date(2020, 1, 1))
    assert not {"debt.limitation_near", "debt.limitation_expired"} & set(advice_for(jiefen, **harm))


def test_the_limitation_window_follows_the_settings(jiefen, working_week):
    jiefen.add_setting("debt.limitation_warning_days", "10", dt.date(2020, 1, 1))
    advice = advice_for(jiefen, contract_date="2020-01-01", due_date="2020-06-30",
                        knew_of_harm_on=years_ago(3, days=30), interest_rate=None)
    assert "debt.limitation_near" not in advice


def test_every_debt_gets_small_claims_advice(jiefen):
    advice = advice_for(jiefen)
    assert advice["debt.small_claims"].severity == "info" and "第165条" in advice["debt.small_claims"].source


def test_diversion_advice_ignores_other_types(jiefen):
    assert jiefen.advice_codes(jiefen.case_like("traffic"), plugin="debt") == []


def test_advice_survives_a_sparse_intake(jiefen):
    assert jiefen.advice_codes(jiefen.case_like("debt"), plugin="debt") == ["debt.small_claims"]


@pytest.mark.parametrize("when, expected", [
    (dt.date(2024, 2, 29), dt.date(2027, 2, 28)),
    (dt.date(2025, 12, 11), dt.date(2028, 12, 11)),
])
def test_years_are_counted_to_the_corresponding_day(when, expected):
    assert add_years(when, 3) == expected


def test_agreement_template_ships_a_docx_and_sample_terms(jiefen):
    (template,) = jiefen.templates("debt")
    assert os.path.exists(template.path) and len(template.sample_terms) >= 2
    assert all(t.due for t in template.sample_terms)
    assert template not in jiefen.templates("consumer")


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("debt")
    assert spec.kind == "case_list" and spec.dispute_type == "debt"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("debt")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_include_financial_mediation_and_the_notary(jiefen):
    codes = [p.code for p in jiefen.partners("debt")]
    assert {"banks", "financial-mediation", "notary"} <= set(codes)
    assert "financial-mediation" not in {p.code for p in jiefen.partners("traffic")}


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("debt")
    assert meta.version and meta.requires_core


def test_the_interest_warning_reads_in_chinese(jiefen):
    warning = advice_for(jiefen, interest_rate="18.00")["debt.interest_above_cap"]
    text = jiefen.text(warning.message, "zh_CN")
    assert "一年期贷款市场报价利率" in text and "12.00%" in text


def test_the_case_page_shows_the_interest_warning(jiefen, make_case, client_as):
    case = make_case("debt", payload={"title": "林晓明与黄丽娟民间借贷纠纷", "claim_amount": "80000.00"})
    en = client_as("Clerk", lang="en").get(f"/case/show/{case.id}").get_data(as_text=True)
    assert "12.00% a year" in en and "small-claims" in en and "Loan principal (CNY)" in en
