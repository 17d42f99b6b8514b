"""The core's own rules, written as a plugin so they reach the deadline engine and the
screening advice by the same road as every dispute type's rules.

Registered by ``build_plugin_manager`` under the name ``core``: always enabled, owns no
dispute type. Every number is a dated setting declared here with its source (domain rules
1, 2, 5, 7 and 8); the engine in :mod:`app.lifecycle.deadlines` does the counting.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.agreements.kinds import CORE_SMALL_CLAIMS_EXCLUDED, kind_label, small_claims_excluded_kinds
from app.extensions import jiefen
from app.lifecycle.machine import TERMINAL
from app.plugins import (
    AGE_OF_MAJORITY,
    ORDINARY_LIMITATION,
    Advice,
    DeadlineRule,
    PluginMetadata,
    SettingDefault,
    TERM_KINDS,
    SettingMissing,
    _,
    hookimpl,
    setting_decimal,
)
from app.services.setting_labels import setting_label

PREFILING_DAYS = "core.prefiling_mediation_days"
COURT_ORDINARY_DAYS = "core.court_mediation_days_ordinary"
COURT_SIMPLIFIED_DAYS = "core.court_mediation_days_simplified"
COURT_EXTENSION_DAYS = "core.court_mediation_extension_days"
PREFILING_EXTENSION_DAYS = "core.prefiling_extension_days"
CONFIRMATION_DAYS = "core.judicial_confirmation_days"
CONFIRMATION_ACCEPTANCE_DAYS = "core.judicial_confirmation_acceptance_days"
CONFIRMATION_REVIEW_DAYS = "core.judicial_confirmation_review_days"
CONFIRMATION_FEE = "core.judicial_confirmation_fee"
SMALL_CLAIMS_WAGE = "core.small_claims_wage"
SMALL_CLAIMS_RATIO = "core.small_claims_ratio"
SMALL_CLAIMS_AGREED_RATIO = "core.small_claims_agreed_ratio"
DUE_SOON_DAYS = "core.due_soon_days"

PRE_FILING = "core.pre_filing_mediation"
# The law asks the committee to follow up performance (人民调解法 第31条) but sets no interval.
VISIT_SOURCE = "人民调解法 第31条（回访间隔非法定期间，由本院确定）"
COURT_MEDIATION = "core.court_mediation"
CONFIRMATION_APPLICATION = "core.confirmation_application"
CONFIRMATION_ACCEPTANCE = "core.confirmation_acceptance"
CONFIRMATION_REVIEW = "core.confirmation_review"

PREFILING_SOURCE = "最高人民法院关于人民法院特邀调解的规定（法释〔2016〕14号）；本院诉前调解工作规则"
FILING_FIRST_SOURCE = "最高人民法院关于严格依法规范民事案件立案与调解工作的意见（2024年12月27日印发，2025年1月1日起施行）第三条"
FILING_FIRST_FROM = dt.date(2025, 1, 1)
CONFIRMATION_SOURCE = "人民调解法 第33条；民事诉讼法 第201条（2021年修正文本，2023年修正文本条文序号请核对）"
ACCEPTANCE_SOURCE = "最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）"
ACCEPTANCE_FROM = dt.date(2011, 3, 30)
# The court decides within 15 days of accepting; the court's president may extend it by 10.
REVIEW_SOURCE = "最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）第6条（请核对）"
# People's mediation is free (人民调解法 第4条); so is the court's confirmation of its agreement.
FEE_SOURCE = ("法释〔2011〕5号 第11条（人民法院办理人民调解协议司法确认案件不收取费用，请核对）；"
              "诉讼费用交纳办法 第8条（特别程序案件不交纳案件受理费）；人民调解法 第4条")
SMALL_CLAIMS_SOURCE = "民事诉讼法 第165条（2021年修正文本，2023年修正文本条文序号请核对）"
# The 2021 amendment (in force 2022-01-01) raised the limit to 50 % and added the 200 % by agreement.
SMALL_CLAIMS_FROM = dt.date(2022, 1, 1)
WAGE_SOURCE = "广东省高级人民法院年度通知（上一年度广东省就业人员年平均工资）"
FAST_TRACK_SOURCE = "最高人民法院关于进一步推进案件繁简分流优化司法资源配置的若干意见（法发〔2016〕21号）"

# After these states a rule's period is over ("met"); a rule that never started by then
# never applied. Mediation ends with an agreement or a failure; the application period ends
# when the parties apply; the court's 3 days end when it acts (the case moves to performing).
_MEDIATION_OVER = frozenset(
    {"agreement_reached", "mediation_failed", "judicial_confirmation", "performing", "litigation_screening"}
) | TERMINAL
FINISHED_IN: dict[str, frozenset] = {
    PRE_FILING: _MEDIATION_OVER,
    COURT_MEDIATION: _MEDIATION_OVER,
    CONFIRMATION_APPLICATION: frozenset({"judicial_confirmation", "performing", "mediation_failed", "litigation_screening"})
    | TERMINAL,
    CONFIRMATION_ACCEPTANCE: frozenset({"performing", "mediation_failed", "litigation_screening"}) | TERMINAL,
    CONFIRMATION_REVIEW: frozenset({"performing", "mediation_failed", "litigation_screening"}) | TERMINAL,
}


@hookimpl
def plugin_metadata():
    """The core's own rules share the core's version."""
    from app import __version__

    return PluginMetadata(version=__version__, requires_core="", description=_("Rules of the core"))


@hookimpl
def register_settings():
    """Mediation periods, judicial confirmation, small-claims limits and the warning window;
    the evaluation's weights (app/reports/evaluation_weights.py); the early-warning thresholds
    (app/warnings/settings.py)."""
    from app.reports.evaluation_weights import evaluation_settings

    return evaluation_settings() + [
        SettingDefault(PREFILING_DAYS, 30, _("Days of pre-filing mediation outside the court"),
                       source=PREFILING_SOURCE, unit="days", check=True),
        SettingDefault(COURT_ORDINARY_DAYS, 15, _("Days of court-entrusted mediation (ordinary procedure)"),
                       source=FILING_FIRST_SOURCE, unit="days", valid_from=FILING_FIRST_FROM),
        SettingDefault(COURT_SIMPLIFIED_DAYS, 7, _("Days of court-entrusted mediation (simplified procedure)"),
                       source=FILING_FIRST_SOURCE, unit="days", valid_from=FILING_FIRST_FROM),
        SettingDefault(COURT_EXTENSION_DAYS, 30,
                       _("Days court-entrusted mediation may be extended when both parties agree"),
                       source=FILING_FIRST_SOURCE, unit="days", valid_from=FILING_FIRST_FROM),
        SettingDefault(PREFILING_EXTENSION_DAYS, 30,
                       _("Days pre-filing mediation may be extended at most, each time the parties agree"),
                       source=PREFILING_SOURCE, unit="days", check=True),
        SettingDefault(CONFIRMATION_DAYS, 30,
                       _("Days after the agreement takes effect to apply jointly for judicial confirmation"),
                       source=CONFIRMATION_SOURCE, unit="days", valid_from=dt.date(2011, 1, 1), check=True),
        SettingDefault(CONFIRMATION_ACCEPTANCE_DAYS, 3,
                       _("Days for the court to decide whether to accept a judicial-confirmation application"),
                       source=ACCEPTANCE_SOURCE, unit="days", valid_from=ACCEPTANCE_FROM, check=True),
        SettingDefault(CONFIRMATION_REVIEW_DAYS, 15,
                       _("Days for the court to decide on an accepted judicial-confirmation application"),
                       source=REVIEW_SOURCE, unit="days", valid_from=ACCEPTANCE_FROM, check=True),
        SettingDefault(CONFIRMATION_FEE, "0", _("Fee for judicial confirmation of a mediation agreement (0 = free)"),
                       source=FEE_SOURCE, unit="CNY", valid_from=ACCEPTANCE_FROM, check=True),
        # No reliable published figure is at hand: "0" means "not entered yet", and the
        # screening advice asks for it instead of computing limits from a guess.
        SettingDefault(SMALL_CLAIMS_WAGE, "0",
                       _("Guangdong's average annual wage of employed persons in the previous year "
                         "(the administrator must enter the figure the High Court publishes; 0 = not entered)"),
                       source=WAGE_SOURCE, unit="CNY", check=True),
        SettingDefault(SMALL_CLAIMS_RATIO, 50,
                       _("Small-claims limit, as a percentage of the average annual wage"),
                       source=SMALL_CLAIMS_SOURCE, unit="percent", valid_from=SMALL_CLAIMS_FROM, check=True),
        SettingDefault(SMALL_CLAIMS_AGREED_RATIO, 200,
                       _("Small-claims limit when both parties agree, as a percentage of the average annual wage"),
                       source=SMALL_CLAIMS_SOURCE, unit="percent", valid_from=SMALL_CLAIMS_FROM, check=True),
        SettingDefault(DUE_SOON_DAYS, 3, _("Days before a deadline from which it is shown as due soon"),
                       source="本系统默认值（提醒天数，非法定期间，由管理员确定）", unit="days", check=True),
        # One statute, one setting: the dispute types read these two (app.plugins.rules).
        SettingDefault(AGE_OF_MAJORITY, 18, _("Age of majority (parties younger are minors)"),
                       source="中华人民共和国民法典 第17条", unit="years"),
        SettingDefault(ORDINARY_LIMITATION, 3, _("Years of the ordinary limitation period"),
                       source="民法典 第188条（原民法总则 第188条，2017年10月1日起施行）", unit="years",
                       valid_from=dt.date(2017, 10, 1)),
        SettingDefault("core.return_visit_first_days", 7,
                       _("Days after the agreement takes effect to the first return visit when no term has a due date"),
                       source=VISIT_SOURCE, unit="days", check=True),
        SettingDefault("core.return_visit_after_days", 30, _("Days from the first return visit to the second"),
                       source=VISIT_SOURCE, unit="days", check=True),
        SettingDefault("core.return_visit_follow_up_days", 7,
                       _("Days after a visit that found terms unperformed to the follow-up visit"),
                       source=VISIT_SOURCE, unit="days", check=True),
    ] + _warning_settings()


def _warning_settings() -> list:
    # The early-warning thresholds (app/warnings/settings.py): local choices, not statutes.
    from app.warnings.settings import warning_settings

    return warning_settings()


@hookimpl
def deadlines(case):
    """The mediation period of the case's track and the judicial-confirmation periods."""
    rules = []
    if case.track == "pre_filing":
        # One rule for every type (domain rule 8: 30 days, extendable by agreement), counted from
        # its one start (domain-rules.md, "Counting periods"): the acceptance of the mediation,
        # when every party has consented. A type may replace it only with a reason in law.
        rules.append(DeadlineRule(PRE_FILING, _("Pre-filing mediation period"), PREFILING_DAYS,
                                  starts_from="mediation_accepted_on"))
    elif case.track == "court_entrusted":
        simplified = case.procedure == "simplified"
        rules.append(DeadlineRule(
            COURT_MEDIATION,
            _("Court-entrusted mediation period (simplified procedure)") if simplified
            else _("Court-entrusted mediation period (ordinary procedure)"),
            COURT_SIMPLIFIED_DAYS if simplified else COURT_ORDINARY_DAYS,
            # rule 7: from the mediator's receipt of the file, i.e. their acceptance of the offer
            starts_from="file_received_on",
        ))
    if case.track != "litigation":  # a case sent to litigation has no mediated agreement
        rules += [
            DeadlineRule(CONFIRMATION_APPLICATION, _("Joint application for judicial confirmation"),
                         CONFIRMATION_DAYS, starts_from="agreement_effective_on"),
            DeadlineRule(CONFIRMATION_ACCEPTANCE, _("Court's decision to accept the judicial-confirmation application"),
                         CONFIRMATION_ACCEPTANCE_DAYS, starts_from="confirmation_applied_on"),
            DeadlineRule(CONFIRMATION_REVIEW, _("Court's decision on the accepted judicial-confirmation application"),
                         CONFIRMATION_REVIEW_DAYS, starts_from="confirmation_accepted_on"),
        ]
    return rules


