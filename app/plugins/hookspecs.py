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
  ``register_linkage_mechanisms``, ``register_views``, ``translation_directories``,
  ``warning_rules`` and the
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

        lease = IntakeField("lease_signed_on", _("Lease signed on"), kind="date", required=True)
        return [DisputeType(code="tenancy", label=_("Tenancy"), fields=(lease,),
                            sample={"lease_signed_on": "2026-03-01"})]

    :returns: a list of :class:`~app.plugins.types.DisputeType`. A type has exactly one
        owner: two plugins returning the same code stop start-up.
    """


@hookspec
def intake_fields(dispute_type):
    """Compute the intake fields of a type this plugin owns, instead of declaring them.

    When: once at start-up, only on the type's owner, only if the plugin implements it;
    otherwise ``DisputeType.fields`` is used. Needed only when fields are built at start-up.

    Example (the rent is asked only where the plugin's deployment sets it up)::

        fields = [IntakeField("lease_signed_on", _("Lease signed on"), kind="date", required=True)]
        if os.environ.get("TENANCY_ASK_RENT"):
            fields.append(IntakeField("monthly_rent", _("Monthly rent"), kind="decimal"))
        return fields

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.IntakeField`. The core builds the web
        form and the API validation from them, so both give the same verdict.
    """


@hookspec
def sample_intake(dispute_type):
    """Compute a realistic, valid intake payload for a type this plugin owns.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.sample``. The demo data and the contract checks register it.

    Example (dated in the current year, so the sample never looks stale)::

        return {"lease_signed_on": f"{today().year}-03-01", "monthly_rent": "2500.00"}

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

        return [SettingDefault("sms.daily_limit", 500, _("Messages a day"),
                               source="运营商短信服务协议", unit="times")]

    :returns: a list of :class:`~app.plugins.types.SettingDefault`; two plugins may not
        declare one key.
    """


@hookspec
def register_linkage_mechanisms():
    """Declare the linkage mechanisms this plugin provides: how referrals reach partners.

    When: once at start-up. While the plugin is disabled its mechanisms are paused: their
    messages wait and go out when it is enabled again, and a partner's callback through
    them is answered as for an unknown partner (see ``docs/linkage.md``).

    Example (a referral dropped as a JSON file in a folder the partner reads)::

        class FolderDrop(Mechanism):
            name = "folder_drop"
            label = _("Shared folder")

            def settings_schema(self):
                return (SettingField("folder", _("Folder"), required=True),)

            def send(self, message, partner):
                folder = (partner.linkage_settings or {}).get("folder", "")
                try:
                    with open(os.path.join(folder, f"{message.idempotency_key}.json"), "w") as out:
                        json.dump(message.payload, out, ensure_ascii=False)
                except OSError as exc:
                    raise DeliveryError(f"folder_drop: cannot write ({type(exc).__name__})") from None

        return [FolderDrop]

    :returns: a list of :class:`~app.linkage.mechanisms.Mechanism` subclasses, each with a
        unique ``name``, a ``label``, ``settings_schema()``, ``send(message, partner)``
        raising :class:`~app.linkage.mechanisms.DeliveryError`, and, if it takes callbacks
        (``accepts_callbacks = True``), ``verify(request_headers, body, partner)``. Two
        plugins returning one name stop start-up.
    """


@hookspec
def agreement_templates(dispute_type):
    """Compute the agreement templates of a type this plugin owns, instead of declaring them.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.templates``.

    Example::

        return [AgreementTemplate(code="rent_arrears", label=_("Rent arrears agreement"),
                                  path=os.path.join(HERE, "templates", "rent_arrears.docx"),
                                  suggested_terms=(AgreementTerm("承租人于____前支付所欠租金人民币____元",
                                                                 "银行转账", None, kind="money"),))]

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.AgreementTemplate`.
    """


@hookspec
def linkage_partners(dispute_type):
    """Compute the default partner agencies of a type this plugin owns.

    When: once at start-up, only on the type's owner, only if implemented; otherwise
    ``DisputeType.partners``. ``jiefen setup`` seeds them while the plugin is enabled.

    Example::

        return [LinkagePartner("housing-office", _("District housing administration office"))]

    :param dispute_type: the code of a type this plugin owns.
    :returns: a list of :class:`~app.plugins.types.LinkagePartner`.
    """


@hookspec
def deadlines(case):
    """Return the deadline rules that depend on what a case says.

    When: each time deadlines are counted (case page, My work, lists), for every case of a
    type this plugin owns (type-scoped; a plugin owning no type hears every case). Rules
    that hold for every case of the type belong in ``DisputeType.deadlines`` instead.

    A rule's ``starts_from`` is one of the engine's starts: ``created_at``; a date field of
    the type's intake, ``intake.<field>``; a step of the lifecycle (``mediation_accepted_on``,
    ``mediation_started_on``, ``agreement_reached_on``, ``agreement_effective_on``,
    ``file_received_on``, ``confirmation_applied_on``, ``confirmation_accepted_on``); or an
    event outside the system the staff record on the case, ``event.<name>``, with
    ``waits_for`` saying what they wait for. Start-up refuses any other start.

    Example (the housing office's own mediation period, only for a case it took up, from
    the day the staff record its inspection)::

        if not case.intake_data.get("housing_office_on"):
            return []
        return [DeadlineRule("tenancy.housing_office", _("Housing office mediation"),
                             "tenancy.housing_office_days", starts_from="event.office_inspected",
                             waits_for=_("the housing office's inspection"),
                             finished_in=("mediation_accepted", "in_mediation"))]

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
            return [Advice("tenancy.large", _("A large claim: consider the court's fast track."))]

    :param case: a read-only :class:`~app.plugins.case_view.CaseView`.
    :returns: a list of :class:`~app.plugins.types.Advice`, or ``None``.
    """


@hookspec
def validate_transition(case, from_state, to_state, actor):
    """Veto a change of a case's state before it is written.

    When: before every state change of a case of a type this plugin owns (type-scoped),
    registration included (``from_state`` is ``None``). The states are listed in
    ``docs/plugins.md``, "Case states".

    Example (no mediation while an eviction is being enforced, as the family plugin refuses
    ``mediation_accepted`` while domestic violence is reported)::

        if to_state == "mediation_accepted" and case.intake_data.get("eviction_enforced"):
            return _("An eviction is being enforced: the court decides, not mediation.")
        return None

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
    inside the transaction that writes it, after the change is flushed. The case is a
    read-only view and the plugin writes nothing through it: the core writes every row. A
    plugin may log, count, or tell its own systems by its own means — keep that quick, and
    remember the change may still be rolled back after the hook. Raising an exception rolls
    the whole change back and the user gets an error, not a reason: to refuse a change with
    a reason, use ``validate_transition``.

    Example::

        if to_state == "closed":
            log.info("tenancy case %s closed by %s", case.case_no, actor or "the system")

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

        guide = Blueprint("tenancy_guide", __name__, template_folder=os.path.join(HERE, "templates"))
        guide.add_url_rule("/", "index", lambda: render_template("tenancy_guide.html"))
        return [ViewSpec(name="guide", label=_("Guide"), kind="blueprint", blueprint=guide)]

    :returns: a list of :class:`~app.plugins.types.ViewSpec`.
    """


@hookspec
def translation_directories():
    """Return further Babel ``translations`` folders beyond ``PluginMetadata.translations``.

    When: once at start-up, with the plugin's other declarations (enabled or not), so its
    words are there the moment an administrator enables it.

    Example (the catalogue of a library the plugin's pages use)::

        return [os.path.join(HERE, "vendor", "translations")]

    :returns: a list of absolute directory paths (each holding ``<locale>/LC_MESSAGES/*.mo``).
    """


@hookspec
def warning_rules():
    """Declare early-warning rules: which cases to count, grouped by what, from how many on.

    When: once at start-up, with the other declarations (enabled or not); start-up refuses a
    rule naming an unknown type, field, party role, setting or level. ``flask --app app alerts
    scan`` then runs the rules of the enabled plugins as SQL the core writes (a plugin never
    reads cases itself), and raises or updates one alert per group at or above the threshold.

    Example (several rent-arrears cases against one landlord within a month)::

        return [WarningRule("tenancy.landlord_arrears", _("Rent arrears against one landlord"),
                            dispute_type="tenancy", group_by=("party.respondent",),
                            threshold_key="tenancy.warning_cases", window_days_key="tenancy.warning_days",
                            when=("rent_arrears",),
                            message=_("%(count)s rent-arrears cases against %(subject)s in %(days)s days"))]

    :returns: a list of :class:`~app.plugins.types.WarningRule`; the settings they name are
        declared like any other (``DisputeType.settings`` or ``register_settings``).
    """
