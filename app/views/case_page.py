"""What the case page's header shows: the lifecycle step bar, the one primary action for the
current step, the other actions of the step, and the rare ones kept in "More actions"."""
from __future__ import annotations

from dataclasses import dataclass
from flask import url_for
from flask_babel import lazy_gettext as _l

from app.lifecycle.machine import ACTIONS, TERMINAL, available

# The main road of a case (登记 → 分流 → 指派 → 调解 → 协议 → 司法确认 → 履行回访 → 办结).
STEPS = [
    ("registration", _l("Registration")),
    ("diversion", _l("Diversion")),
    ("assignment", _l("Assignment")),
    ("mediation", _l("Mediation")),
    ("agreement", _l("Agreement")),
    ("confirmation", _l("Judicial confirmation")),
    ("performance", _l("Performance and return visits")),
    ("completion", _l("Completion")),
]
STEP_OF_STATE = {
    "registered": 0,
    "screening": 1,
    "litigation_screening": 1,
    "referred": 1,
    "mediation_accepted": 2,
    "assigned": 2,
    "scheduled": 3,
    "in_mediation": 3,
    "mediation_failed": 3,
    "agreement_reached": 4,
    "judicial_confirmation": 5,
    "performing": 6,
    "closed": 7,
}
# The next step on the main road from each state: the one primary button of the header.
PRIMARY = {
    "registered": "start_screening",
    "screening": "accept_mediation",
    "mediation_accepted": "assign",
    "assigned": "schedule",
    "scheduled": "start_mediation",
    "in_mediation": "reach_agreement",
    "agreement_reached": "apply_confirmation",
    "judicial_confirmation": "start_performance",
    "performing": "close",
    "mediation_failed": "close",
    "litigation_screening": "transfer",
}
# Rare or final moves: in the "More actions" menu, each saying what it will do.
RARE = {
    "withdraw": _l("The case ends at the applicant's request; the reason is kept on the timeline and its "
                   "deadlines stop. It cannot be reopened."),
    "merge": _l("The case ends and is handled as part of the case you name; the reason is kept on the "
                "timeline. It cannot be reopened."),
    "transfer": _l("The case leaves mediation for litigation or arbitration on the track you choose; the "
                   "reason is kept on the timeline."),
}
# Steps whose data has a page of its own: the button goes there (booking the first
# appointment schedules the case; recording the first session starts the mediation).
ACTION_PAGES = {
    "assign": "AssignmentView.assign",
    "schedule": "SessionView.appointment",
    "start_mediation": "SessionView.record",
    "reach_agreement": "OutcomeView.save_agreement",
    "apply_confirmation": "OutcomeView.confirmation",
}
# Status colours, one meaning everywhere: blue in progress, green done, red failed,
# grey not started or ended without an outcome.
STATE_COLOURS = {
    "registered": "grey",
    "closed": "green",
    "mediation_failed": "red",
    "withdrawn": "grey",
    "merged": "grey",
    "transferred": "grey",
}


@dataclass(frozen=True)
class CaseAction:
    """One button of the case header: the lifecycle action, where it goes, how it shows."""

    name: str
    label: object
    url: str
    consequence: object = ""


def state_colour(state: str) -> str:
    """The tag colour of a case state."""
    return STATE_COLOURS.get(state, "blue")


def action_url(case, name: str) -> str:
    """The page that performs ``name`` on ``case``."""
    endpoint = ACTION_PAGES.get(name)
    if endpoint:
        return url_for(endpoint, pk=case.id)
    return url_for("CaseWorkflowView.act", pk=case.id, action=name)


def _button(case, name: str) -> CaseAction:
    return CaseAction(name, ACTIONS[name].label, action_url(case, name), RARE.get(name, ""))


def _court_may_confirm(case) -> bool:
    """False when the stored agreement can never go to judicial confirmation: an oral one, or
    one with no term a court confirms (:func:`app.lifecycle.confirmation.scope_of`)."""
    from app.lifecycle.confirmation import scope_of
    from app.lifecycle.outcome import agreement_of

    agreement = agreement_of(case)
    return agreement is None or not scope_of(case, agreement).refusal


def case_buttons(case) -> dict:
    """``{"primary": CaseAction | None, "secondary": [...], "more": [...]}`` for the header.

    The primary action is the next step on the main road; the step's alternatives
    (refusing, failing, offering again, skipping confirmation) are secondary — an agreement no
    court confirms (an oral one) goes straight on to performance; withdrawal,
    merging and transfer go to "More actions" — except a transfer that is the way on
    (litigation screening)."""
    names = [a.name for a in available(case.status)]
    primary = PRIMARY.get(case.status)
    if case.status == "agreement_reached" and not _court_may_confirm(case):
        # A court would refuse it every time: performance is the step that follows.
        names, primary = [n for n in names if n != "apply_confirmation"], "start_performance"
    if primary not in names:
        primary = None
    secondary = [n for n in names if n != primary and n not in RARE]
    return {
        "primary": _button(case, primary) if primary else None,
        "secondary": [_button(case, n) for n in secondary],
        "more": [_button(case, n) for n in names if n in RARE and n != primary],
    }


def _stopped_at(case) -> int:
    """For a case that ended off the main road: the step it had reached (from the timeline)."""
    for event in reversed(case.timeline):
        if event.to_state == case.status and event.from_state:
            return STEP_OF_STATE.get(event.from_state, 0)
    return 0


def case_steps(case) -> list[dict]:
    """The step bar: each step's label and state (done, current, wait, error or stopped),
    the current step noting what comes next."""
    status = case.status
    if status in TERMINAL and status != "closed":
        current, mark = _stopped_at(case), "stopped"
    else:
        current = STEP_OF_STATE.get(status, 0)
        mark = "error" if status == "mediation_failed" else ("done" if status == "closed" else "current")
    buttons = case_buttons(case)
    steps = []
    for i, (code, label) in enumerate(STEPS):
        if i < current:
            state = "done"
        elif i == current:
            state = mark
        else:
            state = "wait"
        note = ""
        if i == current:
            from app.models.case import CASE_STATES

            note = CASE_STATES.get(status, status)
            if state == "current" and buttons["primary"] is not None:
                note = buttons["primary"].label
        steps.append({"code": code, "label": label, "state": state, "note": note})
    return steps


def install_page_helpers(app) -> None:
    """Expose the frame's, the case page's and the case list's helpers to every template."""
    from app.views.case_filters import install_case_list_helpers
    from app.views.frame import install_frame_helpers

    install_frame_helpers(app)
    install_case_list_helpers(app)
    from app.services.reveal import REASONS, case_personal, is_revealed, reveal_time

    app.jinja_env.globals.update(case_buttons=case_buttons, case_steps=case_steps, state_colour=state_colour,
                                  case_files=case_files, case_personal=case_personal, reveal_reasons=REASONS,
                                  reveal_time=reveal_time,
                                  mediator_revealed=lambda m: is_revealed("mediator", m.id))


FILES_SHOWN = 50  # the case page lists this many files; the records page has them all


def case_files(case) -> list:
    """The case's files, newest first (one query, at most :data:`FILES_SHOWN`)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models.mediation import Attachment

    query = select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id.desc())
    return list(db.session.scalars(query.limit(FILES_SHOWN)))

