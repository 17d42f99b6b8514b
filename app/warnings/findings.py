"""What a rule finds: one situation, with the figures and the cases behind it.

A :class:`Finding` is language-free: codes, numbers and names as stored. Its title is built
when an alert is read (:mod:`app.warnings.wording`), in the reader's language.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Finding:
    """One situation a rule sees now.

    ``evidence_key`` names it (the same area and type, the same person…), so that the next
    scan updates its alert instead of raising another; ``case_ids`` are the newest cases
    behind it (bounded), ``case_count`` how many there are in all.
    """

    rule: str
    evidence_key: str
    details: dict
    case_ids: list
    case_count: int
    area_id: Optional[int] = None
    organization_id: Optional[int] = None
    level: str = "warning"
    plugin: str = "core"


@dataclass(frozen=True)
class CoreRule:
    """One of the core's rules: its code and the function that finds its situations on a day."""

    code: str
    find: Callable[[dt.date], list] = field(compare=False)
