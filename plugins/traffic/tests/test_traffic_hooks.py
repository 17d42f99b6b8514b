"""The traffic plugin's own tests: its hooks, called as the core calls them."""
from __future__ import annotations

import os
from types import SimpleNamespace

from app.plugins import CLASSIFICATIONS
from plugins.traffic import plugin


def test_register_dispute_types_owns_traffic():
    (dtype,) = plugin.register_dispute_types()
    assert dtype.code == "traffic"


def test_intake_fields_are_all_classified():
    fields = plugin.intake_fields(dispute_type="traffic")
    names = {f.name for f in fields}
    assert {"accident_date", "determination_no", "vehicles", "injured_count", "death_count", "property_loss"} <= names
    for f in fields:
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    assert plugin.intake_fields(dispute_type="family") is None


def test_sample_intake_is_accepted_by_its_own_form(app):
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    sample = plugin.sample_intake(dispute_type="traffic")
    with app.test_request_context():
        form = intake_form("traffic", flatten({"intake": sample}), api=True)
        form.validate()
        assert not form.intake.errors


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "traffic"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_start_with_the_traffic_police():
    partners = plugin.linkage_partners(dispute_type="traffic")
    assert partners[0].code == "police-brigade"
    assert plugin.linkage_partners(dispute_type="debt") is None


def test_deadlines_read_dated_settings_with_a_legal_source():
    rules = plugin.deadlines(case=SimpleNamespace(dispute_type="traffic"))
    settings = {s.key: s for s in plugin.register_settings()}
    for rule in rules:
        assert rule.setting_key in settings
        assert settings[rule.setting_key].value == 10 and settings[rule.setting_key].source


def test_diversion_advice_asks_for_appraisal_after_a_death(app):
    case = SimpleNamespace(dispute_type="traffic", intake_data={"death_count": 1, "vehicles": [{"insurer": "x"}]})
    with app.app_context():
        codes = {a.code for a in plugin.diversion_advice(case=case)}
    assert codes == {"traffic.insurer_party", "traffic.appraisal"}


def test_diversion_advice_warns_when_the_police_window_has_passed(app):
    case = SimpleNamespace(dispute_type="traffic", intake_data={"determination_date": "2026-01-05"})
    with app.app_context():
        advice = plugin.diversion_advice(case=case)
    assert [a.code for a in advice] == ["traffic.police_window_passed"]


def test_plugin_metadata_names_a_core_range():
    meta = plugin.plugin_metadata()
    assert meta.version and meta.requires_core
