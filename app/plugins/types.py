"""Value types that plugins return from hooks.

They are frozen dataclasses: a plugin declares *data*, and the core decides what to build
from it (forms, views, partner rows, deadline rules). Labels are lazy gettext strings so that
they render in the language of the request that shows them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional

# Data classification of every stored field (security.md, "Personal data").
CLASSIFICATIONS = ("public", "internal", "personal", "sensitive", "minor")

# Kinds of intake field the core knows how to render and validate.
FIELD_KINDS = (
    "text",  # one line
    "textarea",  # several lines
    "date",  # ISO date
    "integer",
    "decimal",  # money (or a quantity in ``unit``), 2 decimal places
    "percent",  # 0..100, 2 decimal places
    "choice",  # one of `choices`
    "boolean",
    "records",  # a list of small records, each made of `subfields`
)


class SettingMissing(LookupError):
    """No value of a setting is in force on the day asked, and no plugin declares it."""


@dataclass(frozen=True)
class DisputeType:
    """A dispute type owned by exactly one plugin (e.g. ``traffic``)."""

    code: str
    label: Any
    description: Any = ""
    category: str = "civil"
    # Free-form ordering hint for menus and choosers (lower first).
    order: int = 100
    # What the law treats differently for the whole type. The core reads these flags and
    # never a type's code, so a third-party type declaring them is treated the same way.
    #
    # A court does not confirm an agreement on personal status — marriage, parentage,
    # adoption (法释〔2011〕5号 第4条): the core refuses the joint application for judicial
    # confirmation of a case of this type and says why.
    excluded_from_judicial_confirmation: bool = False
    # The small-claims procedure does not take personal-status or property-title disputes
    # (民事诉讼法 第166条, 2021 text): the core gives no small-claims (nor fast-track)
    # screening advice for a case of this type.
    excluded_from_small_claims: bool = False
    # Finer than the whole type: the kinds of agreed term (TERM_KINDS) the law keeps out of
    # judicial confirmation, and out of small claims. The core adds the kinds the law keeps
    # out for every type (app/agreements/kinds.py); a whole-type flag above excludes them all.
    confirmation_excluded_kinds: tuple[str, ...] = ()
    small_claims_excluded_kinds: tuple[str, ...] = ()
    # -- The type's declarations, as data (preferred to the per-type hooks) ---------------
    # The core reads these from the declaration; a plugin writes hooks only for behaviour.
    # Intake fields, in form order (:class:`IntakeField`).
    fields: tuple = ()
    # A realistic, valid intake payload the plugin vouches for (demo data, contract tests).
    sample: Optional[Mapping[str, Any]] = None
    # Dated settings the type reads (:class:`SettingDefault`), keys prefixed with the code.
    settings: tuple = ()
    # Mediation-agreement templates offered for the type (:class:`AgreementTemplate`).
    templates: tuple = ()
    # Default partner agencies seeded for administrators to edit (:class:`LinkagePartner`).
    partners: tuple = ()
    # Deadline rules of every case of the type (:class:`DeadlineRule`; ``tracks`` narrows a
    # rule to some tracks). Rules that depend on the case's data come from the
    # ``deadlines`` hook instead.
    deadlines: tuple = ()
    # Screening advice: callables ``(case) -> list[Advice] | None``, each given the read-only
    # :class:`~app.plugins.case_view.CaseView` of a case of this type only.
    advice: tuple = ()
    # Views the core builds (:class:`ViewSpec`); a case list's ``dispute_type`` defaults to
    # this type's code.
    views: tuple = ()


@dataclass(frozen=True)
class IntakeField:
    """One field of a dispute type's intake form, declared as data.

    ``validators`` are callables ``(value, data) -> message | None`` run after type
    conversion; ``data`` is the whole converted intake, so a rule may compare fields.
    """

    name: str
    label: Any
    kind: str = "text"
    required: bool = False
    classification: str = "internal"
    help: Any = ""
    choices: tuple[tuple[str, Any], ...] = ()
    min_value: Optional[Decimal] = None
    max_value: Optional[Decimal] = None
    max_length: int = 200
    not_in_future: bool = False
    subfields: tuple["IntakeField", ...] = ()
    max_records: int = 10
    validators: tuple[Callable[[Any, dict], Optional[Any]], ...] = ()
    # A ``decimal`` is money in CNY unless it names another unit (``unit=_("mu")``): pages and
    # agreements then show "12.50 亩", not "¥12.50".
    unit: Any = ""

    def __post_init__(self):
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"intake field {self.name!r}: unknown kind {self.kind!r}")
        if self.classification not in CLASSIFICATIONS:
            raise ValueError(
                f"intake field {self.name!r}: unknown classification {self.classification!r}"
            )
        if self.kind == "records" and not self.subfields:
            raise ValueError(f"intake field {self.name!r}: records need subfields")


# What an agreed term settles, as the law sorts it (labels and sources: app/agreements/kinds.py):
#   money            payment of money: compensation, a debt, wages
#   property         delivery or return of things, repairs and other acts (交付财物、履行行为)
#   support          child support, support of parents or of a spouse (抚养费、赡养费、扶养费)
#   custody          who brings up a child, and visits (子女抚养、探望)
#   personal_status  marriage, divorce, parentage, adoption (身份关系)
#   title            who owns a thing or an intellectual-property right (物权、知识产权确权)
#   other
# A kind of term, not the dispute type of the same word: the check for type names in the core
# (tests/test_no_type_names_in_core.py) tells a kind used as a kind from a type name.
TERM_KINDS = ("money", "property", "support", "custody", "personal_status", "title", "other")


@dataclass(frozen=True)
class AgreementTerm:
    """One agreed term: what is done, how, and by when (People's Mediation Law arts. 28–29),
    and its ``kind`` (one of ``TERM_KINDS``), which decides whether a court may confirm it."""

    text: str
    manner: str = ""
    due: Optional[dt.date] = None
    kind: str = "other"


@dataclass(frozen=True)
class AgreementTemplate:
    """A mediation-agreement template a plugin offers for a dispute type.

    ``path`` is the DOCX (docxtpl) the plugin ships; an administrator may replace it from
    the admin page without touching code. ``sample_terms`` fill previews and the contract
    test; ``suggested_terms`` pre-fill the mediator's draft form.
    """

    code: str
    label: Any
    path: str
    format: str = "docx"
    sample_terms: tuple[AgreementTerm, ...] = ()
    suggested_terms: tuple[AgreementTerm, ...] = ()


@dataclass(frozen=True)
class LinkagePartner:
    """A default partner organisation for a dispute type, seeded for administrators to edit."""

    code: str
    name: Any
    kind: str = "partner_agency"
    description: Any = ""


@dataclass(frozen=True)
class SettingDefault:
    """A dated setting a plugin relies on, with the seeded default and its legal source.

    Numbers change by year and province, so none is a constant in code: the value in force
    on a day is the row with the latest ``valid_from`` not after that day, and an
    administrator adds new rows as rules change. ``check=True`` marks a figure taken from
    a secondary source that an administrator must confirm against the official text.
    """

    key: str
    value: Any  # a number (int or decimal text) or a short text
    label: Any
    source: str
    unit: str = ""  # "days", "working days", "percent", "CNY", "times"…
    valid_from: dt.date = dt.date(2000, 1, 1)
    check: bool = False


@dataclass(frozen=True)
class DeadlineRule:
    """A deadline of a case: the dated setting ``setting_key`` counted from ``starts_from``.

    ``starts_from`` names a date of the case (``created_at``), of its intake data
    (``intake.accident_date``), a step of its lifecycle (``mediation_accepted_on``) or an event
    the staff record on the case (``event.treatment_ended``); the length is read from the
    settings on that date.
    """

    code: str
    label: Any
    setting_key: str
    starts_from: str
    working_days: bool = False
    # A type-specific rule may stand in for a core rule (e.g. its own pre-filing period):
    # the engine then drops the core rule with this code, and the rule ends where it ended.
    replaces: str = ""
    # States in which the period no longer runs (met); empty: when the case is finished.
    finished_in: tuple[str, ...] = ()
    # Why the law lets this rule stand in for ``replaces``, with the legal source; required
    # with ``replaces`` (checked at start-up): a replacement nobody can justify is a duplicate.
    reason: str = ""
    # What the staff must record before the period can start (a start named ``event.…``),
    # shown while the deadline waits: "the end of the funeral arrangements".
    waits_for: Any = ""
    # Tracks (``pre_filing``, ``court_entrusted``…) on which the rule applies; empty: all.
    tracks: tuple[str, ...] = ()
    # A date of the intake (``intake.police_mediation_on``) on which what the period asks was
    # done: once recorded, the period is met on that day (late when after its last day).
    met_on: str = ""


@dataclass(frozen=True)
class Advice:
    """Diversion advice shown to the clerk screening a case."""

    code: str
    message: Any
    severity: str = "info"  # info | warning | danger
    source: str = ""


# How serious an alert is (app/models/warning.py ALERT_LEVELS): blue, orange, red on pages.
WARNING_LEVELS = ("notice", "warning", "serious")


@dataclass(frozen=True)
class WarningRule:
    """An early-warning rule a plugin declares as data (the ``warning_rules`` hook): which cases
    to count, grouped by what, over how many days, from how many on. The core writes and runs
    the SQL (``flask --app app alerts scan``); a plugin never reads cases itself.

    Cases of ``dispute_type`` registered in the last ``window_days_key`` days (a dated setting),
    with every boolean intake field in ``when`` ticked (and still open with ``open_only``), are
    grouped by ``group_by``: intake fields ``intake.<field>`` (the first non-empty one names
    the group, e.g. the credit code, else the name), or the parties of one role
    ``party.<role>`` (by ID number or credit code, else name). A group of at least
    ``threshold_key`` cases raises an alert. ``message`` is the alert's title, written with
    ``%(subject)s`` (the group: ``shown_as``'s value, an intake field, when given),
    ``%(count)s``, ``%(days)s`` and ``%(threshold)s``.
    """

    code: str  # "<its type or plugin name>.<name>", e.g. "labour.employer_wages"
    label: Any  # what the rule watches, in a few words
    dispute_type: str
    group_by: tuple[str, ...]
    threshold_key: str
    window_days_key: str
    message: Any
    when: tuple[str, ...] = ()
    shown_as: str = ""
    open_only: bool = False
    level: str = "warning"  # one of WARNING_LEVELS


@dataclass(frozen=True)
class ViewSpec:
    """A view a plugin asks the core to build.

    ``kind="case_list"`` builds a case list filtered to ``dispute_type``; ``kind="blueprint"``
    registers the plugin's own Flask ``blueprint`` under ``/plugins/<plugin>/``. Either way
    the core guards it: while the plugin is disabled its menu is hidden and its routes 404.
    """

    name: str
    label: Any
    kind: str = "case_list"
    dispute_type: str = ""
    category: str = "Cases"
    icon: str = "fa-folder-open"
    blueprint: Any = None


@dataclass(frozen=True)
class PluginMetadata:
    """What a plugin says about itself: its version and the core versions it works with.

    ``requires_core`` is a PEP 440 specifier (``">=0.1,<1"``); start-up stops when the
    running core is outside it.
    """

    version: str
    requires_core: str
    description: Any = ""
    author: str = ""
    # Absolute path of the plugin's Babel ``translations`` folder, if it ships one.
    translations: str = ""


@dataclass(frozen=True)
class PluginInfo:
    """Metadata of a loaded plugin, as the core sees it."""

    name: str
    version: str
    dispute_types: tuple[str, ...] = field(default_factory=tuple)
    module: str = ""
    requires_core: str = ""
    description: Any = ""
