"""The land-and-forest plugin's own tests, through the plugin testing kit (``app.plugins.testing``):
the core registers, advises and counts a land or forest title dispute from one declaration.

Run from anywhere Jiefen is installed: ``pytest examples/land_forest/tests``. The kit's fixtures
(``jiefen``, ``make_case``, ``client_as``, ``check_plugin_contract``, ``jiefen_app_factory``)
come from Jiefen's pytest plugin; ``../conftest.py`` registers this plugin with its app.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from app.plugins import hookimpl
from app.plugins.testing import CONTRACT_CHECKS
from jiefen_land_forest import plugin

# A boundary dispute over woodland that the township government has already decided.
DECIDED = {"government_handled": True, "decision_received_on": "2026-09-05"}
CONTRACT = {"resource_kind": "farmland", "dispute_kind": "contract", "certificate_kind": "land_contract",
            "certificate_no": "441502101201JC00123", "known_since": "2026-03-02"}


def case_like(jiefen, track="pre_filing", **changes):
    """The sample dispute with ``changes``, as the plugin's rules receive it."""
    return jiefen.case_like("land_forest", {**jiefen.sample("land_forest"), **changes}, track=track)


def deadline_row(page: str, code: str) -> list[str]:
    """The cells (start, due, days left, status…) of deadline ``code`` on a case page."""
    row = re.search(rf'data-code="{re.escape(code)}">(.*?)</tr>', page, re.S)
    assert row, f"no deadline {code} on the page"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


# -- the contract and the declaration --------------------------------------------------------------
@pytest.mark.parametrize("check", CONTRACT_CHECKS)
def test_land_forest_meets_the_plugin_contract(check_plugin_contract, check):
    check_plugin_contract("land_forest", only=[check])


def test_the_type_is_one_declaration_kept_out_of_small_claims(jiefen):
    dtype = jiefen.dispute_type("land_forest")
    assert jiefen.owner_of("land_forest") == "land_forest"
    assert dtype.excluded_from_small_claims and not dtype.excluded_from_judicial_confirmation
    assert [p.code for p in jiefen.partners("land_forest")] == [
        "township-government", "natural-resources-bureau", "forestry-bureau"]
    (view,) = jiefen.views_of("land_forest")
    assert view.kind == "case_list" and view.dispute_type == "land_forest"  # the declaration's default
    settings = jiefen.settings_of("land_forest")
    assert settings["land_forest.suit_after_decision_days"].value == 30
    assert "土地管理法 第14条" in settings["land_forest.suit_after_decision_days"].source
    assert "森林法 第22条" in settings["land_forest.suit_after_decision_days"].source
    assert settings["land_forest.site_survey_working_days"].check  # the court's own period, to be confirmed


def test_no_rule_of_the_plugin_tests_the_type_code():
    for path in Path(plugin.__file__).parent.glob("*.py"):
        assert not re.search(r"dispute_type\s*[!=]=", path.read_text(encoding="utf-8")), path


# -- registration, through the API, and the case page ----------------------------------------------
def test_a_clerk_registers_a_woodland_boundary_dispute_and_is_told_the_government_decides_first(
        jiefen, make_case, client_as):
    case = make_case("land_forest")
    assert case.view.dispute_type == "land_forest" and case.view.intake_data["area_mu"] == "12.50"
    page = client_as("Clerk", lang="zh_CN").get(f"/case/show/{case.id}").get_data(as_text=True)
    assert "山林土地权属纠纷" in page
    assert "应当先由人民政府处理" in page
    assert "12.50 亩" in page and "¥12.50" not in page  # an area, not money
    listed = client_as("Clerk").get("/plugins/land_forest/cases/list/")
    assert listed.status_code == 200 and f"/case/show/{case.id}" in listed.get_data(as_text=True)
    assert "森林法 第22条" in page  # woodland: the Forest Law is the source


def test_the_intake_refuses_a_decision_date_without_the_government_having_handled_it(jiefen):
    errors = jiefen.intake_errors("land_forest", {**jiefen.sample("land_forest"), "decision_received_on": "2026-09-05"})
    assert list(errors) == ["decision_received_on"]
    errors = jiefen.intake_errors("land_forest", {**jiefen.sample("land_forest"), "government_handled": True},
                                  lang="zh_CN")
    assert errors["decision_received_on"] == ["请填写当事人收到人民政府处理决定的日期。"]
    errors = jiefen.intake_errors("land_forest", {**jiefen.sample("land_forest"), "certificate_no": ""})
    assert list(errors) == ["certificate_no"]


# -- screening advice ------------------------------------------------------------------------------
def test_a_title_dispute_not_yet_handled_goes_to_the_government_first(jiefen):
    advice = jiefen.advice(case_like(jiefen), plugin="land_forest")
    assert [a.code for a in advice] == ["land_forest.government_first", "land_forest.status_quo"]
    assert advice[0].severity == "warning" and advice[0].source.startswith("森林法 第22条")
    assert "fell the disputed trees" in jiefen.text(advice[1].message)
    farmland = jiefen.advice(case_like(jiefen, resource_kind="farmland"), plugin="land_forest")
    assert farmland[0].source.startswith("土地管理法 第14条")
    assert "change how the disputed land is used" in jiefen.text(farmland[1].message)


