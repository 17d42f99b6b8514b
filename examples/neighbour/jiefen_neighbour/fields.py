"""Intake fields of a neighbour dispute, declared as data.

The core turns these declarations into the web form and the API validation; this module
only says what is asked, how it is classified, and which rules tie the answers together.
"""
from __future__ import annotations

from app.plugins import IntakeField, _

ISSUE_KINDS = (
    ("noise", _("Noise (renovation, music, pets)")),
    ("water_leak", _("Water leak or seepage from next door")),
    ("shared_wall", _("Shared wall or floor")),
    ("passage", _("Shared passage or right of way")),
    ("encroachment", _("Encroachment on shared or neighbouring space")),
    ("trees", _("Trees, bamboo and plants")),
    ("parking", _("Parking in front of a home or in a passage")),
    ("other", _("Another neighbour issue")),
)


def _same_address(a, b) -> bool:
    """Two addresses typed with different spacing are still the same address."""
    return "".join((a or "").split()) == "".join((b or "").split())


def homes_differ(value, data):
    """A neighbour dispute is between two homes: the respondent's cannot be the applicant's."""
    if value and _same_address(value, data.get("applicant_home")):
        return _("Both homes have the same address: enter the respondent's own home.")
    return None


def last_incident_not_before_start(value, data):
    """The latest incident cannot come before the problem started."""
    since = data.get("since")
    if value and since and value < since:
        return _("The last incident cannot be before the day the problem started.")
    return None


def attempts_described_when_involved(value, data):
    """If the property-management company or the committee already stepped in, say how."""
    if data.get("local_help") and not (value or "").strip():
        return _("Say what the property-management company or the community committee did.")
    return None


NEIGHBOUR_FIELDS = (
    IntakeField("issue_kind", _("What the neighbours disagree about"), kind="choice",
                required=True, choices=ISSUE_KINDS, classification="internal"),
    IntakeField("applicant_home", _("Applicant's home address"), required=True,
                classification="personal", max_length=200,
                help=_("Building, unit and room number, as on the property certificate or lease.")),
    IntakeField("respondent_home", _("Respondent's home address"), required=True,
                classification="personal", max_length=200, validators=(homes_differ,)),
    IntakeField("since", _("Problem since"), kind="date", required=True, not_in_future=True,
                classification="internal"),
    IntakeField("last_incident", _("Last incident on"), kind="date", not_in_future=True,
                classification="internal", validators=(last_incident_not_before_start,)),
    IntakeField("local_help", _("Property management or community committee already involved"),
                kind="boolean", classification="internal"),
    IntakeField("repair_cost", _("Estimated repair cost (CNY)"), kind="decimal",
                classification="internal",
                help=_("A quotation or the property-management company's estimate, if any.")),
    IntakeField("settlement_attempts", _("Attempts to settle so far"), kind="textarea",
                classification="personal", validators=(attempts_described_when_involved,),
                help=_("Who talked to whom, when, and what was offered.")),
)

# Dates are before 2026-11-01, so the sample stays valid ("not in the future") from then on.
SAMPLE = {
    "issue_kind": "water_leak",
    "applicant_home": "汕尾市城区香洲街道通港路18号金湾花园3栋502房",
    "respondent_home": "汕尾市城区香洲街道通港路18号金湾花园3栋602房",
    "since": "2026-07-15",
    "last_incident": "2026-10-08",
    "local_help": True,
    "repair_cost": "3600.00",
    "settlement_attempts": (
        "申请人多次上楼协商未果。2026年8月物业服务中心上门查看，确认602房卫生间防水层老化渗水，"
        "被申请人同意维修但对赔偿金额有异议；社区居委会于2026年9月组织双方面谈一次，未达成一致。"
    ),
}
