"""The land-and-forest plugin (entry point ``jiefen.plugins: land_forest``).

The type is one declaration, :data:`LAND_FOREST`; the only hooks are the plugin's metadata,
the declaration itself, and the deadline rules that depend on what the intake says. From the
core this module imports only ``app.plugins``, the plugin API.
"""
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
    court_day,
    hookimpl,
    setting_value,
    today,
)
from jiefen_land_forest import __version__
from jiefen_land_forest.fields import LAND_FOREST_FIELDS, SAMPLE, TITLE_KINDS

CODE = "land_forest"
HERE = os.path.dirname(os.path.abspath(__file__))

# -- settings: every number with its legal source --------------------------------------------
SUIT_DAYS = "land_forest.suit_after_decision_days"
ARBITRATION_YEARS = "land_forest.contract_arbitration_years"
SURVEY_DAYS = "land_forest.site_survey_working_days"
LAND_LAW = "土地管理法 第14条（2019年修正）"
FOREST_LAW = "森林法 第22条（2019年修订）"
CONTRACT_LAW = "农村土地承包经营纠纷调解仲裁法"

SETTINGS = (
    SettingDefault(SUIT_DAYS, 30, _("Days to sue after receiving the people's government's decision on a "
                                    "land or forest title dispute"),
                   source=f"{LAND_LAW}；{FOREST_LAW}", unit="days"),
    SettingDefault(ARBITRATION_YEARS, 2, _("Years within which a rural land-contract dispute may be taken "
                                           "to arbitration"),
                   source=f"{CONTRACT_LAW} 第18条", unit="years", valid_from=dt.date(2010, 1, 1)),
    SettingDefault(SURVEY_DAYS, 10, _("Working days from the acceptance of mediation to the joint site "
                                      "survey of the disputed parcel"),
                   source="本院工作规则（现场踏勘期限，非法定期间，由本院确定）", unit="working days", check=True),
)

# -- deadlines ---------------------------------------------------------------------------------
# Every mediated case: walk the boundaries with the village and the township before the
# first session (a period of this court's own, so it is a dated setting marked for checking).
# It is met once mediation starts, or ends otherwise (the case's end always finishes a rule).
SITE_SURVEY = DeadlineRule(
    "land_forest.site_survey", _("Joint site survey of the disputed parcel"), SURVEY_DAYS,
    starts_from="mediation_accepted_on",
    finished_in=("in_mediation", "agreement_reached", "mediation_failed", "litigation_screening", "referred"),
    tracks=("pre_filing", "court_entrusted"),
)


@hookimpl
def deadlines(case):
    """The periods that depend on the intake: 30 days to sue once the government has decided,
    and the arbitration period of a land-contract dispute."""
    rules = []
    if case.intake_data.get("government_handled"):
        rules.append(DeadlineRule(
            "land_forest.suit_after_decision", _("Suit against the people's government's decision"),
            SUIT_DAYS, starts_from="intake.decision_received_on",
            finished_in=("litigation_screening",),
        ))
    if case.intake_data.get("dispute_kind") == "contract" and case.intake_data.get("known_since"):
        rules.append(DeadlineRule(
            "land_forest.contract_arbitration", _("Application for land-contract arbitration"),
            ARBITRATION_YEARS, starts_from="intake.known_since",
        ))
    return rules


# -- screening advice: each rule reads the read-only case and returns advice or None ----------
def _law(data) -> str:
    """Forests have their own statute; every other land the Land Administration Law."""
    return FOREST_LAW if data.get("resource_kind") == "woodland" else LAND_LAW


def government_first(case):
    """A title dispute the government has not handled goes to the government, not the court."""
    data = case.intake_data
    if data.get("dispute_kind") not in TITLE_KINDS or data.get("government_handled"):
        return None
    return [Advice(
        "land_forest.government_first",
        _("Who owns or may use land or forest is decided first by the people's government (the township "
          "or county government; between two organisations, the county government or above), not by the "
          "court: refer the parties to the township government or the natural-resources or forestry "
          "department. Mediation may still help them agree."),
        severity="warning", source=_law(data),
    )]


def suit_window(case):
    """Once the government has decided, a party who disagrees has a fixed time to sue."""
    data = case.intake_data
    received = data.get("decision_received_on")
    if not (data.get("government_handled") and received):
        return None
    days = setting_value(SUIT_DAYS, on=dt.date.fromisoformat(received))
    return [Advice(
        "land_forest.suit_window",
        _("The people's government has decided the dispute (decision received on %(day)s): a party who "
          "disagrees may sue within %(days)s days of receiving it; after that the decision stands.",
          day=received, days=days),
        severity="warning", source=_law(data),
    )]


