"""Referrals to partner agencies (委派 / 委托 / 联动): sending exactly the fields a purpose
needs, the partner's answer, and closing.

Lifecycle: ``sent`` → ``accepted`` | ``rejected`` (a structured reason) → ``answered`` (text and
documents) → ``completed``; the sender may withdraw while it is ``sent`` or ``accepted``.
Partner-side steps are taken only by users of the partner organisation, sender-side steps
only by users who may see the case and do not work for a partner agency. Every step writes a
timeline entry in the same transaction; a send to a partner reached outside the platform
adds its outbox message in that transaction too.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import StaleCase, TransitionRefused, record
from app.models.case import Case
from app.models.membership import Membership
from app.models.organization import Organization
from app.linkage.outbox import enqueue
from app.models.referral import REFERRAL_KINDS, REFERRAL_STATUS, REJECT_REASONS, Referral
from app.models.types import utcnow
from app.services.settings import today
from app.lifecycle.referral_sharing import shareable_fields, shared_view

# The partner has not answered yet: these count as overdue once due_on has passed.
AWAITING = ("sent", "accepted")
CLOSED = ("rejected", "completed", "withdrawn")
TIMELINE_LABELS = {
    "referral_sent": _l("Referred to a partner"),
    "referral_accepted": _l("Referral accepted by the partner"),
    "referral_rejected": _l("Referral rejected by the partner"),
    "referral_answered": _l("Partner answered the referral"),
    "referral_completed": _l("Referral completed"),
    "referral_withdrawn": _l("Referral withdrawn"),
}


class ReferralRefused(TransitionRefused):
    """A referral step that may not happen; ``reasons`` are sentences for the user."""


def _refuse(message: str):
    raise ReferralRefused([message])


# --- who is acting --------------------------------------------------------------------------


def membership_of(user) -> Optional[Membership]:
    """The user's membership, if any."""
    if user is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalars(select(Membership).where(Membership.user_id == user.id)).first()


def partner_org_id(user) -> Optional[int]:
    """The partner agency ``user`` works for, or ``None``."""
    m = membership_of(user)
    if m is not None and m.organization is not None and m.organization.kind == "partner_agency":
        return m.organization_id
    return None


@dataclass(frozen=True)
class PartnerSystem:
    """The partner agency's own system, answering through a verified callback: it acts for
    the organisation, and no Jiefen user is behind it (the timeline shows no user)."""

    organization_id: int
    mechanism: str
    id = None  # not a user


def referral_for_partner(rid, user) -> Optional[Referral]:
    """Referral ``rid`` if it was sent to ``user``'s own partner agency, else ``None`` (the
    caller answers 404: another agency's referral reads exactly like a missing one)."""
    text = str(rid)
    org_id = partner_org_id(user)
    if org_id is None or not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        return None
    referral = db.session.get(Referral, int(rid))
    return referral if referral is not None and referral.partner_id == org_id else None


def _check_partner_side(referral: Referral, actor) -> None:
    if isinstance(actor, PartnerSystem):
        if actor.organization_id != referral.partner_id:
            _refuse(gettext("Only staff of %(partner)s may answer this referral.", partner=referral.partner.name))
        return
    m = membership_of(actor)
    if m is None or m.organization_id != referral.partner_id:
        _refuse(gettext("Only staff of %(partner)s may answer this referral.", partner=referral.partner.name))


def _check_sender_side(case: Case, actor) -> None:
    from app.services.scope import visible_cases

    if actor is None or getattr(actor, "id", None) is None or partner_org_id(actor) is not None:
        _refuse(gettext("Only the court or centre staff handling the case may do this."))
    clause = visible_cases(actor)
    if clause is not None and db.session.scalar(select(Case.id).where(Case.id == case.id, clause)) is None:
        _refuse(gettext("Only the court or centre staff handling the case may do this."))


def _check_state(referral: Referral, allowed: Iterable[str], action: str) -> None:
    if referral.status not in allowed:
        _refuse(gettext(
            "The referral is now “%(state)s”: “%(action)s” is not possible.",
            state=REFERRAL_STATUS.get(referral.status, referral.status),
            action=TIMELINE_LABELS.get(action, action),
        ))


def _entry(referral: Referral, actor, action: str, note: str = "", extra: Optional[dict] = None) -> None:
    data = {"referral_id": referral.id, "partner_id": referral.partner_id, "status": referral.status}
    if isinstance(actor, PartnerSystem):
        data["via"] = actor.mechanism
    data.update(extra or {})
    record(referral.case, actor, "referral", action, note, data)


