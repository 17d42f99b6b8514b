"""Intake fields of a property dispute, declared as data.

Two sub-types share the form: property-service disputes (物业服务纠纷: fees, service defects)
and commercial-housing disputes (商品房买卖合同纠纷: quality, late delivery, title certificate).
Cross-field validators require the fields each sub-type needs.
"""
from __future__ import annotations

from decimal import Decimal

from app.plugins import IntakeField, _, required_when

PROPERTY_SERVICE = "property_service"
COMMERCIAL_HOUSING = "commercial_housing"

SUBTYPES = (
    (PROPERTY_SERVICE, _("Property service (fees, service quality)")),
    (COMMERCIAL_HOUSING, _("Commercial housing sale (developer)")),
)

HOUSING_ISSUES = (
    ("quality_defect", _("Housing quality defect")),
    ("late_delivery", _("Late delivery")),
    ("title_certificate", _("Title certificate not issued")),
    ("other", _("Other issue")),
)


property_company_for_service = required_when(
    "subtype", (PROPERTY_SERVICE,), _("Enter the property-service company of a property-service dispute."))
developer_for_housing = required_when(
    "subtype", (COMMERCIAL_HOUSING,), _("Enter the developer of a commercial-housing dispute."))
contract_for_housing = required_when(
    "subtype", (COMMERCIAL_HOUSING,), _("Enter the number of the commercial-housing sale contract."))
issue_for_housing = required_when(
    "subtype", (COMMERCIAL_HOUSING,), _("Choose what the commercial-housing dispute is about."))
# Late delivery is measured against the delivery date of the contract.
delivery_date_for_late_delivery = required_when(
    "housing_issue", ("late_delivery",), _("Enter the delivery date agreed in the contract to claim late delivery."))


def amount_with_months(value, data):
    """Fees in arrears are stated both as months and as an amount."""
    if data.get("arrears_months") and not value:
        return _("Enter the amount of fees owed for the months in arrears.")
    if value and not data.get("arrears_months"):
        return _("Enter how many months of fees are owed.")
    return None


ESTATE_FIELDS = (
    IntakeField("subtype", _("Kind of property dispute"), kind="choice", required=True,
                choices=SUBTYPES, classification="internal"),
    IntakeField("owners_affected", _("Owners (households) affected"), kind="integer",
                max_value=Decimal(100000), classification="internal",
                help=_("How many owners share the same complaint: many owners mean a possible group dispute.")),
    # Property service (物业服务)
    IntakeField("estate", _("Residential estate"), max_length=100, classification="internal",
                help=_("Name of the estate (小区) and building, e.g. 海韵花园3栋.")),
    IntakeField("property_company", _("Property-service company"), max_length=100,
                classification="internal", validators=(property_company_for_service,)),
    IntakeField("owners_committee", _("Owners' committee"), max_length=100,
                classification="internal", help=_("Leave blank if the estate has none.")),
    IntakeField("arrears_months", _("Months of fees in arrears"), kind="integer",
                max_value=Decimal(1200), classification="personal"),
    IntakeField("arrears_amount", _("Fees in arrears (CNY)"), kind="decimal",
                classification="personal", validators=(amount_with_months,)),
    IntakeField("service_defects", _("Service defects complained of"), kind="textarea",
                max_length=2000, classification="internal",
                help=_("Cleaning, security, lifts, leaks, public areas: what the owners say is wrong.")),
    # Commercial housing (商品房)
    IntakeField("developer", _("Developer"), max_length=100, classification="internal",
                validators=(developer_for_housing,)),
    IntakeField("project", _("Housing project"), max_length=100, classification="internal"),
    IntakeField("contract_no", _("Sale contract number"), max_length=60, classification="personal",
                validators=(contract_for_housing,),
                help=_("Number of the online-registered commercial-housing sale contract.")),
    IntakeField("agreed_delivery_date", _("Delivery date agreed in the contract"), kind="date",
                classification="internal", validators=(delivery_date_for_late_delivery,)),
    IntakeField("delivered_on", _("Actually delivered on"), kind="date", not_in_future=True,
                classification="internal", help=_("Leave blank if the home has not been handed over.")),
    IntakeField("housing_issue", _("Commercial-housing issue"), kind="choice",
                choices=HOUSING_ISSUES, classification="internal", validators=(issue_for_housing,)),
)

SAMPLE = {
    "subtype": PROPERTY_SERVICE,
    "owners_affected": 1,
    "estate": "汕尾市城区香洲街道海韵花园3栋",
    "property_company": "汕尾市海韵物业服务有限公司",
    "owners_committee": "海韵花园业主委员会",
    "arrears_months": 21,
    "arrears_amount": "4032.00",
    "service_defects": "地下车库长期渗水，3栋电梯多次故障停运，公共区域保洁不到位。",
}
