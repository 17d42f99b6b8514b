"""Intake fields of a labour dispute, declared as data."""
from __future__ import annotations

import re

from app.plugins import IntakeField, _, not_before, only_with

# Unified social credit code (GB 32100-2015): registration authority and type, 6-digit
# administrative division, then 10 characters (no I, O, S, V, Z) ending in the check character.
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")

# The claim items a labour case may carry, each a box on the intake form.
CLAIM_FIELDS = (
    "claim_wage_arrears",
    "claim_overtime",
    "claim_compensation",
    "claim_social_insurance",
    "claim_work_injury",
)


def credit_code_format(value, data):
    """18 characters of the unified social credit code, when one is given."""
    if value and not CREDIT_CODE_RE.match(value.strip().upper()):
        return _("A unified social credit code has 18 characters, e.g. 91441502MA4W8K2L3N.")
    return None


def at_least_one_claim(value, data):
    """A labour case claims something: tick an item or describe the claim."""
    if not value and not any(data.get(name) for name in CLAIM_FIELDS):
        return _("Tick at least one claim item or describe the claim.")
    return None


LABOUR_FIELDS = (
    IntakeField("employer", _("Employer"), required=True, max_length=120,
                help=_("Full registered name of the employing unit.")),
    IntakeField("employer_credit_code", _("Employer's unified social credit code"),
                max_length=18, validators=(credit_code_format,)),
    IntakeField("position", _("Position"), classification="personal", max_length=60),
    IntakeField("employment_start", _("Employment started on"), kind="date", required=True,
                not_in_future=True, classification="personal"),
    IntakeField("employment_end", _("Employment ended on"), kind="date", not_in_future=True,
                classification="personal",
                validators=(not_before("employment_start", _("The employment cannot end before it started.")),),
                help=_("Leave empty while the employment goes on. The arbitration limitation period is counted at the latest from this day.")),
    IntakeField("monthly_wage", _("Monthly wage (CNY)"), kind="decimal", classification="personal",
                help=_("The worker's average monthly wage before the dispute.")),
    IntakeField("claim_wage_arrears", _("Wage arrears"), kind="boolean"),
    IntakeField("claim_overtime", _("Overtime pay"), kind="boolean"),
    IntakeField("claim_compensation", _("Economic compensation or damages for termination"),
                kind="boolean"),
    IntakeField("claim_social_insurance", _("Social insurance"), kind="boolean"),
    IntakeField("claim_work_injury", _("Work-injury benefits"), kind="boolean",
                classification="sensitive",
                help=_("An injury at work is health data: sensitive personal information.")),
    IntakeField("claim_other", _("Other claims"), kind="textarea", max_length=1000,
                validators=(at_least_one_claim,),
                help=_("E.g. double wages for working without a written contract.")),
    IntakeField("wage_iou", _("The worker holds a wage IOU from the employer"), kind="boolean",
                # A wage IOU is evidence of wage arrears.
                validators=(only_with("claim_wage_arrears", _("A wage IOU supports a claim for wage arrears: tick \"Wage arrears\" too.")),),
                help=_("A written acknowledgment by the employer of the wages it owes.")),
    IntakeField("arbitration_started", _("Arbitration started"), kind="boolean",
                help=_("Tick when a labour dispute arbitration commission has received an application.")),
    IntakeField("arbitration_case_no", _("Arbitration case number"), max_length=60,
                # An arbitration case number means arbitration has started.
                validators=(only_with("arbitration_started", _("Tick \"Arbitration started\" or leave the arbitration case number empty.")),)),
    IntakeField("mediation_applied_on", _("Mediation applied for on"), kind="date",
                # A labour dispute arises once there is an employment: mediation cannot be asked earlier.
                not_in_future=True,
                validators=(not_before("employment_start", _("The mediation application cannot be before the employment started.")),),
                help=_("If no agreement is reached within the mediation period counted from this day, the party may apply for arbitration.")),
)

SAMPLE = {
    "employer": "汕尾市城区某水产加工有限公司",
    "employer_credit_code": "91441502MA4W8K2L3N",
    "position": "冷库搬运工",
    "employment_start": "2021-03-01",
    "employment_end": "2026-08-15",
    "monthly_wage": "4800.00",
    "claim_wage_arrears": True,
    "claim_overtime": True,
    "claim_compensation": True,
    "claim_social_insurance": False,
    "claim_work_injury": False,
    "claim_other": "",
    "wage_iou": False,
    "arbitration_started": False,
    "arbitration_case_no": "",
    "mediation_applied_on": "2026-10-20",
}
