"""The ledger's rows: one line per case, in the columns Chinese dispute ledgers have.

序号, 登记日期, 案号, 纠纷类型, 当事人 (masked), 所属镇街, 调解组织/调解员, 办理程序, 状态, 结果,
协议金额, 办结日期, 用时(天), 回访情况 and a risk flag for high-risk cases.

Rows are read in registration order (``created_at``, then id). A page reads one page; an
export reads batches by keyset (the last row's ``(created_at, id)``), never an OFFSET deep in
the table, and each batch fetches its parties and return visits in one query each, so a
ledger of 100,000 cases costs a fixed number of statements per thousand rows and holds one
batch in memory.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator, Optional

from flask_babel import gettext, lazy_gettext as _l, lazy_pgettext
from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.orm import aliased

from app.extensions import db, jiefen
from app.models.case import CASE_STATES, CASE_TRACKS, LITIGATION_TRACKS, Case
from app.models.mediator import Mediator
from app.models.organization import Organization
from app.models.outcome import Agreement, ReturnVisit
from app.models.party import Party
from app.models.screening import RISK_LEVELS
from app.reports.ledger import EMPTY, Ledger, town_map
from app.services.classification import mask_person_name
from app.services.clock import court_zone, stored_utc

BATCH = 2000
# A group dispute can have dozens of parties: the cell names the first few and counts the rest.
PARTIES_SHOWN = 8
# The parties of the dispute itself; agents act for them and are not named in a ledger.
PARTY_ROLES = ("applicant", "respondent", "third_party")

RESULTS = {
    "agreement": lazy_pgettext("ledger result", "Agreement reached"),
    "failed": _l("Mediation failed"),
    "transferred": _l("Transferred to litigation or arbitration"),
    "withdrawn": lazy_pgettext("ledger result", "Withdrawn"),
    "merged": _l("Merged into another case"),
}

# (key, header, width in the workbook, kind of value). Headers whose words differ in a ledger
# (序号, not the referral's 编号; 所属镇街; 回访情况; 风险) carry the "ledger" context.
COLUMNS = [
    ("no", lazy_pgettext("ledger", "No."), 7, "int"),
    ("registered_on", _l("Registered on"), 12, "date"),
    ("case_no", _l("Case number"), 24, "text"),
    ("dispute_type_label", _l("Dispute type"), 14, "text"),
    ("parties", _l("Parties"), 26, "text"),
    ("town", lazy_pgettext("ledger", "Town / street"), 12, "text"),
    ("handled_by", _l("Organisation / mediator"), 28, "text"),
    ("procedure", _l("Procedure"), 20, "text"),
    ("status_label", _l("Status"), 12, "text"),
    ("result_label", _l("Result"), 14, "text"),
    ("agreed_amount", _l("Agreed amount (yuan)"), 14, "money"),
    ("closed_on", _l("Closed on"), 12, "date"),
    ("days", _l("Days taken"), 9, "int"),
    ("return_visit", lazy_pgettext("ledger", "Return visit"), 26, "text"),
    ("risk", lazy_pgettext("ledger", "Risk"), 9, "text"),
]


def days_note(on: dt.date) -> str:
    """What "days taken" counts, for the page and the workbook's header."""
    return gettext("Days taken: from registration to closing for closed cases; for open cases, from registration "
                   "to today (%(day)s).", day=on.isoformat())


@dataclass
class LedgerRow:
    """One case as a ledger line (values, not yet text for a page or cells for a workbook)."""

    no: int
    case_id: int
    registered_on: dt.date
    case_no: str
    dispute_type: str
    dispute_type_label: str
    parties: str
    town: str
    organisation: str
    mediator: str
    track: str
    procedure: str
    status: str
    status_label: str
    result: Optional[str]
    result_label: str
    agreed_amount: Optional[Decimal]
    closed_on: Optional[dt.date]
    days: int
    days_until: str  # "closed" or "today"
    return_visit: str
    high_risk: bool

    @property
    def handled_by(self) -> str:
        """``organisation / mediator``, or whichever of the two is known."""
        return " / ".join(part for part in (self.organisation, self.mediator) if part)

    @property
    def risk(self) -> str:
        """The risk flag as a ledger shows it: only high-risk cases are flagged."""
        return str(RISK_LEVELS["high"]) if self.high_risk else ""

    def cells(self) -> list:
        """The values in the order of :data:`COLUMNS` (``None`` for an empty cell)."""
        return [getattr(self, key) for key, _h, _w, _k in COLUMNS]

    def as_json(self) -> dict:
        """The row for the API: codes beside their labels, dates as ISO days, money as a string."""
        return {
            "no": self.no, "case_id": self.case_id, "registered_on": self.registered_on.isoformat(),
            "case_no": self.case_no, "dispute_type": self.dispute_type, "dispute_type_label": self.dispute_type_label,
            "parties": self.parties, "town": self.town, "organisation": self.organisation, "mediator": self.mediator,
            "track": self.track, "procedure": self.procedure, "status": self.status, "status_label": self.status_label,
            "result": self.result, "result_label": self.result_label,
            "agreed_amount": None if self.agreed_amount is None else f"{self.agreed_amount:.2f}",
            "closed_on": self.closed_on.isoformat() if self.closed_on else None, "days": self.days,
            "days_until": self.days_until, "return_visit": self.return_visit, "high_risk": self.high_risk,
        }


