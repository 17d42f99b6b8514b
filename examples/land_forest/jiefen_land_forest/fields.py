"""Intake fields of a land and forest title dispute, declared as data.

The core turns these declarations into the web form and the API validation; this module
only says what is asked, how it is classified, and which rules tie the answers together.
"""
from __future__ import annotations

from decimal import Decimal

from app.plugins import IntakeField, _

RESOURCE_KINDS = (
    ("farmland", _("Farmland")),
    ("woodland", _("Woodland and trees")),
    ("hillside", _("Hills and waste land")),
    ("homestead", _("Homestead")),
    ("other_land", _("Other land")),
)
DISPUTE_KINDS = (
    ("ownership", _("Who owns the land or trees")),
    ("use_right", _("Who may use the land or trees")),
    ("boundary", _("Where the boundary runs")),
    ("contract", _("A rural land contract")),
)
# Disputes over title: the people's government decides them before any court.
TITLE_KINDS = ("ownership", "use_right", "boundary")
CERTIFICATE_KINDS = (
    ("real_estate", _("Real-estate title certificate")),
    ("forest_right", _("Forest-right certificate")),
    ("land_contract", _("Rural land contract certificate")),
    ("homestead", _("Homestead use-right certificate")),
    ("other", _("Another document (contract, old certificate)")),
)


def number_with_certificate(value, data):
    """A certificate named without its number cannot be checked at the registry."""
    if data.get("certificate_kind") and not (value or "").strip():
        return _("Enter the number printed on the certificate.")
    return None


def decision_date_matches_handling(value, data):
    """The date of the government's decision is given exactly when it has handled the dispute."""
    if data.get("government_handled") and not value:
        return _("Enter the day a party received the people's government's decision.")
    if value and not data.get("government_handled"):
        return _("Tick “already handled by the people's government”, or leave the date blank.")
    return None


LAND_FOREST_FIELDS = (
    IntakeField("resource_kind", _("Land or forest in dispute"), kind="choice", required=True,
                choices=RESOURCE_KINDS, classification="internal"),
    IntakeField("dispute_kind", _("What the parties disagree about"), kind="choice", required=True,
                choices=DISPUTE_KINDS, classification="internal"),
    IntakeField("location", _("Where the parcel or forest lies"), required=True, classification="internal",
                max_length=300,
                help=_("Township, village and place name, and the four boundaries (east, west, south, north).")),
    IntakeField("area_mu", _("Area in dispute (mu)"), kind="decimal", unit=_("mu"), required=True,
                max_value=Decimal("1000000"), classification="internal",
                help=_("One mu is about 666.7 square metres.")),
    IntakeField("certificate_kind", _("Certificate held"), kind="choice", choices=CERTIFICATE_KINDS,
                classification="internal"),
    IntakeField("certificate_no", _("Certificate number"), classification="personal", max_length=100,
                validators=(number_with_certificate,)),
    IntakeField("applicant_claim", _("Rights the applicant claims, and on what grounds"), kind="textarea",
                required=True, classification="personal"),
    IntakeField("respondent_claim", _("Rights the respondent claims, and on what grounds"), kind="textarea",
                classification="personal"),
    IntakeField("collective", _("Village collective concerned"), classification="internal", max_length=200,
                help=_("The villagers' committee or villagers' group that owns or contracted out the land.")),
    IntakeField("government_handled", _("Already handled by the people's government"), kind="boolean",
                classification="internal"),
    IntakeField("decision_received_on", _("Government decision received on"), kind="date",
                not_in_future=True, classification="internal", validators=(decision_date_matches_handling,)),
    IntakeField("known_since", _("Applicant knew of the infringement since"), kind="date",
                not_in_future=True, classification="internal",
                help=_("For a land-contract dispute, the arbitration period counts from this day.")),
)

# Dates are before 2026-11-01, so the sample stays valid ("not in the future") from then on.
SAMPLE = {
    "resource_kind": "woodland",
    "dispute_kind": "boundary",
    "location": "汕尾市城区红草镇三和村后山“牛角岭”，东至山脊分水线，西至村道，南至三和水库，北至陈屋坑",
    "area_mu": "12.50",
    "certificate_kind": "forest_right",
    "certificate_no": "汕城林证字（2008）第0123号",
    "applicant_claim": "申请人黄志强持2008年林权证，主张山脊分水线以东12.5亩林地使用权及其上桉树归其所有。",
    "respondent_claim": "被申请人陈伟明称该片林地1998年由村民小组分给其家经营，界线应以山坑为准，并于2026年8月砍伐桉树约40株。",
    "collective": "红草镇三和村民委员会第三村民小组",
    "government_handled": False,
    "known_since": "2026-08-03",
}
