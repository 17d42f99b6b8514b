"""The consumer plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest

from app.plugins import CLASSIFICATIONS
from app.plugins.testing import CONTRACT_CHECKS
from plugins.consumer.fields import loss_not_negative


def consumer_case(jiefen, **changes):
    return jiefen.case_like("consumer", dict(jiefen.sample("consumer"), **changes))


def advice_for(jiefen, **changes):
    return {a.code: a for a in jiefen.advice(consumer_case(jiefen, **changes), plugin="consumer")}


def message(jiefen, advice):
    return jiefen.text(advice.message, "en")


def intake_errors(jiefen, **changes):
    """The intake form's verdict on the sample with ``changes`` (``None``: left out)."""
    return jiefen.intake_errors("consumer", dict(jiefen.sample("consumer"), **changes))


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_consumer_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("consumer", only=[check])


def test_register_dispute_types_owns_consumer(jiefen):
    assert jiefen.plugin("consumer").dispute_types == ("consumer",)
    assert jiefen.owner_of("consumer") == "consumer"


def test_intake_fields_are_all_classified(jiefen):
    by_name = jiefen.fields("consumer")
    assert {"merchant", "platform", "goods_or_service", "purchase_date", "price_paid", "loss",
            "claim_basis"} <= set(by_name)
    for f in by_name.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    for name in ("merchant", "goods_or_service", "purchase_date", "price_paid", "claim_basis"):
        assert by_name[name].required, name
    assert not by_name["platform"].required
    assert {v for v, _ in by_name["claim_basis"].choices} == {"quality", "fraud", "food_safety", "service", "other"}
    assert jiefen.owner_of("debt") != "consumer"  # the debt form is not the consumer plugin's


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert jiefen.owner_of("debt") != "consumer"
    assert intake_errors(jiefen) == {}


def test_a_negative_loss_is_refused(jiefen):
    assert list(intake_errors(jiefen, loss="-1")) == ["loss"]
    assert intake_errors(jiefen, loss="0") == {}
    assert intake_errors(jiefen, loss=None) == {}
    assert loss_not_negative(Decimal("-0.01"), {}) and loss_not_negative(Decimal(0), {}) is None


def test_a_food_safety_claim_must_describe_the_food(jiefen):
    errors = intake_errors(jiefen, goods_description=None)
    assert list(errors) == ["goods_description"]
    assert "food-safety" in errors["goods_description"][0]
    assert intake_errors(jiefen, goods_description="   ") != {}
    assert intake_errors(jiefen, goods_description=None, claim_basis="quality") == {}


def test_purchase_in_the_future_is_refused(jiefen):
    assert list(intake_errors(jiefen, purchase_date="2099-01-01")) == ["purchase_date"]


def test_settings_have_legal_sources_and_units(jiefen):
    settings = jiefen.settings_of("consumer")
    assert set(settings) == {
        "consumer.fraud_multiple", "consumer.fraud_minimum", "consumer.food_price_multiple",
        "consumer.food_loss_multiple", "consumer.food_minimum",
    }
    for s in settings.values():
        assert s.key.startswith("consumer.") and s.source and s.unit
    assert (settings["consumer.fraud_multiple"].value, settings["consumer.fraud_minimum"].value) == (3, 500)
    assert "第55条" in settings["consumer.fraud_minimum"].source
    assert settings["consumer.food_price_multiple"].value == 10
    assert settings["consumer.food_loss_multiple"].value == 3
    assert settings["consumer.food_minimum"].value == 1000
    assert "第148条" in settings["consumer.food_minimum"].source


def test_the_core_counts_the_pre_filing_period(jiefen):
    # one pre-filing period for every type (issue 12): the type declares no copy of its own
    assert jiefen.deadlines(jiefen.case_like("consumer", track="pre_filing"), plugin="consumer") == []
    # a court-entrusted case counts the core's court period instead
    assert jiefen.deadlines(jiefen.case_like("consumer", track="court_entrusted"), plugin="consumer") == []


