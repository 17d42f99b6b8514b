"""Start-up checks of what plugins declare, run by ``collect_registry``.

A declaration is data the core acts on much later: a misspelt deadline start would leave a
period "not started yet" for ever, an undeclared setting would make it vanish, a relative
template path would fail on the first agreement. Every such mistake stops start-up here,
with one message naming the plugin, the declaration, the field and the values allowed.

Deadline rules are returned per case by the ``deadlines`` hook, so they are checked by
asking each plugin about *probe cases* (:mod:`app.plugins.probes`): every dispute type it owns
on every track and procedure, with its own sample intake and variants of it. A rule a plugin
returns only for intake the probes do not produce is not seen here; the engine still logs an
unknown start when it meets one. Advice rules and the ``diversion_advice`` hook are run on
the probes too, inside a throwaway application where settings read as their defaults.
"""
from __future__ import annotations

import logging
import os
import re
import sys
from decimal import Decimal, InvalidOperation
from types import ModuleType
from typing import Any, Iterable, Optional

import pluggy

from app.plugins.probes import PROGRAMMING_ERRORS, probe_cases, probe_context, run_probe

log = logging.getLogger(__name__)

# The engine reads the case's registration time under this name (deadlines._start); every
# other start is a lifecycle start (deadline_facts.LIFECYCLE_STARTS) or an intake date.
REGISTRATION_START = "created_at"
INTAKE_PREFIX = "intake."
# How the engine counts a period when its setting gives no unit (deadlines._SettingBook.unit).
DEFAULT_UNIT = "days"
VIEW_KINDS = ("case_list", "blueprint")
# A dispute type's code: it prefixes its settings and rule codes and is stored on every case.
TYPE_CODE = re.compile(r"[a-z][a-z0-9_]*")


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(sorted(set(values)))


def _has_hook(pm: pluggy.PluginManager, name: str, hook: str) -> bool:
    plugin = pm.get_plugin(name)
    return any(impl.plugin is plugin for impl in getattr(pm.hook, hook).get_hookimpls())


def _probe_deadlines(pm: pluggy.PluginManager, name: str, reg) -> tuple[list[tuple[str, Any]], list[str]]:
    """``(dispute type probed, rule)`` for each distinct rule plugin ``name`` returns for its
    probes, and what is wrong with its ``deadlines`` hook (a programming error on a probe, a
    result that is no list of rules)."""
    from app.plugins.dispatch import declared_rules
    from app.plugins.manager import call_plugin
    from app.plugins.types import DeadlineRule

    found: dict[tuple, tuple[str, Any]] = {}
    problems: list[str] = []
    hooked = _has_hook(pm, name, "deadlines")
    hook = lambda case: call_plugin(pm, name, "deadlines", case=case)  # noqa: E731
    for case in probe_cases(reg, reg.plugins[name].dispute_types):
        rules = declared_rules(reg, case) if case.dispute_type in reg.plugins[name].dispute_types else []
        returned, error = run_probe(reg, hook, case) if hooked else (None, None)
        if error is None and returned is not None and not (
                isinstance(returned, (list, tuple)) and all(isinstance(r, DeadlineRule) for r in returned)):
            error = f"returned {returned!r:.120}, not a list of DeadlineRule or None"
        if error:
            if not problems:  # the first probe says it; the others would repeat it
                problems.append(f"plugin {name!r}, hook 'deadlines': {error}")
            continue
        for rule in rules + list(returned or []):
            key = (rule.code, rule.setting_key, rule.starts_from, tuple(rule.finished_in), rule.replaces,
                   rule.working_days, rule.reason, str(rule.waits_for), tuple(rule.tracks))
            found.setdefault(key, (case.dispute_type, rule))
    return list(found.values()), problems


def probed_rules(pm: pluggy.PluginManager, name: str, reg) -> list[tuple[str, Any]]:
    """``(dispute type probed, rule)`` for each distinct rule plugin ``name`` returns for its probes."""
    return _probe_deadlines(pm, name, reg)[0]


