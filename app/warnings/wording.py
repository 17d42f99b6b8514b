"""An alert as people read it: the rule's name, a title built from the figures, and the figures
with their labels — all in the reader's language, at the moment it is read.

Nothing language-bound is stored: an alert keeps its rule's code and its figures
(``details``), so a Chinese reader and an English one see the same alert in their language,
and a changed translation changes every alert.
"""
from __future__ import annotations

from typing import Any, Optional

from flask_babel import gettext, lazy_gettext as _l

from app.services.classification import mask_person_name
from app.extensions import jiefen
from app.models.warning import ALERT_LEVELS, ALERT_STATUS

CORE_RULES = {
    "core.spike": _l("Spike of one dispute type in a town or street"),
    "core.repeat_party": _l("Repeat party"),
    "core.group_parties": _l("Group dispute: many parties on one side"),
    "core.respondent": _l("Group dispute: many cases against one organisation"),
    "core.sensitive_period": _l("Sensitive period"),
    "core.overdue": _l("Cases overdue"),
    "core.referral_unanswered": _l("Referrals unanswered"),
}
# What each rule watches, shown on the alert's page under its name.
CORE_EXPLANATIONS = {
    "core.spike": _l("Cases of one type registered in one town or street over the last days, compared with the "
                     "usual daily number of the months before (dated settings of early warning)."),
    "core.repeat_party": _l("The same person (by ID number, else name and mobile) in several open cases, or in "
                            "many cases within twelve months."),
    "core.group_parties": _l("An open case with many parties on one side: a group dispute in the making."),
    "core.respondent": _l("Many recent cases against the same organisation (by credit code, else name), such as "
                          "one property company or one employer."),
    "core.sensitive_period": _l("During a sensitive period an administrator defined, the open high-risk cases and "
                                "open group disputes of the area."),
    "core.overdue": _l("Open cases with a deadline overdue, as the case page counts it."),
    "core.referral_unanswered": _l("Referrals the partner has not answered some days after their due date."),
}
SIDE_LABELS = {"applicant": _l("applicants"), "respondent": _l("respondents")}
# Tag colours (jf-tag-…, docs ui.md): a notice blue, a warning orange, a serious alert red;
# open needs attention (orange), acknowledged is being handled (blue), resolved is done (green).
LEVEL_STYLES = {"notice": "blue", "warning": "orange", "serious": "red"}
STATUS_STYLES = {"open": "orange", "acknowledged": "blue", "resolved": "green"}

# The figures shown on an alert's page, in this order, with their labels.
FIGURES = [
    ("count", _l("Number of cases")),
    ("days", _l("Days counted")),
    ("threshold", _l("Threshold")),
    ("min_cases", _l("Fewest cases for a spike")),
    ("expected", _l("Usual number over the days counted")),
    ("average", _l("Usual cases per day")),
    ("factor", _l("Spike factor")),
    ("trailing_days", _l("Days of the usual average")),
    ("trailing_count", _l("Cases in those days")),
    ("open_cases", _l("Open cases")),
    ("open_threshold", _l("Threshold of open cases")),
    ("cases_12m", _l("Cases in twelve months")),
    ("threshold_12m", _l("Threshold of cases in twelve months")),
    ("applicants", _l("Applicants")),
    ("respondents", _l("Respondents")),
    ("credit_code", _l("Unified social credit code")),
    ("high_risk", _l("Open high-risk cases")),
    ("group_disputes", _l("Open group disputes")),
    ("group_threshold", _l("Parties on one side that make a group dispute")),
    ("grace_days", _l("Days allowed after the due date")),
    ("oldest_due", _l("Earliest due date")),
    ("examined", _l("Open cases examined")),
]


def declared_rule(code: str):
    """The :class:`~app.plugins.types.WarningRule` a loaded plugin declared under ``code``."""
    for _plugin, rule in jiefen().registry.warning_rules:
        if rule.code == code:
            return rule
    return None


def rule_label(code: str) -> str:
    """The rule's name in the reader's language (its code when no loaded plugin declares it)."""
    if code in CORE_RULES:
        return str(CORE_RULES[code])
    rule = declared_rule(code)
    return str(rule.label) if rule is not None else gettext("A rule of a plugin that is not installed")


