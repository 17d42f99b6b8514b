"""The labour plugin (entry point ``jiefen.plugins: labour``): the labour type declared as data,
its advice rules, and its one behaviour — arbitration comes before the court."""
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
    WarningRule,
    _,
    hookimpl,
    intake_date,
    period_end,
    setting_value,
    today,
    years_period,
)
from plugins.labour import __version__
from plugins.labour.fields import CLAIM_FIELDS, LABOUR_FIELDS, SAMPLE

CODE = "labour"
HERE = os.path.dirname(os.path.abspath(__file__))
MEDIATION_DAYS = "labour.mediation_days"
LIMITATION_YEARS = "labour.arbitration_limitation_years"
LIMITATION_WARNING_DAYS = "labour.limitation_warning_days"
WAGE_ALERT_CASES = "labour.warning_wage_cases"
WAGE_ALERT_DAYS = "labour.warning_wage_days"
# Thresholds of the early warning: local choices, not statutes.
WARNING_SOURCE = "本系统预警阈值（非法定标准，由管理员结合本地欠薪纠纷情况确定并调整）"

LAW = "劳动争议调解仲裁法"
MEDIATION_SOURCE = f"{LAW} 第14条"
LIMITATION_SOURCE = f"{LAW} 第27条"
PAYMENT_ORDER_SOURCE = f"{LAW} 第16条"
WAGE_IOU_SOURCE = "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）（法释〔2020〕26号）第15条"
# Where a case may go to court before arbitration: the commission refused or did not decide.
ARBITRATION_PENDING_SOURCE = f"{LAW} 第5条、第29条"
WORK_INJURY_SOURCE = "工伤保险条例 第17条"
SOCIAL_INSURANCE_SOURCE = "社会保险法 第63条；法释〔2020〕26号 第1条第（五）项"

# Court-side states a labour dispute may not reach before arbitration.
COURT_STATES = ("litigation_screening",)


def _only_wage_iou(data) -> bool:
    """A worker suing on the employer's wage IOU alone, with no other labour claim."""
    others = [name for name in CLAIM_FIELDS if name != "claim_wage_arrears"]
    return bool(
        data.get("wage_iou")
        and data.get("claim_wage_arrears")
        and not any(data.get(name) for name in others)
        and not (data.get("claim_other") or "").strip()
    )


# The mediation window, the arbitration limitation period and when to warn about it.
SETTINGS = (
    SettingDefault(MEDIATION_DAYS, 15, _("Days of mediation after which a party may apply for arbitration"),
                   source=MEDIATION_SOURCE, unit="days"),
    SettingDefault(LIMITATION_YEARS, 1, _("Limitation period for applying for labour arbitration"),
                   source=LIMITATION_SOURCE, unit="years"),
    SettingDefault(LIMITATION_WARNING_DAYS, 60,
                   _("Days before the end of the arbitration limitation period to warn the clerk"),
                   source=f"{LIMITATION_SOURCE}（提醒提前天数为本系统默认值，非法定期间，请确认）",
                   unit="days", check=True),
    SettingDefault(WAGE_ALERT_CASES, 3,
                   _("Early warning: wage-arrears cases against one employer that raise an alert"),
                   source=WARNING_SOURCE, unit="cases"),
    SettingDefault(WAGE_ALERT_DAYS, 30,
                   _("Early warning: days in which wage-arrears cases against one employer are counted"),
                   source=WARNING_SOURCE, unit="days"),
)

# Several wage-arrears cases against one employer within a month: an employer in trouble, and
# the workers of a whole site may follow (the year-end wage screening's first signal). The
# employer is known by its credit code when the clerk entered one, else by its name.
EMPLOYER_WAGES = WarningRule(
    code="labour.employer_wages",
    label=_("Wage arrears against one employer"),
    dispute_type=CODE,
    group_by=("intake.employer_credit_code", "intake.employer"),
    shown_as="intake.employer",
    when=("claim_wage_arrears",),
    threshold_key=WAGE_ALERT_CASES,
    window_days_key=WAGE_ALERT_DAYS,
    message=_("%(count)s wage-arrears cases against %(subject)s in %(days)s days"),
)

TEMPLATES = (
    AgreementTemplate(
        code="settlement",
        label=_("Labour dispute mediation agreement"),
        path=os.path.join(HERE, "templates", "agreement.docx"),
        sample_terms=(
            AgreementTerm("被申请人汕尾市城区某水产加工有限公司支付申请人林晓明2026年7月至8月拖欠工资人民币9600元及加班费人民币3000元，合计人民币12600元", "银行转账", dt.date(2026, 12, 10), kind="money"),
            AgreementTerm("被申请人支付申请人解除劳动合同经济补偿人民币24000元", "银行转账", dt.date(2026, 12, 31), kind="money"),
            AgreementTerm("被申请人为申请人出具解除劳动合同证明，并为申请人办理档案和社会保险关系转移手续", "书面证明、现场办理", dt.date(2026, 12, 15), kind="property"),
        ),
        suggested_terms=(
            AgreementTerm("被申请人（用人单位）支付申请人（劳动者）____年__月至____年__月拖欠工资人民币____元", "银行转账", None, kind="money"),
            AgreementTerm("被申请人支付申请人解除（终止）劳动合同经济补偿人民币____元", "银行转账", None, kind="money"),
            AgreementTerm("被申请人为申请人出具解除（终止）劳动合同证明，并办理档案和社会保险关系转移手续", "书面证明", None, kind="property"),
        ),
    ),
)

