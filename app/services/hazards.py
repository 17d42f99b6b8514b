"""Hazards (矛盾隐患): dispute risks a centre finds in screening, not yet cases.

Who reads and writes them follows :func:`app.reports.scope.report_scope`: the district
(administrators, leadership, the court's own bodies) every hazard; a centre those located in
its area and below, and its own; nobody else any. A write goes through the same scope as the
read (:func:`hazard_in_scope`), so another centre's hazard is missing, not forbidden.

A centre's clerk records a hazard in an area of their write scope
(:func:`app.services.scope.write_scope`), with the people and organisations involved; it is
followed until it is dissolved (with a note) or registered as a case
(:mod:`app.services.hazard_intake`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from flask import g, has_request_context
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.lifecycle.tx import unit_of_work
from app.lifecycle.workflow import TransitionRefused
from app.models.area import Area
from app.models.screening import RISK_LEVELS, CampaignTask, Hazard, HazardParty, ScreeningCampaign
from app.reports.scope import ReportScope, report_scope
from app.services.scope import current_user_obj, write_scope
from app.validation.identity import mask_id_number, mask_mobile

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_PARTIES = 10
CAMPAIGN_CHOICES = 50  # the newest campaigns a centre takes part in, offered on the form
STATUS_COLOURS = {"open": "orange", "converted": "blue", "dissolved": "green"}
ONLY_CENTRES = _l("Hazards are recorded by the centres: your account belongs to no centre with an area.")


def screening_scope(user=None) -> ReportScope:
    """The reader's scope for screening records, once per request for the signed-in user."""
    if user is not None or not has_request_context():
        return report_scope(user if user is not None else current_user_obj())
    if "_jiefen_screening_scope" not in g:
        g._jiefen_screening_scope = report_scope(current_user_obj())
    return g._jiefen_screening_scope


def hazard_clause(scope: ReportScope):
    """The hazards ``scope`` covers, as a WHERE clause."""
    return scope.records(Hazard.area_id, Hazard.organization_id)


def hazard_in_scope(pk, scope: Optional[ReportScope] = None) -> Optional[Hazard]:
    """The hazard ``pk`` names if it exists and is in the scope (the signed-in user's by
    default); ``None`` otherwise, whatever the reason."""
    from app.views.keys import is_valid_pk

    if not is_valid_pk(pk):
        return None
    scope = scope or screening_scope()
    query = (select(Hazard).where(Hazard.id == int(str(pk)), hazard_clause(scope))
             .options(selectinload(Hazard.parties)))
    return db.session.scalars(query).first()


def recorder_organization(user=None) -> Optional[int]:
    """The centre a user records hazards for, or ``None`` when they record none (only a
    centre's staff do: the district reads and follows them)."""
    scope = screening_scope(user)
    return scope.organization_id if scope.kind == "centre" else None


def area_choices(user=None) -> list[tuple[int, str]]:
    """The areas a user may place a hazard in (their write scope), district and towns first."""
    allowed = write_scope(user if user is not None else current_user_obj())
    query = select(Area.id, Area.name).order_by(Area.level, Area.name, Area.id)
    if allowed.areas is not None:
        query = query.where(Area.id.in_(sorted(allowed.areas))) if allowed.areas else query.where(Area.id.is_(None))
    return [(a_id, name) for a_id, name in db.session.execute(query.limit(2000))]


def campaign_choices(org_id: Optional[int]) -> list[ScreeningCampaign]:
    """The campaigns ``org_id`` takes part in (a task of its own), newest first."""
    if org_id is None:
        return []
    query = (select(ScreeningCampaign).join(CampaignTask, CampaignTask.campaign_id == ScreeningCampaign.id)
             .where(CampaignTask.organization_id == org_id)
             .order_by(ScreeningCampaign.starts_on.desc(), ScreeningCampaign.id.desc()).limit(CAMPAIGN_CHOICES))
    return list(db.session.scalars(query))


@dataclass
class HazardInput:
    """What a hazard is recorded with (already converted by the form)."""

    title: str
    description: str
    area_id: int
    found_on: dt.date
    risk_level: str
    dispute_type: Optional[str] = None
    campaign_id: Optional[int] = None
    parties: list = field(default_factory=list)  # dicts: kind, name, id_number, mobile, note


