"""The whole Jiefen plugin contract.

A plugin is a module (or object) registered under the ``jiefen.plugins`` entry point. It
implements some of the hooks below with ``@hookimpl`` from :mod:`app.plugins`; every hook
takes keyword arguments, and an implementation may accept fewer arguments than the
specification declares, so hooks can grow without breaking plugins.

A dispute-type plugin mostly **declares data**: one :class:`~app.plugins.types.DisputeType`
carrying its intake fields, sample, settings, templates, partners, deadline rules, advice
rules and views. It writes hooks only for behaviour. The smallest complete type plugin is::

    TYPE = DisputeType(code="land", label=_("Land and forest ownership"), fields=FIELDS,
                       sample=SAMPLE, settings=SETTINGS, deadlines=RULES, advice=(_advice,))

    @hookimpl
    def plugin_metadata():
        return PluginMetadata(version="1.0", requires_core=">=0.1,<0.2",
                              translations=os.path.join(HERE, "translations"))

    @hookimpl
    def register_dispute_types():
        return [TYPE]

Hooks come in two families:

* **Declarations** (``plugin_metadata``, ``register_dispute_types``, ``register_settings``,
  ``register_linkage_mechanisms``, ``register_views``, ``translation_directories`` and the
  per-type ``intake_fields``, ``sample_intake``, ``agreement_templates``,
  ``linkage_partners``) are called **once, inside** ``create_app``, on every loaded plugin
  enabled or not, because forms, routes and catalogues must exist before an administrator
  can switch a plugin on without a restart. :mod:`app.plugins.checks` then checks them: a
  mistake stops start-up naming the plugin, the declaration and the field.
* **Behaviour** (``deadlines``, ``diversion_advice``, ``validate_transition``,
  ``on_transition``) is called at run time, only on enabled plugins, and **type-scoped**:
  a hook about a case reaches the plugin owning the case's dispute type and the plugins
  owning no type (such as the core's own rules), never another type's owner. So no hook
  tests the type code. The case arrives as a read-only
  :class:`~app.plugins.case_view.CaseView`, never the ORM object.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("jiefen")


@hookspec
def plugin_metadata():
    """Say which version this plugin is and which core versions it supports.

    When: once at start-up, before anything else is asked of the plugin. A core version
    outside ``requires_core`` stops start-up with both versions named.

    Example::

        return PluginMetadata(version="1.2.0", requires_core=">=0.1,<0.2",
                              translations=os.path.join(HERE, "translations"))

    :returns: a :class:`~app.plugins.types.PluginMetadata`.
    """


@hookspec
def register_dispute_types():
    """Declare the dispute types this plugin owns, each as one data object.

    When: once at start-up. The declaration's ``fields``, ``sample``, ``settings``,
    ``templates``, ``partners``, ``deadlines``, ``advice`` and ``views`` are read from it;
    its exclusion flags tell the core what the law treats differently for the type.

    Example::

        return [DisputeType(code="land", label=_("Land and forest ownership"), fields=FIELDS, sample=SAMPLE)]

    :returns: a list of :class:`~app.plugins.types.DisputeType`. A type has exactly one
        owner: two plugins returning the same code stop start-up.
    """


@hookspec
def intake_fields(dispute_type):
    """Compute the intake fields of a type this plugin owns, instead of declaring them.

    When: once at start-up, only on the type's owner, only if the plugin implements it;
    otherwise ``DisputeType.fields`` is used. Needed only when fields are built at start-up.

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.IntakeField`. The core builds the web
        form and the API validation from them, so both give the same verdict.
    """


@hookspec
def sample_intake(dispute_type):
    """Compute a realistic, valid intake payload for a type this plugin owns.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.sample``. The demo data and the contract checks register it.

    :param dispute_type: the code of a type this plugin owns.
    :returns: a dict of intake values as an API client would send them.
    """


@hookspec
def register_settings():
    """Declare dated settings that belong to no dispute type (a mechanism's, the core's).

    When: once at start-up. A type's own settings go in ``DisputeType.settings``; both end
    up in the same table, seeded by ``jiefen setup`` and edited by administrators as new
    rows with a later ``valid_from``.

    Example::

        return [SettingDefault("sms.daily_limit", 500, _("Messages a day"), source="…", unit="times")]

    :returns: a list of :class:`~app.plugins.types.SettingDefault`; two plugins may not
        declare one key.
    """


@hookspec
def register_linkage_mechanisms():
    """Declare the linkage mechanisms this plugin provides: how referrals reach partners.

    When: once at start-up. While the plugin is disabled its mechanisms send nothing: their
    messages wait and go out when it is enabled again (see ``docs/linkage.md``).

    Example::

        return [FileDropMechanism]

    :returns: a list of :class:`~app.linkage.mechanisms.Mechanism` subclasses, each with a
        unique ``name``, a ``label``, ``settings_schema()``, ``send(message, partner)``
        raising :class:`~app.linkage.mechanisms.DeliveryError`, and
        ``verify(request_headers, body, partner)``. Two plugins returning one name stop
        start-up.
    """


@hookspec
def agreement_templates(dispute_type):
    """Compute the agreement templates of a type this plugin owns, instead of declaring them.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.templates``.

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.AgreementTemplate`.
    """


@hookspec
def linkage_partners(dispute_type):
    """Compute the default partner agencies of a type this plugin owns.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.partners``. ``jiefen setup`` seeds them while the plugin is enabled.

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.LinkagePartner`.
    """


@hookspec
def deadlines(case):
    """Return the deadline rules that depend on what a case says.

    When: each time deadlines are counted (case page, My work, lists), for every case of a
    type this plugin owns (type-scoped; a plugin owning no type hears every case). Rules
    that hold for every case of the type belong in ``DisputeType.deadlines`` instead.

    Example (traffic: police mediation only when the police were asked)::

        if case.intake_data.get("police_mediation"):
            return [DeadlineRule("traffic.police", _("Police mediation"), POLICE_DAYS,
                                 starts_from="intake.loss_determined_on")]

    :param case: a read-only :class:`~app.plugins.case_view.CaseView`.
    :returns: a list of :class:`~app.plugins.types.DeadlineRule`, or ``None``.
    """


@hookspec
def diversion_advice(case):
    """Return screening advice (mediation or litigation, which route) for a case.

    When: each time a case page is shown, for cases of a type this plugin owns
    (type-scoped). A type may instead declare advice rules in ``DisputeType.advice``:
    callables that receive the same read-only case.

    Example::

        if case.claim_amount and case.claim_amount > 100000:
            return [Advice("x.large", _("A large claim: consider the court's fast track."))]

    :param case: a read-only :class:`~app.plugins.case_view.CaseView`.
    :returns: a list of :class:`~app.plugins.types.Advice`, or ``None``.
    """


@hookspec
def validate_transition(case, from_state, to_state, actor):
    """Veto a change of a case's state before it is written.

    When: before every state change of a case of a type this plugin owns (type-scoped),
    registration included (``from_state`` is ``None``). The states are listed in
    ``docs/plugins.md``, "Case states".

    Example (family: no mediation without consent when violence is reported)::

        if to_state == "in_mediation" and case.intake_data.get("violence_reported"):
            return _("Mediation needs the protected party's written consent.")

    :param case: a read-only :class:`~app.plugins.case_view.CaseView` (before the change).
    :param from_state: the current state code, or ``None`` at registration.
    :param to_state: the requested state code.
    :param actor: the user making the change, or ``None`` for the system.
    :returns: a sentence a user can read to refuse, or ``None`` to allow.
    """


@hookspec
def on_transition(case, from_state, to_state, actor):
    """React to a change of a case's state.

    When: after every state change of a case of a type this plugin owns (type-scoped),
    inside the transaction that writes it, after the change is flushed: an exception rolls
    the whole change back, so keep the work small and do slow work elsewhere.

    :param case: a read-only :class:`~app.plugins.case_view.CaseView` (after the change).
    :param from_state: the previous state code, or ``None`` at registration.
    :param to_state: the new state code.
    :param actor: the user who made the change, or ``None`` for the system.
    """


@hookspec
def register_views():
    """Declare views that belong to no dispute type (a blueprint of the plugin's pages).

    When: once at start-up. The core creates and guards them: while the plugin is disabled
    its menu is hidden and its routes answer 404. A type's case list goes in
    ``DisputeType.views``.

    Example::

        return [ViewSpec(name="guide", label=_("Guide"), kind="blueprint", blueprint=guide)]

    :returns: a list of :class:`~app.plugins.types.ViewSpec`.
    """


@hookspec
def translation_directories():
    """Return further Babel ``translations`` folders beyond ``PluginMetadata.translations``.

    When: once at start-up.

    :returns: a list of absolute directory paths (each holding ``<locale>/LC_MESSAGES/*.mo``).
    """
