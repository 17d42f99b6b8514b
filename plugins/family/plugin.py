"""The family plugin (entry point ``jiefen.plugins: family``).

The marriage-and-family type is declared as data (:data:`FAMILY`); the hooks add what the
law asks beyond it: the protection-order deadline a request starts, and no ordinary
mediation while domestic violence is reported.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from app.plugins import (AGE_OF_MAJORITY, Advice, AgreementTemplate, AgreementTerm, DeadlineRule, DisputeType, LinkagePartner,
                         PluginMetadata, SettingDefault, ViewSpec, _, hookimpl, intake_date, setting_decimal, today)
from plugins.family import __version__
from plugins.family.fields import FAMILY_FIELDS, SAMPLE

HERE = os.path.dirname(os.path.abspath(__file__))
SENSITIVE_MINOR_AGE = "family.sensitive_minor_age_years"
PROTECTION_ORDER_HOURS = "family.protection_order_hours"
PROTECTION_ORDER_URGENT_HOURS = "family.protection_order_urgent_hours"

# States in which a case is mediated as an ordinary dispute: refused while violence is reported.
MEDIATION_STATES = ("mediation_accepted",)

SETTINGS = (
    SettingDefault(SENSITIVE_MINOR_AGE, 14, _("Age below which a child's personal information is sensitive"),
                   source="个人信息保护法 第28条、第31条", unit="years"),
    SettingDefault(PROTECTION_ORDER_HOURS, 72, _("Hours for the court to decide a protection order"),
                   source="反家庭暴力法 第28条", unit="hours"),
    SettingDefault(PROTECTION_ORDER_URGENT_HOURS, 24, _("Hours for the court to decide an urgent protection order"),
                   source="反家庭暴力法 第28条", unit="hours"),
)

# Support, visits and property; never a divorce itself.
TEMPLATE = AgreementTemplate(
    code="family",
    label=_("Marriage and family mediation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("被申请人黄丽娟自2026年12月起每月10日前向申请人林晓明支付婚生子女林小雨、林小川抚养费共计人民币1500元，至子女年满十八周岁时止", "银行转账", dt.date(2026, 12, 10), "support"),
        AgreementTerm("被申请人黄丽娟向申请人林晓明一次性支付2026年6月至11月拖欠的抚养费人民币9000元", "银行转账", dt.date(2026, 12, 31), "support"),
        AgreementTerm("被申请人黄丽娟每月可探望子女两次，具体时间由双方提前三日协商确定，申请人林晓明应当予以协助", "双方协商", None, "custody"),
    ),
    suggested_terms=(
        # Custody and support are two terms of two kinds: a court confirms and enforces each.
        AgreementTerm("婚生子女____由____直接抚养", "双方协商", None, "custody"),
        AgreementTerm("____每月____日前支付婚生子女____抚养费人民币____元，至子女年满十八周岁时止", "银行转账", None, "support"),
        AgreementTerm("____每月可探望子女____次，具体时间由双方协商确定，直接抚养一方应当予以协助", "双方协商", None, "custody"),
        AgreementTerm("____每月____日前向____支付赡养费人民币____元", "银行转账", None, "support"),
    ),
)

PARTNERS = (
    LinkagePartner("womens-federation", _("Chengqu district women's federation"),
                   description=_("Rights of women and children; help with protection orders.")),
    LinkagePartner("civil-affairs", _("Chengqu district civil affairs bureau"),
                   description=_("Marriage registration, child welfare and assistance.")),
    LinkagePartner("community-committee", _("Community residents' committee"),
                   description=_("May apply for a protection order for a victim who cannot apply.")),
    LinkagePartner("youth-league", _("Chengqu district committee of the Communist Youth League"),
                   description=_("Protection of minors and youth services.")),
)


def violence_advice(case):
    """Domestic violence comes first: a protection order and the police, not ordinary mediation."""
    if not _flag(case.intake_data.get("domestic_violence")):
        return None
    return [Advice(
        "family.protection_order",
        _(
            "Domestic violence is reported: do not mediate this as an ordinary dispute. "
            "Tell the victim about the personal safety protection order: the court decides within "
            "%(hours)s hours of accepting the application, within %(urgent)s hours if urgent. "
            "Involve the police and the women's federation.",
            hours=int(setting_decimal(PROTECTION_ORDER_HOURS)),
            urgent=int(setting_decimal(PROTECTION_ORDER_URGENT_HOURS)),
        ),
        severity="danger",
        source="反家庭暴力法 第23条、第28条",
    )]


def minors_advice(case):
    """Minors' data is protected, and sensitive below a younger age."""
    on = today()
    children = [c for c in case.intake_data.get("children") or () if isinstance(c, Mapping)]
    births = [b for b in (intake_date(c.get("birth_date")) for c in children) if b]
    full_age = int(setting_decimal(AGE_OF_MAJORITY))
    minors = [b for b in births if _age(b, on) < full_age]
    if not minors:
        return None
    advice = [Advice(
        "family.minors_involved",
        _(
            "Minors are involved (%(count)s under %(age)s): their names and birth dates are protected "
            "personal data, never published or read out; settle custody, support and visits in the "
            "children's best interests.",
            count=len(minors), age=full_age,
        ),
        severity="warning",
        source="民法典 第17条；未成年人保护法 第4条",
    )]
    sensitive_age = int(setting_decimal(SENSITIVE_MINOR_AGE))
    young = [b for b in minors if _age(b, on) < sensitive_age]
    if young:
        advice.append(Advice(
            "family.minor_sensitive_data",
            _(
                "%(count)s of the children are under %(age)s: their personal information is sensitive; "
                "collect only what the case needs, with a guardian's consent.",
                count=len(young), age=sensitive_age,
            ),
            severity="warning",
            source="个人信息保护法 第28条、第31条",
        ))
    return advice