def record_hazard(actor, values: HazardInput) -> Hazard:
    """Store a hazard for the actor's centre; raises ``TransitionRefused`` with every reason
    (not a centre, an area outside its scope, a campaign it takes no part in)."""
    scope = report_scope(actor)
    org_id = scope.organization_id if scope.kind == "centre" else None
    if org_id is None:
        raise TransitionRefused([gettext(str(ONLY_CENTRES))])
    problems = []
    if not write_scope(actor).allows_area(values.area_id):
        problems.append(gettext("This area is outside what your organisation handles: choose one of the areas "
                                "offered."))
    if values.risk_level not in RISK_LEVELS:
        problems.append(gettext("Choose the risk level: low, medium or high."))
    if values.campaign_id is not None:
        campaign = next((c for c in campaign_choices(org_id) if c.id == values.campaign_id), None)
        if campaign is None:
            problems.append(gettext("Choose a campaign your centre takes part in."))
        elif not campaign.starts_on <= values.found_on <= campaign.ends_on:
            problems.append(gettext("The campaign runs from %(start)s to %(end)s: a hazard found on another day "
                                    "is recorded without it.", start=campaign.starts_on.isoformat(),
                                    end=campaign.ends_on.isoformat()))
    if len(values.parties) > MAX_PARTIES:
        problems.append(gettext("At most %(n)d people and organisations per hazard.", n=MAX_PARTIES))
    if problems:
        raise TransitionRefused(problems)
    with unit_of_work():
        hazard = Hazard(
            organization_id=org_id, area_id=values.area_id, campaign_id=values.campaign_id,
            dispute_type=values.dispute_type or None, title=values.title.strip(),
            description=(values.description or "").strip(), found_on=values.found_on,
            risk_level=values.risk_level, status="open", recorded_by_id=getattr(actor, "id", None),
        )
        for party in values.parties:
            hazard.parties.append(HazardParty(
                kind=party.get("kind") or "person", name=party["name"].strip(),
                id_number=party.get("id_number") or None, mobile=party.get("mobile") or None,
                note=(party.get("note") or "").strip() or None))
        db.session.add(hazard)
    return hazard


