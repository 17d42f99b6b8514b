"""Which queues each role has on My work, and where each item leads.

- a mediator (a pool record linked to the login): offers to answer, today's appointments, the
  cases they mediate, agreements waiting for signatures;
- court staff: judicial-confirmation applications to accept (3 days) and to decide,
  court-entrusted mediations near their 15/7-day limit;
- a centre's clerk: its area's cases to screen, to assign, and return visits due;
- a partner agency: referrals to accept and to answer;
- an administrator: dead deliveries, dated settings to check, disabled plugins;
- everyone on the staff: the cases they are responsible for, and referrals they sent that the
  partner has not answered in time.
"""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import lazyload

from app.lifecycle.core_rules import COURT_MEDIATION, CONFIRMATION_ACCEPTANCE
from app.lifecycle.machine import OPEN_STATES
from app.models.case import Case
from app.models.lifecycle import Assignment
from app.models.mediation import Appointment
from app.models.outcome import Agreement, JudicialConfirmation, ReturnVisit
from app.models.referral import REFERRAL_KINDS, OutboxMessage, Referral
from app.models.setting import Setting
from app.services.settings import court_day, court_zone
from app.views.mywork_queues import Desk, Item, QueueSpec, case_item, urgency_of_day

COURT_RUNNING = ("assigned", "scheduled", "in_mediation")


def _show(case_id: int, anchor: str = "") -> str:
    return url_for("CaseModelView.show", pk=case_id, _anchor=anchor or None)


# --- a mediator ---------------------------------------------------------------------------------


def _offers(desk: Desk):
    # an offer is open only while the case waits for a mediator (see the "assign" action)
    return (select(Assignment, Case).join(Case, Case.id == Assignment.case_id)
            .where(Assignment.mediator_id == desk.mediator.id, Assignment.response == "pending",
                   Case.status == "assigned", Case.mediator_id.is_(None))
            .options(lazyload(Assignment.mediator))
            .order_by(Assignment.offered_at, Assignment.id))


def _offer_item(desk: Desk, row) -> Item:
    offer, case = row
    return Item(url=url_for("OfferResponseView.show_offer", offer_id=offer.id), label=case.case_no,
                text=case.title, meta=gettext("Offered on %(day)s", day=court_day(offer.offered_at)),
                action=_l("Answer the offer"), case_id=case.id, css="offer")


def _mine_or_mediated(desk: Desk):
    mine = Case.responsible_staff_id == desk.user.id
    return or_(mine, Case.mediator_id == desk.mediator.id) if desk.mediator else mine


def _appointments(desk: Desk):
    # Today's bounds in UTC, as timestamps are stored (SQLite keeps no offset and compares text).
    start = dt.datetime.combine(desk.today, dt.time.min, tzinfo=court_zone()).astimezone(dt.timezone.utc)
    return (select(Appointment, Case).join(Case, Case.id == Appointment.case_id)
            .where(_mine_or_mediated(desk), Appointment.status == "planned",
                   Appointment.starts_at >= start, Appointment.starts_at < start + dt.timedelta(days=1))
            .order_by(Appointment.starts_at, Appointment.id))


def _appointment_item(desk: Desk, row) -> Item:
    appointment, case = row
    starts = appointment.starts_at
    # SQLite hands back naive UTC: say so before converting to China time
    starts = starts if starts.tzinfo else starts.replace(tzinfo=dt.timezone.utc)
    at = starts.astimezone(court_zone()).strftime("%H:%M")
    return Item(url=url_for("CaseRecordsView.records", pk=case.id), label=case.case_no, text=case.title,
                meta=f"{at} {appointment.place or appointment.online_room or ''}".strip(),
                action=_l("Record the session"), due=desk.today, urgency="today", case_id=case.id)


def _mediating(desk: Desk):
    return (select(Case).where(Case.mediator_id == desk.mediator.id, Case.status.in_(OPEN_STATES))
            .order_by(Case.created_at, Case.id))


# The mediator's next step on a case, by its state: (endpoint, anchor, button).
MEDIATOR_STEPS = {
    "assigned": ("SessionView.appointment", "", _l("Book an appointment")),
    "scheduled": ("CaseRecordsView.records", "", _l("Appointments and sessions")),
    "in_mediation": ("CaseRecordsView.records", "", _l("Appointments and sessions")),
    "agreement_reached": ("CaseModelView.show", "outcome", _l("The agreement")),
}


