"""The consumer plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import force_locale

from app.plugins import CLASSIFICATIONS
from plugins.consumer import plugin
from plugins.consumer.fields import SAMPLE, loss_not_negative


def consumer_case(**changes):
    return SimpleNamespace(dispute_type="consumer", intake_data=dict(SAMPLE, **changes))


def advice_for(app, **changes):
    with app.app_context():
        return {a.code: a for a in plugin.diversion_advice(case=consumer_case(**changes))}


def message(app, advice):
    with app.test_request_context(), force_locale("en"):
        return str(advice.message)


def intake_errors(app, **changes):
    """The intake form's verdict on the sample with ``changes``: {field: [messages]}."""
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    sample = {k: v for k, v in dict(SAMPLE, **changes).items() if v is not None}
    with app.test_request_context(), force_locale("en"):
        form = intake_form("consumer", flatten({"intake": sample}), api=True)
        form.validate()
        return {k: [str(m) for m in v] for k, v in form.intake.errors.items()}


def test_register_dispute_types_owns_consumer():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "consumer"


def test_intake_fields_are_all_classified():
    fields = plugin.intake_fields(dispute_type="consumer")
    by_name = {f.name: f for f in fields}
    assert {"merchant", "platform", "goods_or_service", "purchase_date", "price_paid", "loss",
            "claim_basis"} <= set(by_name)
    for f in fields:
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    for name in ("merchant", "goods_or_service", "purchase_date", "price_paid", "claim_basis"):
        assert by_name[name].required, name
    assert not by_name["platform"].required
    assert {v for v, _ in by_name["claim_basis"].choices} == {"quality", "fraud", "food_safety", "service", "other"}
    assert plugin.intake_fields(dispute_type="debt") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    assert plugin.sample_intake(dispute_type="debt") is None
    assert intake_errors(app) == {}


def test_a_negative_loss_is_refused(app):
    assert list(intake_errors(app, loss="-1")) == ["loss"]
    assert intake_errors(app, loss="0") == {}
    assert intake_errors(app, loss=None) == {}
    assert loss_not_negative(Decimal("-0.01"), {}) and loss_not_negative(Decimal(0), {}) is None


def test_a_food_safety_claim_must_describe_the_food(app):
    errors = intake_errors(app, goods_description=None)
    assert list(errors) == ["goods_description"]
    assert "food-safety" in errors["goods_description"][0]
    assert intake_errors(app, goods_description="   ") != {}
    assert intake_errors(app, goods_description=None, claim_basis="quality") == {}


def test_purchase_in_the_future_is_refused(app):
    assert list(intake_errors(app, purchase_date="2099-01-01")) == ["purchase_date"]


def test_settings_have_legal_sources_and_units():
    settings = {s.key: s for s in plugin.register_settings()}
    assert set(settings) == {
        "consumer.fraud_multiple", "consumer.fraud_minimum", "consumer.food_price_multiple",
        "consumer.food_loss_multiple", "consumer.food_minimum", "consumer.pre_filing_mediation_days",
    }
    for s in settings.values():
        assert s.key.startswith("consumer.") and s.source and s.unit
    assert (settings["consumer.fraud_multiple"].value, settings["consumer.fraud_minimum"].value) == (3, 500)
    assert "第55条" in settings["consumer.fraud_minimum"].source
    assert settings["consumer.food_price_multiple"].value == 10
    assert settings["consumer.food_loss_multiple"].value == 3
    assert settings["consumer.food_minimum"].value == 1000
    assert "第148条" in settings["consumer.food_minimum"].source


def test_deadlines_read_the_mediation_setting():
    (rule,) = plugin.deadlines(case=SimpleNamespace(dispute_type="consumer", track="pre_filing"))
    settings = {s.key: s for s in plugin.register_settings()}
    assert settings[rule.setting_key].value == 30
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="debt")) is None
    # a court-entrusted case counts the core's court period instead
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="consumer", track="court_entrusted")) == []


