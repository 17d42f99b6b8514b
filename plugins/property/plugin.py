"""The property plugin (entry point ``jiefen.plugins: property``).

One dispute type, declared as data (:data:`PROPERTY`), covers property-service disputes and
commercial-housing (商品房) disputes; the ``subtype`` intake field tells them apart, and the
advice rules read it. The pre-filing mediation period is the core's.
"""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import (ORDINARY_LIMITATION, Advice, AgreementTemplate, AgreementTerm, DisputeType, LinkagePartner,
                         PluginMetadata, SettingDefault, ViewSpec, _, hookimpl, intake_date, intake_decimal, period_end,
                         setting_decimal, today)
from plugins.property import __version__
from plugins.property.fields import COMMERCIAL_HOUSING, ESTATE_FIELDS, SAMPLE

HERE = os.path.dirname(os.path.abspath(__file__))
LONG_ARREARS_MONTHS = "property.long_arrears_months"
GROUP_OWNERS = "property.group_dispute_owners"
RESCISSION_MONTHS = "property.delivery_rescission_months"
TITLE_CERTIFICATE_DAYS = "property.title_certificate_days"

HOUSING_INTERPRETATION = "最高人民法院关于审理商品房买卖合同纠纷案件适用法律若干问题的解释（法释〔2020〕17号修正）"


SETTINGS = (
    SettingDefault(
        LONG_ARREARS_MONTHS, 6, _("Months of fee arrears from which instalments are suggested"),
        source="调解工作参考值，无法定标准（物业费交纳义务见民法典 第944条）",
        unit="months", check=True,
    ),
    SettingDefault(
        GROUP_OWNERS, 10, _("Owners from which a dispute counts as having many parties"),
        source="最高人民法院关于适用《中华人民共和国民事诉讼法》的解释（法释〔2022〕11号）第75条",
        unit="persons", check=True,
    ),
    SettingDefault(RESCISSION_MONTHS, 3, _("Months after a demand before a buyer may rescind for late delivery"),
                   source=f"{HOUSING_INTERPRETATION} 第11条", unit="months", check=True),
    SettingDefault(TITLE_CERTIFICATE_DAYS, 90, _("Days after delivery for the buyer to obtain the title certificate"),
                   source=f"{HOUSING_INTERPRETATION} 第14条", unit="days", check=True),
)

TEMPLATE = AgreementTemplate(
    code="property",
    label=_("Property and housing mediation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("被申请人黄丽娟分两期支付所欠2025年1月至2026年9月物业服务费共计人民币4032元：2026年12月31日前支付2016元，2027年3月31日前支付余款2016元", "银行转账", dt.date(2027, 3, 31),
                      kind="money"),
        AgreementTerm("汕尾市海韵物业服务有限公司修复海韵花园地下车库渗水并完成3栋电梯维修检测，整改结果经业主委员会确认", "现场整改", dt.date(2026, 12, 31),
                      kind="property"),
        # A waiver and a settlement of the remaining claims: nothing is paid or done.
        AgreementTerm("申请人减免被申请人物业服务费滞纳金，双方就2026年9月前的物业服务费再无争议", "书面确认", dt.date(2026, 12, 31),
                      kind="other"),
    ),
    suggested_terms=(
        AgreementTerm("被申请人分____期支付____年__月至____年__月物业服务费共计人民币____元", "银行转账", None, kind="money"),
        AgreementTerm("物业服务企业于____年__月__日前整改____问题，整改结果经业主委员会（业主）确认", "现场整改", None, kind="property"),
        # The repair and the penalty were one term; each kind is its own term, so a court can
        # confirm and enforce each.
        AgreementTerm("开发企业于____年__月__日前维修____质量问题（或协助办理不动产权属证书）", "现场维修", None, kind="property"),
        AgreementTerm("开发企业向____支付逾期交房（逾期办证）违约金人民币____元", "银行转账", None, kind="money"),
    ),
)

PARTNERS = (
    LinkagePartner("housing-bureau", _("Chengqu district housing and urban-rural development bureau"),
                   description=_("Supervises property services, developers and housing sales.")),
    LinkagePartner("property-association", _("Shanwei property management association")),
    LinkagePartner("street-office", _("Street office")),
    LinkagePartner("community-committee", _("Community residents' committee"),
                   description=_("Guides owners' committees and estate affairs.")),
)


