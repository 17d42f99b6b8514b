"""The consumer plugin (entry point ``jiefen.plugins: consumer``): the consumer type declared as
data, and its advice rules — the punitive damages a consumer may claim, the platform's duties."""
from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from app.plugins import (
    Advice,
    AgreementTemplate,
    AgreementTerm,
    DisputeType,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
    _,
    format_money,
    format_multiple,
    hookimpl,
    intake_date,
    intake_decimal,
    setting_decimal,
)
from plugins.consumer import __version__
from plugins.consumer.fields import CONSUMER_FIELDS, SAMPLE

CODE = "consumer"
HERE = os.path.dirname(os.path.abspath(__file__))

FRAUD_MULTIPLE = "consumer.fraud_multiple"
FRAUD_MINIMUM = "consumer.fraud_minimum"
FOOD_PRICE_MULTIPLE = "consumer.food_price_multiple"
FOOD_LOSS_MULTIPLE = "consumer.food_loss_multiple"
FOOD_MINIMUM = "consumer.food_minimum"

FRAUD_SOURCE = "消费者权益保护法 第55条第1款"
FOOD_SOURCE = "食品安全法 第148条第2款"
# In force since the 2013 amendment of the Consumer Protection Law and the 2015 revision of
# the Food Safety Law; earlier purchases follow the rules of the time (an administrator may
# add those rows).
FRAUD_FROM = dt.date(2014, 3, 15)
FOOD_FROM = dt.date(2015, 10, 1)


# The punitive-damages multipliers and minimums (the pre-filing period is the core's).
SETTINGS = (
    SettingDefault(FRAUD_MULTIPLE, 3, _("Punitive damages for fraud, as a multiple of the price"),
                   source=FRAUD_SOURCE, unit="times", valid_from=FRAUD_FROM),
    SettingDefault(FRAUD_MINIMUM, 500, _("Minimum punitive damages for fraud"),
                   source=FRAUD_SOURCE, unit="CNY", valid_from=FRAUD_FROM),
    SettingDefault(FOOD_PRICE_MULTIPLE, 10, _("Food-safety damages, as a multiple of the price"),
                   source=FOOD_SOURCE, unit="times", valid_from=FOOD_FROM),
    SettingDefault(FOOD_LOSS_MULTIPLE, 3, _("Food-safety damages, as a multiple of the loss"),
                   source=FOOD_SOURCE, unit="times", valid_from=FOOD_FROM),
    SettingDefault(FOOD_MINIMUM, 1000, _("Minimum food-safety damages"),
                   source=FOOD_SOURCE, unit="CNY", valid_from=FOOD_FROM),
)


TEMPLATES = (
    AgreementTemplate(
        code="settlement",
        label=_("Consumer dispute settlement agreement"),
        path=os.path.join(HERE, "templates", "agreement.docx"),
        sample_terms=(
            AgreementTerm("被申请人黄丽娟（汕尾市城区某某食品商行经营者）退还申请人林晓明购物款人民币168元", "微信转账", dt.date(2026, 12, 10), kind="money"),
            AgreementTerm("被申请人黄丽娟赔偿申请人林晓明医疗费等损失人民币320元，并支付赔偿金人民币1680元", "银行转账", dt.date(2026, 12, 20), kind="money"),
            AgreementTerm("被申请人立即下架同批次过期牛奶，申请人退回剩余商品", "当面交付", dt.date(2026, 12, 5), kind="property"),
        ),
        suggested_terms=(
            AgreementTerm("被申请人退还申请人购物款（服务费）人民币____元", "银行转账", None, kind="money"),
            AgreementTerm("被申请人赔偿申请人损失人民币____元，并支付惩罚性赔偿金人民币____元", "银行转账", None, kind="money"),
            AgreementTerm("申请人将所购商品退还被申请人", "当面交付", None, kind="property"),
        ),
    ),
)

# Who a consumer dispute is usually worked on with.
PARTNERS = (
    LinkagePartner("market-regulation", _("Chengqu market regulation bureau"),
                   description=_("Handles consumer complaints (12315) and food-safety reports.")),
    LinkagePartner("consumer-council", _("Consumer council"),
                   description=_("Mediates consumer complaints (Consumer Protection Law art. 37).")),
    LinkagePartner("ecommerce-platforms", _("E-commerce platforms"),
                   description=_("Must name the merchant and help settle disputes over goods bought on them.")),
)