# Who a labour dispute is usually worked on with; arbitration first.
PARTNERS = (
    LinkagePartner("arbitration-commission", _("Chengqu labour and personnel dispute arbitration commission"),
                   description=_("Set up by the human-resources and social-security bureau; arbitration comes before the court.")),
    LinkagePartner("hrss-bureau", _("Chengqu human-resources and social-security bureau")),
    LinkagePartner("trade-union", _("Chengqu federation of trade unions")),
    LinkagePartner("labour-inspection", _("Labour security inspection")),
)

# The 15-day mediation window counted from the application; its length is a dated setting.
DEADLINES = (
    DeadlineRule(
        code="labour.mediation_window",
        label=_("Mediation window before arbitration may be requested"),
        setting_key=MEDIATION_DAYS,
        starts_from="intake.mediation_applied_on",
    ),
)


def arbitration_advice(case):
    """Arbitration is the next step: pending once started; else after the mediation window,
    and before the arbitration limitation period runs out. The window's last day is the
    deadline ``labour.mediation_window``'s (:func:`~app.plugins.period_end`, holidays included)."""
    data = case.intake_data
    if data.get("arbitration_started"):
        return [Advice(
            "labour.arbitration_pending",
            _("Arbitration has started: the court takes the dispute only after the award, or when the arbitration commission refuses the application or does not decide on it in time."),
            source=ARBITRATION_PENDING_SOURCE,
        )]
    now = today()
    applied = intake_date(data.get("mediation_applied_on"))
    days = int(setting_value(MEDIATION_DAYS, on=applied or now))
    advice = [Advice(
        "labour.arbitration_next",
        _("When mediation fails, or no agreement is reached within %(days)s days of the application, the next step is labour dispute arbitration, not the court.", days=days),
        source=f"{MEDIATION_SOURCE}、第5条",
    )]
    ends = period_end(applied, days) if applied else None
    if ends and now > ends:
        advice.append(Advice(
            "labour.mediation_window_passed",
            _("The %(days)s days of mediation after the application ended on %(date)s: unless an agreement has been reached, the party may now apply for labour arbitration.",
              days=days, date=ends.isoformat()),
            severity="warning", source=MEDIATION_SOURCE,
        ))
    return advice + _limitation_advice(intake_date(data.get("employment_end")), now)


def _limitation_advice(ended, now: dt.date) -> list:
    """Danger when the one-year arbitration limitation counted from the end of the employment
    has run out, a warning when it is near."""
    if not ended or ended > now:
        return []
    period = years_period(ended, LIMITATION_YEARS, LIMITATION_WARNING_DAYS, now)
    if period.expired:
        return [Advice(
            "labour.limitation_passed",
            _("The employment ended on %(end)s, more than %(years)s year(s) ago: the arbitration limitation period has probably run out unless it was interrupted or suspended.", end=ended.isoformat(), years=period.years),
            severity="danger", source=LIMITATION_SOURCE,
        )]
    if period.near:
        return [Advice(
            "labour.limitation_near",
            _("The arbitration limitation period counted from the end of the employment runs out on %(date)s: apply for arbitration in time if mediation does not succeed.", date=period.ends.isoformat()),
            severity="warning", source=LIMITATION_SOURCE,
        )]
    return []


def claims_advice(case):
    """What the claims open: a wage IOU straight to court, a payment order, the work-injury
    recognition first, social insurance collected by the agency."""
    data = case.intake_data
    advice = []
    if _only_wage_iou(data):
        advice.append(Advice(
            "labour.wage_iou",
            _("The worker holds a wage IOU and claims nothing else: the court may hear it directly as an ordinary civil dispute."),
            source=WAGE_IOU_SOURCE,
        ))
    if data.get("claim_wage_arrears") or data.get("claim_compensation") or data.get("claim_work_injury"):
        advice.append(Advice(
            "labour.payment_order",
            _("If the employer does not pay agreed wages, work-injury medical costs, economic compensation or damages on time, the worker may apply to the court for a payment order with the mediation agreement."),
            source=PAYMENT_ORDER_SOURCE,
        ))
    if data.get("claim_work_injury"):
        advice.append(Advice(
            "labour.work_injury",
            _("Work-injury benefits need the injury recognised by the human-resources and social-security bureau first; check whether it has been applied for."),
            severity="warning", source=WORK_INJURY_SOURCE,
        ))
    if data.get("claim_social_insurance"):
        advice.append(Advice(
            "labour.social_insurance",
            _("Back payment of social insurance contributions is ordered by the collecting agency, not by arbitration or mediation; losses caused by the missing insurance are a labour dispute."),
            source=SOCIAL_INSURANCE_SOURCE,
        ))
    return advice


LABOUR = DisputeType(
    code=CODE,
    label=_("Labour dispute"),
    description=_("Disputes between workers and employers over wages, overtime, termination, social insurance and work injuries."),
    category="labour",
    order=70,
    fields=LABOUR_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=TEMPLATES,
    partners=PARTNERS,
    deadlines=DEADLINES,
    advice=(arbitration_advice, claims_advice),
    views=(ViewSpec(name="cases", label=_("Labour disputes"), icon="fa-briefcase"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its own catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes between workers and employers; arbitration comes before the court."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The labour plugin owns one type, declared above as data."""
    return [LABOUR]


@hookimpl
def warning_rules():
    """Several wage-arrears cases against one employer within a month."""
    return [EMPLOYER_WAGES]


@hookimpl
def validate_transition(case, to_state):
    """A labour dispute goes to arbitration before the court (one exception: a wage IOU)."""
    if to_state == "transferred" and case.litigation_track == "arbitration":
        return None  # arbitration is exactly where a failed labour mediation goes
    if to_state not in COURT_STATES and to_state != "transferred":
        return None
    if case.intake_data.get("arbitration_started") or _only_wage_iou(case.intake_data):
        return None
    return _("A labour dispute goes to labour dispute arbitration before the court: record that arbitration has started first.")
