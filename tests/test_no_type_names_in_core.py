"""No names in the core: whatever the core does differently for a dispute type comes from what
the type declares (``DisputeType.excluded_from_judicial_confirmation``,
``excluded_from_small_claims``), never from its code — so a third-party type declaring the
same flags is treated the same way as the built-in one."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.plugins import DisputeType, hookimpl
from app.plugins.manager import build_plugin_manager, collect_registry
from tests.fixtures import make_migrated_app
from tests.plugin_install import installed_examples

APP = Path(__file__).resolve().parent.parent / "app"
# Translations hold words, migrations hold history; the demo modules are sample data that
# seed a story about the built-in types on purpose (they are not rules of the core).
NOT_CORE = ("translations", "migrations")
DEMO_DATA = re.compile(r"^demo(_\w+)?\.py$")


def installed_type_codes() -> set[str]:
    """Every dispute type of every installed plugin, the examples included."""
    with installed_examples():
        return set(collect_registry(build_plugin_manager()).dispute_types)


def core_files():
    for path in sorted(APP.rglob("*")):
        parts = path.relative_to(APP).parts
        if path.is_file() and not set(parts) & set(NOT_CORE) and "__pycache__" not in parts \
                and not DEMO_DATA.match(path.name):
            yield path


def test_the_core_names_no_installed_dispute_type():
    codes = installed_type_codes()
    assert {"traffic", "family", "neighbour"} <= codes
    quoted = re.compile(r"""(["'])(%s)\1""" % "|".join(map(re.escape, sorted(codes))))
    hits = []
    for path in core_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        for n, line in enumerate(text.splitlines(), start=1):
            if quoted.search(line):
                hits.append(f"{path.relative_to(APP.parent)}:{n}: {line.strip()}")
    assert not hits, "the core names a dispute type:\n" + "\n".join(hits)


def test_the_family_type_declares_its_personal_status_exclusions():
    # Term by term: a family agreement's support terms may be confirmed, its divorce may not.
    family = collect_registry(build_plugin_manager()).dispute_types["family"]
    assert not family.excluded_from_judicial_confirmation and not family.excluded_from_small_claims
    assert family.confirmation_excluded_kinds == ("personal_status",)
    assert set(family.small_claims_excluded_kinds) == {"personal_status", "custody"}


class Kinship:
    """A third-party type of personal-status disputes, and one of plain money claims."""

    @hookimpl
    def register_dispute_types(self):
        return [
            DisputeType("kinship", "Kinship status", excluded_from_judicial_confirmation=True,
                        excluded_from_small_claims=True),
            DisputeType("tenancy", "Tenancy"),
        ]


@pytest.fixture(scope="module")
def kapp(database, tmp_path_factory):
    return make_migrated_app(database, tmp_path_factory.mktemp("kinship"),
                             JIEFEN_EXTRA_PLUGINS=[("kinship", Kinship())])


def a_case(dispute_type):
    return SimpleNamespace(id=None, dispute_type=dispute_type, claim_amount=Decimal("5000"), intake_data={})


def test_a_third_party_personal_status_type_is_not_sent_for_judicial_confirmation(kapp):
    from app.lifecycle.confirmation import confirmation_problems
    from app.services.settings import today

    with kapp.test_request_context("/?_l_=en"):
        problems = confirmation_problems(a_case("kinship"), today())
        other = confirmation_problems(a_case("tenancy"), today())
    assert len(problems) == 1 and "Personal-status matters" in problems[0] and "Kinship status" in problems[0]
    assert "法释〔2011〕5号" in problems[0]
    assert "Personal-status" not in " ".join(other)  # refused only for having no agreement


def test_a_third_party_type_excluded_from_small_claims_gets_no_small_claims_advice(kapp):
    from app.lifecycle import core_rules

    with kapp.test_request_context("/?_l_=en"):
        assert core_rules.diversion_advice(a_case("kinship")) is None
        advice = core_rules.diversion_advice(a_case("tenancy"))
    assert advice and advice[0].code.startswith("core.small_claims")
