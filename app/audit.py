"""Write an audit row for every change of case data, inside the flush that makes it, and for
every download or export of it (:func:`record_access`).

FAB's ``post_add``/``post_update`` run after the commit, so they could lose a row; a
SQLAlchemy ``after_flush`` hook writes into the same transaction instead: the change and its
audit row commit together or not at all.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import g, has_request_context, request
from sqlalchemy import event, inspect, select

from app.audit_chain import append, chain_transaction
from app.models.types import utcnow
from app.services.classification import mask_numbers_in_text
from app.validation.identity import mask_id_number, mask_mobile

AUDITED = frozenset(
    {
        "cases", "party", "consent", "assignment", "agreement", "agreed_term", "signature",
        "judicial_confirmation", "return_visit", "appointment", "mediation_session", "attachment",
        "mediator", "membership", "setting", "plugin_state", "holiday_day",
        # who was given which case data, and where a partner's deliveries are sent
        "referral", "organization",
        # risk ratings (风险研判), and the hazards found in screening with the people they name
        "risk_assessment", "hazard", "hazard_party",
    }
)
# Personal data never enters the log in clear (security.md: audit values masked).
MASKS = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
}
HIDDEN = frozenset({"address", "caucus_notes", "minutes", "notes", "description", "intake_data", "original_name",
                    "response_text"})


def _plain(column: str, value):
    if value is None:
        return None
    if column in MASKS:
        return MASKS[column](str(value))
    if column in HIDDEN:
        return "[hidden]"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        # a mobile or ID number typed into free text (a referral's purpose) is masked too
        return mask_numbers_in_text(value)
    if isinstance(value, (int, float, bool, list, dict)):
        return value
    return str(value)


def _actor_and_via():
    if not has_request_context():
        return None, "cli"
    via = "api" if request.path.startswith("/api/") else "web"
    user = getattr(g, "user", None)
    actor = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if actor is None:
        from app.services.scope import current_user_obj

        actor = getattr(current_user_obj(), "id", None)
    return actor, via


# Rows of these tables belong to a case through their agreement.
VIA_AGREEMENT = frozenset({"agreed_term", "signature"})


def _case_of(session, obj, table: str):
    """The case an audited object belongs to (``None`` for mediators, settings, …)."""
    loaded = inspect(obj).dict  # what is loaded: no lazy load (or autoflush) inside a flush
    if table == "cases":
        return loaded.get("id")
    if loaded.get("case_id") is not None:
        return loaded["case_id"]
    if table in VIA_AGREEMENT and loaded.get("agreement_id") is not None:
        from app.models.outcome import Agreement

        return session.connection().execute(
            select(Agreement.case_id).where(Agreement.id == loaded["agreement_id"])).scalar()
    return None


def _rows(session) -> list[dict]:
    now, rows = utcnow(), []
    actor, via = None, None
    for action, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table not in AUDITED:
                continue
            state = inspect(obj)
            changes = {}
            for attr in state.mapper.column_attrs:
                key = attr.key
                hist = state.attrs[key].history
                if action == "insert":
                    value = getattr(obj, key, None)
                    if value is not None:
                        changes[key] = _plain(key, value)
                elif action == "update" and hist.has_changes():
                    old = hist.deleted[0] if hist.deleted else None
                    new = hist.added[0] if hist.added else None
                    changes[key] = [_plain(key, old), _plain(key, new)]
            if action == "update" and not changes:
                continue
            if actor is None and via is None:
                actor, via = _actor_and_via()
            rows.append(
                {"at": now, "actor_id": actor, "via": via, "table_name": table,
                 "row_id": getattr(obj, "id", None), "case_id": _case_of(session, obj, table),
                 "action": action, "changes": changes}
            )
    return rows


def record_access(table: str, row_id, action: str, details: dict | None = None) -> None:
    """Log a read that hands case data out — a download (``"download"``) or an export
    (``"export"``).

    Written and committed on a connection of its own: the request's session is neither
    committed (nothing pending of the caller's goes with it) nor expired (objects it already
    loaded are not read again) — unless that transaction has already written audit rows of its
    own and so holds the chain: then the row is written in it. The row's case is
    ``details["case_id"]``, or ``row_id`` for ``table == "cases"``.
    """
    from app.extensions import db

    actor, via = _actor_and_via()
    details = details or {}
    case_id = row_id if table == "cases" else details.get("case_id")
    rows = [{"at": utcnow(), "actor_id": actor, "via": via, "table_name": table, "row_id": row_id,
             "case_id": case_id if isinstance(case_id, int) else None, "action": action, "changes": details}]
    if _holds_chain(db.session()):
        # This request's own transaction already wrote audit rows and holds the chain (the
        # advisory lock, SQLite's write lock): a second connection would wait for it forever.
        # The row goes with that transaction instead.
        append(db.session.connection(), rows)
        return
    with chain_transaction(db.engine) as conn:
        append(conn, rows)


def _holds_chain(session) -> bool:
    """True while ``session``'s transaction has appended audit rows it has not committed."""
    held = session.info.get(_CHAIN_TX)
    return held is not None and held.is_active and session.get_transaction() is held


def install_audit(session_target) -> None:
    """Listen on the app's session (idempotent: SQLAlchemy keeps one listener per function)."""
    if event.contains(session_target, "after_flush", _after_flush):
        return
    event.listen(session_target, "after_flush", _after_flush)


_CHAIN_TX = "jiefen_audit_chain_tx"


def _after_flush(session, _context):
    rows = _rows(session)
    if rows:
        # after the flush's own writes: on SQLite this transaction holds the write lock already
        append(session.connection(), rows)
        session.info[_CHAIN_TX] = session.get_transaction()
