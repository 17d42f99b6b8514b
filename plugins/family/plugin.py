"""Hook implementations of the family plugin (entry point ``jiefen.plugins: family``)."""
from __future__ import annotations

import datetime as dt
import os

from app.plugins import today as _china_today
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
    setting_decimal,
)
from plugins.family import __version__
from plugins.family.fields import FAMILY_FIELDS, SAMPLE

CODE = "family"
HERE = os.path.dirname(os.path.abspath(__file__))
FULL_AGE = "family.full_age_years"
SENSITIVE_MINOR_AGE = "family.sensitive_minor_age_years"
PROTECTION_ORDER_HOURS = "family.protection_order_hours"
PROTECTION_ORDER_URGENT_HOURS = "family.protection_order_urgent_hours"

# States in which a case is mediated as an ordinary dispute: refused while violence is reported.
MEDIATION_STATES = ("mediation_accepted",)


@hookimpl
def plugin_metadata():
    """Version and the core versions this plugin is written for."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Marriage, support, custody and other family disputes, with domestic-violence screening."),
    )


@hookimpl
def register_dispute_types():
    """The family plugin owns one type."""
    return [
        DisputeType(
            code=CODE,
            label=_("Marriage and family"),
            description=_("Disputes between spouses, former spouses and relatives: property, support, children."),
            category="family",
            order=10,
            # 法释〔2011〕5号 第4条; 民事诉讼法（2021年修正）第166条: personal-status matters.
            excluded_from_judicial_confirmation=True,
            excluded_from_small_claims=True,
        )
    ]


@hookimpl
def register_settings():
    """Full age, the age below which a child's data is sensitive, and the protection-order times."""
    return [
        SettingDefault(
            FULL_AGE, 18, _("Age of full civil capacity (adulthood)"),
            source="民法典 第17条", unit="years",
        ),
        SettingDefault(
            SENSITIVE_MINOR_AGE, 14, _("Age below which a child's personal information is sensitive"),
            source="个人信息保护法 第28条、第31条", unit="years",
        ),
        SettingDefault(
            PROTECTION_ORDER_HOURS, 72, _("Hours for the court to decide a protection order"),
            source="反家庭暴力法 第28条", unit="hours",
        ),
        SettingDefault(
            PROTECTION_ORDER_URGENT_HOURS, 24, _("Hours for the court to decide an urgent protection order"),
            source="反家庭暴力法 第28条", unit="hours",
        ),
    ]


@hookimpl
def intake_fields(dispute_type):
    """Relationship, marriage, children, property, support and domestic violence."""
    return list(FAMILY_FIELDS) if dispute_type == CODE else None


@hookimpl
def sample_intake(dispute_type):
    """A realistic post-divorce child-support dispute for demos and contract tests."""
    return dict(SAMPLE) if dispute_type == CODE else None


@hookimpl
def agreement_templates(dispute_type):
    """The family mediation agreement (support, visits, property; never a divorce itself)."""
    if dispute_type != CODE:
        return None
    return [
        AgreementTemplate(
            code="family",
            label=_("Marriage and family mediation agreement"),
            path=os.path.join(HERE, "templates", "agreement.docx"),
            sample_terms=(
                AgreementTerm("被申请人黄丽娟自2026年12月起每月10日前向申请人林晓明支付婚生子女林小雨、林小川抚养费共计人民币1500元，至子女年满十八周岁时止", "银行转账", dt.date(2026, 12, 10)),
                AgreementTerm("被申请人黄丽娟向申请人林晓明一次性支付2026年6月至11月拖欠的抚养费人民币9000元", "银行转账", dt.date(2026, 12, 31)),
                AgreementTerm("被申请人黄丽娟每月可探望子女两次，具体时间由双方提前三日协商确定，申请人林晓明应当予以协助", "双方协商", None),
            ),
            suggested_terms=(
                AgreementTerm("婚生子女____由____直接抚养，____每月____日前支付抚养费人民币____元，至子女年满十八周岁时止", "银行转账", None),
                AgreementTerm("____每月可探望子女____次，具体时间由双方协商确定，直接抚养一方应当予以协助", "双方协商", None),
                AgreementTerm("____每月____日前向____支付赡养费人民币____元", "银行转账", None),
            ),
        )
    ]


