"""Type-scoped dispatch and the declarative dispute type: a hook about a case reaches the
plugin that owns the case's type (and the plugins owning none), never another type's owner;
what a type declares as data reaches the core without a single wrapper hook; plugins see a
read-only case."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from app.plugins import (
    Advice,
    CaseView,
    DeadlineRule,
    DisputeType,
    IntakeField,
    LinkagePartner,
    PluginMetadata,
    SettingDefault,
    ViewSpec,
    hookimpl,
)
from app.plugins.manager import PluginError

HERE = os.path.dirname(os.path.abspath(__file__))


def _declared_advice(case):
    return [Advice(f"{case.dispute_type}.declared", f"declared advice of {case.dispute_type}")]


class TypePlugin:
    """A third-party type written the declarative way: hooks only for behaviour, and none of
    them tests the type code."""

    def __init__(self, code, advice=(_declared_advice,), tracks=("pre_filing",)):
        self.code = code
        self.heard: list[tuple[str, str]] = []
        self.declaration = DisputeType(
            code, f"{code} disputes",
            fields=(IntakeField("surveyed_on", "Day the parcel was surveyed", kind="date"),),
            sample={"surveyed_on": "2026-11-02"},
            settings=(SettingDefault(f"{code}.period_days", 20, "Period", source="test", unit="days"),),
            partners=(LinkagePartner("bureau", f"{code} bureau"),),
            deadlines=(DeadlineRule(f"{code}.period", "Period", f"{code}.period_days",
                                    starts_from="intake.surveyed_on", tracks=tracks),),
            advice=advice,
            views=(ViewSpec(name="cases", label=f"{code} cases"),),
        )

    @hookimpl
    def plugin_metadata(self):
        return PluginMetadata(version="1.0", requires_core=">=0.1", translations=os.path.join(HERE, "no-catalogue"))

    @hookimpl
    def register_dispute_types(self):
        return [self.declaration]

    @hookimpl
    def diversion_advice(self, case):
        self.heard.append(("diversion_advice", case.dispute_type))
        return [Advice(f"{self.code}.hook", f"hook advice of {self.code}")]

    @hookimpl
    def validate_transition(self, case, to_state):
        self.heard.append(("validate_transition", case.dispute_type))
        return None


@pytest.fixture
def two_types(app, database, tmp_path):
    """Two third-party types beside the built-ins, on the suite's migrated database."""
    from tests.fixtures import make_app

    land, sea = TypePlugin("land"), TypePlugin("sea")
    built = make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", land), ("zz-sea", sea)])
    land.heard.clear(), sea.heard.clear()  # start-up tried the hooks on probe cases
    return built, land, sea


def test_advice_about_a_case_reaches_only_the_owner_of_its_type(two_types):
    app, land, sea = two_types
    with app.test_request_context():
        advice = app.extensions["jiefen"].dispatcher.case_advice(CaseView(id=1, dispute_type="land"))
    codes = {a.code for a in advice}
    assert {"land.declared", "land.hook"} <= codes
    assert not {c for c in codes if c.startswith("sea.")}
    assert land.heard == [("diversion_advice", "land")] and sea.heard == []


def test_a_transition_check_reaches_only_the_owner_of_the_cases_type(two_types):
    app, land, sea = two_types
    with app.test_request_context():
        found = app.extensions["jiefen"].dispatcher.call_for_case(
            "validate_transition", CaseView(id=1, dispute_type="sea"), from_state="registered",
            to_state="screening", actor=None)
    assert found == []
    assert sea.heard == [("validate_transition", "sea")] and land.heard == []


def test_declared_rules_apply_on_their_tracks_only(two_types):
    app, _land, _sea = two_types
    dispatcher = app.extensions["jiefen"].dispatcher
    with app.test_request_context():
        pre = {r.code for r in dispatcher.case_deadline_rules(CaseView(id=1, dispute_type="land"))}
        court = {r.code for r in dispatcher.case_deadline_rules(
            CaseView(id=1, dispute_type="land", track="court_entrusted", procedure="ordinary"))}
    assert "land.period" in pre and "sea.period" not in pre
    assert "land.period" not in court
    assert "core.court_mediation" in court  # the core's rules still reach every case


def test_what_a_type_declares_reaches_the_core_without_wrapper_hooks(two_types):
    app, _land, _sea = two_types
    reg = app.extensions["jiefen"].registry
    assert [f.name for f in reg.field_specs("land")] == ["surveyed_on"]
    assert reg.samples["land"] == {"surveyed_on": "2026-11-02"}
    assert reg.settings["land.period_days"][0] == "zz-land"
    assert [p.code for p in reg.partners["sea"]] == ["bureau"]
    assert ("zz-land", "land") in {(name, spec.dispute_type) for name, spec in reg.views}
    assert os.path.join(HERE, "no-catalogue") in reg.translation_dirs


def test_advice_that_is_not_callable_stops_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError) as refused:
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", TypePlugin("land", advice=("walk it",)))])
    assert "plugin 'zz-land', dispute type 'land': advice 'walk it' is not a callable" in str(refused.value)


def test_a_rule_on_a_misspelt_track_stops_start_up(database, tmp_path):
    from tests.fixtures import make_app

    with pytest.raises(PluginError) as refused:
        make_app(database, tmp_path, JIEFEN_EXTRA_PLUGINS=[("zz-land", TypePlugin("land", tracks=("prefiling",)))])
    message = str(refused.value)
    assert "deadline 'land.period': tracks prefiling unknown" in message and "pre_filing" in message


def test_the_case_a_plugin_sees_cannot_be_changed():
    view = CaseView.of(CaseView(id=7, dispute_type="land", intake_data={"children": [{"name": "A"}]}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.status = "closed"  # type: ignore[misc]
    from app.plugins.case_view import frozen

    data = frozen({"children": [{"name": "A"}]})
    with pytest.raises(TypeError):
        data["children"] = []  # type: ignore[index]
    with pytest.raises(TypeError):
        data["children"][0]["name"] = "B"  # type: ignore[index]


def test_importing_the_plugin_api_loads_no_model():
    code = "import sys, app.plugins; print(sorted(m for m in sys.modules if m.startswith('app.models')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(HERE))
    assert out.stdout.strip() == "[]"