def _deadline_problems(name: str, dispute_type: str, rule, reg, owned, known_codes) -> list[str]:
    from app.lifecycle.core_rules import FINISHED_IN
    from app.lifecycle.deadline_facts import EVENT_NAME_CHARS, EVENT_PREFIX, LIFECYCLE_STARTS
    from app.lifecycle.deadlines import UNITS
    from app.models.case import CASE_STATES, CASE_TRACKS

    where = f"plugin {name!r}, deadline {rule.code!r}"
    problems = []
    starts = {REGISTRATION_START, *LIFECYCLE_STARTS}
    if dispute_type in owned:
        starts |= {INTAKE_PREFIX + f.name for f in reg.field_specs(dispute_type) if f.kind == "date"}
    event = rule.starts_from[len(EVENT_PREFIX):] if rule.starts_from.startswith(EVENT_PREFIX) else None
    if event is not None:
        if not event or not set(event) <= EVENT_NAME_CHARS:
            problems.append(f"{where}: starts_from {rule.starts_from!r} names no event; write "
                            f"{EVENT_PREFIX}<name> with lower-case letters, digits and _")
        if not str(rule.waits_for or "").strip():
            problems.append(f"{where}: waits_for is empty; a rule starting from {rule.starts_from!r} must say "
                            f"which event the staff record to start it")
    elif rule.starts_from not in starts:
        problems.append(f"{where}: starts_from {rule.starts_from!r} is not a start the engine knows; "
                        f"allowed: {_allowed(starts)}, or {EVENT_PREFIX}<name> (an event the staff record)")
    met_on = getattr(rule, "met_on", "")
    if met_on and (not met_on.startswith(INTAKE_PREFIX) or (dispute_type in owned and met_on not in starts)):
        problems.append(f"{where}: met_on {met_on!r} is not a date field of the intake; "
                        f"write {INTAKE_PREFIX}<date field>")
    wrong_states = [s for s in rule.finished_in if s not in CASE_STATES]
    if wrong_states:
        problems.append(f"{where}: finished_in names {_allowed(wrong_states)}, which are not case states; "
                        f"allowed: {_allowed(CASE_STATES)}")
    if rule.replaces and not str(rule.reason or "").strip():
        problems.append(f"{where}: reason is empty; a rule that replaces {rule.replaces!r} must say why the law "
                        f"sets it apart, with the legal source")
    if rule.replaces and rule.replaces not in known_codes | set(FINISHED_IN):
        problems.append(f"{where}: replaces {rule.replaces!r}, which is no deadline rule; "
                        f"allowed: {_allowed(known_codes | set(FINISHED_IN))}")
    declared = reg.settings.get(rule.setting_key)
    if declared is None:
        problems.append(f"{where}: setting_key {rule.setting_key!r} is not a declared setting; "
                        f"declared: {_allowed(reg.settings)}")
    else:
        if not rule.working_days and (declared[1].unit or DEFAULT_UNIT) not in UNITS:
            problems.append(f"plugin {declared[0]!r}, setting {rule.setting_key!r} (used by deadline {rule.code!r}): "
                            f"unit {declared[1].unit!r} is not a unit the engine counts in; allowed: {_allowed(UNITS)}")
        if not _is_number(declared[1].value):
            problems.append(f"plugin {declared[0]!r}, setting {rule.setting_key!r} (used by deadline {rule.code!r}): "
                            f"default {declared[1].value!r} is not a number; allowed: a whole number, a Decimal "
                            f"or numeric text such as '15'")
    # Declared rules are narrowed to their tracks before the probes see them (type_problems
    # checks those); a rule the hook returns is checked here.
    dtype = reg.dispute_types.get(dispute_type)
    wrong = [t for t in rule.tracks if t not in CASE_TRACKS]
    if wrong and not (dtype and rule in dtype.deadlines):
        problems.append(f"{where}: tracks {_allowed(wrong)} unknown; allowed: {_allowed(CASE_TRACKS)}")
    return problems