def rule_explanation(code: str) -> str:
    """What the rule watches, in a sentence (empty for a plugin's rule: its name says it)."""
    return str(CORE_EXPLANATIONS.get(code, ""))


def rule_choices() -> list[tuple[str, str]]:
    """``(code, name)`` of every rule a scan runs now: the core's and the enabled plugins'."""
    plugin_rules = [(r.code, str(r.label)) for _p, r in jiefen().dispatcher.warning_rules()]
    return [(code, str(label)) for code, label in CORE_RULES.items()] + plugin_rules


def level_label(level: str) -> str:
    """How serious, in the reader's language."""
    return str(ALERT_LEVELS.get(level, level))


def status_label(status: str) -> str:
    """Open, acknowledged or resolved, in the reader's language."""
    return str(ALERT_STATUS.get(status, status))


def _area_name(alert) -> str:
    return alert.area.name if alert.area is not None else gettext("the whole district")


def _int(details: dict, key: str) -> Any:
    value = details.get(key)
    return value if value is not None else "—"


def alert_title(alert) -> str:
    """The alert's title: the rule's wording filled with its figures, in the reader's language."""
    d = dict(alert.details or {})
    code = alert.rule
    if code == "core.spike":
        return gettext("%(type)s in %(area)s: %(count)s cases in the last %(days)s days, above %(factor)s × the usual "
                       "%(expected)s", type=jiefen().dispatcher.type_label(d.get("dispute_type", "")),
                       area=_area_name(alert), count=_int(d, "count"), days=_int(d, "days"),
                       factor=_int(d, "factor"), expected=_int(d, "expected"))
    if code == "core.repeat_party":
        return gettext("%(name)s is a party to %(open)s open cases and to %(recent)s cases in twelve months",
                       name=mask_person_name(d.get("name")) or "—", open=_int(d, "open_cases"), recent=_int(d, "cases_12m"))
    if code == "core.group_parties":
        return gettext("Case %(case_no)s has %(count)s %(side)s", case_no=d.get("case_no") or "—",
                       count=_int(d, "count"), side=SIDE_LABELS.get(d.get("side"), SIDE_LABELS["applicant"]))
    if code == "core.respondent":
        return gettext("%(count)s cases in %(days)s days against %(respondent)s", count=_int(d, "count"),
                       days=_int(d, "days"), respondent=d.get("respondent") or "—")
    if code == "core.sensitive_period":
        return gettext("%(period)s: %(high)s open high-risk cases and %(group)s open group disputes in %(area)s",
                       period=d.get("period") or "—", high=_int(d, "high_risk"), group=_int(d, "group_disputes"),
                       area=_area_name(alert))
    if code == "core.overdue":
        return gettext("Overdue open cases in %(area)s: %(count)s", count=_int(d, "count"), area=_area_name(alert))
    if code == "core.referral_unanswered":
        partner = alert.organization.name if alert.organization is not None else d.get("partner") or "—"
        return gettext("%(count)s referrals to %(partner)s unanswered more than %(grace)s days after their due date",
                       count=_int(d, "count"), partner=partner, grace=_int(d, "grace_days"))
    return _declared_title(code, d)


def _declared_title(code: str, details: dict) -> str:
    rule = declared_rule(code)
    figures = {"subject": details.get("subject") or "—", "count": _int(details, "count"),
               "days": _int(details, "days"), "threshold": _int(details, "threshold")}
    if rule is None:  # the plugin is no longer installed: say what is known
        return gettext("%(subject)s: %(count)s cases (a rule of a plugin that is not installed)", **figures)
    try:
        return str(rule.message) % figures
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return f"{rule.label}: {figures['subject']}"


def figures(alert) -> list[tuple[str, Any]]:
    """``(label, value)`` of the alert's figures, in a fixed order (only those it has)."""
    d = dict(alert.details or {})
    out = []
    for key, label in FIGURES:
        value = d.get(key)
        if value is None or value == "":
            continue
        out.append((str(label), value))
    return out


def observed(alert) -> bool:
    """False once a scan no longer saw the situation (the alert stays until people resolve it)."""
    return (alert.details or {}).get("observed", True) is not False


def area_label(alert) -> Optional[str]:
    """The area the alert belongs to, or the whole district."""
    return _area_name(alert)
