"""The hook contract a plugin author reads (``app/plugins/hookspecs.py``): every hook says when
it is called and shows an example, and every example is code that runs against today's API —
the deadline starts it names are starts the engine knows, the states it names are case states,
and what it returns is what the hook must return."""
from __future__ import annotations

import ast
import inspect
import json
import logging
import os
import re
import textwrap
from types import SimpleNamespace

import pytest
from flask import Blueprint, render_template

import app.plugins as api
from app.lifecycle.deadline_facts import EVENT_NAME_CHARS, EVENT_PREFIX, LIFECYCLE_STARTS
from app.models.case import CASE_STATES
from app.plugins import hookspecs
from app.plugins.case_view import CaseView, frozen
from app.plugins.checks import INTAKE_PREFIX, REGISTRATION_START

HOOKS = {name: fn for name, fn in vars(hookspecs).items()
         if callable(fn) and getattr(fn, "jiefen_spec", None) is not None}


def example_of(fn) -> str:
    """The code block after the docstring's ``Example…::`` line, dedented."""
    doc = inspect.getdoc(fn) or ""
    match = re.search(r"^Example(?:[^\n]|\n(?!\n))*?::\n\n((?:(?:    [^\n]*|)\n)+)", doc + "\n", re.M)
    assert match, f"{fn.__name__}: no Example:: block"
    return textwrap.dedent(match.group(1)).strip("\n")


def as_function(name: str) -> ast.Module:
    """The example as the body of the hook, taking the hook's arguments."""
    params = ", ".join(inspect.signature(HOOKS[name]).parameters)
    return ast.parse(f"def {name}({params}):\n" + textwrap.indent(example_of(HOOKS[name]), "    "))


def starts_named(tree: ast.AST) -> list[tuple[str, bool]]:
    """``(starts_from, has waits_for)`` of every ``DeadlineRule(...)`` the example builds."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "DeadlineRule":
            keywords = {k.arg: k.value for k in node.keywords}
            start = keywords.get("starts_from", node.args[3] if len(node.args) > 3 else None)
            assert isinstance(start, ast.Constant), ast.unparse(node)
            found.append((start.value, "waits_for" in keywords))
    return found


def states_named(tree: ast.AST) -> list[str]:
    """Every text compared with ``to_state``/``from_state`` or listed in ``finished_in``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(getattr(s, "id", "") in ("to_state", "from_state") for s in sides):
                found += [c.value for side in sides for c in ast.walk(side)
                          if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        if isinstance(node, ast.keyword) and node.arg == "finished_in":
            found += [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)]
    return found


