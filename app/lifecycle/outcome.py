"""What a mediation ends with: the stored agreement and its signatures (People's Mediation
Law arts. 28–29); judicial confirmation of it is in :mod:`app.lifecycle.confirmation`.

Every change commits together with its timeline entry. The agreement row is locked while a
signature is given or the terms are revised, so two clerks working at once cannot leave an
agreement that is fully signed but not in effect, or signed on terms that changed meanwhile.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from flask_babel import force_locale, gettext, lazy_gettext as _l
from sqlalchemy import func, select, update

from app.agreements.context import agreement_context
from app.agreements.render import render_docx, template_file
from app.extensions import db, jiefen
from app.lifecycle.visits import schedule_visits
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import StaleCase, TransitionRefused, perform, record
from app.models.case import CASE_STATES, Case
from app.models.outcome import AgreedTerm, Agreement, JudicialConfirmation, Signature
from app.models.types import utcnow
from app.agreements.kinds import DEFAULT_KIND
from app.plugins.types import TERM_KINDS, AgreementTerm
from app.services.settings import today
from app.views.keys import is_valid_pk

# Agents sign on behalf of a party; the parties themselves are who the agreement binds.
SIGNING_ROLES = ("applicant", "respondent", "third_party")
SIGN_METHODS = {"signature": _l("Signature"), "seal": _l("Seal"), "thumbprint": _l("Thumbprint")}
# The agreement is written while mediating, and may be revised until the first signature.
EDITABLE_STATES = ("in_mediation", "agreement_reached")
SIGNING_STATE = "agreement_reached"
CONFIRMATION_STATES = ("judicial_confirmation", "performing")
# How each party's assent to an oral agreement is shown on its lines (app.lifecycle.oral).
ASSENT_METHODS = {"oral": _l("Oral assent"), "recorded": _l("Recorded by the mediator")}
# Timeline entries this module and visits.py write (kind, action) → label, for the case page.
EVENT_LABELS = {
    "agreement_saved": _l("Agreement saved"),
    "agreement_revised": _l("Agreement revised"),
    "agreement_signed": _l("Agreement signed"),
    "agreement_effective": _l("Agreement in effect"),
    "oral_agreement_recorded": _l("Oral agreement recorded"),
    "confirmation_applied": _l("Judicial confirmation applied for"),
    "confirmation_recorded": _l("Court's decision on judicial confirmation"),
    "visits_scheduled": _l("Return visits planned"),
    "visit_recorded": _l("Return visit"),
    "follow_up_raised": _l("Follow-up visit raised"),
    "visit_cancelled": _l("Return visit cancelled"),
}


# ``amount`` left out of a revision: the agreed amount stored stays as it is.
KEEP = object()


class NotInCase(LookupError):
    """The agreement, signature or visit asked for is not part of this case (views: 404)."""


def agreement_of(case: Case) -> Optional[Agreement]:
    """The case's stored agreement, if any."""
    return db.session.scalars(select(Agreement).where(Agreement.case_id == case.id)).first()


def confirmation_of(case: Case) -> Optional[JudicialConfirmation]:
    """The case's judicial-confirmation application, if any."""
    return db.session.scalars(select(JudicialConfirmation).where(JudicialConfirmation.case_id == case.id)).first()


def signer_name(signature: Signature, agreement: Agreement, case: Case) -> str:
    """Who signs on this line: the party's name, or the mediator's."""
    if signature.party_id is None:
        return agreement.mediator_name
    return next((p.name for p in case.parties if p.id == signature.party_id), "")


def signatures_of(agreement: Agreement) -> list[Signature]:
    """The signature lines in a stable order: parties as registered, the mediator last."""
    rows = db.session.scalars(select(Signature).where(Signature.agreement_id == agreement.id)).all()
    return sorted(rows, key=lambda s: (s.party_id is None, s.party_id or 0, s.id))


