"""The plugin testing kit (``app.plugins.testing``) itself: a project with nothing but Jiefen
installed gets its fixtures, people sign in per role, cases come through the intake, and
behaviour is asked of the core's dispatcher."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

import app.plugins.testing as kit_module
from app.plugins.testing import PluginKit

OUTSIDE_TEST = textwrap.dedent('''
    from app.plugins.testing import CONTRACT_CHECKS


    def test_a_plugin_project_tests_with_the_kit_alone(jiefen, client_as, make_case, check_plugin_contract):
        code = sorted(jiefen.registry.dispute_types)[0]
        case = make_case(code)
        assert case.view.dispute_type == code and case.view.status == "registered"
        page = client_as("Clerk").get(f"/case/show/{case.id}")
        assert page.status_code == 200
        check_plugin_contract(jiefen.owner_of(code), only=["metadata", "fields_classified"])


    def test_each_test_starts_with_no_case(jiefen):
        assert jiefen.api("Admin", "GET", "/api/v1/case/").get_json()["count"] == 0
''')


def test_a_project_without_jiefens_conftest_gets_the_kit(tmp_path):
    """The fixtures come from the ``pytest11`` entry point: a folder outside this checkout, with
    no conftest, tests a plugin against a fresh Jiefen (on PostgreSQL too, when asked)."""
    (tmp_path / "test_outside.py").write_text(OUTSIDE_TEST, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
                          "--rootdir", str(tmp_path), str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout


def test_the_kit_is_registered_once_as_a_pytest_plugin(request):
    plugin = request.config.pluginmanager.get_plugin("jiefen")
    assert plugin is kit_module
    registered = [p for p in request.config.pluginmanager.get_plugins() if p is kit_module]
    assert len(registered) == 1
    from tests import fixtures

    kit_fixtures = {"jiefen", "jiefen_app", "jiefen_app_factory", "jiefen_database", "client_as", "make_case",
                    "check_plugin_contract"}
    assert not kit_fixtures & {n for n, v in vars(fixtures).items() if hasattr(v, "_fixture_function_marker")
                               or type(v).__name__ == "FixtureFunctionDefinition"}


def test_the_core_suite_and_the_kit_share_one_app_and_database(app, jiefen_app, database, jiefen_database):
    assert app is jiefen_app and database is jiefen_database


def test_client_as_signs_in_a_user_of_each_role(jiefen):
    from app.roles import ROLE_MATRIX

    assert set(ROLE_MATRIX) < set(jiefen.roles)
    for role in jiefen.roles:
        browser = jiefen.client_as(role)
        assert browser.get("/users/userinfo/").status_code == 200, role
        with jiefen.app.app_context():
            user = jiefen.app.appbuilder.sm.find_user(username=jiefen.username(role))
            assert [r.name for r in user.roles] == [role]
    assert jiefen.client().get("/users/userinfo/").status_code == 302  # nobody signed in
    with pytest.raises(ValueError, match="unknown role"):
        jiefen.client_as("Janitor")


def test_make_case_registers_through_the_validated_intake(jiefen):
    code = sorted(jiefen.registry.dispute_types)[0]
    dates = [f.name for f in jiefen.registry.field_specs(code) if f.kind == "date"]
    assert dates, "the first type has no date field to get wrong"
    with pytest.raises(AssertionError, match=f"intake-{dates[0]}"):
        jiefen.make_case(code, **{dates[0]: "2026-02-30"})
    case = jiefen.make_case(code, payload={"title": "林晓明与黄丽娟纠纷（套件）"})
    answer = jiefen.api("Clerk", "GET", f"/api/v1/case/{case.id}").get_json()
    assert answer["result"]["title"] == "林晓明与黄丽娟纠纷（套件）"
    # what plugins receive is read-only
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        case.view.status = "closed"
    with pytest.raises(TypeError):
        case.view.intake_data["x"] = 1


def test_behaviour_is_asked_of_the_dispatcher_so_a_disabled_plugin_is_silent(jiefen):
    """Advice comes through the core's dispatcher: switching the owner off on the plugins
    page silences it, as on the case page."""
    for code, owner in sorted(jiefen.registry.type_owner.items()):
        own = jiefen.advice_codes(jiefen.case_like(code, jiefen.sample(code)), plugin=owner)
        if own:
            break
    else:
        pytest.fail("no plugin gives advice on its own sample")
    jiefen.set_enabled(owner, False)
    assert jiefen.advice_codes(jiefen.case_like(code, jiefen.sample(code)), plugin=owner) == []
    jiefen.set_enabled(owner, True)
    assert jiefen.advice_codes(jiefen.case_like(code, jiefen.sample(code)), plugin=owner) == own


def test_a_kit_on_another_app_is_the_same_kit(app):
    assert PluginKit(app).registry is app.extensions["jiefen"].registry


def test_the_linkage_steps_go_through_the_pages_and_the_api(jiefen):
    """A mechanism plugin's tests set a partner's channel on the Linkage page, refer a case
    through the API and run the outbox worker, all through the kit."""
    police = jiefen.add_partner("城区交警大队")
    refused = jiefen.set_channel(police, "webhook", url="ftp://police.partner.invalid", secret_ref="police")
    assert refused.status_code == 422
    assert "请填写以 http:// 或 https:// 开头的地址" in refused.get_data(as_text=True)
    assert jiefen.set_channel(police, "in_platform").status_code == 302
    referral = jiefen.refer(police)
    assert referral > 0
    assert isinstance(jiefen.run_outbox(), dict)
    assert all(isinstance(status, str) for status, _attempts in jiefen.outbox())
