"""The data classification of every stored field, and how each class is masked.

Plugin intake fields declare their class themselves (``IntakeField.classification``); the
core's own columns of parties, cases and mediators are declared here, in one place, and a
test fails on a column of those tables that is not. What a reader sees of a value depends on
its class: ``public`` and ``internal`` in clear; ``personal`` masked (numbers keep their ends,
an address its town or street, short text its first and last character); ``sensitive`` and
``minor`` hidden. Only a reveal (:mod:`app.services.reveal`) shows the full values.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Optional

from flask_babel import gettext

from app.plugins.types import CLASSIFICATIONS
from app.validation.identity import mask_id_number, mask_mobile

CLEAR = ("public", "internal")
# Stricter classes come later.
ORDER = {name: rank for rank, name in enumerate(CLASSIFICATIONS)}

# Core columns. Names and free text (summary, facts) are personal but shown in clear to those
# who may read the case: the work cannot be done without them; publication anonymises them.
CORE_COLUMNS: dict[str, dict[str, str]] = {
    "party": {
        "id": "internal", "case_id": "internal", "kind": "internal", "role": "internal",
        "name": "personal", "id_number": "personal", "birth_date": "personal",
        "mobile": "personal", "address": "personal",
    },
    "cases": {
        "id": "internal", "case_no": "internal", "dispute_type": "internal", "status": "internal",
        "track": "internal", "channel": "internal", "area_id": "internal", "organization_id": "internal",
        "responsible_staff_id": "internal", "litigation_track": "internal", "screening_note": "personal",
        "procedure": "internal", "closed_at": "internal", "risk_level": "internal", "mediator_id": "internal", "title": "personal",
        "description": "personal", "claim_amount": "internal", "intake_data": "sensitive",
        "created_at": "internal", "created_by_fk": "internal", "changed_at": "internal", "version": "internal",
    },
    "mediator": {
        "id": "internal", "name": "public", "user_id": "internal", "mobile": "personal",
        "employment": "public", "engagement": "public", "organization_id": "public", "specialties": "public",
        "certificate_no": "personal", "register_entered_on": "internal", "register_expires_on": "internal",
        "status": "internal", "status_reason": "internal", "status_changed_at": "internal",
        "created_at": "internal",
    },
}
# ``cases.intake_data`` holds the plugin fields, each masked by its own declared class.


def hidden() -> str:
    """What a sensitive or minor's value shows instead of itself (已隐藏)."""
    return gettext("Hidden")


def mask_address(value: Optional[str]) -> str:
    """An address down to its town or street (…街道 / …镇 / …乡) and no further; an address
    without one is hidden whole."""
    if not value:
        return ""
    match = re.match(r"^(.*?(?:街道|镇|乡))", value)
    if match and len(match.group(1)) < len(value):
        return match.group(1) + "***"
    return hidden()


def mask_number(value: Optional[str]) -> str:
    """A certificate or register number: its first 2 and last 2 characters."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def mask_short_text(value: Optional[str]) -> str:
    """A short personal text (a plate, a name, a policy number): first and last character."""
    text = str(value or "")
    if len(text) <= 2:
        return text[:1] + "*" * (len(text) - 1) if text else ""
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_person_name(value: Optional[str]) -> str:
    """A person's name as lists that leave the case pages show it (ledgers, exports): the
    surname and one ``*`` per character of the given name — 张三 → 张*, 李小明 → 李**,
    欧阳娜娜 → 欧阳**; a Latin name keeps its family name (Ann Lee → *** Lee)."""
    from app.services.mediator_accounts import split_name  # compound surnames (欧阳, 司马…) stay whole

    name = str(value or "").strip()
    if not name:
        return ""
    surname, given = split_name(name)
    if " " in name:
        return "*" * len(given.replace(" ", "")) + " " + surname
    return surname + "*" * max(len(name) - len(surname), 1)


# The core columns that are masked for readers who have not revealed them, and how.
CORE_MASKS: dict[tuple[str, str], Callable[[Optional[str]], str]] = {
    ("party", "id_number"): mask_id_number,
    ("party", "mobile"): mask_mobile,
    ("party", "address"): mask_address,
    ("mediator", "mobile"): mask_mobile,
    ("mediator", "certificate_no"): mask_number,
}
PARTY_MASKED = tuple(column for table, column in CORE_MASKS if table == "party")
MEDIATOR_MASKED = tuple(column for table, column in CORE_MASKS if table == "mediator")

_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def classification_of(table: str, column: str) -> Optional[str]:
    """The declared class of a core column, or ``None`` when it has none."""
    return CORE_COLUMNS.get(table, {}).get(column)


def unclassified_columns(tables: Iterable) -> list[str]:
    """``table.column`` of every column of ``tables`` (SQLAlchemy tables) without a valid class."""
    missing = []
    for table in tables:
        for column in table.columns:
            if classification_of(table.name, column.name) not in CLASSIFICATIONS:
                missing.append(f"{table.name}.{column.name}")
    return missing


def mask_core(table: str, column: str, value: Optional[str]) -> str:
    """A core column's value as shown by default."""
    return CORE_MASKS[(table, column)](value) if value else ""


def mask_numbers_in_text(text: Any) -> Any:
    """Free text with any mobile or resident ID number in it masked (for exports)."""
    if not isinstance(text, str):
        return text
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_mobile(m.group(0)), text)
    return _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)


def mask_value(spec, value):
    """One intake value as shown by default: clear, masked or hidden by its class."""
    cls = spec.classification
    if value in (None, "", []) or cls in CLEAR:
        return value
    if cls == "personal" and spec.kind == "text":
        return mask_short_text(value)
    return hidden()


def is_masked(spec, value) -> bool:
    """True when ``value`` of ``spec`` does not show in clear by default."""
    if spec.kind == "records":
        return isinstance(value, list) and any(
            not isinstance(record, dict) or any(is_masked(sub, record.get(sub.name)) for sub in spec.subfields)
            for record in value
        )
    return value not in (None, "", []) and spec.classification not in CLEAR


def mask_record(spec, record):
    """One record of a records field, each sub-field masked by its own declared class (the
    plugin declares which parts of a record are personal: a vehicle's plate, not its share of
    liability)."""
    if not isinstance(record, dict):
        return hidden()
    subfields = {sub.name: sub for sub in spec.subfields}
    out = {}
    for key, value in record.items():
        sub = subfields.get(key)
        out[key] = mask_value(sub, value) if sub else hidden()
    return out


def mask_intake(specs, data: Optional[dict]) -> dict:
    """Intake data as shown by default: each declared field masked by its class (records
    field by field); keys no declaration knows are hidden."""
    known = {spec.name: spec for spec in specs}
    out = {}
    for key, value in (data or {}).items():
        spec = known.get(key)
        if spec is None:
            out[key] = hidden() if value not in (None, "", []) else value
        elif spec.kind == "records":
            out[key] = [mask_record(spec, record) for record in (value or [])] if isinstance(value, list) else hidden()
        else:
            out[key] = mask_value(spec, value)
    return out


def masked_fields(specs, data: Optional[dict], parties=()) -> list[str]:
    """The keys (``parties.mobile``, ``intake.plate``) of the values a reveal would show in
    full: those that hold a value masked by default."""
    fields = [f"parties.{column}" for column in PARTY_MASKED if any(getattr(p, column) for p in parties)]
    data = data or {}
    known = {spec.name for spec in specs}
    for spec in specs:
        if is_masked(spec, data.get(spec.name)):
            fields.append(f"intake.{spec.name}")
    fields += [f"intake.{key}" for key, value in data.items() if key not in known and value not in (None, "", [])]
    return fields
