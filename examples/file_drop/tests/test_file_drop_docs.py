"""docs/linkage.md builds this example step by step: each of its snippets must still be the
example's real code, word for word."""
from __future__ import annotations

import re
from pathlib import Path

DIST = Path(__file__).resolve().parent.parent
DOC = DIST.parent.parent / "docs" / "linkage.md"
SECTION = "## Writing a mechanism: the file-drop example"


def snippets(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(SECTION):]
    return re.findall(rf"^```{language}\n(.*?)^```", section, flags=re.S | re.M)


def test_every_python_snippet_is_the_examples_code():
    sources = {
        "plugin": (DIST / "jiefen_file_drop" / "plugin.py").read_text(encoding="utf-8"),
        "tests": (DIST / "tests" / "test_file_drop.py").read_text(encoding="utf-8"),
    }
    found = snippets("python")
    assert len(found) >= 8
    stale = [s for s in found if not any(s in source for source in sources.values())]
    assert not stale, "docs/linkage.md shows code the example no longer has:\n" + "\n---\n".join(stale)


def test_the_entry_point_snippet_is_the_pyproject():
    (toml,) = snippets("toml")
    assert toml in (DIST / "pyproject.toml").read_text(encoding="utf-8")
