"""The contract every dispute-type plugin must meet, run on each discovered plugin (the
built-ins and the example plugins in examples/, installed through their entry points).

The checks themselves live in the plugin testing kit (``app.plugins.testing.contract``), the
one copy that a plugin's own tests run too (the ``check_plugin_contract`` fixture).
"""
from __future__ import annotations

import pytest

from app.plugins.manager import build_plugin_manager, collect_registry
from app.plugins.testing import CONTRACT_CHECKS, PluginKit, bad_inputs, retranslated_words
from app.plugins.testing.appdb import wipe
from app.plugins.testing.contract import check_bad_input_refused
from tests.plugin_install import EXAMPLE_PLUGINS, installed_examples

with installed_examples():
    _REGISTRY = collect_registry(build_plugin_manager())
PLUGINS = sorted(n for n in _REGISTRY.plugins if _REGISTRY.plugins[n].dispute_types)
TYPES = sorted((owner, code) for code, owner in _REGISTRY.type_owner.items())
assert set(EXAMPLE_PLUGINS) <= set(_REGISTRY.plugins), "an example plugin was not discovered"


@pytest.fixture(scope="module")
def capp(database, tmp_path_factory):
    """An app with every built-in plugin and the examples installed."""
    from tests.fixtures import make_migrated_app

    with installed_examples():
        app = make_migrated_app(database, tmp_path_factory.mktemp("contract"))
        yield app
    wipe(app)


@pytest.fixture
def kit(capp):
    """The testing kit on the contract app; what a check registers is wiped afterwards."""
    yield PluginKit(capp)
    wipe(capp)


# Each mistake of the form is its own test below, so one refusal failing names the mistake.
CHECKS = [(name, check) for name in PLUGINS for check in CONTRACT_CHECKS if check != "bad_input_refused"]


@pytest.mark.parametrize("name,check", CHECKS, ids=[f"{n}-{c}" for n, c in CHECKS])
def test_plugin_meets_the_contract(kit, name, check):
    """Metadata, one owner per type, classified fields, the sample accepted through the API
    and the form, templates rendering to DOCX and HTML, complete catalogues."""
    kit.check_contract(name, only=[check])


def test_every_contract_check_runs_on_every_plugin():
    assert {"bad_input_refused"} | {c for _n, c in CHECKS} == set(CONTRACT_CHECKS)


BAD = [(owner, code, bad[0]) for owner, code in TYPES for bad in bad_inputs(_REGISTRY.field_specs(code))]


@pytest.mark.parametrize("owner,code,mistake", BAD, ids=[f"{c}-{m}" for _, c, m in BAD])
def test_form_rejects_bad_input_in_the_users_language_and_stores_nothing(kit, owner, code, mistake):
    check_bad_input_refused(kit, owner, only=mistake)


def test_plugins_do_not_retranslate_shared_words(kit):
    """All catalogues share one domain and the last loaded wins: no plugin may translate a
    word of the core, FAB or another plugin differently."""
    clashes = retranslated_words(kit, PLUGINS)
    assert not clashes, "\n".join(clashes)