def test_fraud_claim_is_three_times_the_price(app):
    advice = advice_for(app, claim_basis="fraud", price_paid="2399.00")
    fraud = advice["consumer.fraud_damages"]
    assert fraud.severity == "info" and "第55条" in fraud.source
    assert "7,197.00" in message(app, fraud)


def test_fraud_claim_is_at_least_500(app):
    advice = advice_for(app, claim_basis="fraud", price_paid="59.90")
    assert "CNY: 500.00 CNY" in message(app, advice["consumer.fraud_damages"])


def test_food_safety_claim_is_ten_times_the_price_at_least_1000(app):
    advice = advice_for(app, price_paid="168.00", loss="320.00")
    food = advice["consumer.food_safety_damages"]
    text = message(app, food)
    assert "1,680.00" in text and "960.00" in text and "up to 1,680.00 CNY" in text
    assert "第148条" in food.source
    small = message(app, advice_for(app, price_paid="25.00", loss=None)["consumer.food_safety_damages"])
    assert "up to 1,000.00 CNY" in small


def test_food_safety_claim_may_be_three_times_the_loss(app):
    text = message(app, advice_for(app, price_paid="35.00", loss="2800.00")["consumer.food_safety_damages"])
    assert "up to 8,400.00 CNY" in text


def test_the_amounts_follow_the_settings_in_force_on_the_purchase_date(app):
    from app.extensions import db
    from app.models import Setting

    with app.app_context():
        db.session.add(Setting(key="consumer.food_minimum", value="2000", valid_from=dt.date(2026, 10, 1),
                               source="test"))
        db.session.commit()
        assert plugin.food_safety_damages(Decimal(25), None, dt.date(2026, 9, 15))["amount"] == 1000
        assert plugin.food_safety_damages(Decimal(25), None, dt.date(2026, 10, 15))["amount"] == 2000


def test_a_purchase_before_the_rules_asks_for_a_manual_check(app):
    advice = advice_for(app, claim_basis="fraud", purchase_date="2012-05-01")
    assert advice["consumer.damages_rule_missing"].severity == "warning"


def test_quality_claim_computes_no_damages(app):
    advice = advice_for(app, claim_basis="quality", platform="")
    assert advice == {}


def test_a_platform_purchase_gets_platform_advice(app):
    assert "消费者权益保护法 第44条" in advice_for(app)["consumer.platform"].source


def test_diversion_advice_ignores_other_types(app):
    with app.app_context():
        assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="debt", intake_data={})) is None
        assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="consumer", intake_data=None)) == []


def test_agreement_template_ships_a_docx_and_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="consumer")
    assert os.path.exists(template.path) and 2 <= len(template.sample_terms) <= 3
    assert plugin.agreement_templates(dispute_type="debt") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "consumer"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_start_with_market_regulation():
    partners = plugin.linkage_partners(dispute_type="consumer")
    assert [p.code for p in partners] == ["market-regulation", "consumer-council", "ecommerce-platforms"]
    assert plugin.linkage_partners(dispute_type="debt") is None


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core


def test_the_damages_read_in_chinese(app):
    food = advice_for(app)["consumer.food_safety_damages"]
    with app.test_request_context(), force_locale("zh_CN"):
        text = str(food.message)
    assert "最高可主张1,680.00元" in text


def test_the_case_page_shows_the_food_safety_damages(app, clerk_client, client, clerk_token, places):
    from tests import helpers

    payload = dict(helpers.traffic_payload(places), dispute_type="consumer", intake=dict(SAMPLE),
                   title="林晓明与黄丽娟食品安全消费纠纷", claim_amount="2168.00")
    r = client.post("/api/v1/case/", json=payload, headers={"Authorization": f"Bearer {clerk_token}"})
    assert r.status_code == 201, r.get_json()
    clerk_client.get("/lang/zh_CN")
    zh = clerk_client.get(f"/case/show/{r.get_json()['id']}").get_data(as_text=True)
    assert "最高可主张1,680.00元" in zh and "经营者" in zh