def _is_number(value: Any) -> bool:
    """True for what the engine counts a period with: ``int(Decimal(str(value)))``."""
    if isinstance(value, bool):
        return False
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def _code_collisions(probed: dict[str, list[tuple[str, Any]]]) -> list[str]:
    """Rule codes two plugins both use: the engine keys extensions, recorded steps and
    suspensions by code, and a rule replacing its own code would drop itself."""
    owners: dict[str, set[str]] = {}
    for name, rules in probed.items():
        for _type, rule in rules:
            owners.setdefault(rule.code, set()).add(name)
    problems = []
    for name, rules in probed.items():
        for code in sorted({rule.code for _type, rule in rules}):
            others = owners[code] - {name}
            if others:
                problems.append(f"plugin {name!r}, deadline {code!r}: code is also used by plugin "
                                f"{_allowed(others)}; give the rule its own code, and to stand in for the other "
                                f"rule say replaces={code!r} on it")
    return problems


def deadline_problems(pm: pluggy.PluginManager, reg) -> list[str]:
    """Mistakes in the deadline rules every plugin (the core's included) returns."""
    problems: list[str] = []
    probed = {}
    for name in reg.plugins:
        probed[name], hook_problems = _probe_deadlines(pm, name, reg)
        problems += hook_problems
    known_codes = {rule.code for rules in probed.values() for _type, rule in rules}
    problems += _code_collisions(probed)
    for name, rules in probed.items():
        owned = reg.plugins[name].dispute_types
        for dispute_type, rule in rules:
            for problem in _deadline_problems(name, dispute_type, rule, reg, owned, known_codes):
                if problem not in problems:
                    problems.append(problem)
    return problems


def package_dir(plugin: Any) -> Optional[str]:
    """The folder of the module a plugin object comes from (its package's files)."""
    if isinstance(plugin, ModuleType):
        module = plugin
    else:  # an object or a class registered directly (tests, JIEFEN_EXTRA_PLUGINS)
        module = sys.modules.get(getattr(plugin, "__module__", None) or type(plugin).__module__)
    path = getattr(module, "__file__", None)
    return os.path.dirname(os.path.realpath(path)) if path else None


def template_problems(pm: pluggy.PluginManager, reg) -> list[str]:
    """Agreement templates whose path is relative, missing, or outside the plugin's package."""
    problems = []
    for code, templates in reg.templates.items():
        owner = reg.type_owner[code]
        home = package_dir(pm.get_plugin(owner))
        for template in templates:
            where = f"plugin {owner!r}, agreement template {template.code!r} of {code!r}"
            path = str(template.path or "")
            if not os.path.isabs(path):
                problems.append(f"{where}: path {path!r} must be absolute, inside the plugin's package ({home})")
            elif not os.path.isfile(path):
                problems.append(f"{where}: path {path!r} is not a file")
            elif home and os.path.commonpath([home, os.path.realpath(path)]) != home:
                problems.append(f"{where}: path {path!r} is outside the plugin's package ({home})")
    return problems


def view_problems(reg) -> list[str]:
    """View specs of an unknown kind, a case list of a type the plugin does not own, or a
    blueprint view without its blueprint."""
    problems = []
    for name, spec in reg.views:
        owned = reg.plugins[name].dispute_types
        where = f"plugin {name!r}, view {spec.name!r}"
        if spec.kind not in VIEW_KINDS:
            problems.append(f"{where}: kind {spec.kind!r} is unknown; allowed: {_allowed(VIEW_KINDS)}")
        elif spec.kind == "case_list" and spec.dispute_type not in owned:
            problems.append(f"{where}: dispute_type {spec.dispute_type!r} is not a type this plugin owns; "
                            f"allowed: {_allowed(owned) or '(the plugin owns no dispute type)'}")
        elif spec.kind == "blueprint" and spec.blueprint is None:
            problems.append(f"{where}: kind 'blueprint' needs a blueprint")
    return problems