def _locked(hazard: Hazard) -> Hazard:
    """The hazard read again under a row lock (PostgreSQL; SQLite's write lock serialises
    writers anyway), so of two concurrent status changes the second sees the first."""
    return db.session.scalars(select(Hazard).where(Hazard.id == hazard.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def closed_refusal(hazard: Hazard) -> str:
    """Why a hazard that is no longer followed cannot change."""
    if hazard.status == "converted" and hazard.case is not None:
        return gettext("This hazard is already registered as case %(no)s.", no=hazard.case.case_no)
    return gettext("This hazard is already dissolved.")


def dissolve(hazard: Hazard, actor, note) -> Hazard:
    """Mark a followed hazard dissolved (化解) with the note saying how; ``TransitionRefused``
    when there is no note or the hazard is no longer followed."""
    text = note.strip() if isinstance(note, str) else ""
    if not text:
        raise TransitionRefused([gettext("Say how the hazard was dissolved.")])
    if len(text) > 2000:
        raise TransitionRefused([gettext("The note is too long (at most %(n)d characters).", n=2000)])
    with unit_of_work():
        current = _locked(hazard)
        if current.status != "open":
            raise TransitionRefused([closed_refusal(current)])
        current.status = "dissolved"
        current.status_note = text
    return hazard


def convert(hazard_id: int, case, actor) -> None:
    """Inside the registering transaction: the hazard becomes ``converted`` with ``case``'s id
    and the case's timeline says where it came from; refused (the whole registration rolls
    back) when someone converted or dissolved it meanwhile."""
    from app.lifecycle.workflow import record

    current = db.session.scalars(select(Hazard).where(Hazard.id == hazard_id).with_for_update()
                                 .execution_options(populate_existing=True)).one()
    if current.status != "open":
        raise TransitionRefused([closed_refusal(current)])
    current.status = "converted"
    current.case_id = case.id
    record(case, actor, "screening", "from_hazard", current.title, {"hazard_id": current.id})


@dataclass(frozen=True)
class HazardFilters:
    """The list's filters (from the query string; bad values read as none)."""

    status: str = ""
    campaign: Optional[int] = None
    area: Optional[int] = None
    risk: str = ""

    def params(self, **changes) -> dict:
        """The query string of the list with ``changes`` (empty values left out)."""
        values = {"status": self.status, "campaign": self.campaign, "area": self.area, "risk": self.risk}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _int_arg(raw) -> Optional[int]:
    from app.views.keys import is_valid_pk

    text = str(raw or "").strip()
    return int(text) if is_valid_pk(text) else None


def filters_from(args) -> HazardFilters:
    """Read the filters from a request's arguments."""
    from app.models.screening import HAZARD_STATUS

    status = str(args.get("status") or "")
    risk = str(args.get("risk") or "")
    return HazardFilters(status=status if status in HAZARD_STATUS else "", campaign=_int_arg(args.get("campaign")),
                         area=_int_arg(args.get("area")), risk=risk if risk in RISK_LEVELS else "")


def hazard_page(filters: HazardFilters, page: int = 0, page_size: int = PAGE_SIZE,
                scope: Optional[ReportScope] = None) -> tuple[list[Hazard], int]:
    """One page of the hazards in scope matching ``filters``, newest found first, and how many
    match. Raises ``LookupError`` for an area or a campaign outside the scope (answered like an
    unknown one)."""
    from app.services.screening import campaign_in_scope

    scope = scope or screening_scope()
    where = [hazard_clause(scope)]
    if filters.area is not None:
        area = db.session.get(Area, filters.area)
        if area is None:
            raise LookupError(filters.area)
        where.append(Hazard.area_id.in_(sorted(scope.narrowed(area).area_ids)))
    if filters.campaign is not None:
        if campaign_in_scope(filters.campaign, scope) is None:
            raise LookupError(filters.campaign)
        where.append(Hazard.campaign_id == filters.campaign)
    if filters.status:
        where.append(Hazard.status == filters.status)
    if filters.risk:
        where.append(Hazard.risk_level == filters.risk)
    total = db.session.scalar(select(func.count(Hazard.id)).where(*where)) or 0
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    page = min(max(int(page), 0), max(0, (total - 1) // page_size))
    query = (select(Hazard).where(*where)
             .options(joinedload(Hazard.area), joinedload(Hazard.organization), joinedload(Hazard.campaign),
                      joinedload(Hazard.case))
             .order_by(Hazard.found_on.desc(), Hazard.id.desc()).limit(page_size).offset(page * page_size))
    return list(db.session.scalars(query).unique()), total


def masked_party(party: HazardParty) -> dict:
    """A hazard's party as pages and the API show it: ID number and mobile masked as a case's
    parties are (a number typed into the note too)."""
    from app.models.screening import HAZARD_PARTY_KINDS
    from app.services.classification import mask_numbers_in_text

    return {"id": party.id, "kind": party.kind, "kind_label": str(HAZARD_PARTY_KINDS.get(party.kind, party.kind)),
            "name": party.name, "id_number": mask_id_number(party.id_number) or None,
            "mobile": mask_mobile(party.mobile) or None, "note": mask_numbers_in_text(party.note) or None}


def case_in_sight(hazard: Hazard):
    """The case the hazard became, when the reader may see it; ``None`` otherwise (the case
    may have been placed in another body's scope at registration: its number says nothing)."""
    from app.services.scope import can_see

    case = hazard.case
    return case if case is not None and can_see(case) else None


def cases_in_sight(hazards) -> set:
    """Ids of the cases ``hazards`` became that the reader may see, in one query."""
    from app.models.case import Case
    from app.services.scope import request_scope

    ids = [h.case_id for h in hazards if h.case_id is not None]
    if not ids:
        return set()
    query = select(Case.id).where(Case.id.in_(ids))
    clause = request_scope()
    return set(db.session.scalars(query if clause is None else query.where(clause)))
