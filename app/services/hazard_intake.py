"""Registering a hazard as a case (one action): the normal registration form, pre-filled from
the hazard and carrying it along (``/case/intake/<type>?hazard=<id>``).

There is one registration path (:func:`app.services.intake.register_unless_duplicate`); this
module only fills the form in and hands the path a ``before_commit`` that converts the hazard in
the registering transaction (:func:`app.services.hazards.convert`). The hazard is looked up in
the user's scope on every request, GET and POST alike: a forged id reads as missing.
"""
from __future__ import annotations

from typing import Optional

from flask import abort, current_app, flash, redirect, url_for

from app.models.screening import Hazard
from app.services.hazards import closed_refusal, convert, hazard_in_scope

REGISTER_PERMISSION = ("can_edit", "Hazard")


def may_register(hazard: Optional[Hazard]) -> bool:
    """True when the signed-in user may register ``hazard`` as a case now."""
    sm = current_app.appbuilder.sm
    return (hazard is not None and hazard.status == "open" and sm.has_access("can_add", "Case")
            and sm.has_access(*REGISTER_PERMISSION))


def hazard_for_intake(raw) -> Optional[Hazard]:
    """The hazard a registration form carries (``None`` when it carries none). A hazard out of
    scope, unknown, or the user may not change answers 404; one no longer followed sends the
    user back to its page with the reason."""
    if raw is None:
        return None
    hazard = hazard_in_scope(raw)
    if hazard is None or not current_app.appbuilder.sm.has_access(*REGISTER_PERMISSION):
        abort(404)
    if hazard.status != "open":
        flash(closed_refusal(hazard), "warning")
        abort(redirect(url_for("HazardView.show", pk=hazard.id)))
    return hazard


def party_roles(parties) -> list[str]:
    """A first guess of each party's role, for the clerk to check: a hazard does not record
    who raises the dispute. People raise it against organisations (workers against an employer,
    owners against a property company); among people only, the first raises it."""
    roles = ["applicant" if p.kind == "person" else "respondent" for p in parties]
    if roles and "respondent" not in roles:
        roles[-1] = "respondent" if len(roles) > 1 else roles[-1]
    if roles and "applicant" not in roles:
        roles[0] = "applicant" if len(roles) > 1 else roles[0]
    return roles


def prefill_from_hazard(form, hazard: Hazard) -> None:
    """Fill an unbound intake form in from ``hazard``: summary, facts, area and handling centre
    (when the user may choose them), the people and organisations with their numbers."""
    form.title.data = hazard.title
    form.description.data = hazard.description or hazard.title
    if any(value == hazard.area_id for value, _label in form.area_id.choices):
        form.area_id.data = hazard.area_id
    if any(value == hazard.organization_id for value, _label in form.organization_id.choices):
        form.organization_id.data = hazard.organization_id
    parties = list(hazard.parties)[: form.parties.max_entries or len(hazard.parties)]
    while len(form.parties.entries) < len(parties):
        form.parties.append_entry()
    for entry, party, role in zip(form.parties.entries, parties, party_roles(parties)):
        sub = entry.form
        sub.kind.data = party.kind
        sub.role.data = role
        sub.name.data = party.name
        sub.id_number.data = party.id_number or ""
        sub.mobile.data = party.mobile or ""


def intake_payload(hazard, body: dict) -> dict:
    """The registration payload: what the caller sent, the hazard's details where it sent none."""
    payload = {k: v for k, v in body.items() if k != "dispute_type"}
    payload.setdefault("title", hazard.title)
    payload.setdefault("description", hazard.description or hazard.title)
    payload.setdefault("area_id", hazard.area_id)
    payload.setdefault("organization_id", hazard.organization_id)
    payload.setdefault("channel", "api")
    if "parties" not in payload:
        parties = list(hazard.parties)
        payload["parties"] = [{"kind": p.kind, "role": role, "name": p.name, "id_number": p.id_number or "",
                               "mobile": p.mobile or ""} for p, role in zip(parties, party_roles(parties))]
    return payload


def converting(hazard: Optional[Hazard], actor):
    """The ``before_commit`` that converts ``hazard`` with the new case, or ``None``."""
    if hazard is None:
        return None
    hazard_id = hazard.id
    return lambda case: convert(hazard_id, case, actor)


def hazard_of_case(case) -> Optional[Hazard]:
    """The hazard a case was registered from, if any (one indexed lookup: ``case_id`` is unique)."""
    from sqlalchemy import select

    from app.extensions import db

    return db.session.scalars(select(Hazard).where(Hazard.case_id == case.id)).first()