def _mediating_item(desk: Desk, row) -> Item:
    case = row[0]
    endpoint, anchor, action = MEDIATOR_STEPS.get(case.status, ("CaseModelView.show", "deadlines", _l("Open the case")))
    return case_item(desk, case, url_for(endpoint, pk=case.id, _anchor=anchor or None), action)


def _signatures(desk: Desk):
    return (select(Agreement, Case).join(Case, Case.id == Agreement.case_id)
            .where(Case.mediator_id == desk.mediator.id, Case.status == "agreement_reached",
                   Agreement.effective_on.is_(None))
            .order_by(Agreement.drafted_on, Agreement.id))


def _signature_item(desk: Desk, row) -> Item:
    agreement, case = row
    return Item(url=_show(case.id, "outcome"), label=case.case_no, text=case.title,
                meta=gettext("Drafted on %(day)s", day=agreement.drafted_on), action=_l("Collect signatures"),
                case_id=case.id)


# --- court staff -------------------------------------------------------------------------------


def _to_accept(desk: Desk):
    return (select(JudicialConfirmation, Case).join(Case, Case.id == JudicialConfirmation.case_id)
            .where(JudicialConfirmation.result == "pending", JudicialConfirmation.accepted_on.is_(None),
                   Case.status == "judicial_confirmation")
            .order_by(JudicialConfirmation.applied_on, JudicialConfirmation.id))


def _to_decide(desk: Desk):
    return (select(JudicialConfirmation, Case).join(Case, Case.id == JudicialConfirmation.case_id)
            .where(JudicialConfirmation.result == "pending", JudicialConfirmation.accepted_on.is_not(None),
                   Case.status == "judicial_confirmation")
            .order_by(JudicialConfirmation.accepted_on, JudicialConfirmation.id))


def _accept_item(desk: Desk, row) -> Item:
    confirmation, case = row
    item = case_item(desk, case, url_for("OutcomeView.confirmation", pk=case.id), _l("Accept or refuse"),
                     code=CONFIRMATION_ACCEPTANCE)
    item.meta = gettext("Applied on %(day)s", day=confirmation.applied_on) + (
        " · " + gettext("decide by %(day)s", day=item.due) if item.due else "")
    return item


def _decide_item(desk: Desk, row) -> Item:
    confirmation, case = row
    # No dated rule counts the ruling's period yet; when one is declared, its due day and
    # urgency show here like any deadline's (the case's most urgent running one).
    item = case_item(desk, case, url_for("OutcomeView.confirmation", pk=case.id), _l("Record the ruling"))
    accepted = gettext("Accepted on %(day)s", day=confirmation.accepted_on)
    item.meta = f"{accepted} · {item.meta}" if item.due else accepted
    return item


def _court_entrusted(desk: Desk):
    return (select(Case).where(Case.track == "court_entrusted", Case.status.in_(COURT_RUNNING))
            .order_by(Case.created_at, Case.id))


def _court_item(desk: Desk, case) -> Item:
    return case_item(desk, case[0], _show(case[0].id, "deadlines"), _l("Open the case"), code=COURT_MEDIATION)


# --- a centre's clerk ----------------------------------------------------------------------------


def _to_screen(desk: Desk):
    return select(Case).where(Case.status.in_(("registered", "screening"))).order_by(Case.created_at, Case.id)


def _screen_item(desk: Desk, row) -> Item:
    case = row[0]
    if case.status == "registered":
        return case_item(desk, case, url_for("CaseWorkflowView.act", pk=case.id, action="start_screening"),
                         _l("Start screening"))
    return case_item(desk, case, url_for("CaseWorkflowView.consent", pk=case.id), _l("Record consent"))


def _to_assign(desk: Desk):
    waiting = or_(Case.status == "mediation_accepted", and_(Case.status == "assigned", Case.mediator_id.is_(None)))
    return select(Case).where(waiting).order_by(Case.created_at, Case.id)


def _assign_item(desk: Desk, row) -> Item:
    case = row[0]
    action = _l("Offer to mediators") if case.status == "mediation_accepted" else _l("Offer again")
    return case_item(desk, case, url_for("AssignmentView.assign", pk=case.id), action)


def _visits(desk: Desk):
    return (select(ReturnVisit, Case).join(Case, Case.id == ReturnVisit.case_id)
            .where(ReturnVisit.done_on.is_(None), ReturnVisit.scheduled_for <= desk.today,
                   Case.status.in_(OPEN_STATES))
            .order_by(ReturnVisit.scheduled_for, ReturnVisit.id))


