"""The traffic plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from app.plugins import CLASSIFICATIONS
from app.plugins.testing import CONTRACT_CHECKS


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_traffic_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("traffic", only=[check])


def test_register_dispute_types_owns_traffic(jiefen):
    assert jiefen.plugin("traffic").dispute_types == ("traffic",)
    assert jiefen.owner_of("traffic") == "traffic"


def test_intake_fields_are_all_classified(jiefen):
    fields = jiefen.fields("traffic")
    assert {"accident_date", "determination_no", "vehicles", "injured_count", "death_count", "property_loss"} <= set(fields)
    for f in fields.values():
        assert f.classification in CLASSIFICATIONS
        for sub in f.subfields:
            assert sub.classification in CLASSIFICATIONS
    # declared for its own type only: the family form is not the traffic plugin's
    assert jiefen.owner_of("family") != "traffic"


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    assert jiefen.intake_errors("traffic", jiefen.sample("traffic")) == {}


def test_sample_intake_registers_a_case_through_the_intake(jiefen, make_case):
    case = make_case("traffic")
    assert case.view.dispute_type == "traffic" and case.view.status == "registered"
    assert case.view.intake_data["determination_no"] == jiefen.sample("traffic")["determination_no"]


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("traffic")
    assert spec.kind == "case_list" and spec.dispute_type == "traffic"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("traffic")
    for lang in ("zh_Hans_CN", "en"):
        assert os.path.exists(os.path.join(folder, lang, "LC_MESSAGES", "messages.po"))


def test_linkage_partners_start_with_the_traffic_police(jiefen):
    partners = jiefen.partners("traffic")
    assert partners[0].code == "police-brigade"
    assert "police-brigade" not in {p.code for p in jiefen.partners("debt")}


def test_deadlines_read_dated_settings_with_a_legal_source(jiefen):
    rules = jiefen.deadlines(jiefen.case_like("traffic"), plugin="traffic")
    settings = jiefen.settings_of("traffic")
    assert rules
    for rule in rules:
        assert rule.setting_key in settings
        assert settings[rule.setting_key].value == 10 and settings[rule.setting_key].source


def test_diversion_advice_asks_for_appraisal_after_a_death(jiefen):
    case = jiefen.case_like("traffic", {"death_count": 1, "vehicles": [{"insurer": "x"}]})
    assert set(jiefen.advice_codes(case, plugin="traffic")) == {"traffic.insurer_party", "traffic.appraisal"}


def test_diversion_advice_warns_when_the_police_window_has_passed(jiefen):
    case = jiefen.case_like("traffic", {"determination_date": "2026-01-05"})
    assert jiefen.advice_codes(case, plugin="traffic") == ["traffic.police_window_passed"]


def test_the_police_window_is_open_until_the_deadlines_last_day(jiefen):
    """domain-rules.md, traffic row: "joint written application within **10 days** of the
    accident determination"; a last day on a statutory holiday moves to the first working day
    after it (Civil Code art. 203). Received 21 September: day 10 is National Day, so on
    2 October the window is open until Thursday 8 October — the deadline's due day."""
    case = jiefen.case_like("traffic", {"determination_date": "2026-09-21"})
    with jiefen.on_day(dt.date(2026, 10, 2)):
        (advice,) = jiefen.advice(case, plugin="traffic")
        assert advice.code == "traffic.police_window_open"
        assert "still possible until 2026-10-08" in jiefen.text(advice.message)
    with jiefen.on_day(dt.date(2026, 10, 9)):
        (advice,) = jiefen.advice(case, plugin="traffic")
        assert advice.code == "traffic.police_window_passed"
        assert "ended on 2026-10-08" in jiefen.text(advice.message)


def test_the_police_window_says_nothing_once_the_police_took_up_the_application(jiefen):
    went = jiefen.case_like("traffic", {"determination_date": "2026-09-21", "police_mediation_on": "2026-09-25"})
    mediated_here = jiefen.case_like("traffic", {"determination_date": "2026-09-21"}, status="in_mediation")
    with jiefen.on_day(dt.date(2026, 10, 2)):
        assert jiefen.advice_codes(went, plugin="traffic") == []
        assert jiefen.advice_codes(mediated_here, plugin="traffic") == []


def test_diversion_advice_is_only_for_traffic_cases(jiefen):
    other = jiefen.case_like("family", {"death_count": 1, "determination_date": "2026-01-05"})
    assert jiefen.advice_codes(other, plugin="traffic") == []


def test_plugin_metadata_names_a_core_range(jiefen):
    meta = jiefen.plugin("traffic")
    assert meta.version and meta.requires_core