def _money(value: Decimal) -> str:
    return f"¥{value:,.2f}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")  # 50, not 5E+1


@hookimpl
def diversion_advice(case):
    """Small-claims eligibility from the wage figure, and fast-track suitability above it."""
    # A type the small-claims procedure does not take says so in its declaration (DisputeType).
    declared = jiefen().registry.dispute_types.get(case.dispute_type)
    if case.claim_amount is None or (declared and declared.excluded_from_small_claims):
        return None
    try:
        wage = setting_decimal(SMALL_CLAIMS_WAGE)
        ratio = setting_decimal(SMALL_CLAIMS_RATIO)
        agreed_ratio = setting_decimal(SMALL_CLAIMS_AGREED_RATIO)
    except SettingMissing:
        wage = Decimal(0)
    if wage <= 0:
        return [Advice(
            "core.small_claims_wage_missing",
            _("Small-claims limits cannot be worked out: an administrator must enter Guangdong's average "
              "annual wage of employed persons for the previous year (dated setting %(key)s).",
              key=setting_label(SMALL_CLAIMS_WAGE)),
            severity="warning",
            source=WAGE_SOURCE,
        )]
    amount = Decimal(case.claim_amount)
    limit = (wage * ratio / 100).quantize(Decimal("0.01"))
    agreed_limit = (wage * agreed_ratio / 100).quantize(Decimal("0.01"))
    exclusions = _("The system cannot tell whether the case is excluded: property-title disputes, "
                   "foreign-related cases, cases needing appraisal, a party whose whereabouts are unknown, "
                   "and counterclaims do not go to small claims.")
    # A type may keep some of its matters out (a family case's custody), not the whole type.
    extra = sorted(small_claims_excluded_kinds(case.dispute_type) - set(CORE_SMALL_CLAIMS_EXCLUDED),
                   key=TERM_KINDS.index)
    if extra:
        exclusions = _("%(general)s In a “%(type)s” dispute these matters do not go to small claims either: "
                       "%(kinds)s.", general=exclusions, type=jiefen().dispatcher.type_label(case.dispute_type),
                       kinds="、".join(kind_label(k) for k in extra))
    args = {"amount": _money(amount), "limit": _money(limit), "agreed": _money(agreed_limit),
            "ratio": _number(ratio), "agreed_ratio": _number(agreed_ratio), "exclusions": exclusions}
    advice = []
    if amount <= limit:
        advice.append(Advice(
            "core.small_claims",
            _("The claim (%(amount)s) is within %(ratio)s %% of the average annual wage (%(limit)s): if mediation "
              "fails, a simple money claim goes to the small-claims procedure (one instance only). %(exclusions)s",
              **args),
            source=SMALL_CLAIMS_SOURCE,
        ))
    elif amount <= agreed_limit:
        advice.append(Advice(
            "core.small_claims_by_agreement",
            _("The claim (%(amount)s) is above %(limit)s but within %(agreed_ratio)s %% of the average annual wage "
              "(%(agreed)s): the small-claims procedure applies only if both parties agree. %(exclusions)s", **args),
            source=SMALL_CLAIMS_SOURCE,
        ))
    if amount > limit:
        advice.append(Advice(
            "core.fast_track",
            _("The claim (%(amount)s) is above the small-claims limit (%(limit)s): if the facts are simple and "
              "the rights and duties clear, the case suits the fast-track trial.", **args),
            source=FAST_TRACK_SOURCE,
        ))
    return advice


@hookimpl
def register_linkage_mechanisms():
    """In-platform, signed webhook and e-mail: the mechanisms every deployment has."""
    from app.linkage.mechanisms import BUILTIN_MECHANISMS

    return list(BUILTIN_MECHANISMS)