@hookimpl
def linkage_partners(dispute_type):
    """Who a family dispute is usually worked on with."""
    if dispute_type != CODE:
        return None
    return [
        LinkagePartner("womens-federation", _("Chengqu district women's federation"),
                       description=_("Rights of women and children; help with protection orders.")),
        LinkagePartner("civil-affairs", _("Chengqu district civil affairs bureau"),
                       description=_("Marriage registration, child welfare and assistance.")),
        LinkagePartner("community-committee", _("Community residents' committee"),
                       description=_("May apply for a protection order for a victim who cannot apply.")),
        LinkagePartner("youth-league", _("Chengqu district committee of the Communist Youth League"),
                       description=_("Protection of minors and youth services.")),
    ]


@hookimpl
def deadlines(case):
    """The court's time to decide a requested protection order (hours, from registration)."""
    if case.dispute_type != CODE:
        return None
    data = case.intake_data or {}
    if not _flag(data.get("protection_order_requested")):
        return []
    urgent = _flag(data.get("protection_order_urgent"))
    return [
        DeadlineRule(
            code="family.protection_order_decision",
            label=_("Court decision on the protection order"),
            setting_key=PROTECTION_ORDER_URGENT_HOURS if urgent else PROTECTION_ORDER_HOURS,
            starts_from="created_at",
        )
    ]


@hookimpl
def diversion_advice(case):
    """Domestic violence first, then minors, then what mediation cannot settle."""
    if case.dispute_type != CODE:
        return None
    data = case.intake_data or {}
    advice = []
    if _flag(data.get("domestic_violence")):
        advice.append(
            Advice(
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
            )
        )
    today = _china_today()
    births = [_birth_date(child) for child in data.get("children") or [] if isinstance(child, dict)]
    births = [b for b in births if b]
    full_age = int(setting_decimal(FULL_AGE))
    minors = [b for b in births if _age(b, today) < full_age]
    if minors:
        advice.append(
            Advice(
                "family.minors_involved",
                _(
                    "Minors are involved (%(count)s under %(age)s): their names and birth dates are protected "
                    "personal data, never published or read out; settle custody, support and visits in the "
                    "children's best interests.",
                    count=len(minors), age=full_age,
                ),
                severity="warning",
                source="民法典 第17条；未成年人保护法 第4条",
            )
        )
        sensitive_age = int(setting_decimal(SENSITIVE_MINOR_AGE))
        young = [b for b in minors if _age(b, today) < sensitive_age]
        if young:
            advice.append(
                Advice(
                    "family.minor_sensitive_data",
                    _(
                        "%(count)s of the children are under %(age)s: their personal information is sensitive; "
                        "collect only what the case needs, with a guardian's consent.",
                        count=len(young), age=sensitive_age,
                    ),
                    severity="warning",
                    source="个人信息保护法 第28条、第31条",
                )
            )
    advice.append(
        Advice(
            "family.personal_status_excluded",
            _(
                "Personal-status matters (marriage, divorce, parentage, adoption) are excluded from judicial "
                "confirmation and from the small-claims procedure: a divorce goes to the marriage registry "
                "or to court, where it is mediated first. Support and property terms may be confirmed."
            ),
            severity="info",
            source="法释〔2011〕5号 第4条；民事诉讼法（2021年修正）第166条；民法典 第1079条",
        )
    )
    return advice


@hookimpl
def validate_transition(case, to_state):
    """No ordinary mediation of a family case while domestic violence is reported."""
    if case.dispute_type != CODE or to_state not in MEDIATION_STATES:
        return None
    if _flag((case.intake_data or {}).get("domestic_violence")):
        return _(
            "Domestic violence is reported in this case, so it cannot be accepted for ordinary mediation: "
            "guide the victim to a personal safety protection order and the police first."
        )
    return None


@hookimpl
def register_views():
    """A list of family cases under the Cases menu."""
    return [ViewSpec(name="cases", label=_("Marriage and family disputes"), dispute_type=CODE, icon="fa-users")]


@hookimpl
def translation_directories():
    """The plugin's own catalogues."""
    return [os.path.join(HERE, "translations")]


def _flag(value) -> bool:
    """A ticked box as stored in the intake JSON."""
    return value is True or str(value).strip().lower() in ("true", "y", "yes", "1", "on")


def _birth_date(child: dict):
    try:
        return dt.date.fromisoformat(str(child.get("birth_date") or ""))
    except ValueError:
        return None


def _age(birth: dt.date, on: dt.date) -> int:
    """Completed years on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
