"""Rules plugins declare (:class:`~app.plugins.types.WarningRule`, the ``warning_rules`` hook):
checked at start-up, run by the scan as SQL the core writes.

A plugin says what to count — cases of a type, registered in a window of days, with some
intake boxes ticked, grouped by intake fields or by the parties of one role — and from how
many on; it never reads cases itself, so its rule cannot escape the scope, the bounds or the
indexes the core's own rules keep to.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, func, literal, select

from app.extensions import db
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.party import PARTY_ROLES, Party
from app.plugins.types import WARNING_LEVELS, WarningRule
from app.services.settings import setting_int
from app.warnings.findings import Finding
from app.warnings.sql import (
    MAX_FINDINGS,
    day_start_utc,
    evidence,
    intake_text,
    intake_ticked,
    key_part,
    nonempty,
    person_digest,
    town_map,
)

INTAKE = "intake."
PARTY = "party."
# What a rule's message may name (checked at start-up with these sample figures).
MESSAGE_FIGURES = {"subject": "某公司", "count": 3, "days": 30, "threshold": 3}
# Intake answers that name a group: one line of text or a choice.
GROUPING_KINDS = ("text", "choice")
CODE = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_.]+")


# --- running a declared rule ----------------------------------------------------------------------


def _rows(rule: WarningRule, day: dt.date, days: int):
    """``(subject, case_id, created_at, town_id, shown)``: each counted case with its group."""
    towns = town_map()
    where = [Case.dispute_type == rule.dispute_type,
             Case.created_at >= day_start_utc(day - dt.timedelta(days=days - 1)),
             Case.created_at < day_start_utc(day + dt.timedelta(days=1))]
    where += [intake_ticked(name) for name in rule.when]
    if rule.open_only:
        where.append(Case.status.in_(OPEN_STATES))
    query = select(Case.id.label("case_id"), Case.created_at.label("created_at"), towns.c.town_id.label("town_id"))
    if rule.group_by[0].startswith(PARTY):
        code = nonempty(func.trim(Party.id_number))
        subject = case((code.is_not(None), literal("id:") + func.upper(code)),
                       else_=literal("name:") + func.trim(Party.name))
        query = (query.add_columns(subject.label("subject"), func.trim(Party.name).label("shown"))
                 .select_from(Case).join(Party, Party.case_id == Case.id)
                 .where(Party.role == rule.group_by[0][len(PARTY):]))
    else:
        # the first answered field names the group ("employer_credit_code:9144…", else "employer:某公司")
        fields = [name[len(INTAKE):] for name in rule.group_by]
        subject = case(*[(nonempty(intake_text(f)).is_not(None), literal(f + ":") + intake_text(f)) for f in fields],
                       else_=None)
        shown = intake_text(rule.shown_as[len(INTAKE):]) if rule.shown_as else literal(None)
        query = query.add_columns(subject.label("subject"), shown.label("shown")).select_from(Case)
    query = query.outerjoin(towns, towns.c.area_id == Case.area_id).where(*where)
    return query.subquery("declared_rows")


def run_declared(plugin: str, rule: WarningRule, day: dt.date) -> list[Finding]:
    """The groups of ``rule`` at or above its threshold on ``day``, largest first."""
    threshold = setting_int(rule.threshold_key, day)
    days = setting_int(rule.window_days_key, day)
    rows = _rows(rule, day, days)
    n = func.count(func.distinct(rows.c.case_id))
    groups = db.session.execute(
        select(rows.c.subject, n, func.max(rows.c.shown))
        .where(rows.c.subject.is_not(None)).group_by(rows.c.subject)
        .having(n >= threshold).order_by(n.desc(), rows.c.subject).limit(MAX_FINDINGS)
    ).all()
    found = evidence(rows, [g[0] for g in groups])
    # a party may be a person: the key keeps a digest of who, never the ID number
    by_party = rule.group_by[0].startswith(PARTY)
    return [Finding(
        rule=rule.code, plugin=plugin, evidence_key=("party:" + person_digest(subject)) if by_party else key_part(subject),
        level=rule.level,
        details={"subject": shown or subject.split(":", 1)[-1], "count": int(count), "days": days,
                 "threshold": threshold},
        case_ids=found[subject].case_ids, case_count=int(count), area_id=found[subject].town_id)
        for subject, count, shown in groups]


# --- start-up checks ----------------------------------------------------------------------------------


def _msgid(message: Any) -> str:
    """The text a lazy message was written with (its placeholders), or the text itself."""
    args = getattr(message, "_args", None)
    return str(args[0]) if args else str(message or "")


def _setting_problem(where: str, what: str, key: str, reg) -> list[str]:
    declared = reg.settings.get(key)
    if declared is None:
        return [f"{where}: {what} {key!r} is not a declared setting; declare it in DisputeType.settings or "
                f"register_settings"]
    try:
        number = Decimal(str(declared[1].value))
    except (InvalidOperation, ValueError):
        number = None
    if isinstance(declared[1].value, bool) or number is None or not number.is_finite() or number < 1:
        return [f"{where}: {what} {key!r} has the default {declared[1].value!r}; allowed: a whole number of 1 or more"]
    return []


def _field_problems(where: str, rule: WarningRule, reg) -> list[str]:
    fields = {f.name: f for f in reg.field_specs(rule.dispute_type)}
    problems = []
    group_by = tuple(rule.group_by or ())
    parties = [g for g in group_by if str(g).startswith(PARTY)]
    if not group_by:
        problems.append(f"{where}: group_by is empty; allowed: intake.<field> of the type, or party.<role>")
    elif parties and len(group_by) > 1:
        problems.append(f"{where}: group_by {group_by!r} mixes a party role with other groups; give one "
                        f"party.<role>, or intake fields only")
    for name in group_by:
        name = str(name)
        if name.startswith(PARTY):
            if name[len(PARTY):] not in PARTY_ROLES:
                problems.append(f"{where}: group_by {name!r} names no party role; allowed: "
                                f"{', '.join(PARTY + r for r in PARTY_ROLES)}")
        elif not name.startswith(INTAKE) or fields.get(name[len(INTAKE):]) is None \
                or fields[name[len(INTAKE):]].kind not in GROUPING_KINDS:
            allowed = ", ".join(INTAKE + f.name for f in fields.values() if f.kind in GROUPING_KINDS)
            problems.append(f"{where}: group_by {name!r} is not a text or choice field of {rule.dispute_type!r}; "
                            f"allowed: {allowed or '(none)'}, or party.<role>")
    if rule.shown_as and (parties or not str(rule.shown_as).startswith(INTAKE)
                          or str(rule.shown_as)[len(INTAKE):] not in fields):
        problems.append(f"{where}: shown_as {rule.shown_as!r} is not an intake field of {rule.dispute_type!r} "
                        f"(a party group is shown by the party's name)")
    for name in rule.when or ():
        if getattr(fields.get(name), "kind", None) != "boolean":
            allowed = ", ".join(f.name for f in fields.values() if f.kind == "boolean")
            problems.append(f"{where}: when {name!r} is not a yes/no field of {rule.dispute_type!r}; "
                            f"allowed: {allowed or '(none)'}")
    return problems


def warning_rule_problems(reg) -> list[str]:
    """Mistakes in the rules plugins declare: a wrong type, code, field, role, setting, level
    or message; a rule is run much later, by the scan, so every mistake stops start-up here."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for name, rule in reg.warning_rules:
        if not isinstance(rule, WarningRule):
            problems.append(f"plugin {name!r}, hook 'warning_rules': returned {rule!r:.120}, not a WarningRule")
            continue
        where = f"plugin {name!r}, warning rule {rule.code!r}"
        prefixes = [f"{p}." for p in (*reg.plugins[name].dispute_types, name)]
        if not CODE.fullmatch(str(rule.code)) or not any(str(rule.code).startswith(p) for p in prefixes):
            problems.append(f"{where}: code must be lower case and start with the plugin's prefix; allowed: "
                            f"{', '.join(p + '<name>' for p in prefixes)}")
        if rule.code in seen:
            problems.append(f"{where}: code is also declared by plugin {seen[rule.code]!r}")
        seen[rule.code] = name
        if rule.dispute_type not in reg.dispute_types:
            problems.append(f"{where}: dispute_type {rule.dispute_type!r} is not a declared type; allowed: "
                            f"{', '.join(sorted(reg.dispute_types))}")
        else:
            problems += _field_problems(where, rule, reg)
        problems += _setting_problem(where, "threshold_key", rule.threshold_key, reg)
        problems += _setting_problem(where, "window_days_key", rule.window_days_key, reg)
        if rule.level not in WARNING_LEVELS:
            problems.append(f"{where}: level {rule.level!r} is unknown; allowed: {', '.join(WARNING_LEVELS)}")
        if not str(_msgid(rule.label)).strip():
            problems.append(f"{where}: label is empty; say in a few words what the rule watches")
        try:
            text = _msgid(rule.message) % MESSAGE_FIGURES
        except (KeyError, ValueError, TypeError) as exc:
            problems.append(f"{where}: message cannot be written with the figures ({type(exc).__name__}: {exc}); "
                            f"allowed: %(subject)s, %(count)s, %(days)s, %(threshold)s")
        else:
            if not text.strip():
                problems.append(f"{where}: message is empty; it is the alert's title")
    return problems
