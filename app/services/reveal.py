"""Revealing masked personal data: who may, for what reason, for how long, and what it shows.

A reveal needs the permission ``can_reveal`` on ``PersonalData`` (``app/roles.py``), a reason
(one of :data:`REASONS` plus a sentence) and a record the reader may see; it writes an audit
row naming the fields and the reason before anything is shown. On the web the full values
then show on that record's page for :data:`REVEAL_MINUTES` minutes in the same signed-in
session; the API answers the full values once, in the reveal's own answer.
"""
from __future__ import annotations

import time
from typing import Optional

from flask import session
from flask_babel import gettext, lazy_gettext as _l

from app.audit import record_access
from app.extensions import appbuilder, jiefen
from app.services.classification import (
    MEDIATOR_MASKED,
    PARTY_MASKED,
    hidden,
    mask_core,
    mask_intake,
    mask_record,
    mask_value,
    masked_fields,
)

PERMISSION = ("can_reveal", "PersonalData")
REVEAL_MINUTES = 10
MAX_GRANTS = 20  # the session cookie keeps at most this many live reveals
SESSION_KEY = "jf_reveals"
REASON_MAX = 200
# The common reasons offered first; the sentence typed beside one is required too.
REASONS = {
    "contact": _l("Contact a party (call, message, visit)"),
    "identity": _l("Check a party's identity"),
    "documents": _l("Prepare documents or a service of process"),
    "referral": _l("Arrange a referral or a linked handling"),
    "other": _l("Other"),
}


class RevealRefused(ValueError):
    """A reveal that cannot be made; ``errors`` maps a field to its messages."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def may_reveal() -> bool:
    """True when the signed-in user's roles grant the reveal permission."""
    return bool(appbuilder.sm.has_access(*PERMISSION))


def check_reason(code, text) -> dict:
    """``{"reason_code": code, "reason": text}`` cleaned, or :class:`RevealRefused` saying what
    is missing, in the reader's language."""
    errors = {}
    code = code if isinstance(code, str) else ""
    text = (text if isinstance(text, str) else "").strip()
    if code not in REASONS:
        errors["reason_code"] = [gettext("Choose why you need the full information.")]
    if not text:
        errors["reason"] = [gettext("Say in a sentence why you need the full information.")]
    elif len(text) > REASON_MAX:
        errors["reason"] = [gettext("Keep the reason under %(n)d characters.", n=REASON_MAX)]
    if errors:
        raise RevealRefused(errors)
    return {"reason_code": code, "reason": text}


def _key(kind: str, row_id: int) -> str:
    return f"{kind}:{int(row_id)}"


def _user_id() -> Optional[int]:
    from app.services.scope import current_user_obj

    return getattr(current_user_obj(), "id", None)


def _grants() -> dict:
    grants = session.get(SESSION_KEY)
    # A grant belongs to the user who made it: a session reused by another login has none.
    if not isinstance(grants, dict) or grants.get("user") != _user_id():
        return {}
    now = time.time()
    return {k: v for k, v in grants.items() if k != "user" and isinstance(v, (int, float)) and v > now}


def _grant(kind: str, row_id: int) -> None:
    live = _grants()
    live[_key(kind, row_id)] = time.time() + REVEAL_MINUTES * 60
    newest = sorted(live.items(), key=lambda item: item[1])[-MAX_GRANTS:]
    session[SESSION_KEY] = {"user": _user_id(), **dict(newest)}


def reveal_time(until: Optional[float]) -> str:
    """When a reveal ends, in the reader's local time."""
    import datetime as dt

    from app.templating import local_time

    return local_time(dt.datetime.fromtimestamp(until, tz=dt.timezone.utc)) if until else ""


def is_revealed(kind: str, row_id) -> bool:
    """True while this session's reveal of the record lasts (and the permission is still held)."""
    return row_id is not None and _key(kind, row_id) in _grants() and may_reveal()


def revealed_until(kind: str, row_id) -> Optional[float]:
    """When this session's reveal of the record ends (epoch seconds), if it is live."""
    return _grants().get(_key(kind, row_id)) if row_id is not None else None


# -- cases ---------------------------------------------------------------------------------


