"""Intake fields of a marriage and family dispute, declared as data.

Children are minors' data (classification ``minor``); violence at home and protection orders
are ``sensitive``; relationships, property and support are ``personal``.
"""
from __future__ import annotations

from decimal import Decimal

from app.plugins import IntakeField, _, only_with, required_when

RELATIONSHIPS = (
    ("married", _("Married couple")),
    ("divorced", _("Divorced couple")),
    ("cohabiting", _("Cohabiting, not married")),
    ("parent_child", _("Parent and child")),
    ("siblings", _("Siblings")),
    ("other", _("Other family members")),
)
MARRIAGE_RELATIONSHIPS = ("married", "divorced")

SUPPORT_CLAIMS = (
    ("none", _("No support claim")),
    ("spousal", _("Spousal support")),
    ("child", _("Child support")),
    ("elderly", _("Support of elderly parents")),
)

LIVES_WITH = (
    ("applicant", _("The applicant")),
    ("respondent", _("The respondent")),
    ("both", _("Both parents in turn")),
    ("relatives", _("Grandparents or other relatives")),
    ("other", _("Someone else")),
)


def divorce_after_marriage(value, data):
    """Only a divorced couple has a divorce date, and it follows the marriage."""
    if not value:
        return None
    if data.get("relationship") != "divorced":
        return _("A divorce date is only entered for a divorced couple.")
    married = data.get("marriage_date")
    if married and value < married:
        return _("The divorce date cannot be before the marriage date.")
    return None


def support_claim_is_consistent(value, data):
    """A child-support claim names the children; a claim without a kind has no amount."""
    if value == "child" and not data.get("children"):
        return _("List the children the child support is claimed for.")
    if value in ("", "none") and data.get("support_monthly_amount"):
        return _("Choose the kind of support the monthly amount is claimed for.")
    return None


# A support claim states how much a month is asked for.
support_amount_when_claimed = required_when(
    "support_claim", [v for v, _label in SUPPORT_CLAIMS if v != "none"], _("Enter the monthly amount of support claimed."))
marriage_date_for_spouses = required_when(
    "relationship", MARRIAGE_RELATIONSHIPS, _("Enter the date the marriage was registered."))
# A protection order protects against domestic violence or its real threat (反家庭暴力法 第23条).
protection_order_needs_violence = only_with("domestic_violence", _(
    "A protection order is only for domestic violence or its real threat: tick the domestic-violence box too."))
# Urgency shortens the time in which the court decides a protection order.
urgency_needs_protection_order = only_with("protection_order_requested", _(
    "Urgency only matters for a protection order: tick the protection-order box too."))


CHILD_FIELDS = (
    IntakeField("name", _("Child's name"), required=True, classification="minor", max_length=50),
    IntakeField("birth_date", _("Child's date of birth"), kind="date", required=True,
                not_in_future=True, classification="minor"),
    IntakeField("lives_with", _("Lives with"), kind="choice", required=True,
                choices=LIVES_WITH, classification="minor"),
)

FAMILY_FIELDS = (
    IntakeField("relationship", _("Relationship between the parties"), kind="choice",
                required=True, choices=RELATIONSHIPS, classification="personal"),
    IntakeField("marriage_date", _("Marriage registered on"), kind="date", not_in_future=True,
                classification="personal", validators=(marriage_date_for_spouses,),
                help=_("As on the marriage certificate (结婚证).")),
    IntakeField("divorce_date", _("Divorced on"), kind="date", not_in_future=True,
                classification="personal", validators=(divorce_after_marriage,),
                help=_("Date of the divorce certificate, judgment or mediation statement.")),
    IntakeField("children", _("Children"), kind="records", subfields=CHILD_FIELDS,
                max_records=10, classification="minor",
                help=_("Children's data is protected: it is never published.")),
    IntakeField("property_summary", _("Property in dispute"), kind="textarea",
                max_length=2000, classification="personal",
                help=_("House, vehicles, savings, debts: what there is and who holds it.")),
    IntakeField("support_claim", _("Support claimed"), kind="choice", choices=SUPPORT_CLAIMS,
                classification="personal", validators=(support_claim_is_consistent,)),
    IntakeField("support_monthly_amount", _("Support claimed per month (CNY)"), kind="decimal",
                max_value=Decimal("1000000"), classification="personal",
                validators=(support_amount_when_claimed,)),
    IntakeField("domestic_violence", _("Domestic violence reported"), kind="boolean",
                classification="sensitive",
                help=_("Tick if a party reports violence at home or a real threat of it.")),
    IntakeField("protection_order_requested", _("Protection order requested"), kind="boolean",
                classification="sensitive", validators=(protection_order_needs_violence,),
                help=_("The party asks for a personal safety protection order (人身安全保护令).")),
    IntakeField("protection_order_urgent", _("Urgent: immediate danger"), kind="boolean",
                classification="sensitive", validators=(urgency_needs_protection_order,),
                help=_("The court then decides within the shorter, urgent time limit.")),
)

SAMPLE = {
    "relationship": "divorced",
    "marriage_date": "2012-10-01",
    "divorce_date": "2023-06-15",
    "children": [
        {"name": "林小雨", "birth_date": "2014-08-12", "lives_with": "applicant"},
        {"name": "林小川", "birth_date": "2018-03-02", "lives_with": "applicant"},
    ],
    "property_summary": "离婚时约定位于汕尾市城区凤山街道的商品房一套归申请人所有，由申请人继续偿还剩余贷款约32万元；被申请人应补偿的6万元尚未支付。",
    "support_claim": "child",
    "support_monthly_amount": "1500.00",
    "domestic_violence": False,
    "protection_order_requested": False,
    "protection_order_urgent": False,
}