def test_fraud_claim_is_three_times_the_price(jiefen):
    advice = advice_for(jiefen, claim_basis="fraud", price_paid="2399.00")
    fraud = advice["consumer.fraud_damages"]
    assert fraud.severity == "info" and "第55条" in fraud.source
    assert "7,197.00" in message(jiefen, fraud)


def test_fraud_claim_is_at_least_500(jiefen):
    advice = advice_for(jiefen, claim_basis="fraud", price_paid="59.90")
    assert "CNY: 500.00 CNY" in message(jiefen, advice["consumer.fraud_damages"])


def test_food_safety_claim_is_ten_times_the_price_at_least_1000(jiefen):
    advice = advice_for(jiefen, price_paid="168.00", loss="320.00")
    food = advice["consumer.food_safety_damages"]
    text = message(jiefen, food)
    assert "1,680.00" in text and "960.00" in text and "up to 1,680.00 CNY" in text
    assert "第148条" in food.source
    small = message(jiefen, advice_for(jiefen, price_paid="25.00", loss=None)["consumer.food_safety_damages"])
    assert "up to 1,000.00 CNY" in small


def test_food_safety_claim_may_be_three_times_the_loss(jiefen):
    text = message(jiefen, advice_for(jiefen, price_paid="35.00", loss="2800.00")["consumer.food_safety_damages"])
    assert "up to 8,400.00 CNY" in text


def test_the_amounts_follow_the_settings_in_force_on_the_purchase_date(jiefen):
    jiefen.add_setting("consumer.food_minimum", "2000", dt.date(2026, 10, 1))

    def amount_on(day):
        advice = advice_for(jiefen, price_paid="25.00", loss=None, purchase_date=day)
        return message(jiefen, advice["consumer.food_safety_damages"])

    assert "up to 1,000.00 CNY" in amount_on("2026-09-15")
    assert "up to 2,000.00 CNY" in amount_on("2026-10-15")


def test_a_purchase_before_the_rules_asks_for_a_manual_check(jiefen):
    advice = advice_for(jiefen, claim_basis="fraud", purchase_date="2012-05-01")
    assert advice["consumer.damages_rule_missing"].severity == "warning"


def test_quality_claim_computes_no_damages(jiefen):
    assert advice_for(jiefen, claim_basis="quality", platform="") == {}


def test_a_platform_purchase_gets_platform_advice(jiefen):
    assert "消费者权益保护法 第44条" in advice_for(jiefen)["consumer.platform"].source


def test_diversion_advice_ignores_other_types(jiefen):
    assert jiefen.advice_codes(jiefen.case_like("debt"), plugin="consumer") == []
    assert jiefen.advice_codes(jiefen.case_like("consumer"), plugin="consumer") == []


def test_agreement_template_ships_a_docx_and_sample_terms(jiefen):
    (template,) = jiefen.templates("consumer")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert template not in jiefen.templates("debt")


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("consumer")
    assert spec.kind == "case_list" and spec.dispute_type == "consumer"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("consumer")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_start_with_market_regulation(jiefen):
    partners = jiefen.partners("consumer")
    assert [p.code for p in partners] == ["market-regulation", "consumer-council", "ecommerce-platforms"]
    assert "market-regulation" not in {p.code for p in jiefen.partners("debt")}


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("consumer")
    assert meta.version and meta.requires_core


def test_the_damages_read_in_chinese(jiefen):
    food = advice_for(jiefen)["consumer.food_safety_damages"]
    assert "最高可主张1,680.00元" in jiefen.text(food.message, "zh_CN")


def test_the_case_page_shows_the_food_safety_damages(jiefen, make_case, client_as):
    case = make_case("consumer", payload={"title": "林晓明与黄丽娟食品安全消费纠纷", "claim_amount": "2168.00"})
    zh = client_as("Clerk", lang="zh_CN").get(f"/case/show/{case.id}").get_data(as_text=True)
    assert "最高可主张1,680.00元" in zh and "经营者" in zh
