"""The states a case moves through and the actions that move it (docs/domain-model.md).

Plugins extend the machine through ``validate_transition`` (veto) and ``on_transition``
(react); the table below is the only place that says which move is possible from where.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

TERMINAL = frozenset({"closed", "withdrawn", "merged", "transferred"})
OPEN_STATES = frozenset(
    {
        "registered",
        "screening",
        "mediation_accepted",
        "litigation_screening",
        "assigned",
        "scheduled",
        "in_mediation",
        "agreement_reached",
        "mediation_failed",
        "judicial_confirmation",
        "performing",
        "referred",
    }
)


@dataclass(frozen=True)
class Action:
    """A move of the case from one of ``sources`` to ``target``."""

    name: str
    label: object
    sources: frozenset
    target: str
    needs_note: bool = False  # a reason the timeline must keep
    needs_track: bool = False  # small claims / fast-track / ordinary / arbitration
    needs_case_no: bool = False  # the case this one is merged into
    danger: bool = False


def _a(name, label, sources, target, **kw) -> Action:
    return Action(name, label, frozenset(sources), target, **kw)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        _a("start_screening", _l("Start screening"), {"registered"}, "screening"),
        _a("accept_mediation", _l("Parties agree to mediation"), {"screening"}, "mediation_accepted"),
        _a(
            "refuse_mediation",
            _l("Mediation refused: screen for litigation"),
            {"screening"},
            "litigation_screening",
            needs_note=True,
        ),
        _a("assign", _l("Offer to mediators"), {"mediation_accepted", "assigned"}, "assigned"),
        _a("schedule", _l("Appointment made"), {"assigned"}, "scheduled"),
        _a("start_mediation", _l("Start mediation"), {"scheduled"}, "in_mediation"),
        _a("reach_agreement", _l("Agreement reached"), {"in_mediation"}, "agreement_reached"),
        _a(
            "fail_mediation",
            _l("Mediation failed"),
            {"scheduled", "in_mediation"},
            "mediation_failed",
            needs_note=True,
            danger=True,
        ),
        _a(
            "apply_confirmation",
            _l("Apply for judicial confirmation"),
            {"agreement_reached"},
            "judicial_confirmation",
        ),
        _a(
            "start_performance",
            _l("Terms being performed"),
            {"agreement_reached", "judicial_confirmation"},
            "performing",
        ),
        _a("close", _l("Close the case"), {"performing", "mediation_failed"}, "closed", needs_note=True),
        _a(
            "transfer",
            _l("Transfer to litigation or arbitration"),
            {"litigation_screening", "mediation_failed", "judicial_confirmation"},
            "transferred",
            needs_track=True,
            needs_note=True,
        ),
        _a("withdraw", _l("Withdrawn by the applicant"), OPEN_STATES, "withdrawn", needs_note=True, danger=True),
        _a(
            "merge",
            _l("Merge into another case"),
            OPEN_STATES,
            "merged",
            needs_case_no=True,
            needs_note=True,
            danger=True,
        ),
    ]
}


def available(state: str) -> list[Action]:
    """The actions possible from ``state``, in the table's order."""
    return [a for a in ACTIONS.values() if state in a.sources]
