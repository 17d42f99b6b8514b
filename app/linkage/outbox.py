"""The transactional outbox: a delivery is a row written in the same transaction as the
referral change that caused it, and a worker (``flask --app app outbox run``) delivers it.

A user's request only inserts a row, so a dead partner endpoint can neither slow it down nor
fail it, and a referral is never lost: the row stays until it is delivered, or is marked
``dead`` for an administrator to re-send.

A row whose mechanism belongs to a plugin an administrator has disabled is *paused*: it stays
``pending`` and is not claimed (no attempt counted, no retry, never dead) until the plugin is
enabled again. Paused is not stored: it follows the plugin's switch, so it cannot go stale.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.linkage.mechanisms import DeliveryError, get_mechanism
from app.models.organization import Organization
from app.models.referral import OutboxMessage, Referral
from app.models.types import utcnow

log = logging.getLogger(__name__)

BACKOFF_BASE = 30  # seconds before the first retry
BACKOFF_CAP = 3600
DEFAULT_MAX_ATTEMPTS = 8
ERROR_LENGTH = 1000


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s … at most 1 h."""
    return dt.timedelta(seconds=min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def max_attempts() -> int:
    return int(current_app.config.get("JIEFEN_OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def enqueue(session, referral: Referral, event: str, payload: dict,
            mechanism: str | None = None) -> OutboxMessage | None:
    """Add a delivery of ``event`` for ``referral`` to the caller's transaction.

    Nothing is committed here: the row commits (or rolls back) with the referral. Returns
    ``None`` for a mechanism with nothing to deliver (``in_platform``).
    """
    name = mechanism or referral.mechanism or (referral.partner.linkage_mechanism if referral.partner else "")
    mech = get_mechanism(name)
    if mech is not None and not mech.delivers:
        return None
    if referral.id is None:
        session.flush()
    message = OutboxMessage(
        referral_id=referral.id,
        mechanism=name,
        event=event,
        payload=payload or {},
        idempotency_key=uuid.uuid4().hex,
        status="pending",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    return message


def paused_mechanisms() -> dict[str, str]:
    """mechanism name → the plugin providing it, for each mechanism whose plugin is disabled.

    Their messages wait instead of being delivered (see the module's docstring). One read of
    the plugins' switches, however many mechanisms there are: outside a request each read is
    a query.
    """
    from app.extensions import jiefen

    state = jiefen()
    disabled = state.dispatcher.disabled_plugins()
    return {name: owner for name, owner in state.registry.mechanism_owner.items() if owner in disabled}


def _claim(now: dt.datetime, skip: set, paused: dict[str, str]) -> OutboxMessage | None:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(1)
    )
    if skip:
        stmt = stmt.where(OutboxMessage.id.not_in(skip))
    if paused:
        stmt = stmt.where(OutboxMessage.mechanism.not_in(sorted(paused)))
    if db.session.get_bind().dialect.name == "postgresql":
        # Two workers never take the same row; a row being delivered is simply skipped.
        stmt = stmt.with_for_update(skip_locked=True)
    return db.session.scalars(stmt).first()


def _partner(message: OutboxMessage) -> Organization | None:
    if message.referral_id is not None:
        referral = db.session.get(Referral, message.referral_id)
        if referral is not None:
            return referral.partner
    partner_id = (message.payload or {}).get("partner_id")
    return db.session.get(Organization, partner_id) if partner_id else None


def _refuse_closed(message: OutboxMessage) -> None:
    """Once a referral is rejected or withdrawn, only the notice of that is delivered: a
    message still carrying the referral (and its case data) is not — not late, not on re-send."""
    from app.lifecycle.referrals import CLOSING_NOTICES
    from app.services.scope import LIVE_REFERRALS

    if message.referral_id is None or message.event in CLOSING_NOTICES:
        return
    referral = db.session.get(Referral, message.referral_id)
    if referral is None or referral.status not in LIVE_REFERRALS:
        raise DeliveryError("the referral was closed before delivery: its case data is not sent", retryable=False)


def _attempt(message: OutboxMessage, now: dt.datetime) -> str:
    """Deliver one claimed row and record the result on it; returns the new status."""
    message.attempts = (message.attempts or 0) + 1
    try:
        mech = get_mechanism(message.mechanism)
        if mech is None:
            # The plugin providing it may come back: retry, then dead-letter.
            raise DeliveryError(f"no linkage mechanism named {message.mechanism!r} is loaded")
        partner = _partner(message)
        if partner is None:
            raise DeliveryError("the message names no partner", retryable=False)
        _refuse_closed(message)
        mech.send(message, partner)
    except DeliveryError as exc:
        message.last_error = str(exc)[:ERROR_LENGTH]
        if not exc.retryable or message.attempts >= max_attempts():
            message.status = "dead"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    except Exception as exc:  # a bug in a mechanism must not stop the worker
        log.exception("outbox message %s: mechanism %s failed", message.id, message.mechanism)
        message.last_error = f"unexpected error: {type(exc).__name__}"[:ERROR_LENGTH]
        if message.attempts >= max_attempts():
            message.status = "dead"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
    else:
        message.status = "delivered"
        message.delivered_at = utcnow()
        message.last_error = None
    return message.status


def deliver_due(now: dt.datetime | None = None, limit: int = 50) -> dict:
    """Deliver up to ``limit`` due pending rows, one claim and one commit per row; rows of a
    paused mechanism are left waiting (:func:`paused_mechanisms`).

    Returns counts by outcome (``delivered``, ``retry``, ``dead``, ``errors``). Never raises:
    a database error is logged, rolled back and ends this run.
    """
    counts = {"delivered": 0, "retry": 0, "dead": 0, "errors": 0}
    fixed_now = now
    seen: set = set()
    # Read once a pass, not at every claim (a query each outside a request): a plugin switched
    # off during a pass stops its mechanism's rows from the next pass, a few seconds later.
    try:
        paused = paused_mechanisms()
    except Exception:
        log.exception("outbox: delivery run stopped by a database error")
        counts["errors"] += 1
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - connection gone
            log.exception("outbox: rollback failed")
        return counts
    for _ in range(max(limit, 0)):
        now = fixed_now or utcnow()
        try:
            message = _claim(now, seen, paused)
            if message is None:
                db.session.rollback()
                break
            seen.add(message.id)
            status = _attempt(message, now)
            db.session.commit()
        except Exception:
            log.exception("outbox: delivery run stopped by a database error")
            counts["errors"] += 1
            try:
                db.session.rollback()
            except Exception:  # pragma: no cover - connection gone
                log.exception("outbox: rollback failed")
            break
        counts["retry" if status == "pending" else status] += 1
        if status == "dead":
            log.warning("outbox message %s is dead after %s attempts", message.id, message.attempts)
    return counts


def resend(message_id: int) -> bool:
    """Move dead row ``message_id`` back to pending, due now, with a fresh attempt count.

    The idempotency key stays, so a partner that did receive it can drop the duplicate.
    Returns False when there is no such dead row. Commits.
    """
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.status != "dead":
        db.session.rollback()
        return False
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.commit()
    log.info("outbox message %s re-sent by an administrator", message_id)
    return True


def status_counts() -> dict:
    """Rows per status, for the admin page and ``outbox list``; pending rows of a paused
    mechanism count as ``paused``."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(OutboxMessage.status, OutboxMessage.mechanism, func.count())
        .group_by(OutboxMessage.status, OutboxMessage.mechanism)
    ).all()
    paused = paused_mechanisms()
    counts: dict = {}
    for status, mechanism, n in rows:
        key = "paused" if status == "pending" and mechanism in paused else status
        counts[key] = counts.get(key, 0) + n
    return counts
