"""The case as plugins see it: a read-only snapshot, not the ORM model.

Behaviour hooks (``deadlines``, ``diversion_advice``, ``validate_transition``,
``on_transition``) and a type's declared advice receive a :class:`CaseView`. A plugin can
read everything it needs to decide (type, track, state, claim, its own intake answers) and
can change nothing: the core owns every write, so a plugin can never skip the lifecycle's
checks, the audit trail or the version check.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Mapping, Optional


def frozen(value: Any) -> Any:
    """A read-only copy of JSON-like data: mappings become read-only mappings, lists tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    return value


@dataclass(frozen=True)
class CaseView:
    """What a plugin may read about a case.

    ``status`` is a state code (see ``docs/plugins.md``, "Case states"); ``track`` is
    ``pre_filing``, ``court_entrusted`` or ``litigation``; ``procedure`` is ``ordinary``,
    ``simplified`` or ``None`` (court-entrusted cases only); ``intake_data`` holds the
    answers to the type's intake fields by field name (dates as ISO text, amounts as text,
    records as tuples of mappings). Attributes a case has not reached yet are ``None``.
    """

    id: Optional[int]
    dispute_type: str
    status: str = "registered"
    track: str = "pre_filing"
    procedure: Optional[str] = None
    channel: str = "window"
    case_no: str = ""
    claim_amount: Optional[Decimal] = None
    litigation_track: Optional[str] = None
    created_at: Optional[dt.datetime] = None
    intake_data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, case: Any) -> "CaseView":
        """The view of a case (an ORM case, or a view already)."""
        if isinstance(case, CaseView):
            return case
        return cls(
            id=case.id,
            dispute_type=case.dispute_type,
            status=case.status or "registered",
            track=case.track or "pre_filing",
            procedure=case.procedure,
            channel=case.channel or "window",
            case_no=case.case_no or "",
            claim_amount=case.claim_amount,
            litigation_track=case.litigation_track,
            created_at=case.created_at,
            intake_data=frozen(case.intake_data or {}),
        )
