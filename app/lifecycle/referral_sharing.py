"""What a referral shares: the fields a case may share, and exactly the shared view of one.

A partner reads a referred case only through :func:`shared_view` / :func:`shared_rows`: the
keys the referral lists and nothing else (parties carry only the shared sub-fields).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import or_, select

from app.extensions import db, jiefen
from app.models.mediation import Attachment
from app.models.referral import Referral
from app.services.classification import ORDER, hidden, mask_value

# Fields of the case itself a referral may share; intake fields are "intake.<name>".
CORE_FIELDS = {
    "title": _l("Summary"),
    "description": _l("Facts and claims"),
    "claim_amount": _l("Claim amount (CNY)"),
    "area": _l("Area"),
}
PARTY_FIELDS = {
    "parties.name": _l("Party: name"),
    "parties.role": _l("Party: role"),
    "parties.mobile": _l("Party: mobile"),
    "parties.address": _l("Party: address"),
}
SHAREABLE = {**CORE_FIELDS, **PARTY_FIELDS}
INTAKE_PREFIX = "intake."
# A file of the case shared with the partner is "attachment.<id>".
ATTACHMENT_PREFIX = "attachment."


def case_files(case) -> list[Attachment]:
    """The case's own files (not a partner's answers), which a referral may share one by one."""
    query = select(Attachment).where(Attachment.case_id == case.id, Attachment.referral_id.is_(None))
    return list(db.session.scalars(query.order_by(Attachment.id)))


def shareable_fields(case_or_type) -> dict[str, object]:
    """``{key: label}`` of every field a referral of this case (or dispute type) may share;
    for a case, each of its files too."""
    dispute_type = case_or_type if isinstance(case_or_type, str) else case_or_type.dispute_type
    fields: dict[str, object] = dict(SHAREABLE)
    for spec in jiefen().registry.field_specs(dispute_type):
        fields[INTAKE_PREFIX + spec.name] = spec.label
    if not isinstance(case_or_type, str):
        for att in case_files(case_or_type):
            fields[f"{ATTACHMENT_PREFIX}{att.id}"] = gettext("File: %(name)s", name=att.original_name)
    return fields


def shared_file_ids(referral: Referral) -> set[int]:
    """Ids of the case's files the referral shares."""
    return {int(k[len(ATTACHMENT_PREFIX):]) for k in (referral.shared_fields or [])
            if k.startswith(ATTACHMENT_PREFIX) and k[len(ATTACHMENT_PREFIX):].isascii()
            and k[len(ATTACHMENT_PREFIX):].isdigit()}


def referral_documents(referral: Referral, with_shared: bool = True) -> list[Attachment]:
    """The files a partner may open: those the referral shares (``with_shared``, while it is
    live) and the partner's own answer documents."""
    clauses = [Attachment.referral_id == referral.id]
    shared = shared_file_ids(referral) if with_shared else set()
    if shared:
        clauses.append(Attachment.id.in_(shared) & Attachment.referral_id.is_(None))
    query = select(Attachment).where(Attachment.case_id == referral.case_id, or_(*clauses))
    return list(db.session.scalars(query.order_by(Attachment.id)))


def partner_document(referral: Referral, att_id) -> Optional[Attachment]:
    """File ``att_id`` if the referral's partner may open it now, else ``None`` (→ 404): shared
    files only while the referral is live, the partner's own answers always."""
    from app.services.scope import LIVE_REFERRALS

    text = str(att_id)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**31:
        return None
    live = referral.status in LIVE_REFERRALS
    return next((a for a in referral_documents(referral, with_shared=live) if a.id == int(text)), None)


def documents_json(referral: Referral) -> list[dict]:
    """The files the partner may open now, for the API."""
    from app.services.scope import LIVE_REFERRALS

    live = referral.status in LIVE_REFERRALS
    return [_document_json(a, referral) for a in referral_documents(referral, with_shared=live)]


