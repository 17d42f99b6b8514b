"""The neighbour plugin's own tests: its hooks, called as the core calls them.

Run from the Jiefen project root: ``pytest examples/neighbour/tests``. Most tests are plain
function calls; the two that need a running Jiefen build one with this plugin registered.
The plugin contract (forms, agreements, catalogues) is checked separately, by Jiefen's
``tests/test_plugin_contract_all.py``, which installs this distribution through its entry point.
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import re
import tomllib
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest
from packaging.specifiers import SpecifierSet

from app.plugins import CLASSIFICATIONS
from jiefen_neighbour import fields, plugin

DIST = Path(__file__).resolve().parent.parent


def case(**intake):
    return SimpleNamespace(dispute_type="neighbour", intake_data=intake)


@pytest.fixture(scope="module")
def napp(database, tmp_path_factory):
    """A Jiefen app with this plugin registered (directly, unless pip already installed it)."""
    from tests.fixtures import make_migrated_app

    installed = importlib.metadata.entry_points(group="jiefen.plugins", name="neighbour")
    extra = [] if installed else [("neighbour", plugin)]
    return make_migrated_app(database, tmp_path_factory.mktemp("neighbour"), JIEFEN_EXTRA_PLUGINS=extra)


# -- declarations ------------------------------------------------------------------------------
def test_plugin_metadata_matches_the_distribution_and_the_core():
    from app import __version__ as core_version

    meta = plugin.plugin_metadata()
    project = tomllib.loads((DIST / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta.version == project["version"]
    assert SpecifierSet(meta.requires_core).contains(core_version)
    assert project["entry-points"]["jiefen.plugins"] == {"neighbour": "jiefen_neighbour.plugin"}


def test_register_dispute_types_owns_neighbour():
    (dtype,) = plugin.register_dispute_types()
    assert (dtype.code, dtype.order) == ("neighbour", 80)


def test_intake_fields_are_all_classified_and_homes_are_personal():
    specs = {f.name: f for f in plugin.intake_fields(dispute_type="neighbour")}
    assert all(f.classification in CLASSIFICATIONS for f in specs.values())
    assert specs["applicant_home"].classification == "personal"
    assert specs["respondent_home"].classification == "personal"
    assert specs["since"].not_in_future and specs["repair_cost"].kind == "decimal"
    assert plugin.intake_fields(dispute_type="traffic") is None


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


def test_sample_intake_is_accepted_by_its_own_form(napp):
    from app.intake.payload import flatten
    from app.services.intake import intake_form

    sample = plugin.sample_intake(dispute_type="neighbour")
    dates = [v for v in sample.values() if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v)]
    assert dates and all(d < "2026-11-01" for d in dates)
    with napp.test_request_context():
        form = intake_form("neighbour", flatten({"intake": sample}), api=True)
        form.validate()
        assert not form.intake.errors
    assert plugin.sample_intake(dispute_type="traffic") is None


def test_setting_has_a_source_and_the_deadline_reads_it():
    (setting,) = plugin.register_settings()
    assert setting.key.startswith("neighbour.") and setting.value == 30
    assert setting.source and setting.check and setting.unit == "days"
    (rule,) = plugin.deadlines(case=SimpleNamespace(dispute_type="neighbour"))
    assert rule.setting_key == setting.key and rule.starts_from == "created_at"
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="neighbour", track="litigation")) == []
    assert plugin.deadlines(case=SimpleNamespace(dispute_type="traffic")) is None


def test_agreement_template_ships_its_docx_and_dated_sample_terms():
    (template,) = plugin.agreement_templates(dispute_type="neighbour")
    text = "\n".join(p.text for p in docx.Document(template.path).paragraphs)
    assert "邻里纠纷人民调解协议书" in text and "{{ t.text }}" in text
    assert 2 <= len(template.sample_terms) <= 3
    assert all(t.manner and t.due for t in template.sample_terms)
    assert template.suggested_terms and all(t.due is None for t in template.suggested_terms)
    assert plugin.agreement_templates(dispute_type="traffic") is None


def test_register_views_declares_a_case_list():
    (spec,) = plugin.register_views()
    assert spec.kind == "case_list" and spec.dispute_type == "neighbour"


def test_translation_directories_hold_both_languages():
    (folder,) = plugin.translation_directories()
    for lang in ("zh_Hans_CN", "en"):
        assert (Path(folder) / lang / "LC_MESSAGES" / "messages.po").exists()


def test_plugin_imports_only_the_plugin_api():
    for path in (DIST / "jiefen_neighbour").rglob("*.py"):
        for m in re.finditer(r"^\s*(?:from|import)\s+(app[\w.]*)", path.read_text(encoding="utf-8"), re.M):
            assert m.group(1) == "app.plugins", f"{path} imports {m.group(1)}"


# -- behaviour ---------------------------------------------------------------------------------
def test_linkage_partners_start_with_the_community():
    partners = plugin.linkage_partners(dispute_type="neighbour")
    assert [p.code for p in partners] == ["community-committee", "street-office", "property-management"]
    assert partners[0].kind == "mediation_committee"
    assert plugin.linkage_partners(dispute_type="traffic") is None


def test_diversion_advice_is_only_for_neighbour_cases():
    assert plugin.diversion_advice(case=SimpleNamespace(dispute_type="traffic", intake_data={})) is None


def test_diversion_advice_sends_encroachment_to_the_community_and_the_certificates():
    advice = plugin.diversion_advice(case=case(issue_kind="encroachment", local_help=False))
    assert [a.code for a in advice] == ["neighbour.local_first", "neighbour.property_rights"]
    assert advice[1].severity == "warning" and advice[1].source


def test_diversion_advice_asks_where_a_leak_comes_from():
    advice = plugin.diversion_advice(case=case(issue_kind="water_leak", local_help=True))
    assert [a.code for a in advice] == ["neighbour.find_the_leak"]


def test_diversion_advice_gives_the_pre_filing_period_from_the_dated_setting(napp):
    from flask_babel import force_locale

    pre_filing = SimpleNamespace(dispute_type="neighbour", track="pre_filing",
                                 created_at=dt.datetime(2026, 11, 2, 9, 30),
                                 intake_data={"issue_kind": "noise", "local_help": True})
    with napp.test_request_context():
        advice = plugin.diversion_advice(case=pre_filing)
        assert [a.code for a in advice] == ["neighbour.noise_police", "neighbour.pre_filing_period"]
        with force_locale("en"):
            assert "30 days" in str(advice[-1].message)
        with force_locale("zh_CN"):
            assert "30日" in str(advice[-1].message)