def test_once_the_government_has_decided_the_clerk_is_told_the_days_left_to_sue(jiefen):
    advice = jiefen.advice(case_like(jiefen, **DECIDED), plugin="land_forest")
    assert [a.code for a in advice] == ["land_forest.suit_window", "land_forest.status_quo"]
    assert "within 30 days" in jiefen.text(advice[0].message)
    assert "30日内" in jiefen.text(advice[0].message, lang="zh_CN")


def test_a_land_contract_dispute_may_go_to_arbitration_or_straight_to_court(jiefen):
    advice = jiefen.advice(case_like(jiefen, **CONTRACT), plugin="land_forest")
    assert [a.code for a in advice] == ["land_forest.contract_route"]
    assert "within 2 years" in jiefen.text(advice[0].message)
    assert "第18条" in advice[0].source


def test_the_arbitration_period_is_the_one_in_force_on_chinas_day_of_registration(jiefen):
    """Registered at 02:00 on 1 October in Shanwei, 18:00 on 30 September in UTC as the database
    keeps it: the period in force on China's day, 1 October, applies, not the UTC day's."""
    jiefen.add_setting(plugin.ARBITRATION_YEARS, "3", dt.date(2026, 10, 1))
    intake = {**jiefen.sample("land_forest"), **CONTRACT}

    def years_said(created_at):
        (advice,) = jiefen.advice(jiefen.case_like("land_forest", intake, created_at=created_at), plugin="land_forest")
        return jiefen.text(advice.message)

    assert "within 3 years" in years_said(dt.datetime(2026, 9, 30, 18, 0))  # naive: UTC, as SQLite returns it
    assert "within 3 years" in years_said(dt.datetime(2026, 9, 30, 18, 0, tzinfo=dt.timezone.utc))
    assert "within 2 years" in years_said(dt.datetime(2026, 9, 30, 15, 59))  # 23:59 on 30 September in Shanwei


def test_no_small_claims_advice_for_a_title_dispute(jiefen):
    claim = Decimal("8000")
    codes = jiefen.advice_codes(jiefen.case_like("land_forest", jiefen.sample("land_forest"), claim_amount=claim))
    assert not [c for c in codes if c.startswith(("core.small_claims", "core.fast_track"))]
    # the same claim in a type the procedure takes does get the core's small-claims screening
    other = jiefen.advice_codes(jiefen.case_like("traffic", {}, claim_amount=claim))
    assert [c for c in other if c.startswith("core.small_claims")]


# -- deadlines -------------------------------------------------------------------------------------
def test_mediated_cases_get_a_site_survey_and_litigation_does_not(jiefen):
    (survey,) = jiefen.deadlines(case_like(jiefen), plugin="land_forest")
    assert (survey.code, survey.starts_from) == ("land_forest.site_survey", "mediation_accepted_on")
    assert [r.code for r in jiefen.deadlines(case_like(jiefen, track="court_entrusted"), plugin="land_forest")] == [
        "land_forest.site_survey"]
    assert jiefen.deadlines(case_like(jiefen, track="litigation"), plugin="land_forest") == []


def test_the_intake_decides_the_suit_and_arbitration_periods(jiefen):
    codes = [r.code for r in jiefen.deadlines(case_like(jiefen, **DECIDED), plugin="land_forest")]
    assert codes == ["land_forest.site_survey", "land_forest.suit_after_decision"]
    rules = {r.code: r for r in jiefen.deadlines(case_like(jiefen, **CONTRACT), plugin="land_forest")}
    assert rules["land_forest.contract_arbitration"].starts_from == "intake.known_since"
    assert "land_forest.suit_after_decision" not in rules


def test_thirty_days_to_sue_end_after_the_national_day_holiday(jiefen, make_case, client_as):
    """土地管理法 第14条: 30 days from receiving the decision. From 5 September 2026 the 30th day is
    5 October, inside the National Day holiday: the period ends on the first working day, 8 October."""
    case = make_case("land_forest", **DECIDED)
    page = client_as("Clerk").get(f"/case/show/{case.id}").get_data(as_text=True)
    _label, starts, due, *_rest = deadline_row(page, "land_forest.suit_after_decision")
    assert (starts, due) == ("2026-09-05", "2026-10-08")


# -- start-up checks -------------------------------------------------------------------------------
class MisspeltLandForest:
    """The real declaration with one typo in the site survey's start."""

    @hookimpl
    def register_dispute_types(self):
        rule = replace(plugin.SITE_SURVEY, starts_from="mediation_acepted_on")
        return [replace(plugin.LAND_FOREST, deadlines=(rule,), templates=())]


def test_a_misspelt_deadline_start_stops_start_up_naming_plugin_rule_and_field(jiefen_app_factory):
    with pytest.raises(RuntimeError, match="plugin declarations refused at start-up") as refused:
        jiefen_app_factory(plugins=[("land_forest_typo", MisspeltLandForest())], JIEFEN_PLUGINS_EXCLUDE="land_forest")
    (problem,) = str(refused.value).splitlines()[1:]  # one mistake, one line
    assert problem.startswith("- plugin 'land_forest_typo', deadline 'land_forest.site_survey': "
                              "starts_from 'mediation_acepted_on' is not a start the engine knows; allowed: ")
    # the message lists what is allowed, the plugin's own date fields included
    assert "mediation_accepted_on" in problem and "intake.decision_received_on" in problem
