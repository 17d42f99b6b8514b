"""Probe cases, and the place behaviour is tried on them at start-up (``app.plugins.checks``).

Advice rules and the ``deadlines``/``diversion_advice`` hooks are code, not data: a wrong
signature, a misspelt attribute or a wrong return value shows only when they run, and they
run on the case page. So start-up runs them on *probe cases*: every dispute type on every
track and procedure, with its sample intake and variants of it (every date given, every
yes/no answer turned on and off one at a time, every choice in turn).

They run in a throwaway application whose in-memory database holds no setting row, so a
dated setting reads as its declared default. That database is not the real one, which may
not exist yet (a fresh install before ``flask jiefen setup``): no probe ever touches it.
"""
from __future__ import annotations

import contextlib
import logging
from decimal import Decimal
from typing import Any, Optional

import pluggy

log = logging.getLogger(__name__)

_PROBE_DATE = "2026-01-05"
# Claims of a probe case with its sample intake: none, a small one and a large one, so that
# advice about amounts (small claims, fast track) runs on both sides of its limits.
_PROBE_CLAIMS = (None, Decimal("10000"), Decimal("100000000"))
# What a probe failing with one of these means: the code is wrong, for every real case like
# the probe. Anything else (a setting with no value yet, a database not set up) may be the
# probe's fault, not the plugin's, and is left for the engine to log where it meets it.
PROGRAMMING_ERRORS = (AttributeError, NameError, TypeError, KeyError)


def intake_variants(fields, sample: Optional[dict]) -> list[dict]:
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


def probe_cases(reg, owned: tuple[str, ...], advice: bool = False) -> list:
    """Cases that exist only to ask a plugin what it would do: read-only views, like the ones
    hooks receive, with nothing recorded beyond the intake.

    For deadlines every intake variant is tried on every track and procedure. For ``advice``,
    which reads settings on each call and rarely turns on the track, every variant is tried
    on the first track, and the sample on every track and procedure, and with each probe claim.
    """
    from app.models.case import CASE_TRACKS
    from app.plugins.case_view import CaseView, frozen

    types = owned or tuple(reg.dispute_types) or ("",)
    every_track = [(t, p) for t in CASE_TRACKS for p in ("ordinary", "simplified", None)]
    first = next(iter(CASE_TRACKS))
    every_track_and_claim = [(t, p, None) for t, p in every_track] + [(first, None, c) for c in _PROBE_CLAIMS if c]
    cases = []
    for code in types:
        fields = reg.field_specs(code)
        for number, intake in enumerate(intake_variants(fields, reg.samples.get(code))):
            if not advice:
                tries = [(t, p, None) for t, p in every_track]
            elif number == 0:
                tries = every_track_and_claim
            else:
                tries = [(first, None, None)]
            cases += [CaseView(id=None, dispute_type=code, track=track, procedure=procedure, claim_amount=claim,
                               intake_data=frozen(intake)) for track, procedure, claim in tries]
    return cases


def describe(case) -> str:
    """A probe case as a message names it: its track, procedure, claim and intake."""
    intake = dict(case.intake_data)
    text = repr(intake) if len(repr(intake)) <= 160 else repr(intake)[:157] + "..."
    return (f"probe case of {case.dispute_type!r} on track {case.track!r}, procedure {case.procedure!r}, "
            f"claim {case.claim_amount}, intake {text}")


@contextlib.contextmanager
def probe_context(pm: pluggy.PluginManager, reg):
    """An application context whose settings read as the declared defaults and whose
    ``jiefen()`` state answers from ``reg``: what advice and deadline hooks may read."""
    from flask import Flask
    from flask_babel import Babel

    from app.extensions import db
    from app.models.plugin_state import PluginState
    from app.models.setting import Setting
    from app.plugins.dispatch import Dispatcher
    from app.state import JiefenState

    probe = Flask("jiefen_probe")
    probe.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SQLALCHEMY_TRACK_MODIFICATIONS=False)
    Babel(probe)  # messages are rendered, in English, to catch a broken format
    db.init_app(probe)
    with probe.app_context():
        for table in (Setting.__table__, PluginState.__table__):
            table.create(db.engine)
        probe.extensions["jiefen"] = JiefenState(pm=pm, registry=reg,
                                                 dispatcher=Dispatcher(pm, reg, lambda: db.session))
        try:
            yield probe
        finally:
            db.session.remove()
            db.engine.dispose()


