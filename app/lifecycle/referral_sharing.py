"""What a referral shares: the fields a case may share, and exactly the shared view of one.

A partner reads a referred case only through :func:`shared_view` / :func:`shared_rows`: the
keys the referral lists and nothing else (parties carry only the shared sub-fields).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from app.extensions import jiefen
from app.models.referral import Referral

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


def shareable_fields(case_or_type) -> dict[str, object]:
    """``{key: label}`` of every field a referral of this case (or dispute type) may share."""
    dispute_type = case_or_type if isinstance(case_or_type, str) else case_or_type.dispute_type
    fields: dict[str, object] = dict(SHAREABLE)
    for spec in jiefen().registry.field_specs(dispute_type):
        fields[INTAKE_PREFIX + spec.name] = spec.label
    return fields


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


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
        out["intake"] = {k: _jsonable(data.get(k)) for k in intake_keys}
    return out


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
                "rows": [[_format(s, r.get(s.name)) for s in spec.subfields] for r in records]}})
        else:
            intake.append({"label": spec.label, "value": _format(spec, value)})
    return {"core": core, "parties": parties, "intake": intake}
