"""Intake fields of a consumer dispute, declared as data."""
from __future__ import annotations

from decimal import Decimal

from app.plugins import IntakeField, _, required_when

CLAIM_BASES = (
    ("quality", _("Quality defect")),
    ("fraud", _("Fraud by the merchant")),
    ("food_safety", _("Food below the food-safety standard")),
    ("service", _("Poor or undelivered service")),
    ("other", _("Other")),
)


def loss_not_negative(value, data):
    """A loss is what the consumer lost: never below nothing."""
    if value is not None and value < 0:
        return _("The loss cannot be negative.")
    return None


CONSUMER_FIELDS = (
    IntakeField("merchant", _("Merchant"), required=True, classification="internal", max_length=200,
                help=_("The seller or service provider as named on the receipt or the shop page.")),
    IntakeField("platform", _("Online platform"), classification="internal", max_length=100,
                help=_("The e-commerce or delivery platform, if bought online.")),
    IntakeField("order_no", _("Order or receipt number"), classification="personal", max_length=60),
    IntakeField("goods_or_service", _("Goods or service"), required=True, classification="internal",
                max_length=200),
    IntakeField("goods_description", _("Description of the goods"), kind="textarea",
                # A food-safety claim stands or falls with the food: name it, its batch and dates.
                classification="internal", validators=(required_when("claim_basis", ("food_safety",), _(
                    "Describe the food for a food-safety claim: name, brand, batch or production date, shelf life.")),),
                help=_("Brand, model, batch or production date, shelf life; required for a food-safety claim.")),
    IntakeField("purchase_date", _("Purchase date"), kind="date", required=True, not_in_future=True,
                classification="internal"),
    IntakeField("price_paid", _("Price paid (CNY)"), kind="decimal", required=True,
                classification="internal"),
    IntakeField("loss", _("Loss suffered (CNY)"), kind="decimal", min_value=Decimal(0),
                classification="internal", validators=(loss_not_negative,),
                help=_("Losses beyond the price, e.g. medical costs after eating the food.")),
    IntakeField("claim_basis", _("Claim basis"), kind="choice", required=True, choices=CLAIM_BASES,
                classification="internal"),
)

SAMPLE = {
    "merchant": "汕尾市城区某某食品商行",
    "platform": "美团",
    "order_no": "MT2026091500123456",
    "goods_or_service": "进口牛奶（1L×12盒）",
    "goods_description": "某品牌全脂纯牛奶，生产日期2026-03-01，保质期6个月，购买时已过保质期",
    "purchase_date": "2026-09-15",
    "price_paid": "168.00",
    "loss": "320.00",
    "claim_basis": "food_safety",
}
