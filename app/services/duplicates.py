"""Spotting a dispute registered twice: the same person in another open case.

A user is told only about the matching cases they may see. A match in a case outside their
scope (another centre's) is never disclosed to them — no count, no other status, no other
wording — but audited and flagged on the new case for the court's coordinators, the users who
see every case (:func:`app.services.scope.visible_cases` answers ``ALL`` for them).

Two registrations of the same person at the same moment must not both pass the check:
:func:`guard_open_case_keys` serialises them on the party keys before the check runs.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, text

from app.extensions import db
from app.lifecycle.machine import TERMINAL
from app.models.case import Case
from app.models.duplicate import DuplicateFlag
from app.models.party import Party
from app.services.scope import request_scope
from app.validation.identity import mask_id_number, mask_mobile, normalise_id_number, normalise_mobile

# The audit action of a check that found a match the user may not see (audit_event.action
# holds at most 8 characters).
OUT_OF_SCOPE_ACTION = "dupcheck"
# First key of PostgreSQL's two-key advisory locks: Jiefen's open-case guard.
LOCK_NAMESPACE = 0x4A46  # "JF"
SHOWN = 20  # at most this many matching cases are listed or flagged


@dataclass
class DuplicateCheck:
    """The outcome of one check: cases the user may see, and ids of those they may not."""

    visible: list[Case] = field(default_factory=list)
    hidden_ids: list[int] = field(default_factory=list)
    masked_keys: list[str] = field(default_factory=list)

    @property
    def warns(self) -> bool:
        """True when the user must confirm before registering (only visible cases count)."""
        return bool(self.visible)

    def audit(self) -> None:
        """Log a check that matched cases the user may not see (after the transaction ends,
        on a connection of its own); nothing when there were none."""
        if not self.hidden_ids:
            return
        from app.audit import record_access

        record_access("cases", self.hidden_ids[0], OUT_OF_SCOPE_ACTION, {
            "check": "duplicate_check_out_of_scope",
            "party_keys": self.masked_keys,
            "cases": self.hidden_ids,
        })


def _keys(parties: list[dict]) -> list[tuple[str, str]]:
    """``(clear key, masked key)`` of each party: the ID number, and name plus mobile."""
    keys = []
    for p in parties:
        number = normalise_id_number(p.get("id_number") or "")
        if number:
            keys.append((f"id:{number}", f"id:{mask_id_number(number)}"))
        name, mobile = (p.get("name") or "").strip(), normalise_mobile(p.get("mobile") or "")
        if name and mobile:
            keys.append((f"nm:{name}|{mobile}", f"nm:{name[:1]}*|{mask_mobile(mobile)}"))
    return sorted(set(keys))


def guard_open_case_keys(parties: list[dict]) -> None:
    """Hold, until the current transaction ends, the lock of every party key of ``parties``.

    PostgreSQL: one transaction-scoped advisory lock per key, in a fixed order (no deadlock
    between two registrations sharing two people). SQLite lets one writer in at a time: an
    empty write takes that lock now, before the check, instead of at the first insert.
    """
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        for clear, _masked in _keys(parties):
            digest = int.from_bytes(hashlib.sha256(clear.encode()).digest()[:4], "big", signed=True)
            session.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": digest})
    else:
        session.execute(text("UPDATE case_counter SET value = value WHERE 1 = 0"))


def find_duplicates(parties: list[dict]) -> DuplicateCheck:
    """Open cases naming one of ``parties`` (same ID number, or same name and mobile).

    Both queries run whatever the outcome, so the answer takes as long with or without a
    match the user may not see.
    """
    matchers = []
    for p in parties:
        number = normalise_id_number(p.get("id_number") or "")
        if number:
            matchers.append(Party.id_number == number)
        name, mobile = (p.get("name") or "").strip(), normalise_mobile(p.get("mobile") or "")
        if name and mobile:
            matchers.append(and_(Party.name == name, Party.mobile == mobile))
    if not matchers:
        return DuplicateCheck()
    base = (
        select(Case.id)
        .join(Party, Party.case_id == Case.id)
        .where(or_(*matchers), Case.status.not_in(TERMINAL))
        .distinct()
    )
    scope = request_scope()
    visible_ids = base if scope is None else base.where(scope)
    visible_q = select(Case).where(Case.id.in_(visible_ids)).order_by(Case.created_at.desc(), Case.id.desc())
    visible = list(db.session.scalars(visible_q.limit(SHOWN)))
    hidden_q = select(Case.id).where(Case.id.in_(base), Case.id.not_in(visible_ids)).order_by(Case.id.desc())
    hidden = list(db.session.scalars(hidden_q.limit(SHOWN)))
    return DuplicateCheck(visible, hidden, [masked for _clear, masked in _keys(parties)])


def flag_for_coordinators(case: Case, check: DuplicateCheck) -> None:
    """Note on ``case`` (in the current transaction) the open cases its registrar could not see."""
    for other_id in check.hidden_ids:
        db.session.add(DuplicateFlag(case_id=case.id, other_case_id=other_id))


def flags_of(case: Case) -> list[DuplicateFlag]:
    """The possible duplicates noted on ``case`` — for users who see every case only."""
    if request_scope() is not None:
        return []
    return list(db.session.scalars(
        select(DuplicateFlag).where(DuplicateFlag.case_id == case.id).order_by(DuplicateFlag.id)
    ))

