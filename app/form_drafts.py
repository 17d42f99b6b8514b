"""What a user typed into a long form (a session's minutes) when the POST arrived after the
session or the form's CSRF token had expired: kept server-side, handed back once.

A draft is reachable only through its id, which is kept in the poster's own session cookie
(never in a page, a URL or the browser's storage), and only on the form's own page; a draft
of a known user goes back only to that user. Drafts are personal data: they live a day at most
and are deleted when taken.
"""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Optional

from flask import current_app, session
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from app.extensions import db
from app.services import clock

SESSION_KEY = "_jf_drafts"
KEEP_FOR = dt.timedelta(hours=24)
MAX_PER_BROWSER = 5
# Drafts of posters nobody knows (an expired cookie) are capped: they cannot fill the disk.
MAX_ANONYMOUS_PER_HOUR = 200
MAX_FIELD = 200_000


def signed_by_us(token: Optional[str]) -> bool:
    """True if ``token`` is a CSRF token this application signed, at any time."""
    if not token:
        return False
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="wtf-csrf-token")
    try:
        serializer.loads(token)
    except BadData:
        return False
    return True


def keep(path: str, fields: dict, user_id: Optional[int], signed_form: bool) -> bool:
    """Store ``fields`` for the form at ``path`` and remember the draft in this browser's session;
    False when nothing was kept (an unknown poster without a form of ours, or too many)."""
    from app.models.draft import FormDraft

    now = clock.utc_now()
    db.session.rollback()
    db.session.execute(delete(FormDraft).where(FormDraft.created_at < now - KEEP_FOR))
    if user_id is None:
        recent = db.session.scalar(select(func.count()).select_from(FormDraft).where(
            FormDraft.user_id.is_(None), FormDraft.created_at > now - dt.timedelta(hours=1)))
        if not signed_form or recent >= MAX_ANONYMOUS_PER_HOUR:
            db.session.commit()
            return False
    draft = FormDraft(id=secrets.token_urlsafe(32), user_id=user_id, path=path[:255], created_at=now,
                      fields={k: str(v or "")[:MAX_FIELD] for k, v in fields.items()})
    db.session.add(draft)
    db.session.commit()
    session[SESSION_KEY] = (list(session.get(SESSION_KEY, [])) + [draft.id])[-MAX_PER_BROWSER:]
    return True


def take(path: str, user_id: int) -> Optional[dict]:
    """The newest draft this browser kept for ``path`` (and this user), deleted as it is taken."""
    from app.models.draft import FormDraft

    ids = list(session.get(SESSION_KEY, []))
    if not ids:
        return None
    drafts = list(db.session.scalars(
        select(FormDraft).where(FormDraft.id.in_(ids), FormDraft.path == path,
                                FormDraft.created_at >= clock.utc_now() - KEEP_FOR)
        .order_by(FormDraft.created_at.desc())
    ))
    mine = [d for d in drafts if d.user_id in (None, user_id)]
    if not mine:
        return None
    fields = dict(mine[0].fields)
    for draft in mine:
        db.session.delete(draft)
    db.session.commit()
    taken = {d.id for d in mine}
    session[SESSION_KEY] = [i for i in ids if i not in taken]
    return fields
