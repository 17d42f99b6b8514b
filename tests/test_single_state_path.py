"""One path changes a case's state: ``app/lifecycle/workflow.py``. No other module of the core
assigns a case's state, builds a case already in a state, or updates the column in bulk, and
no other module asks or tells the plugins about a change of state — so no change escapes the
guards, the plugins' veto, their reaction or the timeline."""
from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
THE_PATH = APP / "lifecycle" / "workflow.py"
STATE_COLUMNS = {"status", "state"}
# The hook specifications and the dispatcher name the hooks without calling them on a case;
# the plugin authors' test kit asks for a veto on a case it never changes.
HOOK_PLUMBING = {APP / "plugins" / "hookspecs.py", APP / "plugins" / "dispatch.py", APP / "plugins" / "manager.py",
                 APP / "plugins" / "checks.py"}
TEST_KIT = APP / "plugins" / "testing"


def python_files():
    for path in sorted(APP.rglob("*.py")):
        if "migrations" not in path.parts and "__pycache__" not in path.parts:
            yield path


def _names_a_case(node) -> bool:
    """``case``, ``self.case``, ``target_case``, ``session.get(Case, id)``…: an expression that
    reads as a case."""
    text = ast.unparse(node)
    return bool(re.search(r"(^|[._])case$", text, re.IGNORECASE) or re.search(r"\bget\(Case\b", text))


def state_writes(path: Path) -> list[str]:
    """Every place in ``path`` that sets a case's state."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hits = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Attribute) and t.attr in STATE_COLUMNS and _names_a_case(t.value):
                    hits.append(node)
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            keywords = {k.arg for k in node.keywords}
            if func in ("Case", "models.Case") and keywords & STATE_COLUMNS:
                hits.append(node)  # a case built already in a state
            if func == "setattr" and len(node.args) >= 2 and _names_a_case(node.args[0]) \
                    and isinstance(node.args[1], ast.Constant) and node.args[1].value in STATE_COLUMNS:
                hits.append(node)
            if func.endswith(".values") and keywords & STATE_COLUMNS and "update(Case)" in ast.unparse(node):
                hits.append(node)  # UPDATE cases SET status = …
    return [f"{path.relative_to(APP.parent)}:{n.lineno}: {ast.unparse(n).splitlines()[0]}" for n in hits]


def test_only_the_workflow_changes_a_cases_state():
    # The plugin authors' test kit puts a throw-away case where a contract test needs it;
    # nothing the platform runs goes through it.
    hits = [hit for path in python_files() if path != THE_PATH and TEST_KIT not in path.parents
            for hit in state_writes(path)]
    assert not hits, "a case's state is changed outside app/lifecycle/workflow.py:\n" + "\n".join(hits)


def test_the_workflow_is_where_the_state_changes():
    # The check above sees the writes it is meant to see: the one path has them.
    assert len(state_writes(THE_PATH)) >= 2


def test_only_the_workflow_asks_and_tells_the_plugins_about_a_change_of_state():
    hook = re.compile(r"""["'](validate_transition|on_transition)["']""")
    hits = []
    for path in python_files():
        if path == THE_PATH or path in HOOK_PLUMBING or TEST_KIT in path.parents:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if hook.search(line):
                hits.append(f"{path.relative_to(APP.parent)}:{n}: {line.strip()}")
    assert not hits, "a state-change hook is called outside app/lifecycle/workflow.py:\n" + "\n".join(hits)


def test_there_is_no_second_module_for_changing_state():
    assert not (APP / "services" / "transitions.py").exists()
