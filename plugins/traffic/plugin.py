"""The traffic plugin (entry point ``jiefen.plugins: traffic``), the reference plugin.

The traffic-accident type is declared as data (:data:`TRAFFIC`); the one hook left is the
police mediation period, which only a case that went to police mediation has, starting from
the event its accident's consequence names.
"""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (Advice, AgreementTemplate, AgreementTerm, DeadlineRule, DisputeType, LinkagePartner,
                         PluginMetadata, SettingDefault, ViewSpec, _, hookimpl, intake_date, period_end, setting_value,
                         today)
from plugins.traffic import __version__
from plugins.traffic.fields import SAMPLE, TRAFFIC_FIELDS

HERE = os.path.dirname(os.path.abspath(__file__))
APPLICATION_DAYS = "traffic.police_mediation_application_days"
PERIOD_DAYS = "traffic.police_mediation_period_days"
# Once the parties are in mediation here (or past it), the police mediation no longer matters.
MEDIATED_HERE = ("mediation_accepted", "assigned", "scheduled", "in_mediation", "agreement_reached",
                 "mediation_failed", "judicial_confirmation", "performing")

APPLICATION_SOURCE = "道路交通安全法实施条例 第94条"

SETTINGS = (
    SettingDefault(APPLICATION_DAYS, 10, _("Days to apply jointly for police mediation"),
                   source=APPLICATION_SOURCE, unit="days", check=True),
    SettingDefault(PERIOD_DAYS, 10, _("Days the police mediation lasts"),
                   source="道路交通安全法实施条例 第95条", unit="days", check=True),
)

TEMPLATE = AgreementTemplate(
    code="compensation",
    label=_("Traffic accident compensation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("被申请人黄丽娟赔偿申请人林晓明医疗费、误工费、财产损失共计人民币19300.50元", "银行转账", dt.date(2026, 12, 31),
                      kind="money"),
        AgreementTerm("中国平安财产保险股份有限公司汕尾中心支公司在交强险限额内先行赔付，余款由被申请人支付", "保险理赔", dt.date(2027, 1, 15),
                      kind="money"),
    ),
    suggested_terms=(
        AgreementTerm("被申请人赔偿申请人医疗费、误工费、护理费、交通费、财产损失共计人民币____元", "银行转账", None, kind="money"),
        AgreementTerm("保险公司在交强险及商业险责任限额内赔付的部分，由保险公司直接支付给申请人", "保险理赔", None, kind="money"),
    ),
)

PARTNERS = (
    LinkagePartner("police-brigade", _("Chengqu traffic police brigade")),
    LinkagePartner("insurers", _("Motor insurers")),
    LinkagePartner("accident-committee", _("Road traffic accident people's mediation committee"),
                   kind="mediation_committee"),
    LinkagePartner("forensic-appraisal", _("Forensic appraisal institution")),
)

# The 10-day window to apply jointly for police mediation, from the accident determination.
APPLICATION_WINDOW = DeadlineRule(
    code="traffic.police_mediation_application",
    label=_("Joint written application for police mediation"),
    setting_key=APPLICATION_DAYS,
    starts_from="intake.determination_date",
    finished_in=MEDIATED_HERE,
    # The window is met on the day the police took up the joint application.
    met_on="intake.police_mediation_on",
)


@hookimpl
def deadlines(case):
    """The police mediation period, for a case that went to police mediation only.

    The intake records that it did (the day the police took up the joint application); the
    period never applies to the mediation here, which has its own. It starts from the event its
    consequence names (:func:`police_mediation_start`), which the staff record on the case.
    """
    if not went_to_police_mediation(case):
        return []
    start, waits_for = police_mediation_start(case)
    return [DeadlineRule(
        code="traffic.police_mediation_period",
        label=_("Police mediation period"),
        setting_key=PERIOD_DAYS,
        starts_from=start,
        waits_for=waits_for,
        finished_in=MEDIATED_HERE,
    )]