def fraud_damages(price: Decimal, on: dt.date) -> tuple[Decimal, Decimal, Decimal]:
    """(multiple, minimum, amount) of the punitive damages for fraud on a purchase made ``on``."""
    multiple = setting_decimal(FRAUD_MULTIPLE, on=on)
    minimum = setting_decimal(FRAUD_MINIMUM, on=on)
    return multiple, minimum, max(price * multiple, minimum)


def food_safety_damages(price: Decimal, loss: Decimal | None, on: dt.date) -> dict:
    """The food-safety damages on a purchase made ``on``: a multiple of the price or of the
    loss, as the consumer chooses, never below the minimum."""
    price_multiple = setting_decimal(FOOD_PRICE_MULTIPLE, on=on)
    loss_multiple = setting_decimal(FOOD_LOSS_MULTIPLE, on=on)
    minimum = setting_decimal(FOOD_MINIMUM, on=on)
    by_price, by_loss = price * price_multiple, (loss or Decimal(0)) * loss_multiple
    return {"price_multiple": price_multiple, "loss_multiple": loss_multiple, "minimum": minimum,
            "by_price": by_price, "by_loss": by_loss, "amount": max(by_price, by_loss, minimum)}


def damages_advice(case):
    """The punitive damages a fraud or food-safety claim may add to the loss, by the rules in
    force on the purchase day."""
    data = case.intake_data
    basis = data.get("claim_basis")
    price = intake_decimal(data.get("price_paid"))
    bought = intake_date(data.get("purchase_date"))
    if basis not in ("fraud", "food_safety") or price is None or bought is None:
        return []
    try:
        if basis == "fraud":
            times, minimum, amount = fraud_damages(price, bought)
            return [Advice(
                "consumer.fraud_damages",
                _("Fraud: besides the loss, the consumer may claim %(multiple)s × the price of %(price)s CNY, "
                  "at least %(minimum)s CNY: %(amount)s CNY.",
                  multiple=format_multiple(times), price=format_money(price), minimum=format_money(minimum),
                  amount=format_money(amount)),
                source=FRAUD_SOURCE,
            )]
        d = food_safety_damages(price, intake_decimal(data.get("loss")), bought)
        return [Advice(
            "consumer.food_safety_damages",
            _("Food safety: besides the loss, the consumer may claim %(price_multiple)s × the price "
              "(%(by_price)s CNY) or %(loss_multiple)s × the loss (%(by_loss)s CNY), at least %(minimum)s CNY: "
              "up to %(amount)s CNY. Label flaws that neither affect safety nor mislead do not count.",
              price_multiple=format_multiple(d["price_multiple"]), by_price=format_money(d["by_price"]),
              loss_multiple=format_multiple(d["loss_multiple"]), by_loss=format_money(d["by_loss"]),
              minimum=format_money(d["minimum"]), amount=format_money(d["amount"])),
            source=FOOD_SOURCE,
        )]
    except LookupError:
        return [Advice(
            "consumer.damages_rule_missing",
            _("No punitive-damages rule is recorded for a purchase on %(date)s: the rules of the time apply, "
              "check them by hand.", date=bought.isoformat()),
            severity="warning", source=FOOD_SOURCE if basis == "food_safety" else FRAUD_SOURCE,
        )]


def platform_advice(case):
    """A purchase through a platform: the platform must name the merchant or pay first."""
    if not (case.intake_data.get("platform") or "").strip():
        return []
    return [Advice(
        "consumer.platform",
        _("Bought through a platform: ask the platform for the merchant's real name, address and "
          "contact; a platform that cannot give them must compensate first."),
        source="消费者权益保护法 第44条；电子商务法 第59条",
    )]


CONSUMER = DisputeType(
    code=CODE,
    label=_("Consumer"),
    description=_("Disputes between consumers and merchants over goods or services."),
    category="contract",
    order=50,
    fields=CONSUMER_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=TEMPLATES,
    partners=PARTNERS,
    advice=(damages_advice, platform_advice),
    views=(ViewSpec(name="cases", label=_("Consumer disputes"), icon="fa-shopping-cart"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its own catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes between consumers and merchants or platforms."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The consumer plugin owns one type, declared above as data."""
    return [CONSUMER]