def run_probe(reg, call, case) -> tuple[Any, Optional[str]]:
    """``(result, None)``, or ``(None, what went wrong)`` when the call failed on ``case`` in a
    way no real case could escape; other failures give ``(None, None)``."""
    from app.plugins.types import SettingMissing

    try:
        return call(case), None
    except PROGRAMMING_ERRORS as exc:
        return None, f"raised {type(exc).__name__}: {exc} on a {describe(case)}"
    except SettingMissing as exc:
        key = str(exc.args[0]).split()[0] if exc.args else ""
        if key and key not in reg.settings:
            return None, f"reads setting {key!r}, which no plugin declares, on a {describe(case)}"
        return None, None
    except Exception as exc:  # noqa: BLE001 - a probe is not a real case; see PROGRAMMING_ERRORS
        log.debug("probe %s raised %r", describe(case), exc)
        return None, None


def advice_result_problem(result) -> Optional[str]:
    """What is wrong with what an advice rule returned, or ``None``: it must be ``None`` or a
    list of :class:`~app.plugins.types.Advice` whose messages render."""
    from app.plugins.types import Advice

    if result is None:
        return None
    if not isinstance(result, (list, tuple)):
        return f"returned {type(result).__name__} {result!r:.80}, not a list of Advice or None"
    for item in result:
        if not isinstance(item, Advice):
            return f"returned a list holding {item!r:.80}, which is not an Advice"
        try:
            str(item.message)
        except (KeyError, TypeError, ValueError) as exc:
            return f"returned advice {item.code!r} whose message does not render: {type(exc).__name__}: {exc}"
    return None


def signature_problem(rule) -> Optional[str]:
    """Why ``rule`` cannot be called with the case alone, or ``None``."""
    import inspect

    if not callable(rule):
        return f"advice {rule!r} is not a callable (case) -> list of Advice"
    try:
        inspect.signature(rule).bind(object())
    except TypeError as exc:
        return f"advice {rule_name(rule)!r} cannot be called with one argument, the case ({exc})"
    except ValueError:  # a built-in without a readable signature: the probes decide
        return None
    return None


def rule_name(rule) -> str:
    """How a message names an advice rule: its function's name."""
    return getattr(rule, "__name__", None) or repr(rule)


def advice_problems(pm: pluggy.PluginManager, reg) -> list[str]:
    """Advice rules and ``diversion_advice`` hooks that fail on a probe case or return
    something the case page cannot show; one message per rule, from its first failing probe."""
    from app.plugins.manager import call_plugin

    problems = []
    for code, dtype in reg.dispute_types.items():
        rules = [rule for rule in dtype.advice if signature_problem(rule) is None]
        cases = probe_cases(reg, (code,), advice=True) if rules else []
        for rule in rules:
            error = _first_failure(reg, rule, cases)
            if error:
                problems.append(f"plugin {reg.type_owner[code]!r}, dispute type {code!r}, "
                                f"advice {rule_name(rule)!r}: {error}")
    for name, info in reg.plugins.items():
        plugin = pm.get_plugin(name)
        if not any(impl.plugin is plugin for impl in pm.hook.diversion_advice.get_hookimpls()):
            continue
        hook = lambda case, name=name: call_plugin(pm, name, "diversion_advice", case=case)  # noqa: E731
        error = _first_failure(reg, hook, probe_cases(reg, info.dispute_types, advice=True))
        if error:
            problems.append(f"plugin {name!r}, hook 'diversion_advice': {error}")
    return problems


def _first_failure(reg, call, cases) -> Optional[str]:
    for case in cases:
        result, error = run_probe(reg, call, case)
        error = error or advice_result_problem(result)
        if error:
            return error
    return None
