"""One demo case told step by step through the lifecycle's own functions: registration,
consent, screening, offers and acceptance, appointments and sessions, the agreement and its
signatures, judicial confirmation, performance, return visits, and the ways a case ends.

A story is a generator: it yields the moment of its next step and takes the step when
:func:`app.demo_story.replay` resumes it with the application's clock set to that moment.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

from app.demo_parties import agreed_terms, payload
from app.extensions import db
from app.intake.payload import flatten
from app.lifecycle import assignment, consent, outcome, sessions, visits
from app.lifecycle.confirmation import apply_confirmation, record_confirmation
from app.lifecycle.workflow import perform
from app.models.case import Case
from app.models.outcome import ReturnVisit
from app.plugins.types import AgreementTerm
from app.services.intake import intake_form, register_case
from app.services.scope import ANYWHERE

CHANNELS = ("window", "window", "window", "assisted", "online", "grid")
ROOMS = ("调解室一", "调解室二", "人民调解工作室", "诉调对接室")


class Moments:
    """The moments of one course of steps: office hours on a given day, each after the last. A
    step planned for later today happens just before now; one planned after now is never taken
    (:func:`app.demo_story.replay` leaves the case where it stands)."""

    def __init__(self, zone, now: dt.datetime, rng: random.Random, last: dt.datetime | None = None):
        self.zone, self.now, self.rng, self.last = zone, now, rng, last

    def at(self, day: dt.date, start=(8, 40), end=(17, 20)) -> dt.datetime:
        """A moment between ``start`` and ``end`` o'clock on ``day``."""
        minutes = self.rng.randint(start[0] * 60 + start[1], end[0] * 60 + end[1])
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), self.zone).astimezone(dt.timezone.utc)
        today = self.now.astimezone(self.zone).date()
        if moment > self.now and day == today:
            # Earlier today instead (no extra draw: the same story all day), but never before
            # midnight: a step of today dated yesterday would be refused by today's rules.
            midnight = dt.datetime.combine(today, dt.time(0), self.zone).astimezone(dt.timezone.utc)
            moment = max(self.now - dt.timedelta(minutes=2 + minutes % 58), midnight + (self.now - midnight) / 2)
        if self.last is not None and moment <= self.last:
            moment = self.last + dt.timedelta(minutes=self.rng.randint(3, 25))
        self.last = moment
        return moment

    def later(self, low=5, high=40) -> dt.datetime:
        """A moment a few minutes after the previous one."""
        self.last += dt.timedelta(minutes=self.rng.randint(low, high))
        return self.last


