"""Hook implementations of the traffic plugin (entry point ``jiefen.plugins: traffic``)."""
from __future__ import annotations

import os

from app.plugins import (
    Advice,
    DeadlineRule,
    DisputeType,
    LinkagePartner,
    ViewSpec,
    _,
    hookimpl,
)
from plugins.traffic import __version__  # noqa: F401  (read by the core as the version)
from plugins.traffic.fields import SAMPLE, TRAFFIC_FIELDS

CODE = "traffic"
HERE = os.path.dirname(os.path.abspath(__file__))


@hookimpl
def register_dispute_types():
    """The traffic plugin owns one type."""
    return [
        DisputeType(
            code=CODE,
            label=_("Traffic accident"),
            description=_("Compensation disputes after a road traffic accident."),
            category="tort",
            order=30,
        )
    ]


@hookimpl
def intake_fields(dispute_type):
    """Accident, determination, vehicles and insurers, and the losses."""
    return list(TRAFFIC_FIELDS) if dispute_type == CODE else None


@hookimpl
def sample_intake(dispute_type):
    """A realistic accident for demos and contract tests."""
    return dict(SAMPLE) if dispute_type == CODE else None


@hookimpl
def linkage_partners(dispute_type):
    """Who a traffic dispute is usually worked on with."""
    if dispute_type != CODE:
        return None
    return [
        LinkagePartner("police-brigade", _("Chengqu traffic police brigade")),
        LinkagePartner("insurers", _("Motor insurers")),
        LinkagePartner(
            "accident-committee",
            _("Road traffic accident people's mediation committee"),
            kind="mediation_committee",
        ),
        LinkagePartner("forensic-appraisal", _("Forensic appraisal institution")),
    ]


@hookimpl
def deadlines(case):
    """The 10-day windows of police mediation (check article numbers)."""
    if case.dispute_type != CODE:
        return None
    return [
        DeadlineRule(
            code="traffic.police_mediation_application",
            label=_("Joint written application for police mediation"),
            days=10,
            starts_from="intake.determination_date",
            source="道路交通安全法实施条例 第94条 (check)",
            setting_key="traffic.police_mediation_application_days",
        ),
        DeadlineRule(
            code="traffic.police_mediation_period",
            label=_("Police mediation period"),
            days=10,
            starts_from="mediation_started_on",
            source="道路交通安全法实施条例 第95条 (check)",
            setting_key="traffic.police_mediation_period_days",
        ),
    ]


@hookimpl
def diversion_advice(case):
    """What a clerk should know when screening a traffic case."""
    if case.dispute_type != CODE:
        return None
    data = case.intake_data or {}
    advice = []
    if any((v or {}).get("insurer") for v in data.get("vehicles") or []):
        advice.append(
            Advice("traffic.insurer_party", _("Invite the insurers to the mediation: they pay most compensation."))
        )
    if (data.get("death_count") or 0) > 0 or (data.get("disability_rating") not in (None, "", "none")):
        advice.append(
            Advice(
                "traffic.appraisal",
                _("Death or disability: make sure the losses are appraised before mediating."),
                severity="warning",
            )
        )
    return advice


@hookimpl
def register_views():
    """A list of traffic cases under the Cases menu."""
    return [ViewSpec(name="cases", label=_("Traffic accident disputes"), dispute_type=CODE, icon="fa-car")]


@hookimpl
def translation_directories():
    """The plugin's own catalogues."""
    return [os.path.join(HERE, "translations")]
