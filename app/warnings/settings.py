"""The dated thresholds of the core's warning rules.

They are local choices, not statutes: an administrator tunes them on the Dated settings page
(a new row from a day on), and a scan reads the value in force on the day it runs. Keys carry
the core's prefix (``core.``), as :mod:`app.plugins.checks` requires of every core setting.
"""
from __future__ import annotations

from app.plugins import SettingDefault, _

SPIKE_DAYS = "core.warning.spike.days"
SPIKE_FACTOR = "core.warning.spike.factor"
SPIKE_TRAILING_DAYS = "core.warning.spike.trailing_days"
SPIKE_MIN_CASES = "core.warning.spike.min_cases"
REPEAT_OPEN = "core.warning.repeat.open_cases"
REPEAT_12M = "core.warning.repeat.cases_12m"
GROUP_PARTIES = "core.warning.group.parties"
RESPONDENT_CASES = "core.warning.respondent.cases"
RESPONDENT_DAYS = "core.warning.respondent.days"
OVERDUE_MIN = "core.warning.overdue.min_cases"
REFERRAL_GRACE = "core.warning.referral.grace_days"

SOURCE = "本系统预警阈值（非法定标准，由管理员结合本地矛盾纠纷情况确定并调整）"


def warning_settings() -> list[SettingDefault]:
    """Every threshold of the core's rules, with its default and what it means."""
    return [
        SettingDefault(SPIKE_DAYS, 7, _("Early warning, spike: days counted back from today"),
                       source=SOURCE, unit="days"),
        SettingDefault(SPIKE_FACTOR, 2,
                       _("Early warning, spike: how many times the usual number of cases counts as a spike"),
                       source=SOURCE, unit="times"),
        SettingDefault(SPIKE_TRAILING_DAYS, 90,
                       _("Early warning, spike: days before those whose daily average is the usual number"),
                       source=SOURCE, unit="days"),
        SettingDefault(SPIKE_MIN_CASES, 5,
                       _("Early warning, spike: fewest cases of one type in one town or street that can be a spike"),
                       source=SOURCE, unit="cases"),
        SettingDefault(REPEAT_OPEN, 3, _("Early warning, repeat parties: open cases of one person"),
                       source=SOURCE, unit="cases"),
        SettingDefault(REPEAT_12M, 5, _("Early warning, repeat parties: cases of one person in twelve months"),
                       source=SOURCE, unit="cases"),
        SettingDefault(GROUP_PARTIES, 5, _("Early warning, group dispute: parties on one side of one open case"),
                       source=SOURCE, unit="parties"),
        SettingDefault(RESPONDENT_CASES, 5,
                       _("Early warning, group dispute: cases against one organisation within the days below"),
                       source=SOURCE, unit="cases"),
        SettingDefault(RESPONDENT_DAYS, 90,
                       _("Early warning, group dispute: days in which cases against one organisation are counted"),
                       source=SOURCE, unit="days"),
        SettingDefault(OVERDUE_MIN, 1,
                       _("Early warning, overdue cases: overdue cases in one town or street that raise an alert"),
                       source=SOURCE, unit="cases"),
        SettingDefault(REFERRAL_GRACE, 3,
                       _("Early warning, unanswered referrals: days after the due date before an alert"),
                       source=SOURCE, unit="days"),
    ]