def _visit_item(desk: Desk, row) -> Item:
    visit, case = row
    return Item(url=url_for("OutcomeView.visit", pk=case.id, visit_id=visit.id), label=case.case_no,
                text=case.title, meta=gettext("Planned for %(day)s", day=visit.scheduled_for),
                action=_l("Record the visit"), due=visit.scheduled_for,
                urgency=urgency_of_day(visit.scheduled_for, desk.today), case_id=case.id)


# --- everyone on the staff ------------------------------------------------------------------------


def _responsible(desk: Desk):
    return (select(Case).where(Case.responsible_staff_id == desk.user.id, Case.status.in_(OPEN_STATES))
            .order_by(Case.created_at, Case.id))


def staff_step(case: Case) -> tuple[str, object]:
    """Where the staff member responsible for ``case`` acts next, and the button's words."""
    if case.status == "registered":
        return url_for("CaseWorkflowView.act", pk=case.id, action="start_screening"), _l("Start screening")
    if case.status == "screening":
        return url_for("CaseWorkflowView.consent", pk=case.id), _l("Record consent")
    if case.status == "mediation_accepted" or (case.status == "assigned" and case.mediator_id is None):
        return url_for("AssignmentView.assign", pk=case.id), _l("Offer to mediators")
    if case.status == "judicial_confirmation":
        return url_for("OutcomeView.confirmation", pk=case.id), _l("Judicial confirmation")
    if case.status in ("agreement_reached", "performing"):
        return _show(case.id, "outcome"), _l("Agreement and performance")
    return _show(case.id, "deadlines"), _l("Open the case")


def _responsible_item(desk: Desk, row) -> Item:
    url, action = staff_step(row[0])
    return case_item(desk, row[0], url, action)


def _sent_overdue(desk: Desk):
    from app.models.organization import Organization

    return (select(Referral, Case, Organization).join(Case, Case.id == Referral.case_id)
            .join(Organization, Organization.id == Referral.partner_id)
            .where(Referral.sent_by_id == desk.user.id, Referral.status.in_(("sent", "accepted")),
                   Referral.due_on < desk.today)
            .order_by(Referral.due_on, Referral.id))


def _sent_item(desk: Desk, row) -> Item:
    referral, case, partner = row
    return Item(url=_show(case.id, "referrals"), label=case.case_no, text=f"{partner.name} · {referral.purpose}",
                meta=gettext("Due on %(day)s", day=referral.due_on), action=_l("Open the case"),
                due=referral.due_on, urgency="overdue", case_id=case.id)


# --- a partner agency ---------------------------------------------------------------------------------


def _partner(status: str):
    def query(desk: Desk):
        # the case number, as the partner's referral list shows it: the one reference both sides use
        return (select(Referral, Case.case_no).join(Case, Case.id == Referral.case_id)
                .where(Referral.partner_id == desk.organization.id, Referral.status == status)
                .order_by(Referral.due_on, Referral.id))
    return query


def _referral_item(desk: Desk, row) -> Item:
    referral, case_no = row[0], row[1]
    return Item(url=url_for("PartnerView.show", rid=referral.id), label=case_no,
                text=f"{REFERRAL_KINDS.get(referral.kind, referral.kind)} · {referral.purpose}",
                meta=gettext("Due on %(day)s", day=referral.due_on),
                action=_l("Accept or return") if referral.status == "sent" else _l("Answer"),
                due=referral.due_on, urgency=urgency_of_day(referral.due_on, desk.today))


# --- an administrator ---------------------------------------------------------------------------------


def _dead(desk: Desk):
    return select(OutboxMessage).where(OutboxMessage.status == "dead").order_by(OutboxMessage.id.desc())


def _dead_item(desk: Desk, row) -> Item:
    message = row[0]
    return Item(url=url_for("OutboxAdminView.show", pk=message.id), label=f"#{message.id}",
                text=(message.last_error or "")[:120], meta=gettext("Referral %(id)s", id=message.referral_id or "—"),
                action=_l("Re-send"), urgency="overdue")


def _to_check(desk: Desk):
    # the row in force today and any row dated later; an older row replaced by one in force is history
    later = Setting.__table__.alias("later")
    superseded = select(later.c.id).where(later.c.key == Setting.key, later.c.valid_from > Setting.valid_from,
                                          later.c.valid_from <= desk.today).exists()
    return select(Setting).where(Setting.needs_check.is_(True), ~superseded).order_by(Setting.key, Setting.valid_from)


