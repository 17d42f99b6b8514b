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
# Translations hold words, migrations hold history; nothing else is exempt (the demo included:
# it recognises the types from what they declare, app/demo_kinds.py).
NOT_CORE = ("translations", "migrations")
# A kind of agreed term may share its word with a type ("property"): used as a kind — the
# TERM_KINDS declaration, ``kind="property"``, ``term.kind == "property"`` — it is no type name.
TERM_KINDS_DECLARATION = re.compile(r"^TERM_KINDS\s*=\s*\((?P<kinds>[^)]*)\)", re.M)


def installed_type_codes() -> set[str]:
    """Every dispute type of every installed plugin, the examples included."""
    with installed_examples():
        return set(collect_registry(build_plugin_manager()).dispute_types)


def core_files():
    for path in sorted(APP.rglob("*")):
        parts = path.relative_to(APP).parts
        if path.is_file() and not set(parts) & set(NOT_CORE) and "__pycache__" not in parts:
            yield path


def type_name_hits(text: str, codes: set[str]) -> list[tuple[int, str]]:
    """``(line number, line)`` of each quoted type code in ``text`` that is not a term kind used
    as a kind."""
    from app.plugins.types import TERM_KINDS

    quoted = re.compile(r"""(["'])(%s)\1""" % "|".join(map(re.escape, sorted(codes))))
    as_kind = re.compile(r"""\bkind\s*(?:==|!=|=)\s*(["'])(%s)\1""" % "|".join(map(re.escape, TERM_KINDS)))
    declaration = TERM_KINDS_DECLARATION.search(text)
    declared = range(text.count("\n", 0, declaration.start()) + 1,
                     text.count("\n", 0, declaration.end()) + 2) if declaration else range(0)
    hits = []
    for n, line in enumerate(text.splitlines(), start=1):
        if n in declared:
            line = re.sub(r"""(["'])(%s)\1""" % "|".join(map(re.escape, TERM_KINDS)), "", line)
        if quoted.search(as_kind.sub("", line)):
            hits.append((n, line.strip()))
    return hits


def test_the_core_names_no_installed_dispute_type():
    codes = installed_type_codes()
    assert {"traffic", "family", "neighbour", "property"} <= codes
    hits = []
    for path in core_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        hits += [f"{path.relative_to(APP.parent)}:{n}: {line}" for n, line in type_name_hits(text, codes)]
    assert not hits, "the core names a dispute type:\n" + "\n".join(hits)


def test_the_demo_is_checked_like_the_rest_of_the_core():
    assert {"demo.py", "demo_steps.py", "demo_parties.py"} <= {p.name for p in core_files()}


@pytest.mark.parametrize("line", [
    'if case.dispute_type == "property":',
    "TYPES = ('traffic', 'labour')",
    'kinds = {"family": 1}',
    'if case.dispute_type == "property" and term.kind == "money":',
])
def test_a_type_code_in_the_core_is_found(line):
    assert type_name_hits(line, {"property", "traffic", "labour", "family"})


@pytest.mark.parametrize("text", [
    'AgreementTerm("交付房屋", kind="property")',
    "if term.kind == 'property':",
    'TERM_KINDS = ("money", "property", "support")',
    'TERM_KINDS = (\n    "money",\n    "property",\n)',
])
def test_a_term_kind_used_as_a_kind_is_not_a_type_name(text):
    assert type_name_hits(text, {"property"}) == []


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
