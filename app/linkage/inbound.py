"""Partner callbacks: ``POST /api/v1/linkage/inbound/<partner_code>``.

Public by design: a caller authenticates by signature, not by session. In order:

* no or malformed signature headers → 401 (before looking anything up, so the endpoint tells
  an anonymous caller nothing about which partners exist);
* unknown or inactive partner, one whose mechanism takes no callbacks, or one whose
  mechanism's plugin is disabled (paused: its code is not run) → 404;
* signature wrong, or timestamp more than 5 minutes off → 401;
* body not readable by the mechanism (``receive``) or without an integer ``referral_id`` → 400;
  a referral not sent to this partner → 404;
* the nonce (``Idempotency-Key`` or ``X-Jiefen-Nonce``) seen before → 409 ``replay``;
* otherwise the decision is recorded (:mod:`app.lifecycle.referral_callbacks`) in the same
  transaction as the nonce, and the endpoint answers 202; a decision the referral's state or
  rules refuse answers 422 with the reasons, and stores nothing (the nonce neither).
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import csrf, db
from app.lifecycle.referral_callbacks import record_partner_answer
from app.lifecycle.referrals import ReferralRefused
from app.lifecycle.workflow import StaleCase
from app.linkage.mechanisms import get_mechanism
from app.linkage.webhook import (
    IDEMPOTENCY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from app.models.organization import Organization
from app.models.referral import InboundNonce, Referral
from app.models.types import utcnow

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
NONCE_RE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

bp = Blueprint("linkage_inbound", __name__, url_prefix="/api/v1/linkage")
# Signed machine-to-machine calls carry no CSRF token; the signature stands in for it.
csrf.exempt(bp)

def _problem(status: int, code: str):
    return jsonify({"error": code}), status


def _paused(mechanism: str) -> bool:
    """True while the plugin providing ``mechanism`` is disabled: its callbacks are answered
    like an unknown partner's, before its code runs, so a switched-off plugin neither acts
    nor shows that it is installed."""
    from app.extensions import jiefen

    state = jiefen()
    owner = state.registry.mechanism_owner.get(mechanism)
    return owner is not None and owner in state.dispatcher.disabled_plugins()


@bp.route("/inbound/<partner_code>", methods=["POST"])
def receive(partner_code: str):
    headers = request.headers
    nonce = (headers.get(IDEMPOTENCY_HEADER) or headers.get(NONCE_HEADER) or "").strip()
    if not headers.get(SIGNATURE_HEADER) or not headers.get(TIMESTAMP_HEADER) or not nonce:
        return _problem(401, "unsigned")
    if not NONCE_RE.match(nonce):
        return _problem(400, "bad_nonce")
    if (request.content_length or 0) > MAX_BODY:
        return _problem(413, "too_large")
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY:
        return _problem(413, "too_large")

    partner = db.session.scalars(
        select(Organization).where(Organization.code == partner_code, Organization.active.is_(True))
    ).first()
    mech = get_mechanism(partner.linkage_mechanism) if partner is not None else None
    if partner is None or mech is None or not mech.accepts_callbacks or _paused(mech.name):
        return _problem(404, "unknown_partner")
    if not mech.verify(headers, body, partner):
        log.warning("inbound callback for %s refused: bad signature or stale timestamp", partner_code)
        return _problem(401, "bad_signature")

    try:
        doc = mech.receive(headers, body, partner)
    except (UnicodeDecodeError, ValueError):
        return _problem(400, "bad_json")
    referral_id = doc.get("referral_id") if isinstance(doc, dict) else None
    if not isinstance(referral_id, int) or isinstance(referral_id, bool):
        return _problem(400, "no_referral_id")
    referral = db.session.get(Referral, referral_id)
    if referral is None or referral.partner_id != partner.id:
        return _problem(404, "unknown_referral")

    # Namespaced per partner, so two partners' keys never collide. The signature covers the
    # timestamp and body but not the nonce header: the signature is remembered as well, so
    # a captured request replayed under a fresh nonce is refused too.
    signature = headers.get(SIGNATURE_HEADER, "").strip().removeprefix("sha256=")[:64]
    now = utcnow()
    db.session.add(InboundNonce(nonce=f"{partner.id}:n:{nonce}"[:128], received_at=now))
    db.session.add(InboundNonce(nonce=f"{partner.id}:s:{signature}", received_at=now))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return _problem(409, "replay")
    try:
        record_partner_answer(referral, partner, doc, mech.name)
    except ReferralRefused as exc:
        db.session.rollback()
        return jsonify({"error": "refused", "reasons": [str(r) for r in exc.reasons]}), 422
    except StaleCase:
        db.session.rollback()
        return _problem(409, "conflict")
    except Exception:
        db.session.rollback()
        log.exception("inbound callback for referral %s could not be recorded", referral_id)
        return _problem(500, "not_recorded")
    return jsonify({"status": "accepted", "referral_status": referral.status}), 202


def purge_nonces(older_than_seconds: int = 3600) -> int:
    """Forget nonces old enough that their timestamp is refused anyway (> 10 minutes)."""
    import datetime as dt

    from sqlalchemy import delete

    cutoff = utcnow() - dt.timedelta(seconds=max(older_than_seconds, 600))
    result = db.session.execute(delete(InboundNonce).where(InboundNonce.received_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
