"""Agreement templates run in a Jinja sandbox and may use only the documented fields.

A template is text an administrator uploads; Jinja without a sandbox lets such text reach
Python (``{{ cycler.__init__.__globals__.os }}``). Every agreement template is therefore
rendered by an :class:`ImmutableSandboxedEnvironment`, and checked beforehand: it may name only
the context variables of :func:`app.agreements.context.agreement_context` (plus the extra keys of a
stored agreement), use only the filters below, and no attribute starting with ``_``.
"""
from __future__ import annotations

from typing import Iterable

from docxtpl import DocxTemplate
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# What agreement_context() and sample_context() give every template, and what a stored
# agreement adds (app/lifecycle/outcome.py: signatures, effective).
CONTEXT_VARIABLES = frozenset({
    "title", "case_no", "dispute_type", "committee", "parties", "facts", "summary",
    "claim_amount", "facts_rows", "terms", "mediator", "date", "copies",
})
STORED_AGREEMENT_VARIABLES = frozenset({"signatures", "effective"})
ALLOWED_VARIABLES = CONTEXT_VARIABLES | STORED_AGREEMENT_VARIABLES

# Text and list formatting only: nothing that looks attributes up by a string or builds objects.
ALLOWED_FILTERS = frozenset({
    "capitalize", "center", "default", "d", "escape", "e", "first", "float", "format", "indent",
    "int", "join", "last", "length", "count", "list", "lower", "replace", "reverse", "round",
    "string", "trim", "truncate", "upper", "title", "wordcount", "wordwrap", "abs", "batch",
    "slice", "striptags", "sum", "min", "max", "unique",
})


class ForbiddenInTemplate(SecurityError):
    """A template names something agreement templates may not use; ``name`` is what."""

    def __init__(self, name: str):
        super().__init__(f"agreement templates may not use {name!r}")
        self.name = name


class UnsafeTemplateFile(ForbiddenInTemplate):
    """The template file in use is not opened at all (a zip bomb); ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__("")
        self.reason = reason


def template_refused_message(refused: ForbiddenInTemplate) -> str:
    """What a case worker reads when the template in use is refused: why, and who can fix it."""
    from flask_babel import gettext

    if isinstance(refused, UnsafeTemplateFile):
        return gettext("The agreement template in use was refused: %(reason)s An administrator must upload a "
                       "corrected template.", reason=refused.reason)
    return gettext("The agreement template in use names “%(name)s”, which agreement templates may not use, so "
                   "the document was not made. An administrator must upload a corrected template.",
                   name=refused.name)


def environment() -> ImmutableSandboxedEnvironment:
    """A fresh sandbox for one rendering (docxtpl sets ``autoescape`` on the environment it gets).
    Jinja's globals (``range``, ``cycler``, ``joiner``, ``lipsum``, ``dict``, ``namespace``) are
    removed: a template sees its context and nothing else."""
    env = ImmutableSandboxedEnvironment(autoescape=True)
    env.globals.clear()
    return env


def docx_sources(doc: DocxTemplate) -> list[str]:
    """Every piece of Jinja text docxtpl renders in ``doc``: body, headers, footers, footnotes and
    the document properties, patched as docxtpl patches them before rendering."""
    doc.init_docx()
    sources = [doc.patch_xml(doc.get_xml())]
    for uri in (doc.HEADER_URI, doc.FOOTER_URI):
        for _key, part in doc.get_headers_footers(uri):
            sources.append(doc.patch_xml(doc.get_part_xml(part)))
    footnotes = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    for part in doc.docx.part.package.parts:
        if part.content_type == footnotes:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            sources.append(doc.patch_xml(blob))
    props = doc.docx.core_properties
    sources.extend(getattr(props, name) or "" for name in ("author", "comments", "identifier", "language", "subject", "title"))
    return sources


def check_sources(sources: Iterable[str]) -> None:
    """Raise :class:`ForbiddenInTemplate` naming the first variable, filter or attribute that is
    not allowed; a Jinja syntax error propagates as ``TemplateSyntaxError``."""
    env = environment()
    for source in sources:
        tree = env.parse(source)
        for name in sorted(meta.find_undeclared_variables(tree)):
            if name not in ALLOWED_VARIABLES:
                raise ForbiddenInTemplate(name)
        for node in tree.find_all(nodes.Name):
            if node.name == "self":  # the template object itself, never reported as undeclared
                raise ForbiddenInTemplate(node.name)
        for node in _innermost_first(tree):
            if isinstance(node, nodes.Filter):
                if node.name not in ALLOWED_FILTERS:
                    raise ForbiddenInTemplate(node.name)
            elif isinstance(node, nodes.Getattr):
                if node.attr.startswith("_"):
                    raise ForbiddenInTemplate(node.attr)
            elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                if node.arg.value.startswith("_"):
                    raise ForbiddenInTemplate(node.arg.value)
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            raise ForbiddenInTemplate(type(node).__name__.lower())


def _innermost_first(node: nodes.Node):
    """Every node below ``node``, children before their parent: in ``a.__class__.__mro__`` the
    first offending name, ``__class__``, is the one reported."""
    for child in node.iter_child_nodes():
        yield from _innermost_first(child)
    yield node


def check_docx(doc: DocxTemplate) -> None:
    """Check every Jinja source of a DOCX template (see :func:`check_sources`)."""
    check_sources(docx_sources(doc))


def render(doc: DocxTemplate, context: dict) -> None:
    """Check, then fill ``doc`` in the sandbox; user text stays escaped for the XML."""
    check_docx(doc)
    doc.render(context, jinja_env=environment(), autoescape=True)
