"""The whole Jiefen plugin contract.

Hooks come in two families:

* **Declarations** (``plugin_metadata``, ``register_dispute_types``, ``intake_fields``,
  ``sample_intake``, ``register_settings``, ``register_linkage_mechanisms``,
  ``agreement_templates``, ``register_views``,
  ``translation_directories``) are collected once at start-up from every
  loaded plugin, because forms, routes and catalogues must exist before an administrator
  can switch a plugin on without a restart.
* **Behaviour** (every other hook) is called at run time through the dispatcher, and only
  for plugins that are enabled at that moment.

Every hook takes keyword arguments; an implementation may accept fewer arguments than the
specification declares, so hooks can grow without breaking plugins.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("jiefen")


@hookspec
def plugin_metadata():
    """Return this plugin's metadata: version and the core versions it supports.

    Added to the contract so that an incompatible plugin stops start-up with a clear
    message instead of failing later inside a request.

    :returns: a :class:`~app.plugins.types.PluginMetadata`.
    """


@hookspec
def register_dispute_types():
    """Return the dispute types this plugin owns.

    :returns: a list of :class:`~app.plugins.types.DisputeType`. A type has exactly one
        owner: two plugins returning the same code stop start-up.
    """


@hookspec
def intake_fields(dispute_type):
    """Return the intake fields of ``dispute_type`` if this plugin owns it.

    :param dispute_type: a dispute-type code.
    :returns: a list of :class:`~app.plugins.types.IntakeField`, or ``None`` when the type
        is not this plugin's. The core builds the web form and the API validation from
        these declarations, so both give the same verdict.
    """


@hookspec
def sample_intake(dispute_type):
    """Return a realistic, valid intake payload for ``dispute_type``.

    Added to the contract (not in the first list) because the demo data and the plugin
    contract tests both need a sample that the plugin itself vouches for.

    :param dispute_type: a dispute-type code.
    :returns: a dict of intake values as an API client would send them, or ``None``.
    """


@hookspec
def register_settings():
    """Return the dated settings this plugin reads (deadline lengths, thresholds, rates).

    Added to the contract because every number must be dated configuration with its legal
    source: ``jiefen setup`` seeds these defaults, administrators add newer rows.

    :returns: a list of :class:`~app.plugins.types.SettingDefault`. Keys are prefixed with
        the plugin's dispute type (``debt.lpr_1y``); two plugins may not declare one key.
    """


@hookspec
def register_linkage_mechanisms():
    """Return the linkage mechanisms this plugin provides: how referrals reach partners.

    Added to the contract so that a partner's own system (a provincial platform, an SMS
    gateway…) can be connected by a plugin without touching the core.

    :returns: a list of :class:`~app.linkage.mechanisms.Mechanism` subclasses, each with a
        unique ``name`` (stored on organisations, referrals and outbox rows), a ``label``,
        ``settings_schema()``, ``send(message, partner)`` raising
        :class:`~app.linkage.mechanisms.DeliveryError`, and
        ``verify(request_headers, body, partner)``. Two plugins returning one name stop
        start-up.
    """


@hookspec
def agreement_templates(dispute_type):
    """Return the mediation-agreement templates offered for ``dispute_type``.

    :param dispute_type: a dispute-type code.
    :returns: a list of :class:`~app.plugins.types.AgreementTemplate`, or ``None``.
    """


@hookspec
def linkage_partners(dispute_type):
    """Return the default linkage partners for ``dispute_type``.

    :param dispute_type: a dispute-type code.
    :returns: a list of :class:`~app.plugins.types.LinkagePartner`, or ``None``. They are
        seeded into the core's organisation table, where administrators edit them.
    """


@hookspec
def deadlines(case):
    """Return the deadline rules that apply to ``case``.

    :param case: a :class:`~app.models.case.Case`.
    :returns: a list of :class:`~app.plugins.types.DeadlineRule`, or ``None``.
    """


@hookspec
def diversion_advice(case):
    """Return advice for screening ``case`` between mediation and litigation.

    :param case: a :class:`~app.models.case.Case`.
    :returns: a list of :class:`~app.plugins.types.Advice`, or ``None``.
    """


@hookspec
def validate_transition(case, from_state, to_state, actor):
    """Veto a change of ``case`` from ``from_state`` to ``to_state``.

    Called before the change is written. ``from_state`` is ``None`` when the case is being
    registered.

    :param case: the :class:`~app.models.case.Case` about to change.
    :param from_state: the current state code, or ``None`` at registration.
    :param to_state: the requested state code.
    :param actor: the user making the change, or ``None`` for the system.
    :returns: a reason (a string a user can read) to refuse, or ``None`` to allow.
    """


@hookspec
def on_transition(case, from_state, to_state, actor):
    """React to a change of ``case`` from ``from_state`` to ``to_state``.

    Called inside the transaction that writes the change, after the change is flushed: an
    exception rolls the whole change back.

    :param case: the :class:`~app.models.case.Case` that changed.
    :param from_state: the previous state code, or ``None`` at registration.
    :param to_state: the new state code.
    :param actor: the user who made the change, or ``None`` for the system.
    """


@hookspec
def register_views():
    """Return the views this plugin asks the core to build.

    :returns: a list of :class:`~app.plugins.types.ViewSpec`. The core creates and guards
        them; a plugin never calls ``appbuilder.add_view`` itself.
    """


@hookspec
def translation_directories():
    """Return absolute paths of Babel ``translations`` folders this plugin ships.

    :returns: a list of directory paths (each holding ``<locale>/LC_MESSAGES/*.mo``).
    """
