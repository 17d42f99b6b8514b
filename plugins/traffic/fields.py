"""Intake fields of a traffic-accident dispute, declared as data."""
from __future__ import annotations

import re
from decimal import Decimal

from app.plugins import IntakeField, _, not_before, only_with

# Mainland plates: province character, city letter, then 5 (fuel) or 6 (new energy) marks.
PLATE_RE = re.compile(r"^[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{5,6}[\u4e00-\u9fa5]?$")

DISABILITY_RATINGS = (("none", _("None")),) + tuple(
    (str(n), _("Grade %(n)s", n=n)) for n in range(1, 11)
)


def liability_total_at_most_100(records, data):
    """The shares of liability of all vehicles cannot exceed 100 %."""
    total = sum((r.get("liability") or Decimal(0)) for r in records or [])
    if total > 100:
        return _("The liability split adds up to %(total)s%%, more than 100%%.", total=total)
    return None


def plate_format(value, data):
    """A plate like 粤N12345 or 粤ND12345."""
    if value and not PLATE_RE.match(value.strip().upper()):
        return _("Enter a plate number like 粤N12345.")
    return None


# The police cannot determine an accident before it happened.
determination_after_accident = not_before(
    "accident_date", _("The determination date cannot be before the accident date."))
# The police mediate on a joint application made after their accident determination.
police_mediation_after_determination = (
    not_before("determination_date", _("The police cannot have taken up mediation before their accident determination.")),
    only_with("determination_date", _("Give the day the accident determination was received: police mediation follows it.")),
)


VEHICLE_FIELDS = (
    IntakeField("plate", _("Plate number"), required=True, classification="personal",
                max_length=10, validators=(plate_format,)),
    IntakeField("driver", _("Driver"), classification="personal", max_length=50),
    IntakeField("liability", _("Share of liability (%)"), kind="percent", required=True,
                help=_("As stated in the accident determination.")),
    IntakeField("insurer", _("Insurer"), classification="internal", max_length=100),
    IntakeField("policy_no", _("Policy number"), classification="personal", max_length=40),
)

TRAFFIC_FIELDS = (
    IntakeField("accident_date", _("Accident date"), kind="date", required=True,
                not_in_future=True),
    IntakeField("accident_place", _("Accident place"), required=True, max_length=200),
    IntakeField("determination_no", _("Accident determination number"), max_length=60,
                help=_("Number of the traffic-police accident determination (事故认定书), if issued.")),
    IntakeField("determination_date", _("Determination received on"), kind="date",
                not_in_future=True, validators=(determination_after_accident,),
                help=_("The 10-day window for asking the police to mediate starts on this day.")),
    # Whether the parties went to police mediation: empty when they never did, and then its
    # period does not apply to the case at all. The period itself starts from the event the
    # accident's consequence names (plugin.police_mediation_start), recorded on the case.
    IntakeField("police_mediation_on", _("Police mediation applied for on"), kind="date",
                not_in_future=True, validators=police_mediation_after_determination,
                help=_("Only if both parties asked the traffic police to mediate: the day the police took up the "
                       "joint application. The 10-day police mediation period starts after the funeral, the end "
                       "of treatment, the disability rating or the loss determination, recorded on the case.")),
    IntakeField("vehicles", _("Vehicles and insurers"), kind="records",
                subfields=VEHICLE_FIELDS, max_records=6, classification="personal",
                validators=(liability_total_at_most_100,)),
    IntakeField("injured_count", _("People injured"), kind="integer", max_value=Decimal(1000)),
    IntakeField("death_count", _("People killed"), kind="integer", max_value=Decimal(1000)),
    IntakeField("medical_expenses", _("Medical expenses (CNY)"), kind="decimal",
                classification="sensitive"),
    IntakeField("property_loss", _("Property loss (CNY)"), kind="decimal"),
    IntakeField("disability_rating", _("Disability rating"), kind="choice",
                choices=DISABILITY_RATINGS, classification="sensitive"),
)

SAMPLE = {
    "accident_date": "2026-09-18",
    "accident_place": "汕尾市城区通港路与香城路交叉口",
    "determination_no": "汕公交认字〔2026〕第00123号",
    "determination_date": "2026-09-25",
    "vehicles": [
        {"plate": "粤N12345", "driver": "林晓明", "liability": "70",
         "insurer": "中国人民财产保险股份有限公司汕尾市分公司", "policy_no": "PDAA202644150000001234"},
        {"plate": "粤NA6789", "driver": "黄丽娟", "liability": "30",
         "insurer": "中国平安财产保险股份有限公司汕尾中心支公司", "policy_no": "ASHZ202644150000005678"},
    ],
    "injured_count": 1,
    "death_count": 0,
    "medical_expenses": "12500.50",
    "property_loss": "6800.00",
    "disability_rating": "none",
}
