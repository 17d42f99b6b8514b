"""The kinds of dispute the demo's story is written for, recognised from what each dispute type
declares — never from its code, so the demo names no type and a third-party type whose sample
carries the same answers gets the same story.

A *kind* (``accident``, ``loan``…) is the demo's own word; a type is of that kind when its
declared sample intake holds the kind's tell-tale field (a sample with ``vehicles`` is an
accident). Whether a kind goes to arbitration before the court is asked of the type's plugin
itself (:func:`arbitration_first`), as the lifecycle will ask it.
"""
from __future__ import annotations

from typing import Optional

# kind → the intake field its type's sample carries
KINDS = {
    "accident": "vehicles",
    "loan": "principal",
    "support": "children",
    "wages": "employer",
    "clinic": "hospital",
    "estate_fees": "property_company",
    "purchase": "merchant",
}


def _registry():
    from app.extensions import jiefen

    return jiefen().registry


def kind_of(dispute_type: str) -> Optional[str]:
    """The demo kind of ``dispute_type`` from its declared sample, or ``None``."""
    sample = _registry().samples.get(dispute_type) or {}
    return next((kind for kind, tell in KINDS.items() if tell in sample), None)


def types_of(*kinds: str) -> list[str]:
    """The installed dispute types of ``kinds``, in registry order."""
    return [code for code in _registry().dispute_types if kind_of(code) in kinds]


def partner_org_code(kind: str, partner: str) -> Optional[str]:
    """The organisation code ``jiefen setup`` gives the declared partner ``partner`` of the type
    of ``kind`` (``app.seed.seed_partners``), or ``None`` when no installed type declares it."""
    reg = _registry()
    for code in types_of(kind):
        if any(p.code == partner for p in reg.partners.get(code, ())):
            return f"{reg.type_owner[code]}:{partner}"
    return None


def arbitration_first(dispute_type: str) -> bool:
    """True when the type's plugin refuses the court's screening of a case like its sample:
    the law sends such a dispute to arbitration before the court."""
    from app.extensions import jiefen
    from app.lifecycle.workflow import TransitionRefused, check_transition
    from app.plugins.case_view import CaseView, frozen

    view = CaseView(id=None, dispute_type=dispute_type, status="screening",
                    intake_data=frozen(jiefen().registry.samples.get(dispute_type) or {}))
    try:
        check_transition(view, "screening", "litigation_screening", None)
    except TransitionRefused:
        return True
    return False
