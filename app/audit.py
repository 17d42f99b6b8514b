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
from sqlalchemy import event, insert, inspect

from app.models.audit import AuditEvent
from app.models.types import utcnow
from app.validation.identity import mask_id_number, mask_mobile

AUDITED = frozenset(
    {
        "cases", "party", "consent", "assignment", "agreement", "agreed_term", "signature",
        "judicial_confirmation", "return_visit", "appointment", "mediation_session", "attachment",
        "mediator", "membership", "setting", "plugin_state",
        # who was given which case data, and where a partner's deliveries are sent
        "referral", "organization",
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
    if isinstance(value, (str, int, float, bool, list, dict)):
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
                 "row_id": getattr(obj, "id", None), "action": action, "changes": changes}
            )
    return rows


def record_access(table: str, row_id, action: str, details: dict | None = None) -> None:
    """Log a read that hands case data out — a download (``"download"``) or an export
    (``"export"``).

    Written and committed on a connection of its own: the request's session is neither
    committed (nothing pending of the caller's goes with it) nor expired (objects it already
    loaded are not read again).
    """
    from app.extensions import db

    actor, via = _actor_and_via()
    with db.engine.begin() as conn:
        conn.execute(insert(AuditEvent.__table__), [
            {"at": utcnow(), "actor_id": actor, "via": via, "table_name": table, "row_id": row_id,
             "action": action, "changes": details or {}}])


def install_audit(session_target) -> None:
    """Listen on the app's session (idempotent: SQLAlchemy keeps one listener per function)."""
    if event.contains(session_target, "after_flush", _after_flush):
        return
    event.listen(session_target, "after_flush", _after_flush)


def _after_flush(session, _context):
    rows = _rows(session)
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), rows)