# --- the steps --------------------------------------------------------------------------------


def _as_date(value) -> Optional[dt.date]:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def send(case: Case, actor, partner_id, kind: str, purpose: str, legal_basis: str,
         shared_fields, due_on) -> Referral:
    """Refer ``case`` to a partner; raises :class:`ReferralRefused` with every reason at once."""
    with unit_of_work():
        _check_sender_side(case, actor)
        reasons = []
        partner = None
        from app.views.keys import is_valid_pk

        # is_valid_pk: an id past INTEGER answered 500 on PostgreSQL
        partner = db.session.get(Organization, int(partner_id)) if is_valid_pk(partner_id) else None
        if partner is None or partner.kind != "partner_agency" or not partner.active:
            reasons.append(gettext("Choose an active partner agency."))
        if not isinstance(kind, str) or kind not in REFERRAL_KINDS:
            reasons.append(gettext("Choose how the case is referred (assigned, entrusted or joint handling)."))
        purpose = (purpose or "").strip()
        legal_basis = (legal_basis or "").strip()
        if not purpose:
            reasons.append(gettext("Give the purpose of the referral."))
        if not legal_basis:
            reasons.append(gettext("Give the legal basis for sharing the case's data."))
        due = _as_date(due_on)
        if due is None:
            reasons.append(gettext("Give the date an answer is due."))
        elif due < today():
            reasons.append(gettext("The due date is in the past."))
        fields = list(shared_fields) if isinstance(shared_fields, (list, tuple)) else None
        known = shareable_fields(case)
        if not fields:
            reasons.append(gettext("Choose at least one field to share: the minimum the purpose needs."))
        else:
            unknown = [str(f) for f in fields if not isinstance(f, str) or f not in known]
            if unknown:
                reasons.append(gettext("Unknown fields: %(fields)s.", fields="、".join(unknown)))
        if reasons:
            raise ReferralRefused(reasons)
        ordered = [k for k in known if k in set(fields)]  # declared order, no duplicates
        referral = Referral(
            case_id=case.id, partner_id=partner.id, kind=kind, purpose=purpose, legal_basis=legal_basis,
            shared_fields=ordered, due_on=due, mechanism=partner.linkage_mechanism or "in_platform",
            status="sent", sent_by_id=getattr(actor, "id", None), sent_at=utcnow(),
        )
        referral.case = case
        referral.partner = partner
        db.session.add(referral)
        db.session.flush()
        _entry(referral, actor, "referral_sent", purpose,
               {"kind": kind, "due_on": due.isoformat(), "shared_fields": ordered, "mechanism": referral.mechanism})
        # The delivery commits with the referral, or neither does (a mechanism with nothing
        # to deliver, such as in_platform, adds no row).
        enqueue(db.session, referral, "referral_sent", outbox_payload(referral))
    return referral


def _terms(referral: Referral) -> dict:
    return {"referral_id": referral.id, "case_id": referral.case_id, "partner_id": referral.partner_id,
            "kind": referral.kind, "purpose": referral.purpose}


def outbox_payload(referral: Referral) -> dict:
    """What a partner's system receives: the referral's ids and terms, and the shared view."""
    return {**_terms(referral), "legal_basis": referral.legal_basis, "due_on": referral.due_on.isoformat(),
            "shared": shared_view(referral)}


# What the partner's own system is told when the sender closes a referral (Chinese, as the
# letters are; the shared data is not sent again).
CLOSING_NOTICES = {
    "referral_withdrawn": "本转办已由发送方撤回，请停止办理；已接收的信息请按规定处理，不得另作他用。",
    "referral_completed": "本转办已办结，感谢贵单位协助。",
}


def closing_payload(referral: Referral, event: str, note: str) -> dict:
    """The notice of a withdrawal or completion: ids, terms and the new status, no case data."""
    return {**_terms(referral), "status": referral.status, "note": note, "reply_hint": CLOSING_NOTICES[event]}


def _step(referral: Referral, actor, allowed, action: str, side: str, expected_version=None):
    if expected_version not in (None, ""):
        try:
            expected = int(expected_version)
        except (TypeError, ValueError):
            raise StaleCase() from None
        if expected != referral.version:
            raise StaleCase()
    if side == "partner":
        _check_partner_side(referral, actor)
    else:
        _check_sender_side(referral.case, actor)
    _check_state(referral, allowed, action)


