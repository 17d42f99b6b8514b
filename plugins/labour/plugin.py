"""Hook implementations of the labour plugin (entry point ``jiefen.plugins: labour``)."""
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
from plugins.labour import __version__
from plugins.labour.fields import CLAIM_FIELDS, LABOUR_FIELDS, SAMPLE

CODE = "labour"
HERE = os.path.dirname(os.path.abspath(__file__))
MEDIATION_DAYS = "labour.mediation_days"
LIMITATION_YEARS = "labour.arbitration_limitation_years"
LIMITATION_WARNING_DAYS = "labour.limitation_warning_days"

LAW = "劳动争议调解仲裁法"
MEDIATION_SOURCE = f"{LAW} 第14条"
ARBITRATION_FIRST_SOURCE = f"{LAW} 第5条"
LIMITATION_SOURCE = f"{LAW} 第27条"
PAYMENT_ORDER_SOURCE = f"{LAW} 第16条"
WAGE_IOU_SOURCE = "最高人民法院关于审理劳动争议案件适用法律问题的解释（一）（法释〔2020〕26号）第15条"
# Where a case may go to court before arbitration: the commission refused or did not decide.
ARBITRATION_PENDING_SOURCE = f"{LAW} 第5条、第29条"
WORK_INJURY_SOURCE = "工伤保险条例 第17条"
SOCIAL_INSURANCE_SOURCE = "社会保险法 第63条；法释〔2020〕26号 第1条第（五）项"

# Court-side states a labour dispute may not reach before arbitration.
COURT_STATES = ("litigation_screening",)


def _today() -> dt.date:
    """Today in China time, where every deadline is counted (the core's one clock)."""
    return today()


def _date(value):
    """An ISO date from the stored intake, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _only_wage_iou(data: dict) -> bool:
    """A worker suing on the employer's wage IOU alone, with no other labour claim."""
    others = [name for name in CLAIM_FIELDS if name != "claim_wage_arrears"]
    return bool(
        data.get("wage_iou")
        and data.get("claim_wage_arrears")
        and not any(data.get(name) for name in others)
        and not (data.get("claim_other") or "").strip()
    )


