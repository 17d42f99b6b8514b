"""docs/plugins.md against the code it documents: the walkthrough quotes the land-and-forest
example (every Python and TOML snippet is the example's real code), and the lists a plugin
author relies on — case states, deadline starts, the attributes of the case view — are complete."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "land_forest"
HEADING = "## Walkthrough: a land-and-forest type"


def walkthrough() -> str:
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    start = docs.index(HEADING)
    end = docs.find("\n## ", start + len(HEADING))
    return docs[start:end if end != -1 else None]


def snippets(language: str) -> list[str]:
    """The pieces of each ``language`` block, cut where the guide writes ``...``; the one-off
    script that built the DOCX is not in the example, on purpose."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```", walkthrough(), re.S | re.M)
    pieces = []
    for block in blocks:
        if "tools.build_agreement_templates" in block:
            continue
        pieces += [p.strip("\n") for p in re.split(r"^\s*\.\.\.\s*$", block, flags=re.M) if p.strip()]
    return pieces


def example_text(*patterns: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for pattern in patterns for p in sorted(EXAMPLE.glob(pattern)))


def test_the_walkthrough_quotes_every_step():
    assert len(snippets("python")) >= 15 and len(snippets("toml")) >= 2


@pytest.mark.parametrize("snippet", snippets("python"), ids=lambda s: s.splitlines()[0][:60])
def test_each_python_snippet_is_the_examples_code(snippet):
    assert snippet in example_text("jiefen_land_forest/*.py", "conftest.py", "tests/*.py"), snippet


@pytest.mark.parametrize("snippet", snippets("toml"), ids=lambda s: s.splitlines()[0][:60])
def test_each_toml_snippet_is_the_examples_pyproject(snippet):
    assert snippet in example_text("pyproject.toml"), snippet


def test_the_refusal_it_shows_is_the_one_jiefen_gives():
    """Step 12 quotes the start-up refusal of a misspelt start word for word."""
    import sys
    from dataclasses import replace

    from app.plugins import hookimpl
    from app.plugins.manager import PluginError, build_plugin_manager, collect_registry

    sys.path.insert(0, str(EXAMPLE))
    try:
        from jiefen_land_forest import plugin
    finally:
        sys.path.remove(str(EXAMPLE))

    class Misspelt:
        @hookimpl
        def register_dispute_types(self):
            rule = replace(plugin.SITE_SURVEY, starts_from="mediation_acepted_on")
            return [replace(plugin.LAND_FOREST, deadlines=(rule,), templates=())]

    pm = build_plugin_manager(exclude=["land_forest"], extra_plugins=[("land_forest_typo", Misspelt())])
    with pytest.raises(PluginError) as refused:
        collect_registry(pm)
    (shown,) = [b for b in re.findall(r"^```text\n(.*?)^```", walkthrough(), re.S | re.M) if "refused" in b]
    assert str(refused.value) == shown.strip()


def _table_codes(section: str) -> set[str]:
    """The codes in the first column of the tables under ``## section``."""
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    start = docs.index(f"\n## {section}")
    end = docs.find("\n## ", start + 4)
    return set(re.findall(r"^\| `([a-z_.<>]+)` \|", docs[start:end], re.M))


def test_every_case_state_is_listed_with_its_labels():
    from app.models.case import CASE_STATES

    assert _table_codes("Case states") == set(CASE_STATES)


def test_every_deadline_start_is_listed():
    from app.lifecycle.deadline_facts import LIFECYCLE_STARTS

    assert _table_codes("Deadline rules") == {"created_at", "intake.<field>", "event.<name>", *LIFECYCLE_STARTS}


def test_every_attribute_of_the_case_view_is_listed():
    import dataclasses

    from app.plugins import CaseView

    assert _table_codes("The case plugins see") == {f.name for f in dataclasses.fields(CaseView)}