def _lock(agreement_id: int) -> None:
    # PostgreSQL: later signers and revisers wait here and then read what was committed.
    db.session.execute(select(Agreement.id).where(Agreement.id == agreement_id).with_for_update())


def _signed_names(agreement: Agreement, case: Case) -> list[str]:
    signed = db.session.scalars(
        select(Signature).where(Signature.agreement_id == agreement.id, Signature.signed_on.is_not(None))
    ).all()
    return [signer_name(s, agreement, case) for s in signed]


def check_version(case: Case, expected_version) -> None:
    """Raise ``StaleCase`` unless ``expected_version`` (if given) is the case's version."""
    # A version that is not a number cannot prove the form is current: treated as stale.
    if expected_version not in (None, "") and str(expected_version).strip() != str(case.version):
        raise StaleCase()


def clean_terms(terms: Iterable) -> tuple[list[AgreementTerm], list[str]]:
    """The terms as value objects (from objects or ``(text, manner, due[, kind])``), and what is wrong."""
    cleaned, problems = [], []
    for n, term in enumerate(terms or [], start=1):
        if isinstance(term, AgreementTerm):
            text, manner, due, kind = term.text, term.manner, term.due, term.kind
        else:
            text, manner, due, kind = (tuple(term) + (DEFAULT_KIND,))[:4]
        text, manner = str(text or "").strip(), str(manner or "").strip()
        kind = DEFAULT_KIND if kind in (None, "") else kind
        if kind not in TERM_KINDS:
            problems.append(gettext("Term %(n)s: choose what kind of term it is.", n=n))
        if not text:
            problems.append(gettext("Term %(n)s: write what is agreed.", n=n))
        elif len(text) > 1000 or len(manner) > 200:
            problems.append(gettext("Term %(n)s is too long.", n=n))
        if due is not None and (not isinstance(due, dt.date) or isinstance(due, dt.datetime)):
            problems.append(gettext("Term %(n)s: the day it is performed by must be a date.", n=n))
        cleaned.append(AgreementTerm(text, manner, due, kind))
    if not cleaned:
        problems.append(gettext("Write at least one agreed term."))
    return cleaned, problems


def _input_problems(case: Case, template_code, committee, mediator_name, drafted_on) -> list[str]:
    problems = []
    state = jiefen()
    owner = state.dispatcher.owner_of(case.dispute_type)
    codes = [t.code for t in state.registry.templates.get(case.dispute_type, ())]
    if owner is None or not state.dispatcher.is_enabled(owner) or template_code not in codes:
        problems.append(gettext("Choose one of the agreement templates of this dispute type."))
    if not str(committee or "").strip() or len(str(committee)) > 200:
        problems.append(gettext("Name the mediation committee (at most 200 characters)."))
    if not str(mediator_name or "").strip() or len(str(mediator_name)) > 100:
        problems.append(gettext("Name the mediator (at most 100 characters)."))
    if not isinstance(drafted_on, dt.date):
        problems.append(gettext("Give the date of the agreement."))
    elif drafted_on > today():
        problems.append(gettext("The agreement cannot be dated in the future."))
    return problems


def _sync_signatures(case: Case, agreement: Agreement) -> None:
    """One unsigned line per signing party and one for the mediator; nobody has signed yet."""
    wanted = [p.id for p in case.parties if p.role in SIGNING_ROLES]
    kept = [s for s in agreement.signatures if s.party_id is None or s.party_id in wanted]
    have = {s.party_id for s in kept}
    kept += [Signature(party_id=pid, signer_role="party") for pid in wanted if pid not in have]
    if None not in have:
        kept.append(Signature(party_id=None, signer_role="mediator"))
    agreement.signatures = kept


