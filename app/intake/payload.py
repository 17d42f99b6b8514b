"""Bridge between JSON payloads, form data and the JSON stored on a case."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict


def flatten(payload: Any, prefix: str = "") -> MultiDict:
    """Flatten an API payload into the form data a browser would post.

    ``{"parties": [{"name": "x"}], "intake": {"a": 1}}`` becomes
    ``parties-0-name=x, intake-a=1``; ``true`` becomes ``y`` (a ticked checkbox) and
    ``false``/``null`` are left out, exactly as a browser leaves out an unticked box.
    """
    out = MultiDict()
    _flatten_into(out, payload, prefix)
    return out


def _flatten_into(out: MultiDict, value: Any, key: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten_into(out, v, f"{key}-{k}" if key else str(k))
    elif isinstance(value, list):
        if not key:
            return
        for i, v in enumerate(value):
            _flatten_into(out, v, f"{key}-{i}")
    elif value is None or value is False:
        return
    elif value is True:
        out.add(key, "y")
    else:
        out.add(key, str(value))


def to_json(value: Any) -> Any:
    """Make converted form data storable as JSON: dates as ISO text, money as text."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def form_errors(form) -> dict:
    """Field errors keyed by the flattened field name (``intake-vehicles-0-plate``)."""
    errors: dict = {}
    _collect(form, errors)
    return errors


def _collect(container, errors: dict) -> None:
    for field in container:
        sub = getattr(field, "form", None)
        if sub is not None:  # FormField
            _collect(sub, errors)
            continue
        if hasattr(field, "entries"):  # FieldList
            own = [e for e in field.errors if isinstance(e, str) or not isinstance(e, (list, dict))]
            if own:
                errors[field.name] = [str(e) for e in own]
            for entry in field.entries:
                if getattr(entry, "form", None) is not None:
                    _collect(entry.form, errors)
                elif entry.errors:
                    errors[entry.name] = [str(e) for e in entry.errors]
            continue
        if field.errors:
            errors[field.name] = [str(e) for e in field.errors]
