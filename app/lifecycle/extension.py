"""Extending a mediation period when the parties agree (domain rules 7 and 8).

- Court-entrusted mediation: **once**, by the dated setting ``core.court_mediation_extension_days``
  (30 days; SPC opinion of 2024-12-27, art. 3).
- Pre-filing mediation (and a plugin's own period replacing it): by agreement, each time at most
  ``core.prefiling_extension_days`` (特邀调解规定 art. 25: extendable with both parties' consent).

Both parties (every applicant and respondent) must have agreed — recorded as consent on
"extension" — after the period's last extension; the period must still be running (an expired
period goes to trial, rule 7). The extension is a timeline entry that the deadline engine adds
to the period (:func:`app.lifecycle.deadlines.extensions_of`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db, jiefen
from app.lifecycle.core_rules import COURT_EXTENSION_DAYS, COURT_MEDIATION, PRE_FILING, PREFILING_EXTENSION_DAYS
from app.lifecycle.deadline_facts import EXTENDED
from app.lifecycle.deadlines import case_deadlines
from app.lifecycle.outcome import check_version
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, record
from app.models.case import Case
from app.models.lifecycle import Consent, TimelineEvent
from app.models.types import utcnow
from app.services.setting_labels import setting_label
from app.services.settings import SettingMissing, court_day, court_zone, setting_int

SUBJECT = "extension"
AGREEING_ROLES = ("applicant", "respondent")
# Mediation is under way (or about to be): the period can still be extended.
RUNNING_STATES = ("mediation_accepted", "assigned", "scheduled", "in_mediation")
LIMITS = {COURT_MEDIATION: COURT_EXTENSION_DAYS, PRE_FILING: PREFILING_EXTENSION_DAYS}
ONCE = {COURT_MEDIATION}


@dataclass
class ExtensionTerms:
    """Whether and how the case's mediation period may be extended now."""

    rule_code: str = ""
    label: object = ""
    due: Optional[dt.date] = None
    max_days: int = 0
    fixed: bool = False  # the law sets the length (court-entrusted): no choice of days
    extended_before: int = 0
    waiting_for: list = field(default_factory=list)  # parties whose agreement is not recorded
    problems: list = field(default_factory=list)

    @property
    def possible(self) -> bool:
        """True when an extension may be recorded now."""
        return not self.problems and not self.waiting_for


def _period(case: Case):
    """``(rule code, the core rule it counts as, its Deadline)`` of the mediation period of the
    case's track: court-entrusted, or pre-filing (or a plugin's rule replacing either)."""
    kind = COURT_MEDIATION if case.track == "court_entrusted" else PRE_FILING
    rules = jiefen().dispatcher.case_deadline_rules(case)
    replaced = {getattr(r, "replaces", "") for r in rules}
    for rule in rules:
        if rule.code not in replaced and kind in (rule.code, getattr(rule, "replaces", "")):
            found = next((d for d in case_deadlines(case) if d.code == rule.code), None)
            return rule.code, kind, found
    return None, None, None


def _last_extension(case: Case, code: str) -> Optional[dt.datetime]:
    rows = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.case_id == case.id, TimelineEvent.kind == "deadline",
                                    TimelineEvent.action == EXTENDED).order_by(TimelineEvent.at.desc())
    )
    return next((e.at for e in rows if (e.data or {}).get("rule") == code), None)


def _agreed_since(case: Case, since: Optional[dt.datetime]) -> dict[int, str]:
    query = select(Consent.party_id, Consent.decision, Consent.at).where(
        Consent.case_id == case.id, Consent.subject == SUBJECT).order_by(Consent.at, Consent.id)
    answers = {}
    for party_id, decision, at in db.session.execute(query):
        if since is None or _aware(at) > _aware(since):
            answers[party_id] = decision  # later rows win
    return answers


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def extension_terms(case: Case) -> ExtensionTerms:
    """What an extension of the case's mediation period needs now, and what is missing."""
    code, kind, deadline = _period(case)
    terms = ExtensionTerms()
    if code is None or deadline is None or case.status not in RUNNING_STATES:
        terms.problems.append(gettext("The mediation period can only be extended while mediation is under way."))
        return terms
    terms.rule_code, terms.label, terms.due, terms.fixed = code, deadline.label, deadline.due, kind in ONCE
    terms.extended_before = deadline.extended_by
    if deadline.status in ("waiting", "met", "late"):
        terms.problems.append(gettext("The mediation period has not started or is over: there is nothing to extend."))
    elif deadline.status == "suspended":
        terms.problems.append(gettext("The mediation period is suspended: resume it before extending it."))
    elif deadline.status == "overdue":
        terms.problems.append(gettext(
            "The mediation period ran out on %(due)s: it can no longer be extended; the case goes on to the next step.",
            due=str(deadline.due)))
    if kind in ONCE and deadline.extended_by:
        terms.problems.append(gettext("Court-entrusted mediation can be extended only once."))
    started = deadline.starts_on
    start_day = court_day(started) if isinstance(started, dt.datetime) else started
    try:
        terms.max_days = setting_int(LIMITS[kind], start_day)
    except (SettingMissing, AttributeError):
        terms.problems.append(gettext("The length of an extension is not set: an administrator must enter %(key)s.",
                                      key=setting_label(LIMITS[kind])))
    # Agreement counts from the period's start, or from its last extension: each needs its own.
    since = _last_extension(case, code)
    if since is None and start_day is not None:
        since = started if isinstance(started, dt.datetime) else dt.datetime.combine(start_day, dt.time.min, court_zone())
    answers = _agreed_since(case, since)
    terms.waiting_for = [p.name for p in case.parties if p.role in AGREEING_ROLES and answers.get(p.id) != "given"]
    return terms


def extend_period(case: Case, actor, days=None, note: str = "", expected_version=None) -> ExtensionTerms:
    """Record the agreed extension and return the terms as they now stand; raises
    ``TransitionRefused`` (every reason) or ``StaleCase``.

    ``days`` is ignored for court-entrusted mediation (the law fixes it) and otherwise must be a
    whole number from 1 to the setting's maximum.
    """
    terms = extension_terms(case)
    problems = list(terms.problems)
    if terms.waiting_for:
        problems.append(gettext("Both parties must agree to the extension: record the agreement of %(names)s first.",
                                names="、".join(terms.waiting_for)))
    if terms.fixed:
        days = terms.max_days
    else:
        text = str(days if days is not None else "").strip()
        days = int(text) if text.isascii() and text.isdigit() else None
        if not problems and (days is None or not 1 <= days <= terms.max_days):
            problems.append(gettext("Extend by 1 to %(n)d days.", n=terms.max_days))
    if len(note or "") > 2000:
        problems.append(gettext("The note is too long."))
    if problems:
        raise TransitionRefused(problems)
    check_version(case, expected_version)
    with unit_of_work():
        case.changed_at = utcnow()
        record(case, actor, "deadline", EXTENDED, (note or "").strip(),
               {"rule": terms.rule_code, "days": days, "due_before": str(terms.due)})
    return extension_terms(case)  # as it stands now: the new due day, and what a next one needs