def headers() -> list[str]:
    """The column headers in the reader's language."""
    return [str(header) for _k, header, _w, _kind in COLUMNS]


def _row_query(ledger: Ledger):
    org, mediator = aliased(Organization), aliased(Mediator)
    return (
        select(Case.id, Case.case_no, Case.created_at, Case.dispute_type, Case.area_id, Case.track,
               Case.litigation_track, Case.status, Case.closed_at, Case.risk_level,
               org.name.label("org_name"), mediator.name.label("mediator_name"))
        .select_from(Case)
        .outerjoin(org, org.id == Case.organization_id)
        .outerjoin(mediator, mediator.id == Case.mediator_id)
        .where(and_(*ledger.where()))
    )


class RowBuilder:
    """Turns database rows into :class:`LedgerRow` s; built once per page or export (the area →
    town map, the labels and the zone are read once, not per row)."""

    def __init__(self, ledger: Ledger, towns: Optional[dict] = None):
        self.ledger = ledger
        self.towns = town_map() if towns is None else towns
        self.zone = court_zone()
        # China keeps one offset all year (since 1991): a day is then UTC plus that offset.
        winter, summer = (self.zone.utcoffset(dt.datetime(2020, m, 1)) for m in (1, 7))
        self._offset = winter if winter == summer else None
        dispatcher = jiefen().dispatcher
        self._type_labels: dict = {}
        self._dispatcher = dispatcher
        self._statuses = {k: str(v) for k, v in CASE_STATES.items()}
        self._tracks = {k: str(v) for k, v in CASE_TRACKS.items()}
        self._litigation = {k: str(v) for k, v in LITIGATION_TRACKS.items()}
        self._results = {k: str(v) for k, v in RESULTS.items()}
        self._visit_done = gettext("Visited on %(day)s")
        self._visit_score = gettext("Visited on %(day)s, satisfaction %(score)s/5")
        self._visit_planned = gettext("Planned for %(day)s")
        self._more = gettext("%(names)s and %(count)d others")

    def _day(self, value) -> Optional[dt.date]:
        if value is None:
            return None
        if value.tzinfo is None and self._offset is not None:
            return (value + self._offset).date()  # SQLite's naive UTC, in a zone without summer time
        return stored_utc(value).astimezone(self.zone).date()

    def _type_label(self, code: str) -> str:
        if code not in self._type_labels:
            self._type_labels[code] = str(self._dispatcher.type_label(code))
        return self._type_labels[code]

    def _parties(self, names: list[str]) -> str:
        if len(names) > PARTIES_SHOWN:
            return self._more % {"names": "、".join(names[:PARTIES_SHOWN]), "count": len(names) - PARTIES_SHOWN}
        return "、".join(names)

    def _visit(self, visits: list) -> str:
        done = [v for v in visits if v.done_on is not None]
        if done:
            last = max(done, key=lambda v: (v.done_on, v.id))
            if last.satisfaction is not None:
                return self._visit_score % {"day": last.done_on.isoformat(), "score": last.satisfaction}
            return self._visit_done % {"day": last.done_on.isoformat()}
        if visits:
            first = min(visits, key=lambda v: (v.scheduled_for, v.id))
            return self._visit_planned % {"day": first.scheduled_for.isoformat()}
        return ""

    def _result(self, row, agreed: bool) -> Optional[str]:
        if agreed:
            return "agreement"
        if row.status in ("mediation_failed", "closed"):
            return "failed"  # a case closes without an agreement only after a failed mediation
        if row.status in ("transferred", "withdrawn", "merged"):
            return row.status
        return None

    def build(self, row, no: int, parties: list[str], visits: list, agreement=None) -> LedgerRow:
        """One ledger line from a row of :func:`_row_query`, its parties, its visits and its
        agreement (a row with ``amount``, or ``None``)."""
        registered = self._day(row.created_at)
        closed = self._day(row.closed_at)
        result = self._result(row, agreement is not None)
        amount = agreement.amount if agreement is not None else None
        procedure = self._tracks.get(row.track, row.track)
        if row.litigation_track:
            procedure += " · " + self._litigation.get(row.litigation_track, row.litigation_track)
        end = closed if closed is not None else self.ledger.today
        return LedgerRow(
            no=no, case_id=row.id, registered_on=registered, case_no=row.case_no, dispute_type=row.dispute_type,
            dispute_type_label=self._type_label(row.dispute_type), parties=self._parties(parties),
            town=self.towns.get(row.area_id, (None, ""))[1] if row.area_id is not None else "",
            organisation=row.org_name or "", mediator=row.mediator_name or "", track=row.track,
            procedure=procedure, status=row.status, status_label=self._statuses.get(row.status, row.status),
            result=result, result_label=self._results[result] if result else "",
            agreed_amount=Decimal(amount).quantize(Decimal("0.01")) if amount is not None else None,
            closed_on=closed, days=max((end - registered).days, 0), days_until="closed" if closed else "today",
            return_visit=self._visit(visits), high_risk=row.risk_level == "high",
        )