def declared_date_fields() -> set[str]:
    """The date fields the examples declare for their type (``IntakeField(name, …, kind="date")``)."""
    names = set()
    for hook in HOOKS:
        for node in ast.walk(as_function(hook)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "IntakeField":
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                if isinstance(kind, ast.Constant) and kind.value == "date":
                    names.add(node.args[0].value)
    return names


def test_the_contract_has_every_hook():
    assert len(HOOKS) == 15 and {"on_transition", "translation_directories", "linkage_partners",
                                  "warning_rules"} <= set(HOOKS)


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_hook_says_when_it_is_called_with_an_example(name):
    doc = inspect.getdoc(HOOKS[name])
    assert "\nWhen: " in doc, name
    assert example_of(HOOKS[name]).strip()


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_deadline_start_an_example_names_is_one_the_engine_knows(name):
    for start, waits in starts_named(as_function(name)):
        if start.startswith(EVENT_PREFIX):
            event = start[len(EVENT_PREFIX):]
            assert event and set(event) <= EVENT_NAME_CHARS and waits, start
        elif start.startswith(INTAKE_PREFIX):  # a date field the examples' type declares
            assert start[len(INTAKE_PREFIX):] in declared_date_fields(), start
        else:
            assert start in {REGISTRATION_START, *LIFECYCLE_STARTS}, start


def test_the_deadlines_example_starts_from_a_recorded_event():
    # the way police mediation really starts (plugins/traffic/plugin.py): from an event the staff record
    assert [start for start, _ in starts_named(as_function("deadlines"))] == ["event.office_inspected"]


@pytest.mark.parametrize("name", sorted(HOOKS))
def test_every_state_an_example_names_is_a_case_state(name):
    assert set(states_named(as_function(name))) <= set(CASE_STATES), name


def test_the_veto_example_refuses_the_state_a_real_plugin_refuses():
    # plugins/family/plugin.py refuses mediation_accepted, not in_mediation
    assert states_named(as_function("validate_transition")) == ["mediation_accepted"]


HERE = "/opt/plugins/tenancy"


def run_example(name: str, **kwargs):
    """Define the example as the hook in a plugin module (its usual imports at hand) and call it."""
    module = {name: getattr(api, name) for name in dir(api) if not name.startswith("__")}
    module.update(os=os, json=json, log=logging.getLogger("tenancy"), HERE=HERE, Blueprint=Blueprint,
                  render_template=render_template, __name__="tenancy.plugin")
    exec(compile(as_function(name), f"<example of {name}>", "exec"), module)
    return module[name](**kwargs)


def tenancy_case(**intake) -> CaseView:
    return CaseView(id=7, dispute_type="tenancy", case_no="（2026）粤1502民调0007号", claim_amount=None,
                    intake_data=frozen(intake))


def test_every_example_runs_and_returns_what_its_hook_must(app):
    from app.linkage.mechanisms import Mechanism

    with app.test_request_context("/?_l_=en"):
        got = {
            "plugin_metadata": run_example("plugin_metadata"),
            "register_dispute_types": run_example("register_dispute_types"),
            "intake_fields": run_example("intake_fields", dispute_type="tenancy"),
            "sample_intake": run_example("sample_intake", dispute_type="tenancy"),
            "register_settings": run_example("register_settings"),
            "register_linkage_mechanisms": run_example("register_linkage_mechanisms"),
            "agreement_templates": run_example("agreement_templates", dispute_type="tenancy"),
            "linkage_partners": run_example("linkage_partners", dispute_type="tenancy"),
            "deadlines": run_example("deadlines", case=tenancy_case(housing_office_on="2026-11-02")),
            "diversion_advice": run_example("diversion_advice", case=SimpleNamespace(
                **{**vars(tenancy_case()), "claim_amount": 150000})),
            "validate_transition": run_example("validate_transition", case=tenancy_case(eviction_enforced=True),
                                               from_state="screening", to_state="mediation_accepted", actor=None),
            "on_transition": run_example("on_transition", case=tenancy_case(), from_state="performing",
                                         to_state="closed", actor=None),
            "register_views": run_example("register_views"),
            "translation_directories": run_example("translation_directories"),
            "warning_rules": run_example("warning_rules"),
        }
        assert set(got) == set(HOOKS)
        assert isinstance(got["plugin_metadata"], api.PluginMetadata)
        assert all(isinstance(t, api.DisputeType) for t in got["register_dispute_types"])
        assert all(isinstance(f, api.IntakeField) for f in got["intake_fields"])
        assert isinstance(got["sample_intake"], dict) and got["sample_intake"]
        assert all(isinstance(s, api.SettingDefault) for s in got["register_settings"])
        assert all(issubclass(m, Mechanism) and m.name for m in got["register_linkage_mechanisms"])
        assert all(isinstance(t, api.AgreementTemplate) for t in got["agreement_templates"])
        assert all(isinstance(p, api.LinkagePartner) for p in got["linkage_partners"])
        assert [r.code for r in got["deadlines"]] == ["tenancy.housing_office"]
        assert run_example("deadlines", case=tenancy_case()) == []
        assert [a.code for a in got["diversion_advice"]] == ["tenancy.large"]
        assert "eviction" in str(got["validate_transition"])
        assert run_example("validate_transition", case=tenancy_case(), from_state="screening",
                           to_state="mediation_accepted", actor=None) is None
        assert got["on_transition"] is None
        assert all(isinstance(v, api.ViewSpec) for v in got["register_views"])
        assert all(os.path.isabs(d) for d in got["translation_directories"])
        assert [r.code for r in got["warning_rules"]] == ["tenancy.landlord_arrears"]
        assert all(isinstance(r, api.WarningRule) and r.group_by for r in got["warning_rules"])


def test_the_mechanism_example_delivers_a_referral_as_a_file(tmp_path, app):
    with app.test_request_context("/?_l_=en"):
        (mechanism,) = run_example("register_linkage_mechanisms")
    message = SimpleNamespace(idempotency_key="k1", payload={"purpose": "请协助核实租赁备案"})
    mechanism().send(message, SimpleNamespace(linkage_settings={"folder": str(tmp_path)}))
    assert json.loads((tmp_path / "k1.json").read_text(encoding="utf-8")) == message.payload
    with pytest.raises(api.DeliveryError):
        mechanism().send(message, SimpleNamespace(linkage_settings={"folder": str(tmp_path / "gone")}))