class CaseStory:
    """The course of one planned case (:class:`app.demo_story.Plan`)."""

    def __init__(self, plan, cast):
        self.plan, self.cast = plan, cast
        self.rng = random.Random(plan.seed)
        self.case_id = None
        self.time = Moments(cast.zone, cast.now, self.rng)
        self.mediator = None  # the pool mediator who takes the case (a Cast.Member)

    # -- time ---------------------------------------------------------------------------
    def day(self, key) -> dt.date:
        """The day of step ``key`` (or ``key`` itself when it is a date)."""
        if isinstance(key, dt.date):
            return key
        return self.plan.registered_on + dt.timedelta(days=self.plan.days[key])

    def at(self, key, start=(8, 40), end=(17, 20)) -> dt.datetime:
        """A moment in office hours on the day of step ``key``, after the case's previous step."""
        return self.time.at(self.day(key), start, end)

    def later(self, low=5, high=40) -> dt.datetime:
        """A moment a few minutes after the previous step."""
        return self.time.later(low, high)

    # -- who and what (read afresh at every step: the replay empties the session between steps) --
    @property
    def case(self) -> Case:
        """The case as stored now."""
        return db.session.get(Case, self.case_id)

    @property
    def clerk(self):
        """Who keeps the case at the centre (the court's mediation clerk for court cases)."""
        return self.cast.user(self.cast.court_mediation_clerk if self.plan.court else self.cast.clerks[self.plan.town])

    @property
    def mediator_user(self):
        """The login of the mediator who took the case."""
        return self.cast.user(self.mediator.user_id)

    def parties(self, *roles):
        """The case's parties in ``roles``."""
        return [p for p in self.case.parties if p.role in roles]

    # -- the story ----------------------------------------------------------------------
    def run(self):
        """The generator :func:`app.demo_story.replay` drives."""
        fate, options = self.plan.fate, self.plan.options
        yield self.at("register")
        self.register()
        if fate == "registered":
            return
        yield self.later()
        perform(self.case, "start_screening", self.clerk)
        applicant = self.parties("applicant")
        consent.record_consents(self.case, "mediation", "window", {p.id: "given" for p in applicant}, self.clerk)
        if fate == "screening":
            return
        if fate == "withdrawn" and options["withdraw_after"] == "screen":
            yield from self.withdraw()
            return
        refused = fate in ("litigation_screening", "transferred_refused")
        yield self.at("accept")
        answer = "refused" if refused else "given"
        consent.record_consents(self.case, "mediation", "phone",
                                {p.id: answer for p in self.parties("respondent")}, self.clerk)
        if refused:
            perform(self.case, "refuse_mediation", self.clerk, note="被申请人明确表示不同意调解，转入诉讼甄别。")
            if fate == "transferred_refused":
                yield self.at("transfer")
                self.transfer("被申请人不同意调解，经甄别引导申请人依法起诉。")
            return
        perform(self.case, "accept_mediation", self.clerk)
        if fate == "accepted":
            return
        yield self.later(20, 90)
        offers = self.offer()
        if options.get("referral"):
            yield self.cast.referral_story(self, self.day("accept"))
        if fate == "offered":
            return
        yield from self.take_offer(offers)
        if fate == "withdrawn" and options["withdraw_after"] == "assign":
            yield from self.withdraw()
            return
        yield from self.mediate()
        if fate in ("scheduled", "scheduled_today", "mediating", "mediating_overdue", "mediating_today"):
            return
        if fate == "withdrawn":
            yield from self.withdraw()
            return
        if fate in ("failed", "transferred_failed", "closed_failed"):
            yield from self.fail()
            return
        if self.cast.template(self.plan.dispute_type) is None:
            return  # a type without an agreement template stays in mediation
        yield from self.agree()
        if fate == "signing":
            return
        if options["confirmation"]:
            yield from self.confirm()
            if fate == "confirmation_pending":
                return
        yield self.at("perform")
        perform(self.case, "start_performance", self.clerk)
        if fate == "closed":
            yield from self.visit_and_close()

    def register(self) -> None:
        """The clerk registers the case from the plugin's sample, varied (as the API would)."""
        plan, cast = self.plan, self.cast
        data = payload(self.rng, plan.dispute_type, cast.samples[plan.dispute_type], plan.registered_on, plan.town)
        data.update(area_id=cast.areas[plan.town], channel=self.rng.choice(CHANNELS),
                    organization_id=cast.centres[plan.town])
        if plan.court:
            data.update(track="court_entrusted", procedure=plan.procedure, channel="court",
                        organization_id=cast.court_mediation,
                        description=f"{data['title']}：申请人向汕尾市城区人民法院起诉，经双方同意，"
                                    "由法院委派诉前调解中心调解。")
        form = intake_form(plan.dispute_type, flatten(data), api=True, scope=ANYWHERE)
        if not form.validate():
            raise RuntimeError(f"demo case {plan.n} ({plan.dispute_type}) is invalid: {form.errors}")
        self.case_id = register_case(form, plan.dispute_type, self.clerk).id

    def offer(self) -> list[tuple[int, int]]:
        """The clerk offers the case to one or two mediators; ``[(offer id, mediator id)]``."""
        chosen = self.cast.mediators_for(self.plan, self.rng)
        self.mediator = chosen[-1] if self.plan.options["decline_first"] and len(chosen) > 1 else chosen[0]
        made = assignment.offer(self.case, [m.id for m in chosen], self.clerk)
        return [(a.id, a.mediator_id) for a in made]

    def take_offer(self, offers):
        """The first mediator may decline (saying why); the chosen one accepts."""
        by_mediator = {mediator_id: offer_id for offer_id, mediator_id in offers}
        if self.plan.options["decline_first"] and len(offers) > 1:
            first_id, first_mediator = offers[0]
            yield self.later(30, 180)
            assignment.decline(first_id, self.cast.user(self.cast.member(first_mediator).user_id),
                               "本周已排满调解任务，无法按时组织调解。")
        yield self.at("assign")
        assignment.accept(by_mediator[self.mediator.id], self.mediator_user)

    def mediate(self):
        """Appointments and sessions as the fate needs them."""
        fate = self.plan.fate
        online = self.plan.options["online"]
        if online:
            yield self.later(10, 60)
            consent.record_consents(self.case, "online", "phone",
                                    {p.id: "given" for p in self.case.parties if p.role != "agent"}, self.clerk)
        yield self.later(10, 60)
        first_day = self.cast.today if fate == "scheduled_today" else self.day("appoint")
        first = self.appoint(first_day, online)
        if fate in ("scheduled", "scheduled_today"):
            return
        yield self.at(first_day, (17, 25), (18, 30))  # recorded after the session, the same day
        self.hold(first, "双方分歧较大，约定补充证据后继续调解。" if fate == "mediating_overdue"
                  else "双方陈述事实和诉求，调解员释明法律规定，约定下次继续调解。")
        if fate in ("mediating", "mediating_overdue"):
            return
        if fate == "mediating_today" or "session2" in self.plan.days:
            yield self.later(5, 30)
            second_day = self.cast.today if fate == "mediating_today" else self.day("session2")
            second = self.appoint(second_day, online)
            if fate == "mediating_today":
                return
            yield self.at(second_day, (17, 25), (18, 30))
            self.hold(second, "继续调解，双方意见逐步接近。")

    def appoint(self, day: dt.date, online: bool) -> tuple:
        """Book an appointment on ``day``; returns ``(id, starts_at, mode)``."""
        hour, minute = self.rng.choice([(9, 0), (9, 30), (10, 0), (10, 30), (14, 30), (15, 0), (15, 30), (16, 0)])
        starts = dt.datetime.combine(day, dt.time(hour, minute), self.cast.zone)
        names = [p.name for p in self.case.parties]
        if online:
            made = sessions.make_appointment(self.case, self.mediator_user, starts, "video", "",
                                             f"人民法院在线服务·调解室{self.plan.n:03d}", names, "双方同意视频调解。")
        else:
            centre = "汕尾市城区人民法院诉前调解中心" if self.plan.court else f"{self.plan.town}综治中心"
            made = sessions.make_appointment(self.case, self.mediator_user, starts, "offline",
                                             f"{centre}{self.rng.choice(ROOMS)}", "", names, "")
        return made.id, starts.astimezone(dt.timezone.utc), made.mode

    def hold(self, appointment: tuple, minutes: str) -> None:
        """The mediator records the session held at the appointment."""
        appointment_id, starts_at, mode = appointment
        sessions.record_session(self.case, self.mediator_user, starts_at, mode, minutes, "", appointment_id=appointment_id)

    def agree(self):
        """The agreement, drafted by the mediator on the last session's day, and its signatures."""
        plan = self.plan
        yield self.later(10, 40)
        applicant, respondent = self.parties("applicant")[0], self.parties("respondent")[0]
        amount = Decimal(self.case.claim_amount or 10000)
        terms = [AgreementTerm(*t) for t in agreed_terms(self.rng, plan.dispute_type, applicant.name, respondent.name,
                                                         amount, plan.first_due)]
        committee = "汕尾市城区人民法院诉前调解中心" if plan.court else "汕尾市城区人民调解委员会"
        # 协议金额 for the ledgers: the sums the terms name (a monthly support payment is no lump sum).
        agreed = sum((Decimal(n) for t in terms if t.kind != "support" for n in re.findall(r"人民币(\d+)元", t.text)),
                     Decimal(0)) or None
        outcome.save_agreement(self.case, self.mediator_user, self.cast.template(plan.dispute_type), committee, self.mediator.name,
                               terms, drafted_on=self.day("agree"), amount=agreed)
        lines = [(s.id, s.party_id) for s in outcome.signatures_of(outcome.agreement_of(self.case))]
        if plan.fate == "signing":
            lines = lines[:self.rng.choice([0, 1, 1])]
        for n, (line_id, party_id) in enumerate(lines):
            last = n == len(lines) - 1 and plan.fate != "signing"
            day = self.day("signed") if last else self.day("agree")
            yield self.at(day)
            method = "thumbprint" if party_id and self.rng.random() < 0.2 else "signature"
            outcome.sign(self.case, line_id, day, "seal" if self.is_organization(party_id) else method, self.mediator_user)

    def is_organization(self, party_id) -> bool:
        """True when the party is an organisation (it seals rather than signs)."""
        return any(p.id == party_id and p.kind == "organization" for p in self.case.parties)

    def confirm(self):
        """The joint application, then the court clerk's acceptance and the ruling."""
        yield self.at("apply")
        apply_confirmation(self.case, self.clerk, self.day("apply"))
        waiting = self.plan.fate == "confirmation_pending"
        if waiting and not self.plan.options.get("court_accepted"):
            return
        yield self.at("accepted")
        record_confirmation(self.case, self.day("accepted"), "pending", None, "", self.cast.user(self.cast.court_clerk))
        if waiting:
            return
        yield self.at("decided")
        record_confirmation(self.case, self.day("accepted"), "confirmed", self.day("decided"),
                            "民事裁定书已送达双方当事人。", self.cast.user(self.cast.court_clerk))

    def visit_and_close(self):
        """Every return visit on its day (a late payer gets a follow-up), then closure."""
        first = True
        while True:
            pending = [v for v in visits.visits_of(self.case) if v.done_on is None]
            if not pending:
                break
            visit_id, day = pending[0].id, pending[0].scheduled_for
            yield self.at(day)
            visit = db.session.get(ReturnVisit, visit_id)
            kept = not (first and self.plan.options["late_payer"])
            agreement = outcome.agreement_of(self.case)
            due = [t.id for t in agreement.terms if kept and (t.due_on is None or t.due_on <= visit.scheduled_for)]
            visits.record_visit(visit, self.clerk, visit.scheduled_for, self.rng.choice(["phone", "phone", "visit"]),
                                kept, self.rng.choice([4, 5, 5]) if kept else 3,
                                "" if kept else "被申请人称资金周转困难，承诺近日付清。", due)
            first = False
        yield self.at("close")
        perform(self.case, "close", self.clerk, note="协议已履行完毕，回访完成，结案。")

    def fail(self):
        """Mediation fails; the case then goes to court (or arbitration) or is closed."""
        yield self.at("fail")
        perform(self.case, "fail_mediation", self.mediator_user,
                note="双方对赔偿数额分歧较大，经多次调解未能达成协议。")
        if self.plan.fate == "transferred_failed":
            yield self.at("transfer")
            self.transfer("调解不成，引导当事人依法提起诉讼。")
        elif self.plan.fate == "closed_failed":
            yield self.at("transfer")
            perform(self.case, "close", self.clerk, note="调解不成，申请人表示暂不起诉，结案。")

    def transfer(self, note: str) -> None:
        """To arbitration (where the type's plugin keeps the case from the court) or the court
        procedure the claim suits."""
        from app.demo_kinds import arbitration_first

        if arbitration_first(self.plan.dispute_type):
            track = "arbitration"
        else:
            amount = Decimal(self.case.claim_amount or 0)
            track = "small_claims" if amount < 30000 else ("fast_track" if amount < 200000 else "ordinary")
        perform(self.case, "transfer", self.clerk, note=note, data={"track": track})

    def withdraw(self):
        """The applicant withdraws: the parties settled on their own."""
        yield self.at("withdraw")
        perform(self.case, "withdraw", self.clerk, note="双方已自行和解，申请人撤回调解申请。")