def type_problems(reg) -> list[str]:
    """Declared types with a malformed code, two intake fields of one name, rules naming an
    unknown track, or advice that cannot be called with the case."""
    from app.models.case import CASE_TRACKS
    from app.plugins.probes import signature_problem

    problems = []
    for code, dtype in reg.dispute_types.items():
        where = f"plugin {reg.type_owner[code]!r}, dispute type {code!r}"
        if not TYPE_CODE.fullmatch(code):
            problems.append(f"{where}: code {code!r} is not allowed; allowed: a lower-case letter, then lower-case "
                            f"letters, digits and _ (it prefixes the type's settings and is stored on every case)")
        names = [f.name for f in reg.field_specs(code)]
        twice = {n for n in names if names.count(n) > 1}
        if twice:
            problems.append(f"{where}: intake fields {_allowed(twice)} are declared more than once; "
                            f"each field needs its own name")
        for rule in dtype.deadlines:
            wrong = [t for t in rule.tracks if t not in CASE_TRACKS]
            if wrong:
                problems.append(f"{where}, deadline {rule.code!r}: tracks {_allowed(wrong)} unknown; "
                                f"allowed: {_allowed(CASE_TRACKS)}")
        for rule in dtype.advice:
            wrong = signature_problem(rule)
            if wrong:
                problems.append(f"{where}: {wrong}")
    return problems


def setting_problems(reg) -> list[str]:
    """Setting keys without their plugin's prefix: one of its type codes, or its own name
    (``core.`` for the core), so that two plugins can never mean one key."""
    problems = []
    for key, (name, _setting) in reg.settings.items():
        prefixes = [f"{p}." for p in (*reg.plugins[name].dispute_types, name)]
        if not any(key.startswith(p) and len(key) > len(p) for p in prefixes):
            problems.append(f"plugin {name!r}, setting {key!r}: key must start with the plugin's prefix; "
                            f"allowed: {_allowed(p + '<name>' for p in prefixes)}")
    return problems


def sample_problems(reg) -> list[str]:
    """Samples the type's own intake form refuses (what the API would answer 400 to)."""
    from app.intake.fields import build_form_class
    from app.intake.payload import flatten, form_errors

    problems = []
    for code, sample in reg.samples.items():
        where = f"plugin {reg.type_owner[code]!r}, dispute type {code!r}"
        form = build_form_class(f"{code}_sample", reg.field_specs(code))(formdata=flatten(sample))
        try:
            valid = form.validate()
        except PROGRAMMING_ERRORS as exc:  # a field's own validator is broken
            problems.append(f"{where}: validating the sample intake raised {type(exc).__name__}: {exc}")
            continue
        if not valid:
            errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form_errors(form).items())
            problems.append(f"{where}: sample intake fails the type's intake validation ({errors})")
    return problems


def check_declarations(pm: pluggy.PluginManager, reg) -> None:
    """Raise :class:`~app.plugins.manager.PluginError` listing every mistake in the
    plugins' declarations; return quietly when there is none."""
    from app.plugins.manager import PluginError

    from app.agreements.kinds import declared_kind_problems

    from app.plugins.probes import advice_problems

    from app.warnings.declared import warning_rule_problems

    problems = (template_problems(pm, reg) + view_problems(reg) + type_problems(reg) + setting_problems(reg)
                + declared_kind_problems(reg) + warning_rule_problems(reg))
    with probe_context(pm, reg):
        problems += sample_problems(reg) + deadline_problems(pm, reg) + advice_problems(pm, reg)
    if problems:
        raise PluginError("plugin declarations refused at start-up:\n- " + "\n- ".join(problems))
