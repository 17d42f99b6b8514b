"""Intake fields of a debt dispute, declared as data."""
from __future__ import annotations

from app.plugins import IntakeField, _, not_before, required_when

LENDER_KINDS = (
    ("private", _("A person or a non-financial company (private lending)")),
    ("financial", _("A licensed financial institution (bank, lender)")),
)

SECURITY_KINDS = (
    ("none", _("None")),
    ("guarantee", _("Guarantee by a third person")),
    ("mortgage", _("Mortgage")),
    ("pledge", _("Pledge")),
)

EVIDENCE_KINDS = (
    ("iou", _("IOU or acknowledgement of debt")),
    ("transfer", _("Bank or payment transfer records")),
    ("contract", _("Written loan contract")),
    ("other", _("Other evidence")),
)


def principal_above_zero(value, data):
    """A debt of nothing is no debt."""
    if value is not None and value <= 0:
        return _("The principal must be more than zero.")
    return None


DEBT_FIELDS = (
    IntakeField("lender_kind", _("Lender"), kind="choice", choices=LENDER_KINDS,
                classification="internal",
                help=_("The interest cap of private lending does not apply to licensed financial institutions.")),
    IntakeField("principal", _("Loan principal (CNY)"), kind="decimal", required=True,
                classification="personal", validators=(principal_above_zero,)),
    IntakeField("interest_rate", _("Agreed annual interest rate (%)"), kind="percent",
                classification="personal",
                help=_("Leave empty when no interest was agreed. A monthly rate of 1.5 per cent is 18 per cent a year.")),
    IntakeField("contract_date", _("Loan contract date"), kind="date", required=True,
                not_in_future=True, classification="internal",
                help=_("The day the loan contract was made; the interest cap is read on this day.")),
    IntakeField("due_date", _("Due date"), kind="date", classification="internal",
                # A loan cannot fall due before it was agreed.
                validators=(not_before("contract_date", _("The due date cannot be before the contract date.")),)),
    IntakeField("security", _("Security for the debt"), kind="choice", choices=SECURITY_KINDS,
                classification="internal"),
    IntakeField("guarantor", _("Guarantor"), classification="personal", max_length=100,
                # A guarantee needs a guarantor to invite to the mediation.
                validators=(required_when("security", ("guarantee",), _("Name the guarantor when the debt is guaranteed.")),)),
    IntakeField("evidence", _("Evidence of the debt"), kind="choice", choices=EVIDENCE_KINDS,
                classification="internal"),
    IntakeField("knew_of_harm_on", _("Creditor knew of the harm on"), kind="date",
                not_in_future=True, classification="internal",
                # The creditor cannot have known of a harm to a claim that did not exist yet.
                validators=(not_before("contract_date", _("The creditor cannot have known of the harm before the contract date.")),),
                help=_("The day the creditor knew or should have known the debt was not paid and by whom "
                       "(usually the day after the due date; a later written demand or acknowledgement "
                       "restarts the limitation period: enter the latest such day).")),
)

SAMPLE = {
    "lender_kind": "private",
    "principal": "80000.00",
    "interest_rate": "18.00",
    "contract_date": "2025-06-10",
    "due_date": "2025-12-10",
    "security": "guarantee",
    "guarantor": "陈志强",
    "evidence": "iou",
    "knew_of_harm_on": "2025-12-11",
}
