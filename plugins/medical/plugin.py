"""The medical plugin (entry point ``jiefen.plugins: medical``).

The medical-dispute type is all data (:data:`MEDICAL`): its own mediation period, counted in
working days, stands in for the general pre-filing period, and its advice rules read the
appraisal answers of the intake.
"""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (Advice, AgreementTemplate, AgreementTerm, DeadlineRule, DisputeType, LinkagePartner,
                         PluginMetadata, SettingDefault, ViewSpec, _, hookimpl, intake_date, setting_value)
from plugins.medical import __version__
from plugins.medical.fields import MEDICAL_FIELDS, SAMPLE

HERE = os.path.dirname(os.path.abspath(__file__))
MEDIATION_DAYS = "medical.mediation_working_days"

# 医疗纠纷预防和处理条例（国务院令第701号）. The brief named arts. 33/34; the published text puts
# the 30-working-day period in art. 38 and the appraisal in art. 34 (check=True on the setting).
PERIOD_SOURCE = "医疗纠纷预防和处理条例 第38条"
APPRAISAL_SOURCE = "医疗纠纷预防和处理条例 第34条、第38条"
APPLICATION_SOURCE = "医疗纠纷预防和处理条例 第31条"
PRIVACY_SOURCE = "个人信息保护法 第28条"

TEMPLATE = AgreementTemplate(
    code="compensation",
    label=_("Medical dispute mediation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("被申请人汕尾市城区某医院一次性赔偿申请人林晓明医疗费、误工费、护理费、住院伙食补助费等各项损失共计人民币38600元", "银行转账", dt.date(2026, 12, 20),
                      kind="money"),
        AgreementTerm("医疗损害鉴定费人民币6000元由医患双方按鉴定意见确定的责任比例承担，被申请人承担70%即人民币4200元，与赔偿款一并支付", "银行转账", dt.date(2026, 12, 20),
                      kind="money"),
        # Acts, not payments: withdrawing the complaint, helping copy the records.
        AgreementTerm("申请人收到全部款项后撤回向汕尾市城区卫生健康局提出的投诉，被申请人协助申请人复印全部病历资料", "书面撤回、现场办理", dt.date(2026, 12, 31),
                      kind="property"),
    ),
    suggested_terms=(
        AgreementTerm("被申请人（医疗机构）一次性赔偿申请人医疗费、误工费、护理费、交通费、住院伙食补助费等各项损失共计人民币____元", "银行转账", None,
                      kind="money"),
        AgreementTerm("医疗损害鉴定费人民币____元由医患双方按鉴定意见确定的责任比例承担", "银行转账", None, kind="money"),
    ),
)

PARTNERS = (
    LinkagePartner("medical-mediation-committee", _("Medical dispute people's mediation committee"),
                   kind="mediation_committee"),
    LinkagePartner("health-bureau", _("Chengqu health bureau")),
    LinkagePartner("liability-insurers", _("Medical liability insurers")),
    LinkagePartner(
        "medical-appraisal",
        _("Medical association or forensic appraisal institution"),
        description=_("Medical-damage appraisal commissioned jointly by both sides or, with their consent, by the mediation committee."),
    ),
)

# Mediation finishes within 30 working days of acceptance (the length is a dated setting). On
# the pre-filing track it stands in for the general 30 calendar days (one period, not two that
# disagree); the court track counts the court's period.
MEDIATION_PERIOD = DeadlineRule(
    code="medical.mediation_period",
    label=_("Medical people's mediation period (appraisal time not counted)"),
    setting_key=MEDIATION_DAYS,
    starts_from="mediation_accepted_on",
    working_days=True,
    replaces="core.pre_filing_mediation",
    reason=("医疗纠纷人民调解自受理之日起30个工作日内完成，鉴定时间不计入调解期限"
            "（医疗纠纷预防和处理条例 第38条）：以工作日计且扣除鉴定时间，不同于一般诉前调解的30日"),
    tracks=("pre_filing",),
)


def every_case_advice(case):
    """Every medical case holds health data, and its people's mediation needs both sides."""
    return [
        Advice(
            "medical.sensitive_health_data",
            _("This case holds health data, which is sensitive personal information: show it only to those handling the case and never publish it."),
            source=PRIVACY_SOURCE,
        ),
        Advice(
            "medical.both_sides_apply",
            _("People's mediation of a medical dispute needs both sides: when only one side applied, mediate after the other side agrees."),
            source=APPLICATION_SOURCE,
        ),
    ]


def appraisal_advice(case):
    """How to leave the appraisal's time out of the mediation period, and that someone must
    apply for the appraisal.

    The engine leaves the time out only when the staff suspend the period on the deadline page
    (reason "appraisal"); the dates entered at intake change nothing. The case a plugin sees
    (:class:`~app.plugins.CaseView`) does not say whether a suspension has been recorded, so the
    advice is given whenever the intake reports an appraisal, and says "unless recorded".
    """
    data = case.intake_data
    if not data.get("appraisal_needed"):
        return None
    days = int(setting_value(MEDIATION_DAYS))
    applied, done = intake_date(data.get("appraisal_applied_on")), intake_date(data.get("appraisal_done_on"))
    if applied and done:
        message = _(
            "The intake records a medical-damage appraisal from %(start)s to %(end)s, but these dates do not change the %(days)s working days of mediation. If the appraisal overlaps the mediation and is not recorded yet, record it on the deadline page: suspend the medical mediation period from %(start)s (or from the start of mediation, if later) with the reason “Appraisal or assessment”, and resume it on %(end)s.",
            start=applied.isoformat(), end=done.isoformat(), days=days,
        )
    elif applied:
        message = _(
            "The intake records a medical-damage appraisal applied for on %(start)s, but this date does not change the %(days)s working days of mediation. If the appraisal overlaps the mediation and is not recorded yet, record it on the deadline page: suspend the medical mediation period from %(start)s (or from the start of mediation, if later) with the reason “Appraisal or assessment”, and resume it on the day the appraisal opinion is received.",
            start=applied.isoformat(), days=days,
        )
    else:
        message = _(
            "A medical-damage appraisal is needed. Its time is left out of the %(days)s working days of mediation only when it is recorded on the deadline page: on the day it is applied for, suspend the medical mediation period with the reason “Appraisal or assessment”, and resume it on the day the appraisal opinion is received.",
            days=days,
        )
    advice = [Advice("medical.record_appraisal_suspension", message, severity="warning", source=APPRAISAL_SOURCE)]
    if data.get("appraisal_status") in (None, "", "not_started"):
        advice.append(Advice(
            "medical.appraisal_not_started",
            _("The appraisal has not been applied for: both sides commission a medical association or a forensic appraisal institution jointly, or agree that the mediation committee does."),
            severity="warning",
            source="医疗纠纷预防和处理条例 第34条",
        ))
    return advice


MEDICAL = DisputeType(
    code="medical",
    label=_("Medical dispute"),
    description=_("Disputes between patients and medical institutions arising from diagnosis and treatment."),
    category="tort",
    order=60,
    fields=MEDICAL_FIELDS,
    sample=SAMPLE,
    settings=(SettingDefault(MEDIATION_DAYS, 30, _("Working days to finish medical people's mediation"),
                             source=PERIOD_SOURCE, unit="working days", check=True),),
    templates=(TEMPLATE,),
    partners=PARTNERS,
    deadlines=(MEDIATION_PERIOD,),
    advice=(every_case_advice, appraisal_advice),
    views=(ViewSpec(name="cases", label=_("Medical disputes"), icon="fa-user-md"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes between patients and medical institutions over diagnosis and treatment."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The medical plugin owns one type."""
    return [MEDICAL]