# Police mediation starts after the funeral (death), at the end of treatment (injury), on the
# disability rating (disability) or when the loss is determined (property only): 道路交通安全法
# 实施条例 第94条; 道路交通事故处理程序规定 (公安部令第146号) — article numbers to be checked
# (domain-rules.md, traffic). With several consequences the gravest one's event starts it.
POLICE_MEDIATION_STARTS = {
    "death": ("event.funeral_ended", _("the end of the funeral arrangements")),
    "disability": ("event.disability_rated", _("the disability rating")),
    "injury": ("event.treatment_ended", _("the end of treatment")),
    "property": ("event.loss_determined", _("the determination of the property loss")),
}


def accident_consequence(data: dict) -> str:
    """The gravest consequence the intake records: death, disability, injury or property."""
    def count(name):
        try:
            return int(data.get(name) or 0)
        except (TypeError, ValueError):
            return 0

    if count("death_count") > 0:
        return "death"
    if data.get("disability_rating") not in (None, "", "none"):
        return "disability"
    if count("injured_count") > 0:
        return "injury"
    return "property"


def police_mediation_start(case) -> tuple:
    """``(start event, what it waits for)`` of the police mediation period of ``case``."""
    return POLICE_MEDIATION_STARTS[accident_consequence(getattr(case, "intake_data", None) or {})]


def went_to_police_mediation(case) -> bool:
    """True when the intake records the day the traffic police took up the parties' application."""
    return bool((getattr(case, "intake_data", None) or {}).get("police_mediation_on"))


def police_window_advice(case):
    """The window to apply jointly for police mediation: open until its last day, then only
    mediation here or the court is left.

    Its last day is the deadline ``traffic.police_mediation_application``'s, counted by the
    engine (:func:`~app.plugins.period_end`: a last day on a holiday moves to the next working
    day), so the advice never contradicts the deadline on the same page. Once the police took up
    the application, or the parties mediate here, the window no longer matters.
    """
    received = intake_date(case.intake_data.get("determination_date"))
    if not received or went_to_police_mediation(case):
        return None
    days = int(setting_value(APPLICATION_DAYS, on=received))
    ends = period_end(received, days)
    if today() > ends:
        return [Advice(
            "traffic.police_window_passed",
            _("The %(days)s days to apply for police mediation after the accident determination ended on %(date)s: police mediation can no longer be requested; mediate here or go to court.",
              days=days, date=ends.isoformat()),
            severity="warning",
            source=f"{APPLICATION_SOURCE}；民法典 第203条",
        )]
    if case.status in MEDIATED_HERE:
        return None
    return [Advice(
        "traffic.police_window_open",
        _("Police mediation is still possible until %(date)s: within %(days)s days of the accident determination both parties may apply for it jointly in writing.",
          days=days, date=ends.isoformat()),
        source=f"{APPLICATION_SOURCE}；民法典 第203条",
    )]


def insurer_advice(case):
    """Insurers pay most compensation, so they belong at the table."""
    if any((v or {}).get("insurer") for v in case.intake_data.get("vehicles") or ()):
        return [Advice("traffic.insurer_party", _("Invite the insurers to the mediation: they pay most compensation."))]
    return None


def appraisal_advice(case):
    """Losses of a death or a disability are appraised before they are mediated."""
    if accident_consequence(case.intake_data) in ("death", "disability"):
        return [Advice("traffic.appraisal", _("Death or disability: make sure the losses are appraised before mediating."),
                       severity="warning")]
    return None


TRAFFIC = DisputeType(
    code="traffic",
    label=_("Traffic accident"),
    description=_("Compensation disputes after a road traffic accident."),
    category="tort",
    order=30,
    fields=TRAFFIC_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=(TEMPLATE,),
    partners=PARTNERS,
    deadlines=(APPLICATION_WINDOW,),
    advice=(police_window_advice, insurer_advice, appraisal_advice),
    views=(ViewSpec(name="cases", label=_("Traffic accident disputes"), icon="fa-car"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Compensation disputes after road traffic accidents."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The traffic plugin owns one type."""
    return [TRAFFIC]