def save_agreement(case: Case, actor, template_code: str, committee: str, mediator_name: str, terms: Iterable,
                   expected_version=None, drafted_on: Optional[dt.date] = None, amount=KEEP) -> Agreement:
    """Store the agreement (reaching it from "in_mediation", or revising it unsigned); refuses or writes all.
    ``amount`` is the agreed amount (协议金额, a validated ``Decimal`` or ``None``); left out, a
    revision keeps the one stored."""
    # From "in_mediation" the "reach_agreement" action commits with the agreement (before_commit);
    # at "agreement_reached" the revision bumps the case version so that stale forms fail.
    drafted_on = drafted_on or today()
    existing = agreement_of(case)
    if case.status not in EDITABLE_STATES:
        raise TransitionRefused([gettext(
            "An agreement is saved while the case is in mediation, or revised before anyone has signed it; "
            "the case is now “%(state)s”.", state=CASE_STATES.get(case.status, case.status))])
    check_version(case, expected_version)
    if existing is not None:
        _refuse_if_signed(existing, case)
    cleaned, problems = clean_terms(terms)
    problems = _input_problems(case, template_code, committee, mediator_name, drafted_on) + problems
    if problems:
        raise TransitionRefused(problems)
    saved: list[Agreement] = []

    def write(case: Case) -> None:
        agreement = existing or Agreement(case_id=case.id, created_by_id=getattr(actor, "id", None))
        if existing is not None:
            _lock(existing.id)
            _refuse_if_signed(existing, case)  # again, now that nobody else can sign meanwhile
        agreement.template_code = template_code
        agreement.committee = str(committee).strip()
        agreement.mediator_name = str(mediator_name).strip()
        agreement.drafted_on = drafted_on
        if amount is not KEEP:
            agreement.amount = amount
        agreement.terms = [AgreedTerm(position=i, text=t.text, manner=t.manner or None, due_on=t.due, kind=t.kind)
                           for i, t in enumerate(cleaned, start=1)]
        _sync_signatures(case, agreement)
        db.session.add(agreement)
        db.session.flush()
        record(case, actor, "agreement", "agreement_revised" if existing else "agreement_saved",
               gettext("%(count)s agreed terms; %(signers)s signature lines.",
                       count=len(cleaned), signers=len(agreement.signatures)),
               {"agreement_id": agreement.id, "template": template_code, "terms": len(cleaned)})
        saved.append(agreement)

    if case.status == "in_mediation":
        perform(case, "reach_agreement", actor, expected_version=expected_version, before_commit=write)
        return saved[0]
    with unit_of_work():
        write(case)
        case.changed_at = utcnow()  # a revision is a change of the case: stale forms must fail
    return saved[0]


def _refuse_if_signed(agreement: Agreement, case: Case) -> None:
    names = _signed_names(agreement, case)
    if names:
        raise TransitionRefused([gettext(
            "The agreement has already been signed by %(names)s: its terms can no longer change. "
            "If the parties want different terms, they make a new agreement.", names="、".join(names))])


