"""The data every agreement template receives (People's Mediation Law arts. 27–29).

An agreement names the parties, the facts and issues in dispute, the agreed terms with how
and by when each is performed, and has signature lines for every party and the mediator and
a seal line for the committee.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask_babel import force_locale

from app.plugins.types import AgreementTerm
from app.services.clock import today  # agreements are dated in China time

PRINTABLE = ("public", "internal")


def chinese_date(day: dt.date) -> str:
    """``2026年11月28日``, as agreements are dated."""
    return f"{day.year}年{day.month}月{day.day}日"


def agreement_context(
    case,
    terms: Iterable[AgreementTerm],
    *,
    title: str = "人民调解协议书",
    mediator: str = "",
    committee: str = "",
    signed_on: Optional[dt.date] = None,
    locale: str = "zh_CN",
) -> dict:
    """Everything a template may use. Labels are rendered in ``locale`` (the document's
    language), not the clerk's interface language."""
    from app.templating import intake_rows

    with force_locale(locale):
        parties = [
            {
                "role": str(p.role_label),
                "kind": str(p.kind_label),
                "name": p.name,
                "id_number": p.id_number or "",
                "mobile": p.mobile or "",
                "address": p.address or "",
            }
            for p in case.parties
        ]
        # Personal, sensitive and minors' details stay out of a document that is signed,
        # copied and archived: the parties' own table already identifies them.
        facts_rows = [
            {"label": str(r["label"]), "value": r.get("value") or _records_text(r.get("records"))}
            for r in intake_rows(case, classifications=PRINTABLE)
        ]
        dispute_type = str(_type_label(case.dispute_type))
    terms = [
        {
            "n": i,
            "text": t.text,
            "manner": t.manner,
            "due": chinese_date(t.due) if t.due else "",
        }
        for i, t in enumerate(terms, start=1)
    ]
    return {
        "title": title,
        "case_no": case.case_no,
        "dispute_type": dispute_type,
        "committee": committee or (case.organization.name if case.organization else ""),
        "parties": parties,
        "facts": case.description,
        "summary": case.title,
        "claim_amount": case.claim_amount_display,
        "facts_rows": facts_rows,
        "terms": terms,
        "mediator": mediator,
        "date": chinese_date(signed_on or today()),
        "copies": len(parties) + 1,
    }


def _records_text(records) -> str:
    if not records:
        return ""
    headers = [str(h) for h in records["headers"]]
    return "；".join(
        "，".join(f"{h}：{v}" for h, v in zip(headers, row, strict=False) if v) for row in records["rows"]
    )


def _type_label(code):
    from app.extensions import jiefen

    return jiefen().dispatcher.type_label(code)


def sample_context(template, dispute_type_label: str = "") -> dict:
    """A complete context without a case: what an uploaded template must be able to render."""
    parties = [
        {"role": "申请人", "kind": "自然人", "name": "林晓明", "id_number": "11010519491231002X",
         "mobile": "13802661234", "address": "汕尾市城区香洲街道通港路18号"},
        {"role": "被申请人", "kind": "自然人", "name": "黄丽娟", "id_number": "441502199007080028",
         "mobile": "13926605678", "address": "汕尾市城区凤山街道红海大道56号"},
    ]
    terms = template.sample_terms or (AgreementTerm("示例条款", "银行转账", dt.date(2026, 12, 31)),)
    return {
        "title": "人民调解协议书",
        "case_no": "（2026）汕城解第00001号",
        "dispute_type": dispute_type_label,
        "committee": "汕尾市城区人民调解委员会",
        "parties": parties,
        "facts": "示例事实。",
        "summary": "示例纠纷",
        "claim_amount": "¥1,000.00",
        "facts_rows": [{"label": "示例", "value": "示例"}],
        "terms": [
            {"n": i, "text": t.text, "manner": t.manner, "due": chinese_date(t.due) if t.due else ""}
            for i, t in enumerate(terms, start=1)
        ],
        "mediator": "陈调解",
        "date": chinese_date(today()),
        "copies": 3,
    }
