"""Start-up checks of what plugins declare, run by ``collect_registry``.

A declaration is data the core acts on much later: a misspelt deadline start would leave a
period "not started yet" for ever, an undeclared setting would make it vanish, a relative
template path would fail on the first agreement. Every such mistake stops start-up here,
with one message naming the plugin, the declaration, the field and the values allowed.

Deadline rules are returned per case by the ``deadlines`` hook, so they are checked by
asking each plugin about *probe cases*: every dispute type it owns on every track and
procedure, with its own sample intake and variants of it (every date given, every yes/no
answer turned on and off one at a time, every choice in turn). A rule a plugin returns only for intake the probes
do not produce is not seen here; the engine still logs an unknown start when it meets one.
"""
from __future__ import annotations

import logging
import os
import sys
from types import ModuleType
from typing import Any, Iterable, Optional

import pluggy

log = logging.getLogger(__name__)

# The engine reads the case's registration time under this name (deadlines._start); every
# other start is a lifecycle start (deadline_facts.LIFECYCLE_STARTS) or an intake date.
REGISTRATION_START = "created_at"
INTAKE_PREFIX = "intake."
# How the engine counts a period when its setting gives no unit (deadlines._SettingBook.unit).
DEFAULT_UNIT = "days"
VIEW_KINDS = ("case_list", "blueprint")
_PROBE_DATE = "2026-01-05"


def _allowed(values: Iterable[str]) -> str:
    return ", ".join(sorted(set(values)))


def _intake_variants(fields, sample: Optional[dict]) -> list[dict]:
    """The sample intake, an empty one, and the sample with every date given and every
    yes/no answer on, then each answer off in turn and each choice given in turn."""
    base = dict(sample or {})
    full = dict(base)
    booleans = [f.name for f in fields if f.kind == "boolean"]
    for f in fields:
        if f.kind == "date" and not full.get(f.name):
            full[f.name] = _PROBE_DATE
    full.update({name: True for name in booleans})
    variants = [base, {}, full]
    variants += [{**full, name: False} for name in booleans]
    variants += [{**full, f.name: value} for f in fields if f.kind == "choice" for value, _label in f.choices]
    return variants


def _probe_cases(reg, owned: tuple[str, ...]) -> list:
    """Cases that exist only to ask a plugin which deadline rules it would count: read-only
    views, like the ones hooks receive, with nothing recorded beyond the intake."""
    from app.models.case import CASE_TRACKS
    from app.plugins.case_view import CaseView, frozen

    types = owned or tuple(reg.dispute_types) or ("",)
    cases = []
    for code in types:
        fields = reg.field_specs(code)
        for intake in _intake_variants(fields, reg.samples.get(code)):
            for track in CASE_TRACKS:
                for procedure in ("ordinary", "simplified", None):
                    cases.append(CaseView(id=None, dispute_type=code, track=track, procedure=procedure,
                                          intake_data=frozen(intake)))
    return cases


def probed_rules(pm: pluggy.PluginManager, name: str, reg) -> list[tuple[str, Any]]:
    """``(dispute type probed, rule)`` for each distinct rule plugin ``name`` returns for its probes."""
    from app.plugins.manager import call_plugin

    from app.plugins.dispatch import declared_rules

    found: dict[tuple, tuple[str, Any]] = {}
    for case in _probe_cases(reg, reg.plugins[name].dispute_types):
        rules = declared_rules(reg, case) if case.dispute_type in reg.plugins[name].dispute_types else []
        try:
            rules = rules + list(call_plugin(pm, name, "deadlines", case=case) or [])
        except Exception as exc:  # a probe is not a real case: the rule is checked where it is seen
            log.debug("plugin %s: deadlines() on a probe case raised %r", name, exc)
        for rule in rules:
            key = (rule.code, rule.setting_key, rule.starts_from, tuple(rule.finished_in), rule.replaces,
                   rule.working_days, rule.reason, str(rule.waits_for))
            found.setdefault(key, (case.dispute_type, rule))
    return list(found.values())


def _deadline_problems(name: str, dispute_type: str, rule, reg, owned, known_codes) -> list[str]:
    from app.lifecycle.core_rules import FINISHED_IN
    from app.lifecycle.deadline_facts import EVENT_NAME_CHARS, EVENT_PREFIX, LIFECYCLE_STARTS
    from app.lifecycle.deadlines import UNITS
    from app.models.case import CASE_STATES

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
    elif not rule.working_days and (declared[1].unit or DEFAULT_UNIT) not in UNITS:
        problems.append(f"plugin {declared[0]!r}, setting {rule.setting_key!r} (used by deadline {rule.code!r}): "
                        f"unit {declared[1].unit!r} is not a unit the engine counts in; allowed: {_allowed(UNITS)}")
    return problems


def deadline_problems(pm: pluggy.PluginManager, reg) -> list[str]:
    """Mistakes in the deadline rules every plugin (the core's included) returns."""
    probed = {name: probed_rules(pm, name, reg) for name in reg.plugins}
    known_codes = {rule.code for rules in probed.values() for _type, rule in rules}
    problems: list[str] = []
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
    """Declared types whose rules name an unknown track, or whose advice is not callable."""
    from app.models.case import CASE_TRACKS

    problems = []
    for code, dtype in reg.dispute_types.items():
        where = f"plugin {reg.type_owner[code]!r}, dispute type {code!r}"
        for rule in dtype.deadlines:
            wrong = [t for t in rule.tracks if t not in CASE_TRACKS]
            if wrong:
                problems.append(f"{where}, deadline {rule.code!r}: tracks {_allowed(wrong)} unknown; "
                                f"allowed: {_allowed(CASE_TRACKS)}")
        for rule in dtype.advice:
            if not callable(rule):
                problems.append(f"{where}: advice {rule!r} is not a callable (case) -> list of Advice")
    return problems


def check_declarations(pm: pluggy.PluginManager, reg) -> None:
    """Raise :class:`~app.plugins.manager.PluginError` listing every mistake in the
    plugins' declarations; return quietly when there is none."""
    from app.plugins.manager import PluginError

    from app.agreements.kinds import declared_kind_problems

    problems = (template_problems(pm, reg) + view_problems(reg) + type_problems(reg) + declared_kind_problems(reg)
                + deadline_problems(pm, reg))
    if problems:
        raise PluginError("plugin declarations refused at start-up:\n- " + "\n- ".join(problems))