def _specs(case):
    return jiefen().registry.field_specs(case.dispute_type)


def case_fields(case) -> list[str]:
    """The case's fields that are masked by default and hold a value."""
    return masked_fields(_specs(case), case.intake_data, case.parties)


def reveal_case(case, code, text, remember: bool = True) -> dict:
    """Check the reason, log the reveal, open it for this session (``remember``, the web's
    way; the API answers the values once); the full values."""
    reason = check_reason(code, text)
    fields = case_fields(case)
    record_access("cases", case.id, "reveal", {"fields": fields, **reason})
    if remember:
        _grant("case", case.id)
    return full_case(case, fields)


def full_case(case, fields=None) -> dict:
    """The case's personal data in full, as the reveal answers it."""
    return {
        "fields": fields if fields is not None else case_fields(case),
        "parties": [{"id": p.id, "name": p.name, **{c: getattr(p, c) or "" for c in PARTY_MASKED}}
                    for p in case.parties],
        "intake": dict(case.intake_data or {}),
    }


def party_values(party, revealed: bool) -> dict:
    """``{id_number, mobile, address}`` of a party as this reader sees them."""
    if revealed:
        return {c: getattr(party, c) or "" for c in PARTY_MASKED}
    return {c: mask_core("party", c, getattr(party, c)) for c in PARTY_MASKED}


def masked_parties(case) -> list[dict]:
    """The parties as the API shows them by default (ID, mobile and address masked)."""
    return [{"id": p.id, "kind": p.kind, "role": p.role, "name": p.name, **party_values(p, False)}
            for p in case.parties]


def masked_case_intake(case) -> dict:
    """The case's intake data as the API shows it by default."""
    return mask_intake(_specs(case), case.intake_data)


def case_personal(case) -> dict:
    """What the case page shows of the case's personal data, and whether it may be revealed."""
    revealed = is_revealed("case", case.id)
    specs = _specs(case)
    data = dict(case.intake_data or {})
    rows = []
    for spec in specs:
        value = data.pop(spec.name, None)
        if spec.kind == "records":
            records = [r for r in (value or []) if isinstance(r, dict)]
            if records:
                shown = records if revealed else [mask_record(spec, r) for r in records]
                rows.append({"label": spec.label, "records": {
                    "headers": [s.label for s in spec.subfields],
                    "rows": [[_display(s, r.get(s.name)) for s in spec.subfields] for r in shown]}})
            continue
        text = _display(spec, value if revealed else mask_value(spec, value))
        if text:
            rows.append({"label": spec.label, "value": text})
    for key, value in data.items():  # keys no declaration knows (a plugin removed since)
        if value not in (None, "", []):
            rows.append({"label": key, "value": str(value) if revealed else hidden()})
    until = revealed_until("case", case.id) if revealed else None
    return {
        "revealed": revealed,
        "until": until,
        "parties": {p.id: party_values(p, revealed) for p in case.parties},
        "intake": rows,
        "may_reveal": may_reveal() and not revealed and bool(case_fields(case)),
    }


def _display(spec, value) -> str:
    from app.templating import _format

    if isinstance(value, str) and value == hidden():
        return value
    return _format(spec, value)


# -- mediators -----------------------------------------------------------------------------


def mediator_fields(mediator) -> list[str]:
    """The mediator's masked fields that hold a value."""
    return [c for c in MEDIATOR_MASKED if getattr(mediator, c)]


def reveal_mediator(mediator, code, text) -> dict:
    """Check the reason, log the reveal, open it for this session; the full values."""
    reason = check_reason(code, text)
    fields = mediator_fields(mediator)
    record_access("mediator", mediator.id, "reveal", {"fields": fields, **reason})
    _grant("mediator", mediator.id)
    return {c: getattr(mediator, c) or "" for c in MEDIATOR_MASKED}


def mask_mediator_values(columns, values: list, mediator) -> list:
    """A mediator page's values with the mobile and certificate number masked, unless this
    session revealed them."""
    if is_revealed("mediator", mediator.id):
        return values
    values = list(values)
    for column in MEDIATOR_MASKED:
        if column in columns:
            i = list(columns).index(column)
            values[i] = mask_core("mediator", column, values[i])
    return values
