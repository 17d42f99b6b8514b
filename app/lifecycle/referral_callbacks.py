"""A partner system's answer to a referral, arriving as a verified callback.

By the time this runs, :mod:`app.linkage.inbound` has checked the signature, the timestamp and
the nonce, and the mechanism has turned the request into a document::

    {"referral_id": 12, "decision": "accepted"}
    {"referral_id": 12, "decision": "rejected", "reason": "not_competent", "text": "…"}
    {"referral_id": 12, "decision": "answered", "text": "…"}

Each decision is the very step a partner user takes on the partner page, with the same rules
(state, reason codes, a non-empty answer), acting as the partner organisation's system.
"""
from __future__ import annotations

from flask_babel import gettext

from app.lifecycle import referrals as lc
from app.models.organization import Organization
from app.models.referral import Referral

DECISIONS = ("accepted", "rejected", "answered")


def record_partner_answer(referral: Referral, partner: Organization, doc: dict, mechanism: str) -> Referral:
    """Apply the partner's decision in ``doc`` to ``referral``; commits with the caller's
    pending rows (the nonce), or raises :class:`~app.lifecycle.referrals.ReferralRefused` /
    :class:`~app.lifecycle.workflow.StaleCase` after rolling everything back."""
    actor = lc.PartnerSystem(organization_id=partner.id, mechanism=mechanism)
    decision = doc.get("decision")
    text = doc.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if decision == "accepted":
        return lc.accept(referral, actor)
    if decision == "rejected":
        return lc.reject(referral, actor, doc.get("reason"), text)
    if decision == "answered":
        return lc.answer(referral, actor, text, [])
    from app.extensions import db

    db.session.rollback()
    raise lc.ReferralRefused([gettext("The decision must be one of: %(choices)s.", choices=", ".join(DECISIONS))])