def _details(case_ids: list[int]) -> tuple[dict, dict, dict]:
    """The masked party names, the return visits and the agreement of a batch of cases: one
    query each (an index lookup per case, never a join over every agreement)."""
    parties: dict[int, list[str]] = {}
    if not case_ids:
        return parties, {}, {}
    # Plain Core rows on the session's connection: no ORM row processing for thousands of rows.
    connection = db.session.connection()
    for case_id, kind, name in connection.execute(
        select(Party.case_id, Party.kind, Party.name)
        .where(Party.case_id.in_(case_ids), Party.role.in_(PARTY_ROLES)).order_by(Party.case_id, Party.id)
    ):
        parties.setdefault(case_id, []).append(name if kind == "organization" else mask_person_name(name))
    visits: dict[int, list] = {}
    for visit in connection.execute(
        select(ReturnVisit.id, ReturnVisit.case_id, ReturnVisit.scheduled_for, ReturnVisit.done_on,
               ReturnVisit.satisfaction).where(ReturnVisit.case_id.in_(case_ids))
    ):
        visits.setdefault(visit.case_id, []).append(visit)
    agreements = {row.case_id: row for row in connection.execute(
        select(Agreement.case_id, Agreement.amount).where(Agreement.case_id.in_(case_ids)))}
    return parties, visits, agreements


def _build_all(builder: RowBuilder, rows, first_no: int) -> list[LedgerRow]:
    parties, visits, agreements = _details([r.id for r in rows])
    return [builder.build(r, first_no + i, parties.get(r.id, []), visits.get(r.id, []), agreements.get(r.id))
            for i, r in enumerate(rows)]


def count_rows(ledger: Ledger) -> int:
    """How many cases the ledger holds."""
    return db.session.scalar(select(func.count(Case.id)).where(and_(*ledger.where()))) or 0


def page_rows(ledger: Ledger, page: int, page_size: int, builder: Optional[RowBuilder] = None) -> list[LedgerRow]:
    """Page ``page`` (from 0) of the ledger, ``page_size`` rows, numbered across the ledger."""
    builder = builder or RowBuilder(ledger)
    query = _row_query(ledger).order_by(Case.created_at, Case.id).limit(page_size).offset(page * page_size)
    return _build_all(builder, db.session.execute(query).all(), page * page_size + 1)


def iter_batches(ledger: Ledger, batch: int = BATCH, builder: Optional[RowBuilder] = None) -> Iterator[list[LedgerRow]]:
    """Every row of the ledger, ``batch`` at a time, in registration order (keyset paging)."""
    builder = builder or RowBuilder(ledger)
    query = _row_query(ledger).order_by(Case.created_at, Case.id).limit(batch)
    after, no = None, 1
    while True:
        found = db.session.connection().execute(
            query if after is None else query.where(tuple_(Case.created_at, Case.id) > tuple_(*after))).all()
        if not found:
            return
        rows = _build_all(builder, found, no)
        no += len(rows)
        after = (found[-1].created_at, found[-1].id)
        yield rows  # plain rows, no ORM objects: nothing of a batch stays in the session
        if len(found) < batch:
            return


__all__ = ["COLUMNS", "EMPTY", "LedgerRow", "RowBuilder", "count_rows", "days_note", "headers", "iter_batches",
           "page_rows"]