def _document_json(att: Attachment, referral: Referral) -> dict:
    return {"id": att.id, "name": att.original_name, "content_type": att.content_type, "size": att.size,
            "from": "partner" if att.referral_id == referral.id else "sender"}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _shared_value(spec, value):
    """A shared intake value: what the referral names is shown as it is; inside a records
    field, a sub-field classified stricter than the field the referral names was not named,
    and is masked (or hidden) as it is for any reader without a reveal."""
    if spec is None or spec.kind != "records" or not isinstance(value, list):
        return _jsonable(value)
    subfields = {sub.name: sub for sub in spec.subfields}
    named = ORDER.get(spec.classification, 0)
    records = []
    for record in value:
        if not isinstance(record, dict):
            continue
        shown = {}
        for key, item in record.items():
            sub = subfields.get(key)
            if sub is None:
                shown[key] = hidden()
            elif ORDER.get(sub.classification, len(ORDER)) > named:
                shown[key] = mask_value(sub, item)
            else:
                shown[key] = _jsonable(item)
        records.append(shown)
    return records


def shared_view(referral: Referral) -> dict:
    """Exactly the shared fields of the referral's case, JSON-ready.

    ``{"title": …, "area": …, "parties": [{"name": …, "role": …}], "intake": {name: value}}``
    — keys not shared are absent, and parties carry only the shared sub-fields.
    """
    case = referral.case
    wanted = list(referral.shared_fields or [])
    out: dict = {}
    for key in wanted:
        if key == "area":
            out["area"] = case.area.name if case.area is not None else None
        elif key in CORE_FIELDS:
            out[key] = _jsonable(getattr(case, key))
    party_keys = [k.split(".", 1)[1] for k in wanted if k in PARTY_FIELDS]
    if party_keys:
        out["parties"] = [{k: getattr(p, k) for k in party_keys} for p in case.parties]
    intake_keys = [k[len(INTAKE_PREFIX):] for k in wanted if k.startswith(INTAKE_PREFIX)]
    if intake_keys:
        data = case.intake_data or {}
        specs = {spec.name: spec for spec in jiefen().registry.field_specs(case.dispute_type)}
        out["intake"] = {k: _shared_value(specs.get(k), data.get(k)) for k in intake_keys}
    if shared_file_ids(referral):
        out["documents"] = [_document_json(a, referral) for a in referral_documents(referral) if a.referral_id is None]
    return out


def _shown(spec, value) -> str:
    from app.templating import _format

    return value if isinstance(value, str) and value == hidden() else _format(spec, value)


def shared_rows(referral: Referral) -> dict:
    """The shared view for a page: core rows, a parties table and intake rows, with labels."""
    from app.templating import _format

    view = shared_view(referral)
    case = referral.case
    core = []
    for key in CORE_FIELDS:
        if key in view:
            value = view[key]
            if key == "claim_amount" and value is not None:
                value = case.claim_amount_display
            core.append({"label": CORE_FIELDS[key], "value": "" if value is None else value})
    parties = None
    if "parties" in view:
        keys = list(view["parties"][0].keys()) if view["parties"] else [
            k.split(".", 1)[1] for k in referral.shared_fields if k in PARTY_FIELDS]
        rows = []
        for party, shown in zip(case.parties, view["parties"]):
            rows.append([party.role_label if k == "role" else (shown.get(k) or "") for k in keys])
        parties = {"headers": [PARTY_FIELDS["parties." + k] for k in keys], "rows": rows}
    intake = []
    specs = {s.name: s for s in jiefen().registry.field_specs(case.dispute_type)}
    for name, value in (view.get("intake") or {}).items():
        spec = specs.get(name)
        if spec is None:
            intake.append({"label": name, "value": "" if value is None else str(value)})
        elif spec.kind == "records":
            records = [r for r in (value or []) if isinstance(r, dict)]
            intake.append({"label": spec.label, "records": {
                "headers": [s.label for s in spec.subfields],
                "rows": [[_shown(s, r.get(s.name)) for s in spec.subfields] for r in records]}})
        else:
            intake.append({"label": spec.label, "value": _format(spec, value)})
    return {"core": core, "parties": parties, "intake": intake}
