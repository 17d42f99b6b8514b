"""The scan (``flask --app app alerts scan``): every rule of the core and of the enabled
plugins, each finding raised as an alert or folded into the alert already open for it.

- **Idempotent.** A situation is named by its rule and ``evidence_key``; while an alert for it
  is open or acknowledged, the scan updates that alert (cases, figures, ``last_seen_at``) and
  never raises a second one. Run it twice: the same alerts.
- **Safe to schedule, and to run twice at once.** Each finding is written in its own
  transaction; the partial unique index on ``(rule, evidence_key)`` of unresolved alerts stops
  a second scan's insert, which then updates the alert the first one raised.
- **People resolve alerts, not the scan.** A situation no longer seen leaves its alert as it
  is, marked as no longer observed since ``last_seen_at``. A resolved alert stays resolved
  while its situation is the one people resolved; when it recurs with a case the resolved
  alert did not list, a new alert is raised.
- One rule failing (a setting an administrator mistyped, a database hiccup) is reported and
  the others still run.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db, jiefen
from app.models.types import utcnow
from app.models.warning import Alert
from app.services.clock import today
from app.warnings.declared import run_declared
from app.warnings.findings import CoreRule, Finding
from app.warnings.rules import group_parties, many_against_one, repeat_parties, spike
from app.warnings.rules_watch import overdue_cases, sensitive_periods, unanswered_referrals

log = logging.getLogger(__name__)

CORE_RULES = (
    CoreRule("core.spike", spike),
    CoreRule("core.repeat_party", repeat_parties),
    CoreRule("core.group_parties", group_parties),
    CoreRule("core.respondent", many_against_one),
    CoreRule("core.sensitive_period", sensitive_periods),
    CoreRule("core.overdue", overdue_cases),
    CoreRule("core.referral_unanswered", unanswered_referrals),
)
OUTCOMES = ("raised", "updated", "unchanged", "resolved", "unobserved")
# Alerts marked "no longer observed" per rule and scan; the rest are marked by the next scans.
UNOBSERVED_BATCH = 1000


@dataclass
class ScanSummary:
    """What one scan did, per rule: alerts raised, updated, seen again unchanged, left resolved
    (the situation people resolved, nothing new), newly no longer observed; rules that failed."""

    day: dt.date
    counts: dict = field(default_factory=dict)  # rule → Counter of OUTCOMES
    failed: dict = field(default_factory=dict)  # rule → error

    def add(self, rule: str, outcome: str, n: int = 1) -> None:
        """Count ``n`` of ``outcome`` for ``rule``."""
        self.counts.setdefault(rule, Counter())[outcome] += n

    def total(self, outcome: str) -> int:
        """``outcome`` over every rule."""
        return sum(c[outcome] for c in self.counts.values())

    def lines(self) -> list[str]:
        """The summary a scheduler's log keeps: totals, then one line per rule."""
        head = f"alerts scan {self.day.isoformat()}: " + ", ".join(f"{self.total(o)} {o}" for o in OUTCOMES)
        out = [head]
        for rule in sorted(self.counts):
            out.append(f"  {rule}: " + ", ".join(f"{self.counts[rule][o]} {o}" for o in OUTCOMES))
        for rule, error in sorted(self.failed.items()):
            out.append(f"  {rule}: FAILED ({error})")
        return out


def rules_to_run(only: Iterable[str] = ()) -> list[tuple[str, str, object]]:
    """``(code, plugin, find)`` of the core's rules and the enabled plugins' rules (``only``:
    these codes)."""
    wanted = set(only)
    found = [(r.code, "core", r.find) for r in CORE_RULES]
    for plugin, rule in jiefen().dispatcher.warning_rules():
        found.append((rule.code, plugin, (lambda p, r: lambda day: run_declared(p, r, day))(plugin, rule)))
    return [r for r in found if not wanted or r[0] in wanted]