def accept(referral: Referral, actor, expected_version=None) -> Referral:
    """The partner takes the referral on."""
    with unit_of_work():
        _step(referral, actor, ("sent",), "referral_accepted", "partner", expected_version)
        referral.status = "accepted"
        _entry(referral, actor, "referral_accepted")
    return referral


def reject(referral: Referral, actor, reason_code: str, note: str = "", expected_version=None) -> Referral:
    """The partner declines, with a reason from :data:`REJECT_REASONS` (and words for "other")."""
    with unit_of_work():
        _step(referral, actor, ("sent", "accepted"), "referral_rejected", "partner", expected_version)
        note = (note or "").strip()
        if not isinstance(reason_code, str) or reason_code not in REJECT_REASONS:
            _refuse(gettext("Choose the reason for rejecting the referral."))
        if reason_code == "other" and not note:
            _refuse(gettext("Explain the other reason."))
        referral.status = "rejected"
        referral.reject_reason = reason_code
        referral.response_text = note or None
        referral.responded_at = referral.closed_at = utcnow()
        _entry(referral, actor, "referral_rejected", note, {"reason": reason_code})
    return referral


def answer(referral: Referral, actor, text: str, files: Optional[list] = None, expected_version=None) -> Referral:
    """The partner's answer, with documents kept with the case and linked to the referral.

    ``files`` are uploaded file objects (kept as "document"); all of them and the answer
    commit together, or nothing does (``UploadRefused`` / :class:`ReferralRefused`).
    """
    from app.services.uploads import add_attachment_rows, discard_all, not_stored, prepare_all

    files = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    try:
        _step(referral, actor, ("accepted",), "referral_answered", "partner", expected_version)
        text = (text or "").strip()
        if not text:
            _refuse(gettext("Write the answer; documents may be added to it."))
    except (ReferralRefused, StaleCase):
        db.session.rollback()  # _step may have loaded rows; nothing is written
        raise
    prepared = prepare_all([(f, "document") for f in files])  # UploadRefused leaves nothing behind
    try:
        with unit_of_work():
            rows = add_attachment_rows(referral.case, prepared, actor)
            for row in rows:
                row.referral_id = referral.id
            referral.status = "answered"
            referral.response_text = text
            referral.responded_at = utcnow()
            _entry(referral, actor, "referral_answered", "", {"attachment_ids": [r.id for r in rows]})
    except OSError as exc:
        discard_all(prepared)
        raise not_stored(exc) from None
    except BaseException:
        discard_all(prepared)
        raise
    return referral


def complete(referral: Referral, actor, note: str = "", expected_version=None) -> Referral:
    """The sender closes an answered referral."""
    with unit_of_work():
        _step(referral, actor, ("answered",), "referral_completed", "sender", expected_version)
        referral.status = "completed"
        referral.closed_at = utcnow()
        _entry(referral, actor, "referral_completed", (note or "").strip())
        # The partner's system hears of it through the outbox, in this same transaction.
        enqueue(db.session, referral, "referral_completed", closing_payload(referral, "referral_completed", (note or "").strip()))
    return referral


def withdraw(referral: Referral, actor, note: str = "", expected_version=None) -> Referral:
    """The sender takes the referral back before it is answered."""
    with unit_of_work():
        _step(referral, actor, AWAITING, "referral_withdrawn", "sender", expected_version)
        referral.status = "withdrawn"
        referral.closed_at = utcnow()
        _entry(referral, actor, "referral_withdrawn", (note or "").strip())
        # The partner's system hears of it through the outbox, in this same transaction.
        enqueue(db.session, referral, "referral_withdrawn", closing_payload(referral, "referral_withdrawn", (note or "").strip()))
    return referral


# --- lists and counts ---------------------------------------------------------------------------


def overdue_for(user) -> list[Referral]:
    """Referrals ``user`` sent that still wait for the partner and are past their due date (one query)."""
    if user is None or getattr(user, "id", None) is None:
        return []
    query = (
        select(Referral)
        .where(Referral.sent_by_id == user.id, Referral.status.in_(AWAITING), Referral.due_on < today())
        .options(joinedload(Referral.case))
        .order_by(Referral.due_on, Referral.id)
    )
    return list(db.session.scalars(query).unique())


def referrals_of_case(case: Case) -> list[Referral]:
    """The case's referrals, newest first (for the case page)."""
    query = select(Referral).where(Referral.case_id == case.id).order_by(Referral.sent_at.desc(), Referral.id.desc())
    return list(db.session.scalars(query).unique())
