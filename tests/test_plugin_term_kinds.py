"""Every agreed term a plugin offers says what it settles (``AgreementTerm.kind``), because the
kind decides whether a court may confirm it and whether small claims takes it
(app/agreements/kinds.py). A term left at the default, ``other``, is confirmed as "other" and
printed so: a sum of money in it is no money term. Checked for every built-in plugin and both
examples, sample terms and suggested terms alike."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from app.plugins import TERM_KINDS

ROOT = Path(__file__).resolve().parent.parent
BUILT_IN = ("consumer", "debt", "family", "labour", "medical", "property", "traffic")
EXAMPLES = (("neighbour", "jiefen_neighbour"), ("land_forest", "jiefen_land_forest"))


def _module(name: str, package: str, folder: Path | None = None):
    if folder is None:
        return importlib.import_module(f"{package}.plugin")
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"{package}.plugin")
    finally:
        sys.path.remove(str(folder))


def offered_terms():
    """``(where, term)`` for every sample and suggested term of every plugin's templates."""
    modules = [(name, _module(name, f"plugins.{name}")) for name in BUILT_IN]
    modules += [(name, _module(name, package, ROOT / "examples" / name)) for name, package in EXAMPLES]
    for name, module in modules:
        for dtype in module.register_dispute_types():
            for template in dtype.templates:
                for group in ("sample_terms", "suggested_terms"):
                    for index, term in enumerate(getattr(template, group)):
                        yield f"{name}:{template.code}:{group}[{index}]", term


TERMS = list(offered_terms())


def test_every_plugin_and_example_offers_terms():
    assert {where.split(":")[0] for where, _ in TERMS} == set(BUILT_IN) | {name for name, _ in EXAMPLES}


@pytest.mark.parametrize("where, term", TERMS, ids=[where for where, _ in TERMS])
def test_an_offered_term_has_a_kind_of_the_vocabulary(where, term):
    assert term.kind in TERM_KINDS, where


@pytest.mark.parametrize("where, term", [(w, t) for w, t in TERMS if "人民币" in t.text],
                         ids=[w for w, t in TERMS if "人民币" in t.text])
def test_a_term_that_pays_a_sum_of_yuan_is_a_money_or_support_term(where, term):
    assert term.kind in ("money", "support"), f"{where}: {term.text}"


@pytest.mark.parametrize("where, term", [(w, t) for w, t in TERMS if w.split(":")[0] in ("medical", "traffic")],
                         ids=[w for w, t in TERMS if w.split(":")[0] in ("medical", "traffic")])
def test_compensation_terms_of_accidents_and_treatment_are_typed(where, term):
    """The insurer's direct payment names no sum but is a payment all the same."""
    assert term.kind != "other", f"{where}: {term.text}"
