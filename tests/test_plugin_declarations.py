"""Declarations checked at start-up: a plugin whose deadline, setting, template or view
declaration is wrong stops ``create_app`` with one message naming the plugin, the
declaration, the field and the values allowed — instead of a deadline "not started yet" for
ever, a period that silently vanishes, or an agreement that fails on the day it is needed."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest

from app.plugins import (
    AgreementTemplate,
    DeadlineRule,
    DisputeType,
    IntakeField,
    SettingDefault,
    ViewSpec,
    hookimpl,
)
from app.plugins.manager import PluginError, build_plugin_manager, collect_registry
from tests.plugin_install import EXAMPLE_PLUGINS, installed_examples

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD_RULE = DeadlineRule("land.period", "Land period", "land.period_days", starts_from="mediation_accepted_on")


class LandPlugin:
    """A third-party "land and forest ownership" type; each test spoils one declaration."""

    def __init__(self, rule=GOOD_RULE, unit="days", template_path=os.path.abspath(__file__),
                 view=ViewSpec(name="cases", label="Land cases", dispute_type="land")):
        self.rule, self.unit, self.template_path, self.view = rule, unit, template_path, view

    @hookimpl
    def register_dispute_types(self):
        return [DisputeType("land", "Land and forest ownership")]

    @hookimpl
    def intake_fields(self, dispute_type):
        return [IntakeField("decided_on", "Day the township decided", kind="date")] if dispute_type == "land" else None

    @hookimpl
    def register_settings(self):
        return [SettingDefault("land.period_days", 30, "Land period", source="test", unit=self.unit)]

    @hookimpl
    def deadlines(self, case):
        return [self.rule] if case.dispute_type == "land" else None

    @hookimpl
    def agreement_templates(self, dispute_type):
        return [AgreementTemplate("land", "Land agreement", self.template_path)] if dispute_type == "land" else None

    @hookimpl
    def register_views(self):
        return [self.view]


def refused_start_up(database, tmp_path, plugin) -> str:
    from tests.fixtures import make_app

    with pytest.raises(PluginError) as refused:
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", plugin)])
    message = str(refused.value)
    assert "plugin 'zz-land'" in message
    return message


def test_a_well_declared_third_party_type_starts(database, tmp_path):
    from tests.fixtures import make_app

    rule = replace(GOOD_RULE, starts_from="intake.decided_on", finished_in=("agreement_reached",))
    app = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", LandPlugin(rule=rule))])
    assert app.extensions["jiefen"].registry.type_owner["land"] == "zz-land"


def test_a_misspelt_deadline_start_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, starts_from="mediaton_accepted_on")))
    assert "deadline 'land.period': starts_from 'mediaton_accepted_on'" in message
    assert "allowed:" in message and "mediation_accepted_on" in message and "intake.decided_on" in message


def test_a_deadline_starting_from_an_undeclared_intake_field_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, starts_from="intake.decided")))
    assert "starts_from 'intake.decided'" in message


def test_a_misspelt_finishing_state_stops_start_up(database, tmp_path):
    rule = replace(GOOD_RULE, finished_in=("agreement_reached", "agreed"))
    message = refused_start_up(database, tmp_path, LandPlugin(rule=rule))
    assert "deadline 'land.period': finished_in names agreed" in message and "in_mediation" in message


def test_an_undeclared_setting_key_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, setting_key="land.period")))
    assert "setting_key 'land.period' is not a declared setting" in message and "land.period_days" in message


def test_a_period_in_an_unknown_unit_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(unit="weeks"))
    assert "setting 'land.period_days'" in message and "unit 'weeks'" in message
    assert "working days" in message  # the units the engine counts in


def test_replacing_a_rule_that_does_not_exist_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, replaces="core.prefiling")))
    assert "replaces 'core.prefiling'" in message and "core.pre_filing_mediation" in message


def test_a_relative_template_path_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(template_path="templates/agreement.docx"))
    assert "agreement template 'land'" in message and "must be absolute" in message


def test_a_missing_template_file_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(template_path=os.path.join(HERE, "no-such.docx")))
    assert "agreement template 'land'" in message and "is not a file" in message


def test_a_template_outside_the_plugins_package_stops_start_up(database, tmp_path):
    outside = os.path.abspath(os.path.join(HERE, os.pardir, "pyproject.toml"))
    message = refused_start_up(database, tmp_path, LandPlugin(template_path=outside))
    assert "agreement template 'land'" in message and "outside the plugin's package" in message


def test_a_view_of_a_misspelt_dispute_type_stops_start_up(database, tmp_path):
    view = ViewSpec(name="cases", label="Land cases", dispute_type="lands")
    message = refused_start_up(database, tmp_path, LandPlugin(view=view))
    assert "view 'cases': dispute_type 'lands' is not a type this plugin owns; allowed: land" in message


def test_a_view_of_another_plugins_type_stops_start_up(database, tmp_path):
    view = ViewSpec(name="cases", label="Traffic cases", dispute_type="traffic")
    message = refused_start_up(database, tmp_path, LandPlugin(view=view))
    assert "dispute_type 'traffic' is not a type this plugin owns" in message


def test_a_view_of_an_unknown_kind_stops_start_up(database, tmp_path):
    view = ViewSpec(name="map", label="Map", kind="page")
    message = refused_start_up(database, tmp_path, LandPlugin(view=view))
    assert "view 'map': kind 'page' is unknown; allowed: blueprint, case_list" in message


def test_every_mistake_is_listed_in_one_message(database, tmp_path):
    plugin = LandPlugin(rule=replace(GOOD_RULE, starts_from="typo"), template_path="x.docx")
    message = refused_start_up(database, tmp_path, plugin)
    assert "starts_from 'typo'" in message and "must be absolute" in message


def test_the_built_in_plugins_and_the_examples_pass_the_checks():
    with installed_examples():
        registry = collect_registry(build_plugin_manager())
    assert {"core", "traffic", "family", "labour", "medical", "property", "debt", "consumer"} <= set(registry.plugins)
    assert set(EXAMPLE_PLUGINS) <= set(registry.plugins)


def test_the_probes_see_every_deadline_rule_of_the_built_ins():
    from app.plugins.checks import probed_rules

    pm = build_plugin_manager()
    registry = collect_registry(pm)
    seen = {rule.code for name in registry.plugins for _type, rule in probed_rules(pm, name, registry)}
    expected = {"core.pre_filing_mediation", "core.court_mediation", "core.confirmation_application",
                "core.confirmation_acceptance", "traffic.police_mediation_application",
                "traffic.police_mediation_period", "family.protection_order_decision", "labour.mediation_window",
                "medical.mediation_period"}
    assert expected <= seen
