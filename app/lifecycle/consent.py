"""Recording the parties' consent (to mediation, online mode, the personal-data notice)."""
from __future__ import annotations

from flask_babel import gettext

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused, record
from app.models.lifecycle import CONSENT_CHANNELS, CONSENT_SUBJECTS, Consent
from app.models.types import utcnow

DECISIONS = ("given", "refused")


def record_consents(case, subject: str, channel: str, decisions: dict, actor) -> list[Consent]:
    """Store each party's answer, with time and channel, and one timeline entry.

    ``decisions`` maps party ids to "given" or "refused"; parties left out are not asked
    now. Raises ``TransitionRefused`` with reasons; nothing is stored then.
    """
    problems = []
    if subject not in CONSENT_SUBJECTS:
        problems.append(gettext("Choose what the parties are consenting to."))
    if channel not in CONSENT_CHANNELS:
        problems.append(gettext("Choose how the answer was given."))
    parties = {p.id: p for p in case.parties}
    answers = {}
    for party_id, decision in (decisions or {}).items():
        try:
            party_id = int(party_id)
        except (TypeError, ValueError):
            party_id = None
        if party_id not in parties:
            problems.append(gettext("A party that is not in this case was given."))
            continue
        if decision in ("", None):
            continue
        if decision not in DECISIONS:
            problems.append(gettext("An answer is either given or refused."))
            continue
        answers[party_id] = decision
    if not answers and not problems:
        problems.append(gettext("Record at least one party's answer."))
    if problems:
        raise TransitionRefused(problems)
    now = utcnow()
    rows = [
        Consent(case_id=case.id, party_id=pid, subject=subject, decision=decision, at=now,
                channel=channel, recorded_by_id=getattr(actor, "id", None))
        for pid, decision in answers.items()
    ]
    with unit_of_work():
        db.session.add_all(rows)
        summary = "；".join(
            f"{parties[pid].name}：{'同意' if d == 'given' else '不同意'}" for pid, d in answers.items()
        )
        record(case, actor, "consent", subject, summary, {"channel": channel, "answers": {str(k): v for k, v in answers.items()}})
    return rows
