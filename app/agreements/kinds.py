"""Kinds of agreed term, and which of them the law keeps out of judicial confirmation and
out of the small-claims procedure.

A court confirms an agreement term by term: personal status (marriage, parentage, adoption)
and the title to a thing or an intellectual-property right cannot be confirmed, whatever
dispute they come from; money, support, custody and property terms of the same agreement can.
The core applies those two exclusions to every dispute type; a type adds its own kinds
(``DisputeType.confirmation_excluded_kinds`` / ``small_claims_excluded_kinds``), and a type
excluded as a whole (``excluded_from_judicial_confirmation`` / ``excluded_from_small_claims``)
has every kind excluded.
"""
from __future__ import annotations

from typing import Iterable, Optional

from flask_babel import lazy_gettext as _l

from app.plugins.types import TERM_KINDS

DEFAULT_KIND = "other"
KIND_LABELS = dict(zip(TERM_KINDS, (  # in TERM_KINDS' order
    _l("Payment of money"),
    _l("Delivery of property or an act"),
    _l("Support payments (child, parent, spouse)"),
    _l("Custody of and visits to a child"),
    _l("Personal status (marriage, divorce, parentage, adoption)"),
    _l("Title to property or intellectual property"),
    _l("Other"),
), strict=True))

# The confirmation exclusions are 法释〔2011〕5号 art. 4 (status) and the Civil Procedure Law
# interpretation's list of applications not accepted (title); the small-claims exclusions are
# Civil Procedure Law art. 166 (2021 text): 人身关系、财产确权. Support claims whose status is not in
# dispute do go to small claims (法〔2020〕11号 art. 5), so "support" is not in the list.
STATUS_LAW = "最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）第4条（请核对）"
TITLE_LAW = ("最高人民法院关于适用《中华人民共和国民事诉讼法》的解释 第357条（物权、知识产权确权；"
             "2022年修正文本条文序号请核对）")
CONFIRMATION_LAW = f"{STATUS_LAW}；{TITLE_LAW}"
# The law a left-out term is cited with; a kind a type adds is cited with both.
CONFIRMATION_LAW_BY_KIND = {"personal_status": STATUS_LAW, "title": TITLE_LAW}
SMALL_CLAIMS_LAW = "民事诉讼法 第166条（2021年修正文本，2023年修正文本条文序号请核对）"
CORE_CONFIRMATION_EXCLUDED = ("personal_status", "title")
CORE_SMALL_CLAIMS_EXCLUDED = ("personal_status", "title")


def kind_label(kind: Optional[str]) -> str:
    """The label of ``kind`` in the request's language (an unknown code reads as "other")."""
    return str(KIND_LABELS.get(kind or DEFAULT_KIND, KIND_LABELS[DEFAULT_KIND]))


def kind_choices() -> list[tuple[str, str]]:
    """``(code, label)`` for the agreement form's select, in the vocabulary's order."""
    return [(code, str(label)) for code, label in KIND_LABELS.items()]


def _declared(dispute_type: str):
    from app.extensions import jiefen

    return jiefen().registry.dispute_types.get(dispute_type)


def confirmation_excluded_kinds(dispute_type: str) -> frozenset[str]:
    """The kinds of term a court will not confirm in an agreement of ``dispute_type``."""
    declared = _declared(dispute_type)
    if declared is not None and declared.excluded_from_judicial_confirmation:
        return frozenset(TERM_KINDS)
    return frozenset(CORE_CONFIRMATION_EXCLUDED) | frozenset(getattr(declared, "confirmation_excluded_kinds", ()))


def small_claims_excluded_kinds(dispute_type: str) -> frozenset[str]:
    """The kinds of matter the small-claims procedure does not take in a dispute of ``dispute_type``."""
    declared = _declared(dispute_type)
    if declared is not None and declared.excluded_from_small_claims:
        return frozenset(TERM_KINDS)
    return frozenset(CORE_SMALL_CLAIMS_EXCLUDED) | frozenset(getattr(declared, "small_claims_excluded_kinds", ()))


def split_for_confirmation(dispute_type: str, terms: Iterable) -> tuple[list, list]:
    """``(covered, left out)``: the terms a court may confirm, and those it may not, in order."""
    excluded = confirmation_excluded_kinds(dispute_type)
    covered, left_out = [], []
    for term in terms:
        (left_out if (term.kind or DEFAULT_KIND) in excluded else covered).append(term)
    return covered, left_out


def kind_problems(where: str, kinds: Iterable[str], field: str) -> list[str]:
    """Start-up messages for kinds outside the vocabulary (``app.plugins.checks``)."""
    wrong = sorted({k for k in kinds if k not in TERM_KINDS})
    if not wrong:
        return []
    return [f"{where}: {field} names {', '.join(map(repr, wrong))}, which are not term kinds; "
            f"allowed: {', '.join(TERM_KINDS)}"]


def declared_kind_problems(reg) -> list[str]:
    """Term kinds a plugin declares — in a type's exclusions or its templates' terms — that
    are not in the vocabulary: start-up stops naming the plugin and the field."""
    problems = []
    for code, dtype in reg.dispute_types.items():
        where = f"plugin {reg.type_owner[code]!r}, dispute type {code!r}"
        for name in ("confirmation_excluded_kinds", "small_claims_excluded_kinds"):
            value = getattr(dtype, name, ())
            if isinstance(value, str):  # ("personal_status") without the comma
                problems.append(f"{where}: {name} must be a tuple of term kinds, not the string {value!r}")
                continue
            problems += kind_problems(where, value, name)
    for code, templates in reg.templates.items():
        for template in templates:
            where = f"plugin {reg.type_owner[code]!r}, agreement template {template.code!r} of {code!r}"
            for name in ("sample_terms", "suggested_terms"):
                problems += kind_problems(where, [t.kind for t in getattr(template, name, ())], f"{name}.kind")
    return problems