def sign(case: Case, signature_id, signed_on: Optional[dt.date], method: str, actor,
         expected_version=None) -> Signature:
    """Record one signature (or seal, or thumbprint); the last one puts the agreement in effect."""
    agreement = agreement_of(case)
    signature = db.session.get(Signature, int(signature_id)) if is_valid_pk(signature_id) else None
    if agreement is None or signature is None or signature.agreement_id != agreement.id:
        raise NotInCase()
    if case.status != SIGNING_STATE:
        raise TransitionRefused([gettext(
            "Signatures are recorded while the case is at “%(expected)s”; it is now “%(state)s”.",
            expected=CASE_STATES[SIGNING_STATE], state=CASE_STATES.get(case.status, case.status))])
    problems = []
    if method not in SIGN_METHODS:
        problems.append(gettext("Choose how it was signed: signature, seal or thumbprint."))
    if not isinstance(signed_on, dt.date):
        problems.append(gettext("Give the day it was signed."))
    elif signed_on > today():
        problems.append(gettext("A signature cannot be dated in the future."))
    elif signed_on < agreement.drafted_on:
        problems.append(gettext("A signature cannot be earlier than the agreement itself (%(day)s).",
                                day=agreement.drafted_on.isoformat()))
    if problems:
        raise TransitionRefused(problems)
    check_version(case, expected_version)
    signature_id = signature.id
    with unit_of_work():
        _lock(agreement.id)
        done = db.session.execute(
            update(Signature).where(Signature.id == signature_id, Signature.signed_on.is_(None))
            .values(signed_on=signed_on, method=method).execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise TransitionRefused([gettext("%(name)s has already signed.",
                                             name=signer_name(signature, agreement, case))])
        signature = db.session.get(Signature, signature_id, populate_existing=True)
        name = signer_name(signature, agreement, case)
        record(case, actor, "agreement", "agreement_signed",
               f"{name}：{SIGN_METHODS[method]}，{signed_on.isoformat()}",
               {"signature_id": signature_id, "party_id": signature.party_id, "method": method})
        unsigned = db.session.scalar(select(func.count(Signature.id)).where(
            Signature.agreement_id == agreement.id, Signature.signed_on.is_(None)))
        if unsigned == 0:
            _take_effect(case, agreement, actor)
    return signature


def _take_effect(case: Case, agreement: Agreement, actor) -> None:
    # In effect on the day the last of the parties and the mediator signed (art. 29).
    agreement.effective_on = db.session.scalar(
        select(func.max(Signature.signed_on)).where(Signature.agreement_id == agreement.id))
    db.session.flush()
    record(case, actor, "agreement", "agreement_effective",
           gettext("Every party and the mediator have signed: the agreement is in effect from %(day)s.",
                   day=agreement.effective_on.isoformat()),
           {"agreement_id": agreement.id, "effective_on": agreement.effective_on.isoformat()})
    schedule_visits(case, agreement, actor)


def stored_agreement_context(case: Case) -> tuple:
    """``(owner, template, agreement, context)`` of the stored agreement: what its Word
    document and its print view are filled with. :class:`NotInCase` when there is none."""
    # A signed agreement stays readable when its dispute type is later switched off; only a
    # plugin that is no longer installed (no template file) makes it unavailable.
    agreement = agreement_of(case)
    state = jiefen()
    owner = state.dispatcher.owner_of(case.dispute_type)
    templates = state.registry.templates.get(case.dispute_type, ())
    template = next((t for t in templates if agreement and t.code == agreement.template_code), None)
    if agreement is None or owner is None or template is None:
        raise NotInCase()
    with force_locale("zh_CN"):  # the document is in Chinese whatever the interface language
        title = str(template.label)
        signatures = [{"name": signer_name(s, agreement, case), "role": s.signer_role,
                       "signed_on": s.signed_on.isoformat() if s.signed_on else "",
                       "method": str(SIGN_METHODS.get(s.method, "")) if s.method else ""}
                      for s in signatures_of(agreement)]
    context = agreement_context(
        case,
        [AgreementTerm(t.text, t.manner or "", t.due_on, t.kind) for t in agreement.terms],
        title=title, mediator=agreement.mediator_name, committee=agreement.committee,
        signed_on=agreement.effective_on or agreement.drafted_on,
    )
    # Extra keys a replaced template may use; the plugins' own templates ignore them.
    context.update(signatures=signatures, effective=agreement.effective_on is not None)
    return owner, template, agreement, context


def agreement_print(case: Case) -> str:
    """The stored agreement's print view (HTML, A4), from the same context as its Word file."""
    from app.agreements.access import record_agreement_access
    from app.agreements.render import render_html

    _owner, _template, agreement, context = stored_agreement_context(case)
    html = render_html(context)
    record_agreement_access(case, agreement, "print")
    return html


def agreement_docx(case: Case) -> tuple[str, bytes]:
    """The stored agreement rendered with its plugin template: ``(file name, DOCX bytes)``."""
    owner, template, agreement, context = stored_agreement_context(case)
    data = render_docx(template_file(owner, template), context)
    from app.agreements.access import record_agreement_access

    record_agreement_access(case, agreement, "docx")  # built; about to leave
    return f"{case.case_no}-{template.code}.docx", data