@hookimpl
def plugin_metadata():
    """Version and the core versions this plugin is written for."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes between workers and employers; arbitration comes before the court."),
    )


@hookimpl
def register_dispute_types():
    """The labour plugin owns one type."""
    return [
        DisputeType(
            code=CODE,
            label=_("Labour dispute"),
            description=_("Disputes between workers and employers over wages, overtime, termination, social insurance and work injuries."),
            category="labour",
            order=70,
        )
    ]


@hookimpl
def register_settings():
    """The mediation window, the arbitration limitation period and when to warn about it."""
    return [
        SettingDefault(
            MEDIATION_DAYS, 15, _("Days of mediation after which a party may apply for arbitration"),
            source=MEDIATION_SOURCE, unit="days",
        ),
        SettingDefault(
            LIMITATION_YEARS, 1, _("Limitation period for applying for labour arbitration"),
            source=LIMITATION_SOURCE, unit="years",
        ),
        SettingDefault(
            LIMITATION_WARNING_DAYS, 60,
            _("Days before the end of the arbitration limitation period to warn the clerk"),
            source=f"{LIMITATION_SOURCE}（提醒提前天数为本系统默认值，非法定期间，请确认）",
            unit="days", check=True,
        ),
    ]


@hookimpl
def intake_fields(dispute_type):
    """Employer, employment period, wage, claim items and where arbitration stands."""
    return list(LABOUR_FIELDS) if dispute_type == CODE else None


@hookimpl
def sample_intake(dispute_type):
    """A realistic labour dispute for demos and contract tests."""
    return dict(SAMPLE) if dispute_type == CODE else None


@hookimpl
def agreement_templates(dispute_type):
    """The mediation agreement of a labour dispute."""
    if dispute_type != CODE:
        return None
    return [
        AgreementTemplate(
            code="settlement",
            label=_("Labour dispute mediation agreement"),
            path=os.path.join(HERE, "templates", "agreement.docx"),
            sample_terms=(
                AgreementTerm("被申请人汕尾市城区某水产加工有限公司支付申请人林晓明2026年7月至8月拖欠工资人民币9600元及加班费人民币3000元，合计人民币12600元", "银行转账", dt.date(2026, 12, 10)),
                AgreementTerm("被申请人支付申请人解除劳动合同经济补偿人民币24000元", "银行转账", dt.date(2026, 12, 31)),
                AgreementTerm("被申请人为申请人出具解除劳动合同证明，并为申请人办理档案和社会保险关系转移手续", "书面证明、现场办理", dt.date(2026, 12, 15)),
            ),
            suggested_terms=(
                AgreementTerm("被申请人（用人单位）支付申请人（劳动者）____年__月至____年__月拖欠工资人民币____元", "银行转账", None),
                AgreementTerm("被申请人支付申请人解除（终止）劳动合同经济补偿人民币____元", "银行转账", None),
                AgreementTerm("被申请人为申请人出具解除（终止）劳动合同证明，并办理档案和社会保险关系转移手续", "书面证明", None),
            ),
        )
    ]


@hookimpl
def linkage_partners(dispute_type):
    """Who a labour dispute is usually worked on with."""
    if dispute_type != CODE:
        return None
    return [
        LinkagePartner(
            "arbitration-commission",
            _("Chengqu labour and personnel dispute arbitration commission"),
            description=_("Set up by the human-resources and social-security bureau; arbitration comes before the court."),
        ),
        LinkagePartner("hrss-bureau", _("Chengqu human-resources and social-security bureau")),
        LinkagePartner("trade-union", _("Chengqu federation of trade unions")),
        LinkagePartner("labour-inspection", _("Labour security inspection")),
    ]


@hookimpl
def deadlines(case):
    """The 15-day mediation window counted from the application; its length is a dated setting."""
    if case.dispute_type != CODE:
        return None
    return [
        DeadlineRule(
            code="labour.mediation_window",
            label=_("Mediation window before arbitration may be requested"),
            setting_key=MEDIATION_DAYS,
            starts_from="intake.mediation_applied_on",
        ),
    ]


@hookimpl
def diversion_advice(case):
    """What a clerk should know when screening a labour case: arbitration is the next step."""
    if case.dispute_type != CODE:
        return None
    data = case.intake_data or {}
    today = _today()
    applied = _date(data.get("mediation_applied_on"))
    days = int(setting_value(MEDIATION_DAYS, on=applied or today))
    advice = []
    if data.get("arbitration_started"):
        advice.append(
            Advice(
                "labour.arbitration_pending",
                _("Arbitration has started: the court takes the dispute only after the award, or when the arbitration commission refuses the application or does not decide on it in time."),
                source=ARBITRATION_PENDING_SOURCE,
            )
        )
    else:
        advice.append(
            Advice(
                "labour.arbitration_next",
                _("When mediation fails, or no agreement is reached within %(days)s days of the application, the next step is labour dispute arbitration, not the court.", days=days),
                source=f"{MEDIATION_SOURCE}、第5条",
            )
        )
        if applied and (today - applied).days > days:
            advice.append(
                Advice(
                    "labour.mediation_window_passed",
                    _("More than %(days)s days since the mediation application: unless an agreement has been reached, the party may now apply for labour arbitration.", days=days),
                    severity="warning",
                    source=MEDIATION_SOURCE,
                )
            )
        advice.extend(_limitation_advice(data, today))
    if _only_wage_iou(data):
        advice.append(
            Advice(
                "labour.wage_iou",
                _("The worker holds a wage IOU and claims nothing else: the court may hear it directly as an ordinary civil dispute."),
                source=WAGE_IOU_SOURCE,
            )
        )
    if data.get("claim_wage_arrears") or data.get("claim_compensation") or data.get("claim_work_injury"):
        advice.append(
            Advice(
                "labour.payment_order",
                _("If the employer does not pay agreed wages, work-injury medical costs, economic compensation or damages on time, the worker may apply to the court for a payment order with the mediation agreement."),
                source=PAYMENT_ORDER_SOURCE,
            )
        )
    if data.get("claim_work_injury"):
        advice.append(
            Advice(
                "labour.work_injury",
                _("Work-injury benefits need the injury recognised by the human-resources and social-security bureau first; check whether it has been applied for."),
                severity="warning",
                source=WORK_INJURY_SOURCE,
            )
        )
    if data.get("claim_social_insurance"):
        advice.append(
            Advice(
                "labour.social_insurance",
                _("Back payment of social insurance contributions is ordered by the collecting agency, not by arbitration or mediation; losses caused by the missing insurance are a labour dispute."),
                source=SOCIAL_INSURANCE_SOURCE,
            )
        )
    return advice


def _limitation_advice(data: dict, today: dt.date) -> list:
    """Danger when the one-year arbitration limitation has run out, warning when it is near."""
    ended = _date(data.get("employment_end"))
    if not ended or ended > today:
        return []
    years = int(setting_value(LIMITATION_YEARS, on=ended))
    expires = _add_years(ended, years)
    if today > expires:
        return [
            Advice(
                "labour.limitation_passed",
                _("The employment ended on %(end)s, more than %(years)s year(s) ago: the arbitration limitation period has probably run out unless it was interrupted or suspended.", end=ended.isoformat(), years=years),
                severity="danger",
                source=LIMITATION_SOURCE,
            )
        ]
    warn = int(setting_value(LIMITATION_WARNING_DAYS, on=today))
    if (expires - today).days <= warn:
        return [
            Advice(
                "labour.limitation_near",
                _("The arbitration limitation period counted from the end of the employment runs out on %(date)s: apply for arbitration in time if mediation does not succeed.", date=expires.isoformat()),
                severity="warning",
                source=LIMITATION_SOURCE,
            )
        ]
    return []


@hookimpl
def validate_transition(case, to_state):
    """A labour dispute goes to arbitration before the court (one exception: a wage IOU)."""
    if case.dispute_type != CODE:
        return None
    if to_state == "transferred" and getattr(case, "litigation_track", None) == "arbitration":
        return None  # arbitration is exactly where a failed labour mediation goes
    if to_state not in COURT_STATES and to_state != "transferred":
        return None
    data = case.intake_data or {}
    if data.get("arbitration_started") or _only_wage_iou(data):
        return None
    return _("A labour dispute goes to labour dispute arbitration before the court: record that arbitration has started first.")


@hookimpl
def register_views():
    """A list of labour cases under the Cases menu."""
    return [ViewSpec(name="cases", label=_("Labour disputes"), dispute_type=CODE, icon="fa-briefcase")]


@hookimpl
def translation_directories():
    """The plugin's own catalogues."""
    return [os.path.join(HERE, "translations")]