def keep_status_quo(case):
    """While title is in dispute, nobody changes the land or fells the trees."""
    data = case.intake_data
    if data.get("dispute_kind") not in TITLE_KINDS:
        return None
    if data.get("resource_kind") == "woodland":
        message = _("Until the dispute is settled neither party may fell the disputed trees or change the "
                    "woodland, except for fire prevention, pest control or major state infrastructure.")
    else:
        message = _("Until the dispute is settled neither party may change how the disputed land is used.")
    return [Advice("land_forest.status_quo", message, source=_law(data))]


def contract_route(case):
    """A land-contract dispute: mediation, then arbitration or the court, as the parties choose."""
    if case.intake_data.get("dispute_kind") != "contract":
        return None
    # The law in force on the day of registration, China's day: at 02:00 on 1 October in Shanwei
    # the stored (UTC) timestamp still reads 30 September.
    registered = court_day(case.created_at) if case.created_at else today()
    return [Advice(
        "land_forest.contract_route",
        _("A rural land-contract dispute may be mediated by the villagers' committee or the township "
          "government; failing that, a party may apply to the rural land-contract arbitration committee "
          "within %(years)s years of learning of the infringement, or sue directly.",
          years=setting_value(ARBITRATION_YEARS, on=registered)),
        source=f"{CONTRACT_LAW} 第3条、第4条、第18条",
    )]


# -- partners and the agreement ----------------------------------------------------------------
PARTNERS = (
    LinkagePartner("township-government", _("Township people's government"),
                   description=_("Decides title disputes between individuals, and between individuals "
                                 "and organisations.")),
    LinkagePartner("natural-resources-bureau", _("Natural-resources bureau (land title disputes)")),
    LinkagePartner("forestry-bureau", _("Forestry bureau (forest and woodland title disputes)")),
)

AGREEMENT = AgreementTemplate(
    code="land_forest",
    label=_("Land and forest dispute mediation agreement"),
    path=os.path.join(HERE, "templates", "agreement.docx"),
    sample_terms=(
        AgreementTerm("双方确认争议林地以牛角岭山脊分水线为界，界线以东12.5亩林地由申请人黄志强经营，界线以西由被申请人陈伟明经营",
                      "红草镇人民政府、三和村民委员会现场见证，设立界桩", dt.date(2026, 12, 20), kind="title"),
        AgreementTerm("被申请人陈伟明赔偿申请人黄志强被砍伐桉树损失人民币8000元", "银行转账", dt.date(2026, 12, 31),
                      kind="money"),
        AgreementTerm("双方共同向不动产登记机构申请办理林权变更登记", "共同申请，村民委员会协助",
                      dt.date(2027, 1, 31), kind="property"),
    ),
    # No due dates here: the mediator sets them for each case.
    suggested_terms=(
        AgreementTerm("双方确认争议地块以____为界，界线以____的____亩由____使用", "乡（镇）人民政府、村民委员会现场见证，设立界桩",
                      None, kind="title"),
        AgreementTerm("____赔偿____林木（青苗）损失人民币____元", "银行转账", None, kind="money"),
        # An undertaking to refrain from acts: an act, not a title.
        AgreementTerm("争议解决前，双方均不砍伐有争议的林木，不改变土地利用现状", "", None, kind="property"),
    ),
)

# -- the declaration -----------------------------------------------------------------------------
LAND_FOREST = DisputeType(
    code=CODE,
    label=_("Land and forest title dispute"),
    description=_("Disputes over who owns or may use land, forests and hills, where their boundaries "
                  "run, and rural land contracts."),
    category="property",
    order=90,
    # A title dispute is a property-title case: the small-claims procedure does not take it.
    excluded_from_small_claims=True,
    fields=LAND_FOREST_FIELDS,
    sample=SAMPLE,
    settings=SETTINGS,
    templates=(AGREEMENT,),
    partners=PARTNERS,
    deadlines=(SITE_SURVEY,),
    advice=(government_first, suit_window, keep_status_quo, contract_route),
    views=(ViewSpec(name="cases", label=_("Land and forest disputes"), icon="fa-tree"),),
)


@hookimpl
def plugin_metadata():
    """Version, the core versions this plugin is written for, and its catalogues."""
    return PluginMetadata(
        version=__version__,
        requires_core=">=0.1,<0.2",
        description=_("Disputes over the ownership and use of land, forests and hills."),
        author="Jiefen example",
        translations=os.path.join(HERE, "translations"),
    )


@hookimpl
def register_dispute_types():
    """The plugin owns one type, declared as data."""
    return [LAND_FOREST]
