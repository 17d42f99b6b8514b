"""What an application for judicial confirmation covers, and what it costs.

A court confirms a mediation agreement term by term: the application covers the terms of a
kind the court may confirm and says which terms are left out and why
(:mod:`app.agreements.kinds`). Only a written agreement can be confirmed. The fee is a dated
setting (domain rule 6), read on the day of the application.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db, jiefen
from app.agreements.kinds import CONFIRMATION_LAW, CONFIRMATION_LAW_BY_KIND, kind_label, split_for_confirmation
from app.lifecycle.core_rules import CONFIRMATION_FEE
from app.models.outcome import Agreement
from app.models.setting import Setting
from app.services.settings import SettingMissing, setting_decimal

# Art. 33 lets the parties apply "after the mediation agreement takes effect", and the court
# examines the agreement they submit with the application: an oral agreement has none.
ORAL_LAW = ("人民调解法 第28条、第33条；最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）"
            "第2条（申请时提交调解协议书，请核对）")


@dataclass
class Scope:
    """The terms an application covers, those left out with the reason, and why none can be."""

    covered: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # (term, reason)
    refusal: Optional[str] = None

    def as_json(self) -> dict:
        """The scope as the API answers it."""
        return {"covered_terms": [t.position for t in self.covered],
                "left_out_terms": [{"position": t.position, "kind": t.kind, "reason": reason}
                                   for t, reason in self.left_out],
                "refusal": self.refusal}


def left_out_reason(term, type_label: str) -> str:
    """Why ``term`` is not in the application, with the law."""
    return gettext("Term %(n)s (%(kind)s) is left out: a court does not confirm this kind of term in a "
                   "“%(type)s” dispute (%(law)s).", n=term.position, kind=kind_label(term.kind),
                   type=type_label, law=CONFIRMATION_LAW_BY_KIND.get(term.kind, CONFIRMATION_LAW))


def confirmation_scope(dispute_type: str, type_label: str, agreement: Optional[Agreement]) -> Scope:
    """What a joint application for this agreement would cover (or covers, once made)."""
    if agreement is None:
        return Scope()
    if agreement.form == "oral":
        return Scope(left_out=[(t, "") for t in agreement.terms], refusal=gettext(
            "An oral agreement cannot be confirmed by a court: the parties apply with the written mediation "
            "agreement, which the court examines (%(law)s). If they want it confirmed, write the agreement down "
            "and have everyone sign it.", law=ORAL_LAW))
    covered, left_out = split_for_confirmation(dispute_type, agreement.terms)
    scope = Scope(covered, [(t, left_out_reason(t, type_label)) for t in left_out])
    if not covered:
        scope.refusal = gettext(
            "No term of this agreement can be confirmed by a court, so there is nothing to apply for: %(reasons)s",
            reasons=" ".join(reason for _t, reason in scope.left_out))
    return scope


def confirmation_fee(on: dt.date) -> tuple[Optional[Decimal], str]:
    """``(fee in CNY, source)`` in force on ``on``; ``(None, "")`` when no value is in force."""
    try:
        fee = setting_decimal(CONFIRMATION_FEE, on)
    except SettingMissing:
        return None, ""
    source = db.session.scalars(
        select(Setting.source).where(Setting.key == CONFIRMATION_FEE, Setting.valid_from <= on)
        .order_by(Setting.valid_from.desc()).limit(1)).first()
    if source is None:  # not seeded yet: the declaration's
        declared = jiefen().registry.settings.get(CONFIRMATION_FEE)
        source = declared[1].source if declared else ""
    return fee, source


def fee_text(fee: Optional[Decimal]) -> str:
    """The fee as the application page says it."""
    if fee is None:
        return gettext("not entered: an administrator must enter the dated setting")
    if fee == 0:
        return gettext("free of charge")
    return f"¥{fee:,.2f}"

