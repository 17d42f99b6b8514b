"""Changing a case's state: plugins may veto and react, all inside one transaction."""
from __future__ import annotations

from typing import Optional

from app.extensions import jiefen


class TransitionRefused(Exception):
    """A plugin refused a state change; ``reasons`` are sentences for the user."""

    def __init__(self, reasons: list):
        super().__init__("; ".join(str(r) for r in reasons))
        self.reasons = reasons


def check_transition(case, from_state: Optional[str], to_state: str, actor) -> None:
    """Ask every enabled plugin whether the change may happen; raise if any says no."""
    hook = jiefen().dispatcher.hook("validate_transition")
    reasons = [
        r
        for r in hook(case=case, from_state=from_state, to_state=to_state, actor=actor)
        if r
    ]
    if reasons:
        raise TransitionRefused(reasons)


def apply_transition(session, case, to_state: str, actor) -> None:
    """Move ``case`` to ``to_state`` (flushed, not committed) and tell the plugins."""
    from_state = case.status if case.id is not None else None
    check_transition(case, from_state, to_state, actor)
    case.status = to_state
    session.flush()
    jiefen().dispatcher.hook("on_transition")(
        case=case, from_state=from_state, to_state=to_state, actor=actor
    )
