"""Hook implementations of the traffic plugin (entry point ``jiefen.plugins: traffic``)."""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (
    Advice,
    AgreementTemplate,
    AgreementTerm,
    DeadlineRule,
    DisputeType,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
    _,
    hookimpl,
    setting_value,
    today,
)
from plugins.traffic import __version__
from plugins.traffic.fields import SAMPLE, TRAFFIC_FIELDS

CODE = "traffic"
HERE = os.path.dirname(os.path.abspath(__file__))
APPLICATION_DAYS = "traffic.police_mediation_application_days"
PERIOD_DAYS = "traffic.police_mediation_period_days"


@hookimpl
def plugin_metadata():
    """Version and the core versions this plugin is written for."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Compensation disputes after road traffic accidents."),
    )


@hookimpl
def register_settings():
    """The two 10-day windows of police mediation, as dated settings."""
    return [
        SettingDefault(
            APPLICATION_DAYS, 10, _("Days to apply jointly for police mediation"),
            source="道路交通安全法实施条例 第94条", unit="days", check=True,
        ),
        SettingDefault(
            PERIOD_DAYS, 10, _("Days the police mediation lasts"),
            source="道路交通安全法实施条例 第95条", unit="days", check=True,
        ),
    ]


@hookimpl
def agreement_templates(dispute_type):
    """The compensation agreement after a road traffic accident."""
    if dispute_type != CODE:
        return None
    return [
        AgreementTemplate(
            code="compensation",
            label=_("Traffic accident compensation agreement"),
            path=os.path.join(HERE, "templates", "agreement.docx"),
            sample_terms=(
                AgreementTerm("被申请人黄丽娟赔偿申请人林晓明医疗费、误工费、财产损失共计人民币19300.50元", "银行转账", dt.date(2026, 12, 31)),
                AgreementTerm("中国平安财产保险股份有限公司汕尾中心支公司在交强险限额内先行赔付，余款由被申请人支付", "保险理赔", dt.date(2027, 1, 15)),
            ),
            suggested_terms=(
                AgreementTerm("被申请人赔偿申请人医疗费、误工费、护理费、交通费、财产损失共计人民币____元", "银行转账", None),
                AgreementTerm("保险公司在交强险及商业险责任限额内赔付的部分，由保险公司直接支付给申请人", "保险理赔", None),
            ),
        )
    ]


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
    """The 10-day windows of police mediation; lengths come from the dated settings.

    The police mediation period applies only to a case that went to police mediation, as the
    intake records it (the day the police took up the joint application) — never to the
    mediation here, which has its own period.
    """
    if case.dispute_type != CODE:
        return None
    rules = [
        DeadlineRule(
            code="traffic.police_mediation_application",
            label=_("Joint written application for police mediation"),
            setting_key=APPLICATION_DAYS,
            starts_from="intake.determination_date",
            # once the parties are in mediation here, the police window no longer matters
            finished_in=("mediation_accepted", "assigned", "scheduled", "in_mediation",
                         "agreement_reached", "mediation_failed", "judicial_confirmation", "performing"),
        ),
    ]
    if went_to_police_mediation(case):
        rules.append(DeadlineRule(
            code="traffic.police_mediation_period",
            label=_("Police mediation period"),
            setting_key=PERIOD_DAYS,
            starts_from="intake.police_mediation_on",
            # the police mediation is over once the case is mediated here or decided
            finished_in=("mediation_accepted", "assigned", "scheduled", "in_mediation", "agreement_reached",
                         "mediation_failed", "judicial_confirmation", "performing"),
        ))
    return rules


def went_to_police_mediation(case) -> bool:
    """True when the intake records the day the traffic police took up the parties' application."""
    return bool((getattr(case, "intake_data", None) or {}).get("police_mediation_on"))


@hookimpl
def diversion_advice(case):
    """What a clerk should know when screening a traffic case."""
    if case.dispute_type != CODE:
        return None
    data = case.intake_data or {}
    advice = []
    received = data.get("determination_date")
    if received:
        received = dt.date.fromisoformat(received)
        days = int(setting_value(APPLICATION_DAYS, on=received))
        if (today() - received).days > days:
            advice.append(
                Advice(
                    "traffic.police_window_passed",
                    _("More than %(days)s days since the accident determination: police mediation can no longer be requested; mediate here or go to court.", days=days),
                    severity="warning",
                    source="道路交通安全法实施条例 第94条",
                )
            )
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
