"""Declarations checked at start-up: a plugin whose deadline, setting, template or view
declaration is wrong stops ``create_app`` with one message naming the plugin, the
declaration, the field and the values allowed — instead of a deadline "not started yet" for
ever, a period that silently vanishes, or an agreement that fails on the day it is needed."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest

from app.plugins import (
    Advice,
    AgreementTemplate,
    DeadlineRule,
    DisputeType,
    IntakeField,
    SettingDefault,
    ViewSpec,
    hookimpl,
    setting_decimal,
)
from app.plugins.manager import PluginError, build_plugin_manager, collect_registry
from tests.plugin_install import EXAMPLE_PLUGINS, installed_examples

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD_RULE = DeadlineRule("land.period", "Land period", "land.period_days", starts_from="mediation_accepted_on")


class LandPlugin:
    """A third-party "land and forest ownership" type; each test spoils one declaration."""

    def __init__(self, rule=GOOD_RULE, unit="days", template_path=os.path.abspath(__file__),
                 view=ViewSpec(name="cases", label="Land cases", dispute_type="land"),
                 setting=SettingDefault("land.period_days", 30, "Land period", source="test"), **declared):
        self.rule, self.unit, self.template_path, self.view = rule, unit, template_path, view
        self.setting = replace(setting, unit=unit)
        # What the type declares as data (advice, fields, sample…), beside the hooks below.
        self.declared = {"code": "land", "label": "Land and forest ownership", **declared}

    @hookimpl
    def register_dispute_types(self):
        return [DisputeType(**self.declared)]

    @hookimpl
    def intake_fields(self, dispute_type):
        if dispute_type != self.declared["code"] or "fields" in self.declared:
            return None
        return [IntakeField("decided_on", "Day the township decided", kind="date")]

    @hookimpl
    def register_settings(self):
        return [self.setting]

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


# -- Advice rules: tried on the probe cases, not first on a clerk's case page -----------------

def walk_advice(case):
    """A well-written rule: reads the intake and a dated setting, says what to do."""
    days = setting_decimal("land.period_days")
    return [Advice("land.walk", f"Walk the boundary within {days} days.")] if case.intake_data.get("decided_on") else []


def misspelt_advice(case):
    return [Advice("land.decided", "Decided")] if case.intake_dta.get("decided_on") else []


def text_advice(case):
    return "Walk the boundary together."


def old_law_advice(case):
    """Reads a setting on a day before its first value: no value yet is no programming error."""
    import datetime as dt

    setting_decimal("land.period_days", on=dt.date(1990, 1, 1))
    return []


def test_well_written_advice_starts_and_reads_its_settings_before_setup(database, tmp_path):
    from tests.fixtures import make_app

    plugin = LandPlugin(advice=(walk_advice, old_law_advice))
    app = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", plugin)])
    assert app.extensions["jiefen"].registry.dispute_types["land"].advice == (walk_advice, old_law_advice)


def test_advice_taking_no_case_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(advice=(lambda: [],)))
    assert "dispute type 'land': advice '<lambda>' cannot be called with one argument, the case" in message


def test_advice_reading_a_misspelt_attribute_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(advice=(misspelt_advice,)))
    assert "dispute type 'land', advice 'misspelt_advice': raised AttributeError" in message
    assert "intake_dta" in message and "probe case of 'land'" in message


def test_advice_returning_text_instead_of_a_list_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(advice=(text_advice,)))
    assert "advice 'text_advice': returned str 'Walk the boundary together.', not a list of Advice or None" in message


def test_advice_failing_on_the_database_does_not_stop_start_up(database, tmp_path):
    """Advice that cannot read the database (a fresh install before setup) is no typo."""
    from sqlalchemy.exc import OperationalError

    from tests.fixtures import make_app

    def database_advice(case):
        raise OperationalError("SELECT value FROM setting", {}, Exception("no such table: setting"))

    app = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", LandPlugin(advice=(database_advice,)))])
    assert "land" in app.extensions["jiefen"].registry.dispute_types


def test_a_diversion_advice_hook_raising_a_key_error_stops_start_up(database, tmp_path):
    class Plugin(LandPlugin):
        @hookimpl
        def diversion_advice(self, case):
            return [Advice("land.owner", case.intake_data["owner"])]

    message = refused_start_up(database, tmp_path, Plugin())
    assert "hook 'diversion_advice': raised KeyError: 'owner'" in message


# -- Settings, the deadlines hook, type declarations ---------------------------------------

def test_a_setting_key_without_the_types_prefix_stops_start_up(database, tmp_path):
    setting = SettingDefault("days_x", 30, "Days", source="test")
    plugin = LandPlugin(setting=setting, rule=replace(GOOD_RULE, setting_key="days_x"))
    message = refused_start_up(database, tmp_path, plugin)
    assert "setting 'days_x': key must start with the plugin's prefix; allowed: land.<name>, zz-land.<name>" in message


def test_a_misspelt_track_on_a_rule_the_hook_returns_stops_start_up(database, tmp_path):
    message = refused_start_up(database, tmp_path, LandPlugin(rule=replace(GOOD_RULE, tracks=("prefiling",))))
    assert "deadline 'land.period': tracks prefiling unknown; allowed: court_entrusted, litigation, pre_filing" in message


def test_a_rule_the_hook_returns_applies_on_its_tracks_only(app, database, tmp_path):
    """(``app``: the suite's migrated database, where plugin switches are read.)"""
    from app.plugins import CaseView
    from tests.fixtures import make_app

    rule = replace(GOOD_RULE, tracks=("court_entrusted",))
    land = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", LandPlugin(rule=rule))])
    dispatcher = land.extensions["jiefen"].dispatcher
    with land.test_request_context():
        pre = {r.code for r in dispatcher.case_deadline_rules(CaseView(id=1, dispute_type="land"))}
        court = {r.code for r in dispatcher.case_deadline_rules(
            CaseView(id=1, dispute_type="land", track="court_entrusted", procedure="ordinary"))}
    assert "land.period" not in pre and "land.period" in court


def test_a_deadlines_hook_that_raises_on_every_probe_stops_start_up(database, tmp_path):
    class Plugin(LandPlugin):
        @hookimpl
        def deadlines(self, case):
            return [self.rule] if case.dispute_typ == "land" else None

    message = refused_start_up(database, tmp_path, Plugin())
    assert "plugin 'zz-land', hook 'deadlines': raised AttributeError" in message and "dispute_typ" in message


def test_a_deadlines_setting_with_a_default_in_words_stops_start_up(database, tmp_path):
    setting = SettingDefault("land.period_days", "ten", "Land period", source="test")
    message = refused_start_up(database, tmp_path, LandPlugin(setting=setting))
    assert "setting 'land.period_days' (used by deadline 'land.period'): default 'ten' is not a number" in message


def test_two_intake_fields_of_one_name_stop_start_up(database, tmp_path):
    fields = (IntakeField("decided_on", "Day decided", kind="date"), IntakeField("decided_on", "Decided by"))
    message = refused_start_up(database, tmp_path, LandPlugin(fields=fields))
    assert "dispute type 'land': intake fields decided_on are declared more than once" in message


@pytest.mark.parametrize("code", ["", "Land-Forest"])
def test_a_malformed_type_code_stops_start_up(database, tmp_path, code):
    plugin = LandPlugin(code=code, view=ViewSpec(name="cases", label="Land cases", dispute_type=code))
    message = refused_start_up(database, tmp_path, plugin)
    assert f"dispute type {code!r}: code {code!r} is not allowed; allowed: a lower-case letter" in message


def test_a_rule_taking_a_core_rules_code_stops_start_up(database, tmp_path):
    plugin = LandPlugin(rule=replace(GOOD_RULE, code="core.pre_filing_mediation"))
    message = refused_start_up(database, tmp_path, plugin)
    assert "deadline 'core.pre_filing_mediation': code is also used by plugin core" in message


def test_a_sample_the_types_own_form_refuses_stops_start_up(database, tmp_path):
    fields = (IntakeField("decided_on", "Day decided", kind="date", required=True),
              IntakeField("area", "Area (mu)", kind="decimal", min_value=1))
    message = refused_start_up(database, tmp_path, LandPlugin(fields=fields, sample={"area": "0.5"}))
    assert "dispute type 'land': sample intake fails the type's intake validation" in message
    assert "decided_on: This field is required." in message and "area: Must be at least 1." in message