def personal_status_advice(case):
    """Every family case: what mediation here cannot settle, and where it goes instead."""
    return [Advice(
        "family.personal_status_excluded",
        _(
            "Personal-status matters (marriage, divorce, parentage, adoption) are excluded from judicial "
            "confirmation and from the small-claims procedure: a divorce goes to the marriage registry "
            "or to court, where it is mediated first. Support and property terms may be confirmed."
        ),
        severity="info",
        source="法释〔2011〕5号 第4条；民事诉讼法（2021年修正）第166条；民法典 第1079条",
    )]


FAMILY = DisputeType(
    code="family",
    label=_("Marriage and family"),
    description=_("Disputes between spouses, former spouses and relatives: property, support, children."),
    category="family",
    order=10,
    # Term by term, not the whole type: a court confirms support, custody and property
    # terms but not personal status (法释〔2011〕5号 第4条); small claims takes a support
    # claim (法〔2020〕11号 第5条) but no personal-status or custody matter (人身关系,
    # 民事诉讼法（2021年修正）第166条).
    confirmation_excluded_kinds=("personal_status",),
    small_claims_excluded_kinds=("personal_status", "custody"),
    fields=FAMILY_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=(TEMPLATE,),
    partners=PARTNERS,
    advice=(violence_advice, minors_advice, personal_status_advice),
    views=(ViewSpec(name="cases", label=_("Marriage and family disputes"), icon="fa-users"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Marriage, support, custody and other family disputes, with domestic-violence screening."),
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The family plugin owns one type."""
    return [FAMILY]


@hookimpl
def deadlines(case):
    """The court's time to decide a requested protection order: hours from the court's
    acceptance of the application (反家庭暴力法 第28条), which the staff record on the case."""
    data = case.intake_data
    if not _flag(data.get("protection_order_requested")):
        return []
    urgent = _flag(data.get("protection_order_urgent"))
    return [
        DeadlineRule(
            code="family.protection_order_decision",
            label=_("Court decision on the protection order"),
            setting_key=PROTECTION_ORDER_URGENT_HOURS if urgent else PROTECTION_ORDER_HOURS,
            starts_from="event.protection_order_accepted",
            waits_for=_("the court's acceptance of the protection-order application"),
        )
    ]


@hookimpl
def validate_transition(case, to_state):
    """No ordinary mediation of a family case while domestic violence is reported."""
    if to_state in MEDIATION_STATES and _flag(case.intake_data.get("domestic_violence")):
        return _(
            "Domestic violence is reported in this case, so it cannot be accepted for ordinary mediation: "
            "guide the victim to a personal safety protection order and the police first."
        )
    return None


def _flag(value) -> bool:
    """A ticked box as stored in the intake JSON."""
    return value is True or str(value).strip().lower() in ("true", "y", "yes", "1", "on")


def _age(birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