def scan(day: Optional[dt.date] = None, only: Iterable[str] = ()) -> ScanSummary:
    """Run every rule on ``day`` (today, China time) and record what they find."""
    day = day or today()
    summary = ScanSummary(day)
    for code, _plugin, find in rules_to_run(only):
        started = utcnow()
        try:
            findings = find(day)
        except Exception as exc:  # noqa: BLE001 - one rule's failure must not stop the others
            db.session.rollback()
            log.exception("warning rule %s failed", code)
            summary.failed[code] = f"{type(exc).__name__}: {exc}"[:200]
            continue
        summary.counts.setdefault(code, Counter())
        for finding in findings:
            summary.add(code, record(finding, started))
        summary.add(code, "unobserved", mark_unobserved(code, started))
    return summary


def _live(rule: str, key: str) -> Optional[Alert]:
    """The open or acknowledged alert of the situation, if there is one."""
    return db.session.scalars(select(Alert).where(Alert.rule == rule, Alert.evidence_key == key,
                                                  Alert.status != "resolved")).first()


def _last_resolved(rule: str, key: str) -> Optional[Alert]:
    return db.session.scalars(select(Alert).where(Alert.rule == rule, Alert.evidence_key == key,
                                                  Alert.status == "resolved")
                              .order_by(Alert.resolved_at.desc(), Alert.id.desc()).limit(1)).first()


def _nothing_new(resolved: Optional[Alert], finding: Finding) -> bool:
    """True when the finding names no case the resolved alert did not already list."""
    if resolved is None:
        return False
    return not (set(finding.case_ids) - set(resolved.case_ids or ())) and finding.case_count <= resolved.case_count


def record(finding: Finding, seen_at: dt.datetime) -> str:
    """Raise the finding as an alert, or update the alert open for it; one transaction.
    Returns the outcome (one of :data:`OUTCOMES`)."""
    live = _live(finding.rule, finding.evidence_key)
    if live is None:
        if _nothing_new(_last_resolved(finding.rule, finding.evidence_key), finding):
            db.session.rollback()  # end the read-only transaction
            return "resolved"
        try:
            db.session.add(Alert(
                rule=finding.rule, plugin=finding.plugin, evidence_key=finding.evidence_key, level=finding.level,
                details=dict(finding.details), case_ids=list(finding.case_ids), case_count=finding.case_count,
                area_id=finding.area_id, organization_id=finding.organization_id, status="open",
                first_seen_at=seen_at, last_seen_at=seen_at))
            db.session.commit()
            return "raised"
        except IntegrityError:
            # Another scan raised it between our look and our insert (the partial unique index).
            db.session.rollback()
            live = _live(finding.rule, finding.evidence_key)
            if live is None:
                raise
    return _update(live, finding, seen_at)


def _update(alert: Alert, finding: Finding, seen_at: dt.datetime) -> str:
    same = (list(alert.case_ids or ()) == list(finding.case_ids) and alert.case_count == finding.case_count
            and alert.level == finding.level and alert.area_id == finding.area_id
            and alert.organization_id == finding.organization_id and dict(alert.details or {}) == finding.details)
    if same:
        # Only seen again: the time moves, the version does not (a form opened before the scan
        # still acknowledges the alert it shows).
        db.session.execute(update(Alert.__table__).where(Alert.__table__.c.id == alert.id)
                           .values(last_seen_at=seen_at))
        db.session.commit()
        db.session.expire(alert)
        return "unchanged"
    alert.details = dict(finding.details)  # a new dict: "observed" goes back to true
    alert.case_ids = list(finding.case_ids)
    alert.case_count = finding.case_count
    alert.level = finding.level
    alert.area_id = finding.area_id
    alert.organization_id = finding.organization_id
    alert.last_seen_at = seen_at
    db.session.commit()
    return "updated"


def mark_unobserved(rule: str, started: dt.datetime) -> int:
    """Mark the unresolved alerts of ``rule`` this scan did not see as no longer observed
    (``details.observed = false``; ``last_seen_at`` keeps when they were last seen)."""
    flag = Alert.details["observed"].as_boolean()
    stale = db.session.scalars(
        select(Alert).where(Alert.rule == rule, Alert.status != "resolved", Alert.last_seen_at < started,
                            or_(flag.is_(None), flag == True))  # noqa: E712 (SQL)
        .order_by(Alert.id).limit(UNOBSERVED_BATCH)).all()
    for alert in stale:
        alert.details = {**(alert.details or {}), "observed": False}
    db.session.commit()
    return len(stale)
