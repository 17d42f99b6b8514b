"""The neighbour plugin's own tests: what it declares and how it behaves, seen through the
plugin testing kit (``app.plugins.testing``) exactly as the core sees and calls it.

Run them from the Jiefen project root (``pytest examples/neighbour/tests``) or from this
distribution's folder: the kit comes with Jiefen, and ``conftest.py`` registers the plugin
when it is not installed. The contract checks every plugin must pass run here too.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import tomllib
from pathlib import Path

import docx
import pytest
from packaging.specifiers import SpecifierSet

from app.plugins import CLASSIFICATIONS
from app.plugins.testing import CONTRACT_CHECKS
from jiefen_neighbour import fields

DIST = Path(__file__).resolve().parent.parent


def case(jiefen, **intake):
    """A neighbour case the court entrusted, with ``intake``."""
    return jiefen.case_like("neighbour", intake, track="court_entrusted")


@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_neighbour_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("neighbour", only=[check])


# -- declarations ------------------------------------------------------------------------------
def test_plugin_metadata_matches_the_distribution_and_the_core(jiefen):
    meta = jiefen.plugin("neighbour")
    project = tomllib.loads((DIST / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta.version == project["version"]
    assert SpecifierSet(meta.requires_core).contains(importlib.metadata.version("jiefen"))
    assert project["entry-points"]["jiefen.plugins"] == {"neighbour": "jiefen_neighbour.plugin"}


def test_register_dispute_types_owns_neighbour(jiefen):
    assert jiefen.plugin("neighbour").dispute_types == ("neighbour",)
    dtype = jiefen.dispute_type("neighbour")
    assert (dtype.code, dtype.order) == ("neighbour", 80)


def test_intake_fields_are_all_classified_and_homes_are_personal(jiefen):
    specs = jiefen.fields("neighbour")
    assert all(f.classification in CLASSIFICATIONS for f in specs.values())
    assert specs["applicant_home"].classification == "personal"
    assert specs["respondent_home"].classification == "personal"
    assert specs["since"].not_in_future and specs["repair_cost"].kind == "decimal"
    assert jiefen.owner_of("traffic") != "neighbour"  # the traffic form is not this plugin's


def test_cross_field_validators():
    home = "汕尾市城区香洲街道通港路18号3栋502房"
    assert fields.homes_differ(home.replace("3栋", "3栋 "), {"applicant_home": home})
    assert fields.homes_differ("通港路18号3栋602房", {"applicant_home": home}) is None
    since = dt.date(2026, 7, 15)
    assert fields.last_incident_not_before_start(dt.date(2026, 7, 1), {"since": since})
    assert fields.last_incident_not_before_start(dt.date(2026, 10, 8), {"since": since}) is None
    assert fields.last_incident_not_before_start(dt.date(2026, 7, 1), {"since": None}) is None
    assert fields.attempts_described_when_involved("  ", {"local_help": True})
    assert fields.attempts_described_when_involved("", {"local_help": False}) is None


def test_sample_intake_is_accepted_by_its_own_form(jiefen):
    sample = jiefen.sample("neighbour")
    dates = [v for v in sample.values() if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v)]
    assert dates and all(d < "2026-11-01" for d in dates)
    assert jiefen.intake_errors("neighbour", sample) == {}
    assert jiefen.owner_of("traffic") != "neighbour"


def test_a_neighbour_case_registers_through_the_intake(make_case):
    registered = make_case("neighbour", issue_kind="noise")
    assert registered.view.dispute_type == "neighbour" and registered.view.intake_data["issue_kind"] == "noise"


def test_a_neighbour_case_counts_the_cores_one_pre_filing_period(jiefen):
    """domain-rules.md, "Counting periods": one pre-filing rule, one start, one setting — the
    neighbour type declares no period of its own."""
    assert jiefen.settings_of("neighbour") == {}
    assert jiefen.deadlines(jiefen.case_like("neighbour"), plugin="neighbour") == []
    codes = [r.code for r in jiefen.deadlines(jiefen.case_like("neighbour"))]
    assert codes.count("core.pre_filing_mediation") == 1
    assert not [c for c in codes if "pre_filing" in c and not c.startswith("core.")]


def test_agreement_template_ships_its_docx_and_dated_sample_terms(jiefen):
    (template,) = jiefen.templates("neighbour")
    text = "\n".join(p.text for p in docx.Document(template.path).paragraphs)
    assert "邻里纠纷人民调解协议书" in text and "{{ t.text }}" in text
    assert 2 <= len(template.sample_terms) <= 3
    assert all(t.manner and t.due for t in template.sample_terms)
    assert template.suggested_terms and all(t.due is None for t in template.suggested_terms)
    assert template not in jiefen.templates("traffic")


def test_register_views_declares_a_case_list(jiefen):
    (spec,) = jiefen.views_of("neighbour")
    assert spec.kind == "case_list" and spec.dispute_type == "neighbour"


def test_translation_directories_hold_both_languages(jiefen):
    (folder,) = jiefen.translation_dirs_of("neighbour")
    for lang in ("zh_Hans_CN", "en"):
        assert (Path(folder) / lang / "LC_MESSAGES" / "messages.po").exists()


def test_plugin_imports_only_the_plugin_api():
    for path in (DIST / "jiefen_neighbour").rglob("*.py"):
        for m in re.finditer(r"^\s*(?:from|import)\s+(app[\w.]*)", path.read_text(encoding="utf-8"), re.M):
            assert m.group(1) == "app.plugins", f"{path} imports {m.group(1)}"


# -- behaviour ---------------------------------------------------------------------------------
def test_linkage_partners_start_with_the_community(jiefen):
    partners = jiefen.partners("neighbour")
    assert [p.code for p in partners] == ["community-committee", "street-office", "property-management"]
    assert partners[0].kind == "mediation_committee"
    assert "community-committee" not in {p.code for p in jiefen.partners("traffic")}


def test_diversion_advice_is_only_for_neighbour_cases(jiefen):
    assert jiefen.advice_codes(jiefen.case_like("traffic"), plugin="neighbour") == []


def test_diversion_advice_sends_encroachment_to_the_community_and_the_certificates(jiefen):
    advice = jiefen.advice(case(jiefen, issue_kind="encroachment", local_help=False), plugin="neighbour")
    assert [a.code for a in advice] == ["neighbour.local_first", "neighbour.property_rights"]
    assert advice[1].severity == "warning" and advice[1].source


def test_diversion_advice_asks_where_a_leak_comes_from(jiefen):
    advice = jiefen.advice(case(jiefen, issue_kind="water_leak", local_help=True), plugin="neighbour")
    assert [a.code for a in advice] == ["neighbour.find_the_leak"]


def test_noise_that_goes_on_can_be_reported_to_the_police(jiefen):
    advice = jiefen.advice(case(jiefen, issue_kind="noise", local_help=True), plugin="neighbour")
    assert [a.code for a in advice] == ["neighbour.noise_police"]
