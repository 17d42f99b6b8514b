"""The debt plugin (entry point ``jiefen.plugins: debt``): the debt type declared as data, and
its advice rules — the limitation period, the private-lending interest cap, small claims."""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (
    ORDINARY_LIMITATION,
    Advice,
    AgreementTemplate,
    AgreementTerm,
    DisputeType,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
    _,
    format_money,
    format_multiple,
    hookimpl,
    intake_date,
    intake_decimal,
    setting_decimal,
    today,
    years_period,
)
from plugins.debt import __version__
from plugins.debt.fields import DEBT_FIELDS, SAMPLE

CODE = "debt"
HERE = os.path.dirname(os.path.abspath(__file__))

LIMITATION_WARNING_DAYS = "debt.limitation_warning_days"
LPR_MULTIPLE = "debt.lpr_multiple"
LPR_1Y = "debt.lpr_1y"

LIMITATION_SOURCE = "民法典 第188条"
CAP_SOURCE = "最高人民法院关于审理民间借贷案件适用法律若干问题的规定（法释〔2020〕17号）第25条"

# The limitation warning and the private-lending interest cap (the pre-filing period and the
# limitation period's length are the core's: one statute, one setting).
SETTINGS = (
    SettingDefault(LIMITATION_WARNING_DAYS, 90, _("Days before the end of the limitation period to warn"),
                   source="本院工作规则（预警期，非法定期间，由管理员确定）", unit="days", check=True),
    SettingDefault(LPR_MULTIPLE, 4, _("Multiple of the one-year LPR above which agreed interest is not protected"),
                   source=CAP_SOURCE, unit="times", valid_from=dt.date(2020, 8, 20)),
    SettingDefault(LPR_1Y, "3.0", _("One-year loan prime rate (LPR)"),
                   source="中国人民银行授权全国银行间同业拆借中心公布贷款市场报价利率（LPR）公告（2025年5月20日）",
                   unit="percent", valid_from=dt.date(2025, 5, 20), check=True),
)

TEMPLATES = (
    AgreementTemplate(
        code="repayment",
        label=_("Debt repayment agreement"),
        path=os.path.join(HERE, "templates", "agreement.docx"),
        sample_terms=(
            AgreementTerm("被申请人黄丽娟向申请人林晓明偿还借款本金人民币80000元", "银行转账，分两期支付：2026年12月31日前支付40000元，2027年3月31日前支付40000元", dt.date(2027, 3, 31), kind="money"),
            AgreementTerm("被申请人黄丽娟向申请人林晓明支付利息人民币6000元，申请人放弃其余利息请求", "银行转账", dt.date(2026, 12, 31), kind="money"),
            AgreementTerm("担保人陈志强对上述借款本金及利息承担连带清偿责任", "连带保证", dt.date(2027, 3, 31), kind="money"),
        ),
        suggested_terms=(
            AgreementTerm("被申请人向申请人偿还借款本金人民币____元", "银行转账", None, kind="money"),
            AgreementTerm("被申请人向申请人支付利息人民币____元（年利率不超过合同成立时一年期贷款市场报价利率四倍）", "银行转账", None, kind="money"),
            AgreementTerm("被申请人逾期未按期足额支付任何一期款项的，申请人有权就全部未付款项申请强制执行", "", None, kind="money"),
        ),
    ),
)

# Who a debt dispute is usually worked on with.
PARTNERS = (
    LinkagePartner("banks", _("Banks")),
    LinkagePartner("financial-mediation", _("Financial dispute mediation centre"),
                   description=_("Mediates disputes with banks, insurers and other financial institutions.")),
    LinkagePartner("notary", _("Notary office"),
                   description=_("Can notarise a repayment agreement as enforceable (Notarization Law art. 37).")),
)