def group_advice(case):
    """Many owners with one complaint may be a group dispute; housing complaints usually are."""
    owners = _count(case.intake_data.get("owners_affected"))
    many = int(setting_decimal(GROUP_OWNERS))
    if owners >= many:
        return [Advice(
            "property.group_dispute",
            _(
                "%(count)s owners share this complaint (%(many)s or more are many parties): treat it as a "
                "possible group dispute, report it for risk assessment and work with the housing and "
                "construction bureau and the street office.",
                count=owners, many=many,
            ),
            severity="warning",
            source="最高人民法院关于适用《中华人民共和国民事诉讼法》的解释 第75条",
        )]
    if case.intake_data.get("subtype") == COMMERCIAL_HOUSING:
        return [Advice(
            "property.group_screening",
            _(
                "Commercial-housing complaints usually concern many buyers of the same project: ask "
                "whether other owners have the same complaint and screen for group-dispute risk."
            ),
        )]
    return None


def arrears_advice(case):
    """Long fee arrears: instalments, and the limitation period against the oldest months."""
    months = _count(case.intake_data.get("arrears_months"))
    advice = []
    if months >= int(setting_decimal(LONG_ARREARS_MONTHS)):
        advice.append(Advice(
            "property.instalments",
            _(
                "Fees owed for %(months)s months: suggest paying in instalments, together with the "
                "company fixing the service defects. The company may not cut water, power, heating or "
                "gas to collect fees.",
                months=months,
            ),
            source="民法典 第944条",
        ))
    years = int(setting_decimal(ORDINARY_LIMITATION))
    if months > years * 12:
        advice.append(Advice(
            "property.limitation",
            _(
                "Fees are claimed for more than %(years)s years: the owner may plead the limitation "
                "period against the oldest months.",
                years=years,
            ),
            severity="warning",
            source="民法典 第188条",
        ))
    return advice


def housing_advice(case):
    """The buyer's statutory remedies for late delivery and an overdue title certificate."""
    data = case.intake_data
    if data.get("subtype") != COMMERCIAL_HOUSING:
        return None
    on = today()
    issue = data.get("housing_issue")
    agreed, delivered = intake_date(data.get("agreed_delivery_date")), intake_date(data.get("delivered_on"))
    if issue == "late_delivery" and agreed and agreed < on and not delivered:
        return [Advice(
            "property.late_delivery",
            _(
                "The home is overdue and not handed over: if the developer still does not deliver "
                "%(months)s months after the buyer's demand, the buyer may rescind the contract unless "
                "it says otherwise. Check the contract's penalty for late delivery.",
                months=int(setting_decimal(RESCISSION_MONTHS)),
            ),
            severity="warning",
            source=f"{HOUSING_INTERPRETATION} 第11条",
        )]
    if issue != "title_certificate" or not delivered:
        return None
    # The length in force on delivery, and the last day the engine would give the period.
    days = int(setting_decimal(TITLE_CERTIFICATE_DAYS, on=delivered))
    if on > period_end(delivered, days):
        return [Advice(
            "property.title_certificate_overdue",
            _(
                "More than %(days)s days since delivery without a title certificate: unless the "
                "contract sets another time, the developer is liable for breach if the delay is its fault.",
                days=days,
            ),
            severity="warning",
            source=f"{HOUSING_INTERPRETATION} 第14条",
        )]
    return None


def _count(value) -> int:
    """A count from the intake; 0 when absent or unreadable."""
    return int(intake_decimal(value) or 0)


PROPERTY = DisputeType(
    code="property",
    label=_("Property management and housing"),
    description=_("Property-service fees and quality, and commercial-housing sales: defects, late delivery, title certificates."),
    category="contract",
    order=20,
    fields=ESTATE_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=(TEMPLATE,),
    partners=PARTNERS,
    advice=(group_advice, arrears_advice, housing_advice),
    views=(ViewSpec(name="cases", label=_("Property and housing disputes"), icon="fa-building"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Property-service and commercial-housing disputes between owners, property companies and developers."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The property plugin owns one type."""
    return [PROPERTY]