def _check_item(desk: Desk, row) -> Item:
    from app.services.setting_labels import setting_label

    setting = row[0]
    return Item(url=url_for("SettingModelView.edit", pk=setting.id), label=setting_label(setting.key),
                text=f"{setting.value} · {setting.source}"[:160],
                meta=gettext("In force from %(day)s", day=setting.valid_from), action=_l("Check"))


def _is_mediator(desk: Desk) -> bool:
    return desk.mediator is not None


def _is_staff(desk: Desk) -> bool:
    return not desk.is_partner


def _is_office_staff(desk: Desk) -> bool:
    """Staff who answer for cases and send referrals (a pool mediator alone does neither)."""
    return not desk.is_partner and bool(desk.roles - {"Mediator"})


SPECS: list[QueueSpec] = [
    QueueSpec("offers", _l("Cases offered to me"), _l("No offers waiting for your answer."), _is_mediator,
              _offers, _offer_item),
    QueueSpec("appointments", _l("Today's appointments"), _l("No appointment today."), _is_staff,
              _appointments, _appointment_item),
    QueueSpec("confirm-accept", _l("Judicial confirmation: applications to accept"),
              _l("No application waits for acceptance."), lambda d: d.is_court, _to_accept, _accept_item,
              deadlines=True),
    QueueSpec("confirm-decide", _l("Judicial confirmation: applications to decide"),
              _l("No accepted application waits for a ruling."), lambda d: d.is_court, _to_decide, _decide_item,
              deadlines=True),
    QueueSpec("court-limit", _l("Court-entrusted mediation near its limit"),
              _l("No court-entrusted mediation is near its limit."), lambda d: d.is_court, _court_entrusted,
              _court_item, deadlines=True, only_urgent=True,
              note=_l("Cases whose 15-day (ordinary) or 7-day (simplified) period is overdue or due soon.")),
    QueueSpec("screening", _l("Waiting for screening"), _l("No case waits for screening."),
              lambda d: d.is_centre_clerk, _to_screen, _screen_item, deadlines=True),
    QueueSpec("assignment", _l("Waiting for a mediator"), _l("No case waits for a mediator."),
              lambda d: d.is_centre_clerk, _to_assign, _assign_item, deadlines=True,
              note=_l("Mediation accepted, and no offer accepted yet.")),
    QueueSpec("visits", _l("Return visits due"), _l("No return visit is due."), lambda d: d.is_centre_clerk,
              _visits, _visit_item),
    QueueSpec("mediating", _l("Cases I mediate"), _l("No open cases."), _is_mediator, _mediating,
              _mediating_item, deadlines=True),
    QueueSpec("signatures", _l("Agreements awaiting signatures"), _l("No agreement waits for signatures."),
              _is_mediator, _signatures, _signature_item),
    QueueSpec("responsible", _l("Cases I am responsible for"), _l("No open case is yours."), _is_office_staff,
              _responsible, _responsible_item, deadlines=True),
    QueueSpec("sent-overdue", _l("Overdue referrals"), _l("Every referral you sent was answered in time."),
              _is_office_staff, _sent_overdue, _sent_item),
    QueueSpec("partner-sent", _l("Referrals to accept"), _l("No referral waits for acceptance."),
              lambda d: d.is_partner, _partner("sent"), _referral_item, scoped=False),
    QueueSpec("partner-accepted", _l("Referrals to answer"), _l("No accepted referral waits for an answer."),
              lambda d: d.is_partner, _partner("accepted"), _referral_item, scoped=False),
    QueueSpec("dead-outbox", _l("Deliveries that failed"), _l("Every delivery reached its partner."),
              lambda d: d.is_admin, _dead, _dead_item, scoped=False),
    QueueSpec("settings-check", _l("Dated settings to check"), _l("No setting is marked for checking."),
              lambda d: d.is_admin, _to_check, _check_item, scoped=False,
              note=_l("Figures taken from a secondary source: confirm them against the official text.")),
]
from app.views.mywork_meetings import MEETING_TASKS  # noqa: E402 (follow-ups of joint analysis meetings)

SPECS.append(MEETING_TASKS)
from app.views.mywork_alerts import ALERTS  # noqa: E402 (open alerts of the reader's area)

SPECS.append(ALERTS)
from app.views.mywork_screening import SCREENING_TASKS  # noqa: E402 (a centre's open campaign tasks)

SPECS.append(SCREENING_TASKS)
SPECS_BY_KEY = {s.key: s for s in SPECS}