def limitation_advice(case):
    """The limitation period counted from the day the creditor knew of the harm (else the due
    date): danger once it has ended, a warning while it ends within the warning window."""
    data = case.intake_data
    start = intake_date(data.get("knew_of_harm_on")) or intake_date(data.get("due_date"))
    if not start:
        return []
    try:
        period = years_period(start, ORDINARY_LIMITATION, LIMITATION_WARNING_DAYS, today())
    except LookupError:
        return [Advice(
            "debt.limitation_unknown",
            _("No limitation period is recorded for a claim harmed on %(start)s: earlier law may apply, "
              "check the period by hand.", start=start.isoformat()),
            severity="warning", source=LIMITATION_SOURCE,
        )]
    if period.expired:
        return [Advice(
            "debt.limitation_expired",
            _("The %(years)s-year limitation period counted from %(start)s ended on %(ends)s, unless it was "
              "interrupted or suspended: the debtor may refuse to pay, but may still agree to pay in mediation.",
              years=period.years, start=start.isoformat(), ends=period.ends.isoformat()),
            severity="danger", source="民法典 第188条、第192条",
        )]
    if period.near:
        return [Advice(
            "debt.limitation_near",
            _("The %(years)s-year limitation period ends on %(ends)s, in %(days)s days: a written demand, the "
              "debtor's acknowledgement or an application for mediation interrupts it.",
              years=period.years, ends=period.ends.isoformat(), days=period.days_left),
            severity="warning", source="民法典 第188条、第195条",
        )]
    return []


def interest_advice(case):
    """Agreed interest above the private-lending cap in force on the contract day (4 × the
    one-year LPR); a loan from a financial institution is not held to it."""
    data = case.intake_data
    if data.get("lender_kind") == "financial":
        return [Advice(
            "debt.financial_lender",
            _("A loan from a financial institution: the private-lending interest cap does not apply; "
              "consider the financial dispute mediation centre."),
            source="最高人民法院关于审理民间借贷案件适用法律若干问题的规定 第1条",
        )]
    rate = intake_decimal(data.get("interest_rate"))
    made = intake_date(data.get("contract_date"))
    if rate is None or made is None:
        return []
    try:
        times = setting_decimal(LPR_MULTIPLE, on=made)
    except LookupError:
        return [Advice(
            "debt.cap_transitional",
            _("The LPR-based interest cap was not yet in force on %(date)s, when the loan was made: interest "
              "until the cap took effect follows the rules of the time, later interest the cap at filing.",
              date=made.isoformat()),
            severity="warning", source="最高人民法院关于审理民间借贷案件适用法律若干问题的规定 第31条",
        )]
    try:
        lpr = setting_decimal(LPR_1Y, on=made)
    except LookupError:
        return [Advice(
            "debt.lpr_missing",
            _("No one-year LPR is recorded for %(date)s: an administrator must add the rate in force on that "
              "day before the interest cap can be checked.", date=made.isoformat()),
            severity="warning", source=CAP_SOURCE,
        )]
    cap = times * lpr
    if rate <= cap:
        return []
    principal = intake_decimal(data.get("principal"))
    return [Advice(
        "debt.interest_above_cap",
        _("The agreed rate of %(rate)s%% a year is above %(multiple)s × the one-year LPR of %(lpr)s%% in force "
          "on %(date)s, i.e. %(cap)s%% a year (%(yearly)s CNY a year on this principal): interest above the "
          "cap is not protected.",
          rate=f"{rate:.2f}", multiple=format_multiple(times), lpr=f"{lpr:.2f}", date=made.isoformat(),
          cap=f"{cap:.2f}", yearly=format_money(principal * cap / 100) if principal is not None else "—"),
        severity="warning", source=CAP_SOURCE,
    )]


def small_claims_advice(case):
    """Every debt is a money claim: the small-claims procedure may follow a failed mediation."""
    return [Advice(
        "debt.small_claims",
        _("A money claim: if mediation fails and the amount is small, the small-claims procedure "
          "(one hearing, final) may apply."),
        source="民事诉讼法 第165条",
    )]


DEBT = DisputeType(
    code=CODE,
    label=_("Debt"),
    description=_("Disputes over unpaid debts and private loans."),
    category="contract",
    order=40,
    fields=DEBT_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=TEMPLATES,
    partners=PARTNERS,
    advice=(limitation_advice, interest_advice, small_claims_advice),
    views=(ViewSpec(name="cases", label=_("Debt disputes"), icon="fa-money"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its own catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Debt and private-lending disputes."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The debt plugin owns one type, declared above as data."""
    return [DEBT]
